#!/usr/bin/env bash
# The README's run command (./gm run): a census, login, billing and web console server with the
# embedded SQLite store, three provisioned simulated gateways whose subscribers are authorised
# through billing for SECONDS (five minutes unless given; the console at https://127.0.0.1:7400/
# shows it all live, with the logins printed below), then the store's totals next to the
# simulator's truth, the balances and one bill.
#
# The money: a tariff of 0.0005 EUR per charged second (1.80 EUR an hour); prepaid accounts
# acct-small (0.005 EUR, 10 charged seconds: runs dry within the minute, its sessions end "zero balance") and
# acct-large, a postpaid account, acct-flagged (prepaid, temporarily approved while the realm's
# approval system decides, which then rejects it: its sessions end "auth rejected"), and
# roamers of partner.example (approved through their home provider, settled later).
# Settlement: this operator is Hotspot (Australia), partner.example's users are Partner's (USA);
# last month's roaming records are imported and that period closed before the run, so Partner
# logs in to the console to its reports; the run's own roaming sessions become raw records as
# they end (census_settlement).
#   usage: run_demo.sh BIN_DIR RUN_DIR [SECONDS] [STORE]   (GM_WEB_PORT: the console's, 7400)
#     BIN_DIR: a build folder (build/release); RUN_DIR: where state, flash and truth go
#     STORE: sqlite (default: a file in RUN_DIR), postgresql (a private cluster started here and
#     removed at the end), or postgresql:CONNINFO (your own database)
set -euo pipefail
bin=$1
run=$2
seconds=${3:-300}
web_port=${GM_WEB_PORT:-7400}
store=${4:-sqlite}
server=$bin/host/gatemeter-server
ctl=$bin/host/censusctl
bctl=$bin/host/billingctl
standin=$bin/tests/gatemeter-approval-standin
sim=$bin/sim/gatemeter-sim
compare=$bin/sim/gatemeter-compare
sctl_bin=$bin/host/settlectl
for b in "$server" "$ctl" "$bctl" "$standin" "$sim" "$compare" "$sctl_bin"; do
  [ -x "$b" ] || { echo "run: $b is missing: build the release preset first (./gm build)" >&2; exit 1; }
done

rm -rf "$run"
mkdir -p "$run/flash"
state=$run/state
source "$(dirname "$0")/../tests/support/pg_cluster.sh"
case "$store" in
  sqlite) store_flags=() ;;
  postgresql) pg_start; store_flags=(--store="$pg_spec") ;;
  postgresql:*) store_flags=(--store="$store") ;;
  *) echo "run: STORE must be sqlite, postgresql or postgresql:CONNINFO, got \"$store\"" >&2; exit 2 ;;
esac
cfg=(--state_dir="$state" "${store_flags[@]}" --services=census,login,billing,web
     --login_listen=127.0.0.1:0 --census_listen=127.0.0.1:0 --billing_listen=127.0.0.1:0
     --web_listen=127.0.0.1:$web_port
     --metering_interval_s=10 --default_realm=hotspot0.example --feed_file="$state/feed.jsonl"
     --census_settlement=true --census_settlement_server=gm-hotspot-aas
     --census_settlement_time_zone=Australia/Sydney)
ctl() { "$ctl" --state_dir="$state" "${store_flags[@]}" "$@"; }
bctl() { "$bctl" --state-dir="$state" "${store_flags[@]}" "$@"; }
sctl() { "$sctl_bin" --state-dir="$state" "${store_flags[@]}" "$@"; }

server_pid="" standin_pid="" money_pid=""
trap 'for p in $money_pid $standin_pid $server_pid; do kill "$p" 2>/dev/null; done; wait 2>/dev/null || true; pg_stop' EXIT

# The realm's approval system: approves every inquiry but those about acct-flagged.
"$standin" --listen=127.0.0.1:0 --reject=acct-flagged >"$run/approval.log" 2>&1 &
standin_pid=$!
approval_port=""
for _ in $(seq 50); do
  approval_port=$(sed -n 's/^ready port=\([0-9]*\).*/\1/p' "$run/approval.log")
  [ -n "$approval_port" ] && break
  sleep 0.1
done
[ -n "$approval_port" ] || { echo "run: the approval stand-in did not start:" >&2; cat "$run/approval.log" >&2; exit 1; }

ctl init >/dev/null
pin=$(ctl pin)
: >"$run/agents.csv"
for g in 1 2 3; do
  ctl add-agent "gw-demo-$g" | awk -v g="$g" '/^credential /{print "gw-demo-" g "," $2}' >>"$run/agents.csv"
done
# The operator's catalog and account book (host/billing/BILLING.md; billingctl --help). Gateway
# g's subscribers are of realm hotspot<g-1>.example.
for r in hotspot0.example hotspot1.example hotspot2.example; do
  bctl realm set "$r" --outage-policy=continue \
    --approval-url="http://127.0.0.1:$approval_port/approve" --temporary=8 >/dev/null
  for o in prepaid postpaid free; do
    bctl offer set "$r" "$o" --label="$o" --terms="1.80 EUR/hour" >/dev/null
  done
done
bctl realm set partner.example --provider=partner >/dev/null
bctl offer set partner.example roaming --label="roaming" --terms="via partner, settled monthly" >/dev/null
bctl service set wifi web >/dev/null
bctl rate add --service-type='*' --band='*' --zone='*' --provider='*' --unit=second \
  --price=0.0005 --from=now+1 >/dev/null
bctl account add acct-small --kind=prepaid --balance=0.005 --low-balance=0.02 >/dev/null
bctl account add acct-large --kind=prepaid --balance=20.00 --low-balance=1.00 >/dev/null
bctl account add acct-post --kind=postpaid >/dev/null
bctl account add acct-flagged --kind=prepaid --balance=5.00 >/dev/null
printf '%s\n' acct-small acct-large acct-post acct-flagged roaming:partner.example >"$run/accounts.txt"

# The console's logins: an operator (censusctl web-operator), a subscriber of acct-large (sub1 of
# the first gateway names it), and the roaming partner. Made fresh for each run.
op_pass=$(openssl rand -hex 6) sub_pass=$(openssl rand -hex 6) partner_pass=$(openssl rand -hex 6)
ctl web-operator ops <<<"$op_pass" >/dev/null
bctl subscriber add sub1@hotspot0.example acct-large >/dev/null
bctl subscriber password sub1@hotspot0.example <<<"$sub_pass" >/dev/null

# Settlement (host/settlement/SETTLEMENT.md): the directory, the tariffs, last month's roaming
# records, closed; Partner's password for its reports.
sctl provider set Hotspot --country=Australia >/dev/null
sctl provider set Partner --country=USA >/dev/null
sctl server set gm-hotspot-aas Hotspot >/dev/null
sctl server set aas.partner.example Partner >/dev/null
sctl realm set partner.example Partner >/dev/null
sctl realm set hotspot0.example Hotspot >/dev/null
sctl rule set c-all --side=consumer --price=1.20 >/dev/null
sctl rule set p-all --side=provider --price=0.60 >/dev/null
sctl fee set --per-connection=0.10 --per-minute=0.06 >/dev/null
last_from=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m-01T00:00:00Z)
last_to=$(date -u +%Y-%m-01T00:00:00Z)
last_start=$(date -u -d "$last_from" +%s)
for i in $(seq 1 24); do
  stop=$(( last_start + i * 86400 + 3600 * (i % 7) ))
  gmt=$(date -u -d "@$stop" +%Y-%m-%dT%H:%M:%SZ)
  if (( i % 3 )); then  # Partner's users on Hotspot's gateways, Sydney's local time
    echo "roamer$((i % 5))@partner.example,,Stop,R-$i,$(( 300 + 37 * i )),0,gw-demo-$(( 1 + i % 3 )),gm-hotspot-aas,,$gmt,$(TZ=Australia/Sydney date -d "@$stop" '+%Y-%m-%d %H:%M:%S'),Australia/Sydney"
  else  # Hotspot's subscribers roaming on Partner's network in New York
    echo "sub$i@hotspot0.example,,Stop,P-$i,$(( 600 + 53 * i )),0,nas-ny-1,aas.partner.example,,$gmt,$(TZ=America/New_York date -d "@$stop" '+%Y-%m-%d %H:%M:%S'),America/New_York"
  fi
done >"$run/last-month-raw.csv"
sctl import "$run/last-month-raw.csv" >/dev/null
sctl close --from="$last_from" --to="$last_to" --out="$run/settlement-$(date -u -d "$last_from" +%Y-%m)" \
  >"$run/settlement-close.log" 2>&1 || { cat "$run/settlement-close.log" >&2; exit 1; }
sctl provider password Partner <<<"$partner_pass" >/dev/null
sleep 1.2  # the rate is in effect from now+1

"$server" "${cfg[@]}" >"$run/server.log" 2>&1 &
server_pid=$!
ready=""
for _ in $(seq 100); do  # up to 10 s
  ready=$(grep -m1 '^ready ' "$run/server.log" || true)
  [ -n "$ready" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$run/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$ready" ] || { echo "run: the server did not start:" >&2; cat "$run/server.log" >&2; exit 1; }
login_port=$(sed 's/.*login_port=\([0-9]*\).*/\1/' <<<"$ready")
census_port=$(sed 's/.*census_port=\([0-9]*\).*/\1/' <<<"$ready")
billing_port=$(sed 's/.*billing_port=\([0-9]*\).*/\1/' <<<"$ready")
web_port=$(sed 's/.*web_port=\([0-9]*\).*/\1/' <<<"$ready")
echo "== census, login, billing and web console up: login 127.0.0.1:$login_port (TLS), census"
echo "   127.0.0.1:$census_port (UDP), billing 127.0.0.1:$billing_port (UDP); approval system"
echo "   stand-in at 127.0.0.1:$approval_port"
echo "   store: $(sed -n 's/^census: listening on .*, store //p' "$run/server.log")"
echo "== provisioned gateways gw-demo-1..3 (censusctl add-agent shows a credential once); key pin $pin"
echo
echo "   ┌ the web console: https://127.0.0.1:$web_port/   (self-signed: your browser asks once;"
echo "   │ the certificate is $state/login-cert.pem)"
echo "   │ operator    ops                     password $op_pass"
echo "   │ subscriber  sub1@hotspot0.example   password $sub_pass   (acct-large: top it up there)"
echo "   └ provider    Partner                 password $partner_pass   ($(date -u -d "$last_from" +%B)'s settlement reports)"
echo
echo "== billing: realms hotspot0..2.example (prepaid, postpaid, free; remote approval, 8 s"
echo "   temporary), roaming realm partner.example; 0.0005 EUR per charged second; accounts"
echo "   acct-small 0.005 EUR (runs dry), acct-large 20.00, acct-post postpaid, acct-flagged"
echo "   (the approval system rejects it)"
echo "== subscribers for $seconds s (./gm run SECONDS for another length). Live table: sessions live"
echo "   on the gateways, their charged and free seconds and octets, records acknowledged, pending;"
echo "   'money:' lines: the prepaid balances as the census's commits debit them"
(
  while sleep 10; do
    bctl account list --csv 2>/dev/null | awk -F, '
      NR == 1 { for (k = 1; k <= NF; ++k) col[$k] = k; next }
      $col["kind"] == "prepaid" { line = line sprintf("  %s %s EUR", $col["name"], $col["balance"]) }
      END { if (line != "") print "money:" line }'
  done
) &
money_pid=$!
"$sim" --agents "$run/agents.csv" --pin "$pin" --login "127.0.0.1:$login_port" \
  --flash-dir "$run/flash" --truth "$run/truth.csv" --duration "$seconds" --interval 10 \
  --persist-after 5 --arrivals 20 --mean-duration 40 --status-every 5 \
  --accounts "$run/accounts.txt" --anonymous-share 0.2 2>"$run/gateway.log"
kill "$money_pid" 2>/dev/null || true
wait "$money_pid" 2>/dev/null || true
money_pid=""

ctl export-csv "$run/store.csv"
totals() {
  awk -F, -v label="$1" '
    NR == 1 { for (k = 1; k <= NF; ++k) col[$k] = k; next }
    { n++; c += $col["charged_s"]; f += $col["free_s"]; oi += $col["octets_in"]; oo += $col["octets_out"] }
    END { printf "%-6s %5d sessions %8d s charged %8d s free %14d octets in %12d octets out\n",
          label, n, c, f, oi, oo }' "$2"
}
echo
echo "== totals: the census store next to the simulator's truth"
totals store "$run/store.csv"
totals truth "$run/truth.csv"
"$compare" "$run/truth.csv" "$run/store.csv" | tail -n 5
echo
echo "== money: the accounts after the run (prepaid debited live, in each commit of usage)"
bctl account list
echo
echo "== how the sessions ended (stop causes), from the census store"
awk -F, 'NR == 1 { for (k = 1; k <= NF; ++k) col[$k] = k; next }
  { n[$col["stop_cause"]]++ } END { for (c in n) printf "   %-20s %d\n", c, n[c] }' "$run/store.csv" | sort
echo
echo "== the network management feed: $(wc -l <"$state/feed.jsonl" 2>/dev/null || echo 0) ended sessions in $state/feed.jsonl, e.g."
head -n 1 "$state/feed.jsonl" 2>/dev/null | cut -c1-200 || true
echo
echo "== acct-large's bill for the run (billingctl bill acct-large --from=... --to=...)"
bctl bill acct-large --from=2000-01-01T00:00:00Z --to=2100-01-01T00:00:00Z | head -n 12
echo
case "$store" in
  sqlite)
    echo "== the database is $state/usage.db; look at it with the admin CLI:"
    echo "   $ctl --state_dir=$state list-sessions"
    echo "   $ctl --state_dir=$state usage"
    echo "   $ctl --state_dir=$state export-csv usage.csv"
    echo "   $bctl --state-dir=$state account list"
    echo "   $bctl --state-dir=$state bill acct-large --from=2000-01-01T00:00:00Z --to=now --format=json"
    echo "   or with sqlite3: sqlite3 $state/usage.db .tables" ;;
  postgresql)
    echo "== the private PostgreSQL cluster goes now; with your own database:"
    echo "   ./gm run $seconds postgresql:'host=... dbname=... user=...'" ;;
  *)
    echo "== look at it with: $ctl --state_dir=$state --store='$store' list-sessions" ;;
esac
