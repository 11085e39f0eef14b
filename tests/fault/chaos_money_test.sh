#!/usr/bin/env bash
# Money exact under chaos: simulated gateways (the real agent) authorise their subscribers
# through the billing service and report usage through faulty relays (loss, duplication,
# reordering, delay) to two census processes that rate and debit in each commit, while census A
# is killed with SIGKILL and restarted. Billing's own traffic goes through a faulty relay too.
# Provisioned with billingctl: two rates (the default plan per second; plan "minute" per minute
# with a 7 s increment and a minimum, so rounding matters), prepaid accounts (several with small
# balances that run dry during the run), postpaid accounts, and two realms whose sessions a
# remote approval system decides (a temporary approval first): the stand-in rejects those of
# the accounts whose names end in "-r" and approves the rest.
#
# No gateway loses power here, so the store must hold every session's true usage (the usage
# oracle, gatemeter-compare, holds it exactly), and the money must be exactly the rating of that
# usage: with a power cut the store may legitimately hold less than the truth (down to the
# session's durable point), and exact money would then be the rating of what was durable, a
# weaker claim; the census's own crash (SIGKILL) loses nothing it acknowledged, so it is in.
#
# The oracle (gatemeter-money-compare, sim/money_compare.h) rates the simulator's TRUE usage with
# host/billing's line_amount, one line per session, and holds, for every account, the total
# debited (initial balance - final balance) to it to the micro-unit; no prepaid account below
# minus one interval's charge (overspend_max: the deepest one went); every session told a final
# grant ended within one interval; every session the approval system rejected ended with cause
# "auth rejected" (or earlier, some other way, within its temporary approval). The test also
# asserts that its faults happened: relay drops, duplicates and reorders, acks from census A
# before its kill, accounts that ran dry, zero-balance stops, remote rejects. Last line:
#   accounts=<N> exact_money=<E> overspend_max=<micro-units> violations=<V>
#
# With FAULT=ignore-zero-balance the simulated boards keep subscribers on after the agent ended
# their sessions at zero balance (nobody charges what they use then): the test passes only if
# the oracle reports violations, the negative control.
#
# STORE=postgresql runs it on a private PostgreSQL cluster (tests/support/pg_cluster.sh).
#
#   usage: chaos_money_test.sh SERVER CENSUSCTL BILLINGCTL SIM COMPARE MONEY_COMPARE STANDIN
#                              [GATEWAYS] [SECONDS] [FAULT]
set -euo pipefail
umask 077
server=$1 ctl=$2 bctl=$3 sim=$4 compare=$5 money_compare=$6 standin=$7
gateways=${8:-12}
seconds=${9:-40}
fault=${10:-none}
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
interval=5
temporary_s=20

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
b() { "$bctl" --state-dir="$state" "${store_flags[@]}" "$@" >/dev/null; }

ctl init >/dev/null
pin=$(ctl pin)
for i in $(seq -w 1 "$gateways"); do
  echo "gw-$i,$(ctl add-agent "gw-$i" | awk '/^credential /{print $2}')"
done >"$work/agents.csv"

# The approval system: rejects every inquiry naming an account that ends in "-r".
"$standin" --listen=127.0.0.1:0 '--reject=-r"' >"$work/standin.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q '^ready ' "$work/standin.log" && break; sleep 0.05; done
standin_port=$(sed -n 's/^ready port=\([0-9]*\).*/\1/p' "$work/standin.log")
[ -n "$standin_port" ] || { cat "$work/standin.log"; exit 1; }

# The one table of rates and accounts: billingctl is given it, and so is the oracle. Three of
# the nine end in "-r", so that some rejected session still runs when the reject reaches its
# gateway even on a loaded machine (with two, a run once saw both end by themselves first).
cat >"$work/rates.csv" <<'EOF'
plan,unit,price,increment,minimum
,second,0.000417,1,0
minute,minute,0.020001,7,0.005
EOF
cat >"$work/accounts.csv" <<'EOF'
name,kind,plan,balance
pre-s1,prepaid,,0.02
pre-s2,prepaid,,0.04
pre-s3-r,prepaid,,0.10
pre-m1,prepaid,minute,0.03
pre-m2,prepaid,minute,0.50
pre-big,prepaid,,5.00
pre-big-r,prepaid,,5.00
post-s,postpaid,,0
post-m-r,postpaid,minute,0
EOF
# The simulator's gateway i serves hotspot<i mod 10>; hotspot3 and hotspot4 ask the stand-in.
approval_realms=(hotspot3.example hotspot4.example)
for r in $(seq 0 9); do
  realm=hotspot$r.example
  if [[ " ${approval_realms[*]} " == *" $realm "* ]]; then
    b realm set "$realm" --outage-policy=terminate \
      --approval-url="http://127.0.0.1:$standin_port/approve" --temporary="$temporary_s"
  else
    b realm set "$realm" --outage-policy=terminate
  fi
  for o in prepaid postpaid free; do b offer set "$realm" "$o" --label="$o" --terms="see rates"; done
done
tail -n +2 "$work/rates.csv" | while IFS=, read -r plan unit price increment minimum; do
  b rate add ${plan:+--plan="$plan"} --service-type='*' --band='*' --zone='*' --provider='*' \
    --unit="$unit" --price="$price" --increment="$increment" --minimum="$minimum" --from=now+1
done
tail -n +2 "$work/accounts.csv" | while IFS=, read -r name kind plan balance; do
  if [ "$kind" = prepaid ]; then
    b account add "$name" --kind=prepaid ${plan:+--plan="$plan"} --balance="$balance"
  else
    b account add "$name" --kind=postpaid ${plan:+--plan="$plan"}
  fi
  echo "$name"
done >"$work/names.txt"
rejected=()
for n in $(grep -- '-r$' "$work/names.txt"); do rejected+=(--rejected-account "$n"); done

start_server census_a --services=census --census_listen=127.0.0.1:0
census_a_pid=$last_pid
census_a=$(port_of census census_a)
start_server census_b --services=census --census_listen=127.0.0.1:0
census_b=$(port_of census census_b)
start_server front --services=login,billing --login_listen=127.0.0.1:0 \
  --billing_listen=127.0.0.1:0 --metering_interval_s=$interval \
  --census_advertise="127.0.0.1:$relay0,127.0.0.1:$relay1" --billing_servers="127.0.0.1:$relay2" \
  --default_realm=hotspot0.example
login=$(port_of login front)
billing=$(port_of billing front)
echo "chaos-money: ${STORE:-sqlite} store, census A :$census_a, B :$census_b, login :$login," \
     "billing :$billing, approval stand-in :$standin_port; relays :$relay0 -> A, :$relay1 -> B," \
     ":$relay2 -> billing; $gateways gateways for $seconds s (fault: $fault)"
sleep 1.2  # the rates are in effect from now+1

"$sim" --agents "$work/agents.csv" --pin "$pin" --login "127.0.0.1:$login" \
  --flash-dir "$work/flash" --truth "$work/truth.csv" --duration "$seconds" --interval $interval \
  --persist-after 2 --arrivals 20 --mean-duration 20 --max-sessions 14 \
  --relay "127.0.0.1:$relay0=127.0.0.1:$census_a" --relay "127.0.0.1:$relay1=127.0.0.1:$census_b" \
  --relay "127.0.0.1:$relay2=127.0.0.1:$billing" \
  --loss 0.1 --dup 0.1 --reorder 0.1 --delay-ms 2 --jitter-ms 20 --status-every 10 \
  --drain-timeout 40 --local-ip 127.0.0.1 --accounts "$work/names.txt" --anonymous-share 0.2 \
  --seed "${SEED:-11}" --test-fault "$fault" >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
pids+=("$sim_pid")

# Census A dies hard a third of the way in and comes back on the same port.
kill_and_restart_census chaos-money "$sim_pid" "$census_a_pid" "$census_a" $((seconds / 3)) 2

sim_status=0
wait "$sim_pid" || sim_status=$?
grep '^gatemeter-sim: ' "$work/sim.out"

"$bctl" --state-dir="$state" "${store_flags[@]}" account list --csv >"$work/balances.csv"
sed 's/^/chaos-money: balance: /' "$work/balances.csv"
ctl export-csv "$work/store.csv"
"$compare" "$work/truth.csv" "$work/store.csv" >"$work/compare.txt" || true
grep VIOLATION "$work/compare.txt" | head -10 || true
"$money_compare" --truth "$work/truth.csv" --accounts "$work/accounts.csv" \
  --rates "$work/rates.csv" --balances "$work/balances.csv" --interval $interval \
  --temporary-s $temporary_s --approval-realm "${approval_realms[0]}" \
  --approval-realm "${approval_realms[1]}" "${rejected[@]}" >"$work/money.txt" || true
grep VIOLATION "$work/money.txt" | head -20 || true

# The faults must have happened, or exact money proves nothing.
result=0
fail() { echo "chaos-money: FAIL: $*"; result=1; }
field() { sed -n "s/.*[ ,(]$1=\([0-9.]*\).*/\1/p" | head -n 1; }
sum() { relay_sum "$1"; }
for what in dropped duplicated reordered; do
  [ "$(sum $what)" -gt 0 ] || fail "the relays never $what a datagram"
done
acks_before_kill=$(acks_before_kill)
[ "${acks_before_kill:-0}" -gt 0 ] || fail "census A sent no ack before it was killed"
[ "$sim_status" = 0 ] || fail "the simulator did not drain"
seen=$(tail -n 2 "$work/money.txt" | head -n 1)
# (Boards that keep subscribers on stop none of them for zero balance.)
expected=(prepaid_dry final_grants remote_rejects_ended)
[ "$fault" = ignore-zero-balance ] || expected+=(zero_balance_stops)
for what in "${expected[@]}"; do
  [ "$(echo "$seen" | field "$what")" -gt 0 ] 2>/dev/null || fail "no $what in this run: $seen"
done
debited=$(echo "$seen" | field debited_micros)
[ "${debited:-0}" -gt 0 ] || fail "nothing was debited"
usage=$(tail -n 1 "$work/compare.txt")
echo "chaos-money: usage: $usage"
echo "chaos-money: money: $seen"
echo "chaos-money: faults seen: relays dropped $(sum dropped), duplicated $(sum duplicated)," \
     "reordered $(sum reordered); census A acked $acks_before_kill datagrams before its kill"

last=$(tail -n 1 "$work/money.txt")
violations=$(echo "$last" | field violations)
[ -n "$violations" ] || fail "the money oracle printed no result: $(cat "$work/money.txt")"
if [ "$fault" = none ]; then
  [ "$(echo "$usage" | field violations)" = 0 ] || fail "the store's usage is not the truth"
  [ "${violations:-1}" = 0 ] || result=1
else
  if [ "${violations:-0}" -gt 0 ]; then
    echo "chaos-money: negative control ($fault): the oracle found $violations violations, as it must"
  else
    fail "negative control ($fault): the boards gave usage away on purpose and the oracle saw nothing"
  fi
fi
echo "$last"
exit "$result"
