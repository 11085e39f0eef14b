#!/usr/bin/env bash
# The simulator cross-built by the arm-linux preset, run under qemu-arm, against the servers
# the host preset built: login over TLS, metering over UDP, a power cut, every record
# acknowledged, and the store equal to the truth (within a power cut's allowance).
#   usage: cross_smoke_test.sh HOST_BUILD_DIR SIM [EMULATOR ARGS...]
set -euo pipefail
host=$1 sim=$2
shift 2
emulator=("$@")
server=$host/host/gatemeter-server ctl=$host/host/censusctl compare=$host/sim/gatemeter-compare
for b in "$server" "$ctl" "$compare"; do
  [ -x "$b" ] || { echo "cross smoke: $b missing: build the host preset first (./gm test does)"; exit 1; }
done
run=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$run"; }
trap cleanup EXIT
"$server" --state_dir="$run/state" --login_listen=127.0.0.1:0 --census_listen=127.0.0.1:0 \
  --metering_interval_s=5 >"$run/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 200); do grep -q '^ready ' "$run/server.log" && break; sleep 0.05; done
ready=$(grep -m1 '^ready ' "$run/server.log") || { cat "$run/server.log"; exit 1; }
login=$(sed 's/.*login_port=\([0-9]*\).*/\1/' <<<"$ready")
echo "gw-arm,$("$ctl" --state_dir="$run/state" add-agent gw-arm | awk '/^credential /{print $2}')" \
  >"$run/agents.csv"
pin=$("$ctl" --state_dir="$run/state" pin)
echo "cross smoke: ${emulator[*]} $(basename "$sim") against host servers (login :$login)"
"${emulator[@]}" "$sim" --agents "$run/agents.csv" --pin "$pin" --login "127.0.0.1:$login" \
  --flash-dir "$run/flash" --truth "$run/truth.csv" --duration 20 --interval 5 \
  --persist-after 2 --arrivals 30 --mean-duration 10 --power-cuts 1 --status-every 5 \
  --drain-timeout 60
"$ctl" --state_dir="$run/state" export-csv "$run/store.csv"
"$compare" "$run/truth.csv" "$run/store.csv"
