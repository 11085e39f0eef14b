#!/usr/bin/env bash
# A simulated gateway killed with SIGKILL (the power cut as a process sees it) comes back from
# its flash file: the sessions it had open are closed with "agent restart" at the next boot,
# exactly once, and the boot counter carries on. No servers are needed: with no login service
# reachable the agent persists every record at once, which is the case that matters here.
#   usage: sim_kill_test.sh GATEMETER_SIM
set -euo pipefail
sim=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "gw-kill,$(printf '11%.0s' $(seq 32))" >"$dir/agents"
pin=$(printf 'ab%.0s' $(seq 32))
# 127.0.0.1:9 (discard) refuses TCP: the login never succeeds, and nothing leaves this host.
args=(--agents "$dir/agents" --pin "$pin" --flash-dir "$dir" --login 127.0.0.1:9
      --arrivals 120 --mean-duration 600 --duration 60 --status-every 0)

"$sim" "${args[@]}" >/dev/null 2>"$dir/boot1.log" &
pid=$!
for _ in $(seq 50); do  # up to 5 s for a few sessions to start
  sleep 0.1
  [ -s "$dir/gw-kill.flash" ] && [ "$(stat -c %s "$dir/gw-kill.flash")" -gt 0 ] && break
done
sleep 3
kill -9 "$pid"
wait "$pid" 2>/dev/null || true

# Later boots start no subscribers (duration 0) and give up draining after 2 s: they never log in.
after=(--duration 0 --drain-timeout 2)
"$sim" "${args[@]}" "${after[@]}" >/dev/null 2>"$dir/boot2.log" || true
"$sim" "${args[@]}" "${after[@]}" >/dev/null 2>"$dir/boot3.log" || true

boot() { grep -h ' agent.boot ' "$1" | head -n1 | awk '{print $4, $5}'; }
read -r n1 c1 <<<"$(boot "$dir/boot1.log")"
read -r n2 c2 <<<"$(boot "$dir/boot2.log")"
read -r n3 c3 <<<"$(boot "$dir/boot3.log")"
echo "boot 1: count $n1, closed $c1; boot 2 (after kill -9): count $n2, closed $c2; boot 3: count $n3, closed $c3"
fail=0
[ "$n1" = 1 ] && [ "$c1" = 0 ] || { echo "FAIL: first boot should be boot 1 with nothing to close"; fail=1; }
[ "$n2" = 2 ] && [ "$c2" -gt 0 ] || { echo "FAIL: after the kill, the open sessions must be closed"; fail=1; }
[ "$n3" = 3 ] && [ "$c3" = 0 ] || { echo "FAIL: sessions are closed once, not at every boot"; fail=1; }
if grep -h ' error ' "$dir"/boot*.log; then echo "FAIL: errors logged"; fail=1; fi
exit $fail
