#!/usr/bin/env bash
# Exactness under chaos: 20 simulated gateways with several hundred subscriber sessions report
# through two faulty relays (20 % loss, 10 % duplication, reordering, delay) to two census
# processes sharing one SQLite store, while every gateway loses power 3 times, census A is
# killed with SIGKILL and restarted, and relay 0 goes dark long enough that the agents fail
# over to census B. Login sessions last 60 s (the shortest the server allows), so gateways that
# stay up long enough renew theirs while running (continuing: their sessions stay open).
#
# The oracle has no slack (sim/usage_compare.h): a session no power cut touched must be stored
# exactly at the simulator's truth (from its own script and clock); a session a cut touched
# must hold at least its newest durable record (acknowledged by a census, or kept by the
# journal) and never more than the truth. The test also asserts that its faults happened:
# cuts (some tearing a flash write), drops, duplicates and reorders at the relays, acks from
# census A before it was killed, failovers. Last line:
#   sessions=<N> exact=<E> at_durable_point=<D> violations=<V> allowance_pct=<P> torn_cuts=<T>
#
# With FAULT (no-persistence or forget-when-sent) the agents run with that deliberate bug and
# the test passes only if the oracle reports violations: the negative control.
#
# STORE=postgresql runs it on a private PostgreSQL cluster (tests/support/pg_cluster.sh) instead of the SQLite
# file; NODES=3 adds census C, and relay 0 then also sends every agent datagram, unfaulted, to
# C (a mirror): two nodes see each datagram, and the store must apply it once.
#
#   usage: chaos_test.sh SERVER CENSUSCTL SIM COMPARE [GATEWAYS] [SECONDS] [FAULT]
set -euo pipefail
server=$1 ctl=$2 sim=$3 compare=$4
gateways=${5:-20}
seconds=${6:-90}
fault=${7:-none}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] && echo "kept $work" || rm -rf "$work"
  pg_stop 2>/dev/null || true
}
trap cleanup EXIT
state=$work/state
nodes=${NODES:-2}

# Free UDP ports for the relays, chosen by the kernel (released just before use).
read -r relay0 relay1 relay2 < <(python3 -c '
import socket
s = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

server_prefix=()
store_flags=()
source "$(dirname "$0")/../support/pg_cluster.sh"
if [ "${STORE:-sqlite}" = postgresql ]; then
  pg_start
  store_flags=(--store="$pg_spec")
fi
source "$(dirname "$0")/start_server.sh"
source "$(dirname "$0")/census_kill.sh"
ctl() { "$ctl" --state_dir="$state" "${store_flags[@]}" "$@"; }

ctl init >/dev/null
pin=$(ctl pin)
for i in $(seq -w 1 "$gateways"); do
  echo "gw-$i,$(ctl add-agent "gw-$i" | awk '/^credential /{print $2}')"
done >"$work/agents.csv"

start_server census_a --services=census --census_listen=127.0.0.1:0
census_a_pid=$last_pid
census_a=$(port_of census census_a)
start_server census_b --services=census --census_listen=127.0.0.1:0
census_b=$(port_of census census_b)
advertise="127.0.0.1:$relay0,127.0.0.1:$relay1"
relays=(--relay "127.0.0.1:$relay0=127.0.0.1:$census_a" --relay "127.0.0.1:$relay1=127.0.0.1:$census_b")
if [ "$nodes" = 3 ]; then
  start_server census_c --services=census --census_listen=127.0.0.1:0
  census_c=$(port_of census census_c)
  advertise="$advertise,127.0.0.1:$relay2"
  relays=(--relay "127.0.0.1:$relay0=127.0.0.1:$census_a+127.0.0.1:$census_c"
          --relay "127.0.0.1:$relay1=127.0.0.1:$census_b" --relay "127.0.0.1:$relay2=127.0.0.1:$census_c")
fi
start_server login --services=login --login_listen=127.0.0.1:0 --metering_interval_s=5 \
  --login_lifetime_s=60 --census_advertise="$advertise"
login=$(port_of login login)
echo "chaos: ${STORE:-sqlite} store, $nodes census nodes (A :$census_a, B :$census_b${census_c:+, C :$census_c})," \
     "login :$login, relays :$relay0 -> A${census_c:+ and C}, :$relay1 -> B${census_c:+, :$relay2 -> C};" \
     "$gateways gateways for $seconds s"

"$sim" --agents "$work/agents.csv" --pin "$pin" --login "127.0.0.1:$login" \
  --flash-dir "$work/flash" --truth "$work/truth.csv" --duration "$seconds" --interval 5 \
  --persist-after 2 --arrivals 15 --mean-duration 20 --max-sessions 40 --power-cuts 3 \
  "${relays[@]}" \
  --loss 0.2 --dup 0.1 --reorder 0.1 --delay-ms 2 --jitter-ms 20 \
  --outage "0:$((seconds * 45 / 100)):25" --status-every 10 --drain-timeout 150 \
  --seed "${SEED:-7}" --test-fault "$fault" >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
pids+=("$sim_pid")

# Census A dies hard a quarter of the way in and comes back on the same port.
kill_and_restart_census chaos "$sim_pid" "$census_a_pid" "$census_a" $((seconds / 4)) 3

sim_status=0
wait "$sim_pid" || sim_status=$?
cat "$work/sim.out"
failovers=$(grep -c 'agent.census_failover' "$work/sim.err" || true)
boots=$(grep -c ' agent.boot ' "$work/sim.err" || true)
# LoginReason (firmware/core/agent.h): 3 lifetime, 4 census_silent.
renewals=$(grep -c ' agent.login_due 3 ' "$work/sim.err" || true)
silent=$(grep -c ' agent.login_due 4 ' "$work/sim.err" || true)
echo "chaos: $failovers census failovers, $((boots - gateways)) reboots after power cuts," \
     "$renewals logins due for lifetime, $silent for silent censuses (sim exit $sim_status)"

ctl export-csv "$work/store.csv"
ctl refusals | sed 's/^/chaos: refusals: /' || true
"$compare" "$work/truth.csv" "$work/store.csv" >"$work/compare.txt" || true
grep VIOLATION "$work/compare.txt" | head -20 || true

# The faults must have happened, or exactness proves nothing.
result=0
fail() { echo "chaos: FAIL: $*"; result=1; }
field() { sed -n "s/.*[ ,(]$1=\([0-9.]*\).*/\1/p" | head -n 1; }
cuts_line=$(grep 'power cuts (' "$work/sim.out" || true)
cuts=$(echo "$cuts_line" | sed -n 's/.* \([0-9]*\) power cuts (.*/\1/p')
torn=$(echo "$cuts_line" | sed -n 's/.*power cuts (\([0-9]*\) tore.*/\1/p')
sum() { relay_sum "$1"; }
acks_before_kill=$(acks_before_kill)
[ "${cuts:-0}" -eq $((gateways * 3)) ] || fail "expected $((gateways * 3)) power cuts, saw ${cuts:-none}"
# (An agent that never writes its flash cannot have a write torn.)
[ "${torn:-0}" -gt 0 ] || [ "$fault" = no-persistence ] || fail "no power cut tore a flash write"
for what in dropped duplicated reordered blackholed; do
  [ "$(sum $what)" -gt 0 ] || fail "the relays never $what a datagram"
done
[ "${acks_before_kill:-0}" -gt 0 ] || fail "census A sent no ack before it was killed"
# (An agent that forgets what it sent never waits for acks, so it never fails over.)
[ "$failovers" -gt 0 ] || [ "$fault" = forget-when-sent ] || fail "no gateway failed over to census B"
[ "$sim_status" = 0 ] || fail "the simulator did not drain"
if [ "$nodes" = 3 ]; then
  [ "$(sum mirrored)" -gt 0 ] || fail "relay 0 mirrored no datagram to census C"
  committed=$(ctl refusals | awk '$1 == "already_committed" { print $2 }')
  [ "${committed:-0}" -gt 0 ] || fail "no node refused a datagram another had committed"
  echo "chaos: relay 0 mirrored $(sum mirrored) datagrams to census C;" \
       "${committed:-0} refused as already committed by another node"
fi
echo "chaos: faults seen: $cuts power cuts ($torn torn), relays dropped $(sum dropped)," \
     "duplicated $(sum duplicated), reordered $(sum reordered), black-holed $(sum blackholed);" \
     "census A acked $acks_before_kill datagrams before its kill; $failovers failovers"

last=$(tail -n 1 "$work/compare.txt")
echo "$last torn_cuts=${torn:-0}"
violations=$(echo "$last" | field violations)
[ -n "$violations" ] || fail "the comparison printed no result: $last"
if [ "$fault" = none ]; then
  [ "${violations:-1}" = 0 ] || result=1
else
  if [ "${violations:-0}" -gt 0 ]; then
    echo "chaos: negative control ($fault): the oracle found $violations violations, as it must"
  else
    fail "negative control ($fault): the agents lost usage on purpose and the oracle saw nothing"
  fi
fi
exit "$result"
