#!/usr/bin/env bash
# Exactness under chaos: 20 simulated gateways with several hundred subscriber sessions report
# through two faulty relays (20 % loss, 10 % duplication, reordering, delay) to two census
# processes sharing one SQLite store, while every gateway loses power 3 times, census A is
# killed with SIGKILL and restarted, and relay 0 goes dark long enough that the agents fail
# over to census B. At the end every session's totals in the store must equal the simulator's
# truth, or (for a session a power cut ended) fall short by no more than what it used in its
# last interval plus the agent's persist delay. Last line:
#   sessions=<N> exact=<E> within_bound=<B> violations=<V>
#
#   usage: chaos_test.sh SERVER CENSUSCTL SIM COMPARE [GATEWAYS] [SECONDS]
set -euo pipefail
server=$1 ctl=$2 sim=$3 compare=$4
gateways=${5:-20}
seconds=${6:-90}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
state=$work/state

# Free UDP ports for the two relays, chosen by the kernel (released just before use).
read -r relay0 relay1 < <(python3 -c '
import socket
s = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

server_prefix=()
source "$(dirname "$0")/start_server.sh"

"$ctl" --state_dir="$state" init >/dev/null
pin=$("$ctl" --state_dir="$state" pin)
for i in $(seq -w 1 "$gateways"); do
  echo "gw-$i,$("$ctl" --state_dir="$state" add-agent "gw-$i" | awk '/^credential /{print $2}')"
done >"$work/agents.csv"

start_server census_a --role=census --census_listen=127.0.0.1:0
census_a_pid=$last_pid
census_a=$(port_of census census_a)
start_server census_b --role=census --census_listen=127.0.0.1:0
census_b=$(port_of census census_b)
start_server login --role=login --login_listen=127.0.0.1:0 --metering_interval_s=5 \
  --census_advertise="127.0.0.1:$relay0,127.0.0.1:$relay1"
login=$(port_of login login)
echo "chaos: census A :$census_a, census B :$census_b (one store), login :$login," \
     "relays :$relay0 -> A, :$relay1 -> B; $gateways gateways for $seconds s"

"$sim" --agents "$work/agents.csv" --pin "$pin" --login "127.0.0.1:$login" \
  --flash-dir "$work/flash" --truth "$work/truth.csv" --duration "$seconds" --interval 5 \
  --persist-after 2 --arrivals 15 --mean-duration 20 --max-sessions 40 --power-cuts 3 \
  --relay "127.0.0.1:$relay0=127.0.0.1:$census_a" --relay "127.0.0.1:$relay1=127.0.0.1:$census_b" \
  --loss 0.2 --dup 0.1 --reorder 0.1 --delay-ms 2 --jitter-ms 20 \
  --outage "0:$((seconds * 45 / 100)):25" --status-every 10 --drain-timeout 150 \
  --seed "${SEED:-7}" >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
pids+=("$sim_pid")

# Census A dies hard a quarter of the way in and comes back on the same port.
sleep $((seconds / 4))
kill -9 "$census_a_pid"
echo "chaos: census A killed (SIGKILL) at ~$((seconds / 4)) s"
sleep 3
start_server census_a2 --role=census --census_listen="127.0.0.1:$census_a"
echo "chaos: census A restarted"

sim_status=0
wait "$sim_pid" || sim_status=$?
cat "$work/sim.out"
failovers=$(grep -c 'agent.census_failover' "$work/sim.err" || true)
boots=$(grep -c ' agent.boot ' "$work/sim.err" || true)
echo "chaos: $failovers census failovers, $((boots - gateways)) reboots after power cuts (sim exit $sim_status)"

"$ctl" --state_dir="$state" export-csv "$work/store.csv"
"$ctl" --state_dir="$state" refusals | sed 's/^/chaos: refusals: /' || true
result=0
"$compare" "$work/truth.csv" "$work/store.csv" >"$work/compare.txt" || result=$?
grep VIOLATION "$work/compare.txt" | head -20 || true
[ "$failovers" -gt 0 ] || { echo "chaos: FAIL: no gateway failed over to census B"; result=1; }
[ "$sim_status" = 0 ] || { echo "chaos: FAIL: the simulator did not drain"; result=1; }
tail -n 1 "$work/compare.txt"
exit "$result"
