#!/usr/bin/env bash
# The README's run command (./gm run): a census and login server with the embedded SQLite
# store, one provisioned simulated gateway with subscribers for about a minute (live table),
# then the store's totals next to the simulator's truth.
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
sim=$bin/sim/gatemeter-sim
compare=$bin/sim/gatemeter-compare
for b in "$server" "$ctl" "$sim" "$compare"; do
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
cfg=(--state_dir="$state" "${store_flags[@]}" --login_listen=127.0.0.1:0
     --census_listen=127.0.0.1:0 --metering_interval_s=10)
ctl() { "$ctl" --state_dir="$state" "${store_flags[@]}" "$@"; }

server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true; pg_stop' EXIT
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
echo "== census and login server up: login 127.0.0.1:$login_port (TLS), census 127.0.0.1:$census_port (UDP)"
echo "   store: $(sed -n 's/^census: listening on .*, store //p' "$run/server.log")"

credential=$(ctl add-agent gw-demo-1 | awk '/^credential /{print $2}')
pin=$(ctl pin)
echo "gw-demo-1,$credential" >"$run/agents.csv"
echo "== provisioned gateway gw-demo-1 (censusctl add-agent shows its credential once); key pin $pin"
echo "== subscribers for $seconds s. Live table: sessions live on the gateway, their charged and"
echo "   free seconds and octets, records the census acknowledged, records still pending"
"$sim" --agents "$run/agents.csv" --pin "$pin" --login "127.0.0.1:$login_port" \
  --flash-dir "$run/flash" --truth "$run/truth.csv" --duration "$seconds" --interval 10 \
  --persist-after 5 --arrivals 20 --mean-duration 40 --status-every 5 2>"$run/gateway.log"

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
case "$store" in
  sqlite)
    echo "== the database is $state/usage.db; look at it with the admin CLI:"
    echo "   $ctl --state_dir=$state list-sessions"
    echo "   $ctl --state_dir=$state usage"
    echo "   $ctl --state_dir=$state export-csv usage.csv"
    echo "   or with sqlite3: sqlite3 $state/usage.db .tables" ;;
  postgresql)
    echo "== the private PostgreSQL cluster goes now; with your own database:"
    echo "   ./gm run $seconds postgresql:'host=... dbname=... user=...'" ;;
  *)
    echo "== look at it with: $ctl --state_dir=$state --store='$store' list-sessions" ;;
esac
