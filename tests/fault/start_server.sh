# Sourced by the system tests: starts gatemeter-server in the background and waits (up to 10 s)
# for its `ready` line. Uses the caller's variables: server, state, work, pids (array), and
# server_prefix (array, e.g. `ip netns exec NS`; empty to run it here), and store_flags (array,
# e.g. `--store=postgresql:...`; may be empty). Sets last_pid.
#   start_server NAME FLAGS...    (its output goes to $work/NAME.log)
#   port_of login|census|billing NAME  (the port its ready line reports)
last_pid=0
[ -n "${store_flags+x}" ] || store_flags=()
start_server() {
  local name=$1; shift
  "${server_prefix[@]}" "$server" --state_dir="$state" "${store_flags[@]}" "$@" \
    >"$work/$name.log" 2>&1 &
  last_pid=$!
  pids+=("$last_pid")
  for _ in $(seq 200); do
    grep -q '^ready ' "$work/$name.log" && return 0
    kill -0 "$last_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "$name did not start:" >&2
  cat "$work/$name.log" >&2
  exit 1
}
port_of() { grep -m1 '^ready ' "$work/$2.log" | sed "s/.*$1_port=\([0-9]*\).*/\1/"; }
