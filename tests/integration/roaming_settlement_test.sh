#!/usr/bin/env bash
# Gatemeter agents' roaming sessions feed settlement (host/settlement/SETTLEMENT.md): the real
# agent (gatemeter-sim's gateway) serves subscribers of hotspot0.example (this operator's own)
# and roamers of partner.example (BILLING_ROAMING, home provider Partner), through a
# gatemeter-server with census_settlement on; each roaming session that ends becomes one raw
# settlement record in the census's commit of its STOP. settlectl then cleans and closes the
# period: every ended roaming session of the simulator's truth, and nothing else, is Hotspot's
# served usage and Partner's consumed usage, with its true seconds (charged + free), local stop
# times in Sydney, and the statement's nets as computed here from those seconds.
# 127.0.0.1 only; every step has a time limit.
#   roaming_settlement_test.sh GATEMETER_SERVER CENSUSCTL BILLINGCTL SETTLECTL GATEMETER_SIM
#                              GATEMETER_COMPARE [sqlite|postgresql]
set -euo pipefail
umask 077
server=$1 ctl=$2 bctl=$3 settlectl=$4 sim=$5 compare=$6 store=${7:-sqlite}
dir=$(mktemp -d /tmp/gm-roamset-XXXXXX)
state=$dir work=$dir pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null
  pg_stop 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
source "$(dirname "$0")/../support/pg_cluster.sh"
store_flags=()
if [ "$store" = postgresql ]; then
  pg_start  # exits 77 if it cannot run here
  store_flags=(--store="$pg_spec")
fi
source "$(dirname "$0")/../fault/start_server.sh"
fail() { echo "roaming settlement ($store): FAIL: $*"; exit 1; }

"$ctl" --state-dir="$dir" "${store_flags[@]}" init >"$dir/pin"
"$ctl" --state-dir="$dir" "${store_flags[@]}" add-agent gw-syd-1 |
  awk '/^credential /{print "gw-syd-1," $2}' >"$dir/agents.csv"
b() { "$bctl" --state-dir="$dir" "${store_flags[@]}" "$@" >/dev/null; }
b realm set hotspot0.example --outage-policy=continue
for o in prepaid postpaid free; do b offer set hotspot0.example "$o" --label="$o" --terms="x"; done
b realm set partner.example --provider=partner
b offer set partner.example roaming --label=roaming --terms="via partner, settled monthly"
b service set wifi-basic web
b rate add --service-type='*' --band='*' --zone='*' --provider='*' --unit=second --price=0.0005 \
  --from=now+1
b account add acct-1 --kind=postpaid
printf '%s\n' acct-1 roaming:partner.example >"$dir/accounts.txt"  # every other one roams

# The settlement directory: this operator is Hotspot (Australia), its server gm-hotspot-aas;
# partner.example's users are Partner's (USA). Consumer 1.20 a minute, provider 0.60, the fee
# 0.10 a connection and 0.60 a minute: whole cents a second, so the nets below are exact.
s() { timeout 60 "$settlectl" --state-dir="$dir" "${store_flags[@]}" "$@"; }
s provider set Hotspot --country=Australia >/dev/null
s provider set Partner --country=USA >/dev/null
s server set gm-hotspot-aas Hotspot >/dev/null
s realm set partner.example Partner >/dev/null
s rule set c-all --side=consumer --price=1.20 >/dev/null
s rule set p-all --side=provider --price=0.60 >/dev/null
s fee set --per-connection=0.10 --per-minute=0.60 >/dev/null
sleep 1.2  # the billing rate is in effect from now+1

from=$(( $(date +%s) - 60 ))
start_server server --services=census,login,billing --login-listen=127.0.0.1:0 \
  --census-listen=127.0.0.1:0 --billing-listen=127.0.0.1:0 --metering-interval-s=3 \
  --default-realm=hotspot0.example --census-settlement=true \
  --census-settlement-server=gm-hotspot-aas --census-settlement-time-zone=Australia/Sydney
login_port=$(port_of login server)
timeout 120 "$sim" --agents "$dir/agents.csv" --pin "@$dir/pin" --login "127.0.0.1:$login_port" \
  --flash-dir "$dir" --truth "$dir/truth.csv" --duration 12 --interval 3 --arrivals 90 \
  --mean-duration 6 --status-every 0 --drain-timeout 40 --local-ip 127.0.0.1 \
  --accounts "$dir/accounts.txt" --anonymous-share 0 >"$dir/sim.log" ||
  { cat "$dir/sim.log"; fail "the simulator failed"; }
"$ctl" --state-dir="$dir" "${store_flags[@]}" export-csv "$dir/store.csv"
"$compare" "$dir/truth.csv" "$dir/store.csv" >"$dir/compare.txt" ||
  { cat "$dir/compare.txt"; fail "the census does not hold the truth"; }

# The truth: each ended roaming session with seconds, "user seconds", sorted; and the others.
awk -F, 'NR == 1 { for (i = 1; i <= NF; ++i) col[$i] = i; next }
  $col["subscriber"] ~ /@partner\.example$/ && $col["ended"] == 1 &&
  $col["charged_s"] + $col["free_s"] > 0 {
    print tolower($col["subscriber"]), $col["charged_s"] + $col["free_s"] }' "$dir/truth.csv" |
  sort >"$dir/want.txt"
roamers=$(wc -l <"$dir/want.txt")
own=$(awk -F, 'NR > 1 && $3 ~ /@hotspot0\.example$/' "$dir/truth.csv" | wc -l)
[ "$roamers" -ge 3 ] && [ "$own" -ge 3 ] || fail "too few sessions to prove anything: $roamers roaming, $own own"
ended=$(awk -F, 'NR > 1 && $3 ~ /@partner\.example$/ && $11 == 1' "$dir/truth.csv" | wc -l)
open_roamers=$(awk -F, 'NR > 1 && $3 ~ /@partner\.example$/ && $11 != 1' "$dir/truth.csv" | wc -l)

# The period ends after the last commit; close refuses a period that has not ended.
to=$(( $(date +%s) + 1 ))
sleep 2
period=(--from="$from" --to="$to")
s clean "${period[@]}" >"$dir/clean.txt" 2>/dev/null || fail "clean: $(cat "$dir/clean.txt")"
# One raw record per ended roaming session; those of no seconds (ended while authorising) are
# irrelevant, as a zero-second RADIUS Stop is.
grep -q ": $ended records, $roamers clean, 0 duplicate, $(( ended - roamers )) irrelevant, 0 quarantined" \
  "$dir/clean.txt" || { cat "$dir/clean.txt"; fail "not one raw record per ended roaming session ($ended, $roamers of them with seconds; $open_roamers still open)"; }
s close "${period[@]}" --out="$dir/pub" >"$dir/close.txt" 2>&1 || { cat "$dir/close.txt"; fail "close"; }
grep -q ": $roamers records, 0 adjustments" "$dir/close.txt" || { cat "$dir/close.txt"; fail "close"; }

# Hotspot's detail file: one DT line per roaming session, its user and true seconds, served by
# Hotspot for Partner, the local time Sydney's for its GMT time.
df=$dir/pub/Hotspot/detail_file.txt
[ -s "$df" ] || fail "no detail file for Hotspot"
awk -F'","' '{ gsub(/"/, "", $11); print $7, $11 }' "$df" | sort >"$dir/got.txt"
cmp -s "$dir/want.txt" "$dir/got.txt" ||
  { diff "$dir/want.txt" "$dir/got.txt"; fail "Hotspot's detail file is not the truth's roaming sessions"; }
grep -v '"Partner;USA","Hotspot;Australia"' "$df" && fail "a line not Partner's usage on Hotspot"
while IFS= read -r line; do
  IFS=, read -r _ _ gd gt ld lt _ <<<"$(tr -d '"' <<<"$line")"
  gmt=$(date -u -d "20${gd:6:2}-${gd:0:2}-${gd:3:2} $gt" +%s)
  want=$(TZ=Australia/Sydney date -d "@$gmt" +%m/%d/%y,%H:%M:%S)
  [ "$ld,$lt" = "$want" ] || fail "local time $ld $lt is not Sydney's for $gd $gt ($want)"
done <"$df"
grep -q '@hotspot0.example' "$dir/pub"/*/detail.csv && fail "an own subscriber's session was settled"

# Partner's detail: each of its users consumed on Hotspot, once, with its seconds.
tr -d '\r' <"$dir/pub/Partner/detail.csv" >"$dir/partner.csv"
while read -r user secs; do
  grep -q "^consumed,Australia,Hotspot,Partner,$user,1,$secs," "$dir/partner.csv" ||
    { cat "$dir/partner.csv"; fail "Partner's detail lacks $user $secs s"; }
done <"$dir/want.txt"

# The statement: Hotspot earns 0.01 a second; Partner pays 0.02 + 0.01 a second and 0.10 a
# connection; the operator keeps the difference; all sum to zero.
secs=$(awk '{ s += $2 } END { print s }' "$dir/want.txt")
cents() { awk -v c="$1" 'BEGIN { printf "%s%d.%02d\n", c < 0 ? "-" : "", (c < 0 ? -c : c) / 100, (c < 0 ? -c : c) % 100 }'; }
tr -d '\r' <"$dir/pub/statement.csv" >"$dir/statement.csv"
for want in "Hotspot,Australia,$(cents "$secs")" \
            "Partner,USA,$(cents $(( -3 * secs - 10 * roamers )))" \
            "operator_total,$(cents $(( 2 * secs + 10 * roamers )))"; do
  grep -qxF "$want" "$dir/statement.csv" || { cat "$dir/statement.csv"; fail "statement lacks $want"; }
done
echo "roaming settlement ($store): $roamers ended roaming sessions ($secs s) of gw-syd-1 -> raw records in the census's commits -> cleaned and closed as Partner's usage on Hotspot; $own own sessions not settled"
