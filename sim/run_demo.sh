#!/usr/bin/env bash
# The README's run command (./gm run): a census, login and billing server with the embedded
# SQLite store, one provisioned simulated gateway whose subscribers are authorised through
# billing for about a minute (live table, and the accounts' balances as they are debited),
# then the store's totals next to the simulator's truth, the balances and one bill.
#
# The money: a tariff of 0.0005 EUR per charged second (1.80 EUR an hour); prepaid accounts
# acct-small (0.005 EUR, 10 charged seconds: runs dry within the minute, its sessions end "zero balance") and
# acct-large, a postpaid account, acct-flagged (prepaid, temporarily approved while the realm's
# approval system decides, which then rejects it: its sessions end "auth rejected"), and
# roamers of partner.example (approved through their home provider, settled later).
#   usage: run_demo.sh BIN_DIR RUN_DIR [SECONDS] [STORE]
#     BIN_DIR: a build folder (build/release); RUN_DIR: where state, flash and truth go
#     STORE: sqlite (default: a file in RUN_DIR), postgresql (a private cluster started here and
#     removed at the end), or postgresql:CONNINFO (your own database)
set -euo pipefail
bin=$1
run=$2
seconds=${3:-60}
store=${4:-sqlite}
server=$bin/host/gatemeter-server
ctl=$bin/host/censusctl
bctl=$bin/host/billingctl
standin=$bin/tests/gatemeter-approval-standin
sim=$bin/sim/gatemeter-sim
compare=$bin/sim/gatemeter-compare
for b in "$server" "$ctl" "$bctl" "$standin" "$sim" "$compare"; do
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
cfg=(--state_dir="$state" "${store_flags[@]}" --services=census,login,billing
     --login_listen=127.0.0.1:0 --census_listen=127.0.0.1:0 --billing_listen=127.0.0.1:0
     --metering_interval_s=10 --default_realm=hotspot0.example --feed_file="$state/feed.jsonl")
ctl() { "$ctl" --state_dir="$state" "${store_flags[@]}" "$@"; }
bctl() { "$bctl" --state-dir="$state" "${store_flags[@]}" "$@"; }

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
credential=$(ctl add-agent gw-demo-1 | awk '/^credential /{print $2}')
pin=$(ctl pin)
echo "gw-demo-1,$credential" >"$run/agents.csv"
# The operator's catalog and account book (host/billing/BILLING.md; billingctl --help).
bctl realm set hotspot0.example --outage-policy=continue \
  --approval-url="http://127.0.0.1:$approval_port/approve" --temporary=8 >/dev/null
for o in prepaid postpaid free; do
  bctl offer set hotspot0.example "$o" --label="$o" --terms="1.80 EUR/hour" >/dev/null
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
echo "== census, login and billing server up: login 127.0.0.1:$login_port (TLS), census"
echo "   127.0.0.1:$census_port (UDP), billing 127.0.0.1:$billing_port (UDP); approval system"
echo "   stand-in at 127.0.0.1:$approval_port"
echo "   store: $(sed -n 's/^census: listening on .*, store //p' "$run/server.log")"
echo "== provisioned gateway gw-demo-1 (censusctl add-agent shows its credential once); key pin $pin"
echo "== billing: realm hotspot0.example (prepaid, postpaid, free; remote approval, 8 s"
echo "   temporary), roaming realm partner.example; 0.0005 EUR per charged second; accounts"
echo "   acct-small 0.005 EUR (runs dry), acct-large 20.00, acct-post postpaid, acct-flagged"
echo "   (the approval system rejects it)"
echo "== subscribers for $seconds s. Live table: sessions live on the gateway, their charged and"
echo "   free seconds and octets, records the census acknowledged, records still pending;"
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
