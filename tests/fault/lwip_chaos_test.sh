#!/usr/bin/env bash
# The chaos scenario, smaller, with the agent on lwIP (the sim-linux board: lwIP's raw API over
# a TAP device) instead of POSIX sockets: one gateway in a network namespace this test creates
# (192.0.2.0/24), the census and login servers inside it, a faulty relay (loss, duplication,
# reordering) bound inside it, two power cuts, and a census killed with SIGKILL and restarted.
# Store vs truth as in chaos_test.sh. Needs root (namespace, TAP); otherwise exits 77 (CTest
# reports it skipped) after saying why.
#   usage: lwip_chaos_test.sh SERVER CENSUSCTL SIM COMPARE [SECONDS]
set -euo pipefail
server=$1 ctl=$2 sim=$3 compare=$4
seconds=${5:-40}
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: needs root to create a network namespace and a TAP device (CI runs as root)"
  exit 77
fi
ns=gm-lwip-chaos-$$
tap=gmtap0
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add dev "$tap" mode tap
ip -n "$ns" addr add 192.0.2.1/24 dev "$tap"
ip -n "$ns" link set "$tap" up

state=$work/state
server_prefix=(ip netns exec "$ns")
source "$(dirname "$0")/start_server.sh"

"$ctl" --state_dir="$state" init >/dev/null
pin=$("$ctl" --state_dir="$state" pin)
echo "gw-lwip,$("$ctl" --state_dir="$state" add-agent gw-lwip | awk '/^credential /{print $2}')" \
  >"$work/agents.csv"
start_server census --services=census --census_listen=192.0.2.1:7100
census_pid=$last_pid
start_server login --services=login --login_listen=192.0.2.1:7000 --metering_interval_s=5 \
  --census_advertise=192.0.2.1:7101
echo "lwip chaos: namespace $ns, TAP $tap: servers on 192.0.2.1, lwIP gateway on 192.0.2.2"

"$sim" --agents "$work/agents.csv" --pin "$pin" --login 192.0.2.1:7000 \
  --lwip-tap "$tap" --lwip-netns "$ns" --lwip-address 192.0.2.2 \
  --flash-dir "$work/flash" --truth "$work/truth.csv" --duration "$seconds" --interval 5 \
  --persist-after 2 --arrivals 30 --mean-duration 15 --power-cuts 2 \
  --relay 192.0.2.1:7101=192.0.2.1:7100 --loss 0.2 --dup 0.1 --reorder 0.1 --jitter-ms 20 \
  --status-every 10 --drain-timeout 90 --seed "${SEED:-3}" >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
pids+=("$sim_pid")

sleep $((seconds / 3))
kill -9 "$census_pid"
echo "lwip chaos: census killed (SIGKILL) at ~$((seconds / 3)) s"
sleep 2
start_server census2 --services=census --census_listen=192.0.2.1:7100
echo "lwip chaos: census restarted"

sim_status=0
wait "$sim_pid" || sim_status=$?
cat "$work/sim.out"
grep -h ' error ' "$work/sim.err" | head -5 || true
"$ctl" --state_dir="$state" export-csv "$work/store.csv"
result=0
"$compare" "$work/truth.csv" "$work/store.csv" >"$work/compare.txt" || result=$?
grep VIOLATION "$work/compare.txt" | head -20 || true
[ "$sim_status" = 0 ] || { echo "lwip chaos: FAIL: the simulator did not drain"; result=1; }
tail -n 1 "$work/compare.txt"
exit "$result"
