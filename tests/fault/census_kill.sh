# Sourced by the chaos tests, after start_server.sh: census A dies hard (SIGKILL) while the
# simulator runs and comes back on the same port, and what the relays counted is read back.
# Uses the caller's work (the simulator's output is $work/sim.out).
#   kill_and_restart_census TAG SIM_PID CENSUS_PID PORT AT_S DOWN_S
#   relay_sum WHAT          (dropped, duplicated, ...: summed over every relay, in all)
#   acks_before_kill        (what relay 0 had from its census when the simulator was asked)
kill_and_restart_census() {
  local tag=$1 sim_pid=$2 census_pid=$3 port=$4 at=$5 down=$6
  sleep "$at"
  kill -USR1 "$sim_pid"  # the simulator prints what the relays counted so far
  sleep 0.5
  kill -9 "$census_pid"
  echo "$tag: census A killed (SIGKILL) at ~$at s"
  sleep "$down"
  start_server census_a2 --services=census --census_listen="127.0.0.1:$port"
  echo "$tag: census A restarted"
}
relay_sum() {
  grep 'relay [0-9] in all' "$work/sim.out" | sed -n "s/.* $1=\([0-9]*\).*/\1/p" |
    awk '{s += $1} END {print s + 0}'
}
acks_before_kill() {
  grep 'relay 0 at .*(SIGUSR1)' "$work/sim.out" | sed -n 's/.* from_census=\([0-9]*\).*/\1/p' |
    head -n 1
}
