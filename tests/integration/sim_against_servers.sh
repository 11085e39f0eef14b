#!/usr/bin/env bash
# The real agent (gatemeter-sim's gateways: firmware core, mbedTLS login with a pinned key,
# POSIX uplink) against gatemeter-server, provisioned with censusctl; the census's CSV export
# must match the simulator's truth exactly. 127.0.0.1 only; every step has a time limit.
#   sim_against_servers.sh GATEMETER_SERVER CENSUSCTL GATEMETER_SIM GATEMETER_COMPARE
set -euo pipefail
umask 077  # the state folder doubles as scratch: the server refuses files others can read
server=$1 ctl=$2 sim=$3 compare=$4
dir=$(mktemp -d /tmp/gm-simint-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

"$ctl" --state-dir="$dir" init >"$dir/pin"
for a in gw-a gw-b gw-c; do
  "$ctl" --state-dir="$dir" add-agent "$a" | awk -v a="$a" '/^credential /{print a "," $2}'
done >"$dir/agents.csv"

"$server" --state-dir="$dir" --login-listen=127.0.0.1:0 --census-listen=127.0.0.1:0 \
  --metering-interval-s=3 >"$dir/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q '^ready' "$dir/server.log" && break; sleep 0.1; done
login_port=$(sed -n 's/^ready login_port=\([0-9]*\).*/\1/p' "$dir/server.log")
[ -n "$login_port" ] || { echo "server did not start:"; cat "$dir/server.log"; exit 1; }

timeout 120 "$sim" --agents "$dir/agents.csv" --pin "@$dir/pin" --login "127.0.0.1:$login_port" \
  --flash-dir "$dir" --truth "$dir/truth.csv" --duration 10 --interval 3 --arrivals 30 \
  --mean-duration 6 --status-every 0 --drain-timeout 40 --local-ip 127.0.0.1
"$ctl" --state-dir="$dir" export-csv "$dir/store.csv"
"$ctl" --state-dir="$dir" refusals
"$compare" "$dir/truth.csv" "$dir/store.csv"
