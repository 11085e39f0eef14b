#!/usr/bin/env bash
# settlectl against a real store: a temporary state folder's SQLite file, or (STORE=postgresql
# or a second argument postgresql) a private PostgreSQL cluster (tests/support/pg_cluster.sh;
# exit 77, ctest's skip, when the server is not installed). The seed's member set (Aimnet and
# Netcom in the USA, Connect.com in Australia, Demon in the UK), rules and a fee; a file of raw
# records with clean Stops, a retry, Start/Interim/Accounting-On lines, an unknown realm and the
# seed's Example 1. Checks: a malformed file imports nothing; clean's counts; the quarantine
# names the bad record and its reason; the detail file holds Example 1's line exactly; the
# credit/debit and statement figures equal the ones worked out by hand below; a second clean
# gives the same report bytes; a bad rule exits 2 and changes no rule; a period closes once, in
# order, with every record rated, publishing what settlectl then prints for it byte for byte; a
# late record changes no closed report and is the next period's adjustment.
#   settlectl_test.sh SETTLECTL [sqlite|postgresql]
set -euo pipefail
umask 077  # the state folder must be the owner's alone
settlectl=$1
store=${2:-${STORE:-sqlite}}
work=$(mktemp -d /tmp/gm-settlectl-XXXXXX)
cleanup() {
  pg_stop 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
source "$(dirname "$0")/../support/pg_cluster.sh"
store_flags=()
if [ "$store" = postgresql ]; then
  pg_start  # exits 77 if it cannot run here
  store_flags=(--store="$pg_spec")
fi
state=$work/state
ctl() { "$settlectl" --state-dir="$state" "${store_flags[@]}" "$@"; }
out=$work/out err=$work/err

fail() {
  echo "settlectl test ($store): FAIL: $*"
  echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$err"
  exit 1
}
# ok ARGS...: settlectl ARGS must succeed; its output is in $out.
ok() { ctl "$@" >"$out" 2>"$err" || fail "settlectl $* exited $?"; }
# refused STATUS TEXT ARGS...: settlectl ARGS must exit STATUS and say TEXT on stderr.
refused() {
  local want=$1 text=$2 rc=0
  shift 2
  ctl "$@" >"$out" 2>"$err" || rc=$?
  [ "$rc" = "$want" ] || fail "settlectl $* exited $rc, expected $want"
  grep -qF -- "$text" "$err" || fail "settlectl $*: stderr does not say \"$text\""
}
# says TEXT: the last command's stdout holds the line TEXT, whole.
says() { grep -qxF -- "$1" "$out" || fail "expected the line \"$1\""; }
# listing ARGS... <<EXPECTED: the command's stdout is exactly EXPECTED.
listing() {
  ok "$@"
  diff -u /dev/stdin "$out" >"$work/diff" || { cat "$work/diff"; fail "settlectl $*: output differs"; }
}

# The checks themselves must be able to fail (in a subshell, so that its exit ends only it).
( ok no-such-command ) >/dev/null && { echo "FAIL: ok passed a failing command"; exit 1; }
( refused 1 "x" fee show ) >/dev/null && { echo "FAIL: refused passed a success"; exit 1; }
( ok fee show; says "no such line" ) >/dev/null && { echo "FAIL: says passed a missing line"; exit 1; }
( listing fee show <<<"not this" ) >/dev/null && { echo "FAIL: listing passed another text"; exit 1; }

# ---- the directory ----
ok provider set Aimnet --country=USA
says "provider Aimnet set: country USA"
ok provider set Netcom --country=USA
ok provider set Connect.com --country=Australia
ok provider set Demon --country=UK
ok server set aas.aimnet.com Aimnet
says "server aas.aimnet.com set: provider Aimnet"
ok server set aas.netcom.com Netcom
ok server set aas.connect.com.au Connect.com
ok server set aas.demon.co.uk Demon
ok realm set aimnet.com Aimnet
ok realm set netcom.com Netcom
ok realm set connect.com.au Connect.com
ok realm set Demon.CO.uk Demon  # realms are kept in lower case, as cleaning looks them up
refused 1 "no provider Nobody" server set aas.nobody.net Nobody
refused 1 "no provider Nobody" realm set nobody.net Nobody
listing provider list --csv <<'EOF2'
provider,country,servers,realms
Aimnet,USA,aas.aimnet.com,aimnet.com
Connect.com,Australia,aas.connect.com.au,connect.com.au
Demon,UK,aas.demon.co.uk,demon.co.uk
Netcom,USA,aas.netcom.com,netcom.com
EOF2

# ---- the tariffs ----
# Consumer 1.20 a minute anywhere, 1.80 served in Australia; provider 1.00, in Australia 1.50;
# the operator's fee 0.10 a connection and 0.06 a minute. All billed per second.
ok rule set c-all --side=consumer --price=1.20
says "rule c-all set: consumer, 1.20 per minute"
ok rule set c-au --side=consumer --serving-country=Australia --price=1.80
ok rule set p-all --side=provider --price=1.00
ok rule set p-au --side=provider --serving-country=Australia --price=1.50
ok rule set p-night --side=provider --serving-provider=Demon --hours=22:00-06:00 \
  --dates=1997-07-01..'*' --weekdays=sat,sun --price=0.90  # matches none of the records below
ok fee set --per-connection=0.10 --per-minute=0.06
says "handling fee set: 0.10 per connection, 0.06 per minute"
listing rule list --csv <<'EOF2'
rule,side,serving_country,serving_provider,home_provider,hours,dates,weekdays,price
c-all,consumer,*,*,*,00:00-24:00,*..*,*,1.20
c-au,consumer,Australia,*,*,00:00-24:00,*..*,*,1.80
p-all,provider,*,*,*,00:00-24:00,*..*,*,1.00
p-au,provider,Australia,*,*,00:00-24:00,*..*,*,1.50
p-night,provider,*,Demon,*,22:00-06:00,1997-07-01..*,"sun,sat",0.90
EOF2
cp "$out" "$work/rules.before"
# A bad rule: exit 2 naming it, nothing written.
refused 2 "rule set: rule \"bad\": time window out of range or empty; nothing written" rule set bad --side=consumer \
  --hours=25:00-26:00 --price=1
refused 2 "first_date after last_date" rule set c-all --side=consumer \
  --dates=1997-08-01..1997-07-01 --price=1
refused 2 "--side=sideways" rule set x --side=sideways --price=1
refused 2 "--price=1.2345678" rule set x --side=consumer --price=1.2345678
refused 2 "handling fee is negative" fee set --per-connection=-1 --per-minute=0
ok rule list --csv
cmp -s "$out" "$work/rules.before" || fail "a refused rule changed the rule list"
ok fee show
says "handling fee: 0.10 per connection, 0.06 per minute"

# ---- raw records ----
# The fields: user_name,user_domain,status_type,session_id,session_time_s,delay_time_s,nas_id,
# local_server,home_server,stop_gmt,stop_local,time_zone (13-17, the store's, left out or empty).
cat >"$work/raw.csv" <<'EOF2'
# the seed's Example 1: user1 of Aimnet (USA) on Connect.com (Australia), 300 s
user1,aimnet.com,Stop,00000A1F,300,0,nas-syd-1,aas.connect.com.au,aas.aimnet.com,1997-07-10T01:43:35Z,1997-06-30 18:43:35,Australia/Sydney,,,,,
# user2 of Connect.com on Demon, 120 s; user3 of Demon on Netcom, 600 s (and its exact retry)
user2@connect.com.au,,Stop,S-2,120,0,nas-lon-1,aas.demon.co.uk,,1997-07-10T03:00:00Z,1997-07-10 04:00:00,Europe/London
user3@demon.co.uk,,Stop,S-3,600,2,nas-sf-1,aas.netcom.com,aas.demon.co.uk,1997-07-11T10:00:00Z,1997-07-11 03:00:00,America/Los_Angeles
user3@demon.co.uk,,Stop,S-3,600,2,nas-sf-1,aas.netcom.com,aas.demon.co.uk,1997-07-11T10:00:00Z,1997-07-11 03:00:00,America/Los_Angeles
# user4 of Netcom on Connect.com, 60 s (stop as unix seconds: 1997-07-12T00:00:00Z)
"user4@netcom.com",,Stop,S-4,60,0,nas-syd-2,aas.connect.com.au,,868665600,1997-07-12 10:00:00,Australia/Sydney
# irrelevant: a Start, an Interim-Update, an Accounting-On
user1,aimnet.com,Start,00000A1F,0,0,nas-syd-1,aas.connect.com.au,aas.aimnet.com,1997-07-10T01:38:35Z,1997-06-30 18:38:35,Australia/Sydney
user3@demon.co.uk,,Interim-Update,S-3,300,0,nas-sf-1,aas.netcom.com,,1997-07-11T09:55:00Z,1997-07-11 02:55:00,America/Los_Angeles
,,Accounting-On,,0,0,nas-sf-1,aas.netcom.com,,1997-07-11T08:00:00Z,1997-07-11 01:00:00,America/Los_Angeles
# quarantined: a realm no member has
user9@unknown.example,,Stop,S-9,90,0,nas-syd-1,aas.connect.com.au,,1997-07-13T00:00:00Z,1997-07-13 10:00:00,Australia/Sydney
EOF2
period=(--from=1997-07-01T00:00:00Z --to=1997-08-01T00:00:00Z)

# A malformed file: refused whole, naming file and line; nothing written (clean counts below).
cat >"$work/bad.csv" <<'EOF2'
user5@aimnet.com,,Stop,S-5,60,0,nas-lon-1,aas.demon.co.uk,,1997-07-14T00:00:00Z,1997-07-14 01:00:00,Europe/London
user6@aimnet.com,,Stop,S-6,sixty,0,nas-lon-1,aas.demon.co.uk,,1997-07-14T00:00:00Z,1997-07-14 01:00:00,Europe/London
EOF2
refused 2 "bad.csv:2: session time \"sixty\" is not whole seconds; nothing imported" \
  import "$work/bad.csv"
printf 'a,b,Stop\n' >"$work/short.csv"
refused 2 "short.csv:1: 3 fields, expected 12 to 17" import "$work/short.csv"
sed 's/Europe\/London$/Europe\/London,7/' "$work/bad.csv" | head -n 1 >"$work/ids.csv"
refused 2 "ids.csv:1: field 13 is the store's" import "$work/ids.csv"
sed 's/1997-07-14T00:00:00Z/1997-07-14 00:00:00/' "$work/bad.csv" | head -n 1 >"$work/gmt.csv"
refused 2 "gmt.csv:1: stop GMT \"1997-07-14 00:00:00\" is not YYYY-MM-DDTHH:MM:SSZ" \
  import "$work/gmt.csv"
refused 2 "cannot read" import "$work/none.csv"
ok clean "${period[@]}"
says "cleaned 1997-07-01T00:00:00Z to 1997-08-01T00:00:00Z: 0 records, 0 clean, 0 duplicate, 0 irrelevant, 0 quarantined"

ok import "$work/raw.csv"
says "imported 9 raw records from $work/raw.csv"

# ---- clean ----
# 9 records: 4 clean, the retry a duplicate, Start/Interim/Accounting-On irrelevant, one
# unknown realm.
ok clean "${period[@]}"
says "cleaned 1997-07-01T00:00:00Z to 1997-08-01T00:00:00Z: 9 records, 4 clean, 1 duplicate, 3 irrelevant, 1 quarantined"
says "quarantined unknown_realm: 1"
grep -qxF "cleaned 9 of the period's records..." "$err" || fail "clean printed no progress"
refused 2 "--to=1997-07-01T00:00:00Z: must be after --from" clean --from=1997-07-01T00:00:00Z \
  --to=1997-07-01T00:00:00Z
refused 2 "--window=0" clean "${period[@]}" --window=0

listing quarantine "${period[@]}" --csv <<'EOF2'
entry_id,user,session_id,stop,reason,next_clean
9,user9@unknown.example,S-9,1997-07-13T00:00:00Z,unknown_realm,unknown_realm
EOF2

# ---- the detail transaction file ----
ok detail-file Connect.com "${period[@]}"
says '"DT","RM","07/10/97","01:43:35","06/30/97","18:43:35","user1@aimnet.com","Aimnet;USA","Connect.com;Australia","S","300"'
[ "$(wc -l <"$out")" = 2 ] || fail "Connect.com's detail file is not its two served records"
refused 1 "no provider Nobody" detail-file Nobody "${period[@]}"

# ---- reports ----
# By hand, per record (amount = seconds x price / 60; fee = 0.10 + seconds x 0.06 / 60):
#   1 Aimnet user on Connect.com, 300 s, Australia: consumer 9.00, provider 7.50, fee 0.40
#   2 Connect.com user on Demon, 120 s:           consumer 2.40, provider 2.00, fee 0.22
#   3 Demon user on Netcom, 600 s:                consumer 12.00, provider 10.00, fee 0.70
#   4 Netcom user on Connect.com, 60 s, Australia: consumer 1.80, provider 1.50, fee 0.16
# Connect.com's credit/debit: credit Aimnet 7.50, Netcom 1.50; debit Demon 2.40 + 0.22 = 2.62;
# totals: credit 9.00, debit 2.62, net 9.00 - 2.62 = 6.38.
# Statement: Aimnet -(9.00 + 0.40) = -9.40; Connect.com 6.38; Demon 2.00 - 12.70 = -10.70;
# Netcom 10.00 - 1.96 = 8.04; operator fees 0.40 + 0.22 + 0.70 + 0.16 = 1.48, margin
# 1.50 + 0.40 + 2.00 + 0.30 = 4.20, total 5.68; -9.40 + 6.38 - 10.70 + 8.04 + 5.68 = 0.
ok report Connect.com "${period[@]}" --kind=credit-debit --format=csv
tr -d '\r' <"$out" >"$work/cd.csv"
cp "$work/cd.csv" "$out"
says "Aimnet,7.50,0.00,7.50"
says "Demon,0.00,2.62,-2.62"
says "Netcom,1.50,0.00,1.50"
says "total_credit,9.00"
says "total_debit,2.62"
says "net,6.38"
[ -s "$err" ] && fail "every record rated, yet report said: $(cat "$err")"
ok report Connect.com "${period[@]}" --kind=statement --format=csv
tr -d '\r' <"$out" >"$work/st.csv"
cp "$work/st.csv" "$out"
says "Aimnet,USA,-9.40"
says "Connect.com,Australia,6.38"
says "Demon,UK,-10.70"
says "Netcom,USA,8.04"
says "operator_fees,1.48"
says "operator_margin,4.20"
says "operator_total,5.68"
for kind in detail summary invoice credit-debit statement; do
  for format in csv json html; do
    ok report Aimnet "${period[@]}" --kind=$kind --format=$format
    grep -q "fnv1a64:" "$out" || fail "report $kind $format carries no checksum"
  done
done
refused 1 "no provider Nobody" report Nobody "${period[@]}" --kind=summary --format=csv
refused 2 "--kind=total" report Aimnet "${period[@]}" --kind=total --format=csv
refused 2 "--format=pdf" report Aimnet "${period[@]}" --kind=summary --format=pdf

# The malformed file again, now that the period has records: still nothing written (9 below).
refused 2 "bad.csv:2: session time" import "$work/bad.csv"
mkdir "$work/dir.csv"
refused 2 "cannot read" import "$work/dir.csv"

# A re-run of clean: the same history, the same report bytes.
ok report Demon "${period[@]}" --kind=invoice --format=json
sum_before=$(sha256sum <"$out")
ok clean "${period[@]}"
says "cleaned 1997-07-01T00:00:00Z to 1997-08-01T00:00:00Z: 9 records, 4 clean, 1 duplicate, 3 irrelevant, 1 quarantined"
ok report Demon "${period[@]}" --kind=invoice --format=json
[ "$(sha256sum <"$out")" = "$sum_before" ] || fail "a re-run of clean changed the report"

# A record that does not rate is counted on stderr, never dropped silently.
ok rule remove p-all
says "rule p-all removed"
ok report Demon "${period[@]}" --kind=summary --format=csv
grep -qF "report: 2 of the period's 4 records did not rate (no_provider_rule), left out: entry ids 2, 3" "$err" ||
  fail "the unrated records were not reported"
refused 1 "no rule p-all" rule remove p-all

# A quarantined record fixed by the directory comes clean on the next run.
ok provider set Unknown --country=Nowhere
ok realm set unknown.example Unknown
ok quarantine "${period[@]}" --csv
says "9,user9@unknown.example,S-9,1997-07-13T00:00:00Z,unknown_realm,fixed"
ok clean "${period[@]}"
says "cleaned 1997-07-01T00:00:00Z to 1997-08-01T00:00:00Z: 9 records, 5 clean, 1 duplicate, 3 irrelevant, 0 quarantined"

# ---- period close ----
# Not while a record does not rate: a closed period's money is whole.
refused 1 "the period cannot close: 2 no_provider_rule (entry ids 2, 3)" close "${period[@]}"
listing periods --csv <<'EOF2'
from,to,closed,records,adjustments,statement_checksum
EOF2
ok rule set p-all --side=provider --price=1.00
ok close "${period[@]}" --out="$work/pub"
says "closed 1997-07-01T00:00:00Z to 1997-08-01T00:00:00Z: 5 records, 0 adjustments (late records of earlier periods), 5 groups"
refused 1 "is closed already" close "${period[@]}"
refused 1 "the next period to close starts at 1997-08-01T00:00:00Z" close --from=1997-09-01T00:00:00Z --to=1997-10-01T00:00:00Z
refused 1 "has not ended yet" close --from=1997-08-01T00:00:00Z --to=2099-01-01T00:00:00Z
for p in Aimnet Connect.com Demon Netcom Unknown; do
  for r in detail summary invoice credit_debit; do
    for f in csv json html; do [ -s "$work/pub/$p/$r.$f" ] || fail "close --out wrote no $p/$r.$f"; done
  done
  [ -f "$work/pub/$p/detail_file.txt" ] || fail "close --out wrote no $p/detail_file.txt"
done
[ -s "$work/pub/statement.csv" ] || fail "close --out wrote no statement"
ls "$work"/pub/*/*.part 2>/dev/null && fail "a partial detail file was left"
# What the close published is what settlectl prints for the closed period, byte for byte.
ok report Connect.com "${period[@]}" --kind=credit-debit --format=csv
cmp -s "$out" "$work/pub/Connect.com/credit_debit.csv" || fail "the closed report differs from the published one"
ok detail-file Connect.com "${period[@]}"
cmp -s "$out" "$work/pub/Connect.com/detail_file.txt" || fail "the closed detail file differs from the published one"
grep -qxF '"DT","RM","07/10/97","01:43:35","06/30/97","18:43:35","user1@aimnet.com","Aimnet;USA","Connect.com;Australia","S","300"' "$out" ||
  fail "the closed detail file lost Example 1"
# Later tariffs change no closed report.
ok rule set c-all --side=consumer --price=2.40
ok report Connect.com "${period[@]}" --kind=statement --format=csv
cmp -s "$out" "$work/pub/statement.csv" || fail "a tariff changed a closed report"
# A July record that arrives after July closed: cleaning July again leaves July as it was, and
# August's close carries it as an adjustment (Connect.com earns 2 minutes at 1.50).
cat >"$work/late.csv" <<'EOF2'
user5@netcom.com,,Stop,S-5,120,0,nas-syd-2,aas.connect.com.au,,1997-07-20T00:00:00Z,1997-07-20 10:00:00,Australia/Sydney
EOF2
ok import "$work/late.csv"
ok clean "${period[@]}"
says "cleaned 1997-07-01T00:00:00Z to 1997-08-01T00:00:00Z: 10 records, 1 clean, 0 duplicate, 0 irrelevant, 0 quarantined"
says "left as closed: 9 records of a closed period, decided at its close"
ok report Connect.com "${period[@]}" --kind=credit-debit --format=csv
cmp -s "$out" "$work/pub/Connect.com/credit_debit.csv" || fail "a late record changed a closed report"
august=(--from=1997-08-01T00:00:00Z --to=1997-09-01T00:00:00Z)
ok close "${august[@]}"
says "closed 1997-08-01T00:00:00Z to 1997-09-01T00:00:00Z: 0 records, 1 adjustments (late records of earlier periods), 1 groups"
ok report Connect.com "${august[@]}" --kind=detail --format=csv
tr -d '\r' <"$out" >"$work/aug.csv"
cp "$work/aug.csv" "$out"
says "served-adjustment,Australia,Connect.com,Netcom,user5@netcom.com,1,120,3.00,0.00"
ok periods --csv
[ "$(grep -c '^1997-0[78]-01T00:00:00Z,1997-0[89]-01T00:00:00Z,' "$out")" = 2 ] || fail "periods does not list both closed periods"

# ---- disbursement ----
# Guaranteed (the default terms): Aimnet owes July's 9.40 and has no credit line: refused. Its
# payment falls due 15 days after the close (today), not after the period.
ok terms show
says "terms: guaranteed, debtors pay within 15 days, creditors are paid after 30"
ok exposure --csv
says "Aimnet,-9.40,0.00,0.00,-9.40,refused"
ok credit-line set Aimnet --amount=10.00
says "credit line of Aimnet set: 10.00"
ok exposure --csv
says "Aimnet,-9.40,0.00,10.00,0.60,served"
ok receipt Aimnet --amount=4.00 --reference=wire-1
says "receipt wire-1 recorded: 4.00 from Aimnet"
refused 1 "a receipt with reference wire-1 is recorded for Aimnet already" receipt Aimnet --amount=4.00 --reference=wire-1
refused 2 "--amount=0" receipt Aimnet --amount=0 --reference=wire-2
refused 1 "no provider Nobody" receipt Nobody --amount=1 --reference=wire-3
refused 2 "--payout-days=1" terms set --policy=withhold --payment-days=5 --payout-days=1
ok disbursement --csv
grep -q '^1997-07-01T00:00:00Z,Aimnet,-9.40,owes,20[0-9-]*T[0-9:]*Z,4.00,0.00,0.00,5.40,0.00,' "$out" ||
  fail "the disbursement report does not show Aimnet's 4.00 of 9.40"
ok exposure --csv
says "Aimnet,-5.40,0.00,10.00,4.60,served"

echo "settlectl test ($store): PASS"
