#!/usr/bin/env bash
# gatemeter-server with services census,login,billing as an operator starts it: each service's
# started line, the ready line naming billing_port, the login service starting after billing
# (so it can advertise billing's port), and billing's stopped line; and the approval stand-in
# tool printing its port and refusing to listen beyond 127.0.0.1. 127.0.0.1 only; every step has a time limit.
#   billing_ready_test.sh GATEMETER_SERVER GATEMETER_APPROVAL_STANDIN
set -euo pipefail
umask 077
server=$1 standin=$2
dir=$(mktemp -d /tmp/gm-billready-XXXXXX)
state=$dir work=$dir pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
source "$(dirname "$0")/../fault/start_server.sh"
wait_for() {  # file pattern
  for _ in $(seq 100); do grep -q "$2" "$1" && return 0; sleep 0.1; done
  echo "no '$2' in $1:"; cat "$1"; exit 1
}

"$standin" --listen=127.0.0.1:0 --reject=nobody@ >"$dir/standin.log" 2>&1 &
pids+=($!)
wait_for "$dir/standin.log" '^ready port=[1-9]'
if "$standin" --listen=0.0.0.0:0 >/dev/null 2>&1; then echo "the stand-in bound beyond 127.0.0.1"; exit 1; fi

start_server server --services=census,login,billing --login-listen=127.0.0.1:0 \
  --census-listen=127.0.0.1:0 --billing-listen=127.0.0.1:0
billing_port=$(port_of billing server)
[ "${billing_port:-0}" -gt 0 ] || { echo "no billing_port:"; cat "$dir/server.log"; exit 1; }
grep -q "^billing: listening on 127.0.0.1:$billing_port, advertised as 127.0.0.1:$billing_port" \
  "$dir/server.log" || { echo "no billing started line:"; cat "$dir/server.log"; exit 1; }
# The login service starts last, after billing: its line comes after billing's.
[ "$(grep -n '^billing:' "$dir/server.log" | cut -d: -f1)" -lt \
  "$(grep -n '^login:' "$dir/server.log" | cut -d: -f1)" ]
kill "$last_pid"
wait "$last_pid" || true
grep -q '^billing: 0 frames' "$dir/server.log" || { echo "no billing stopped line:"; cat "$dir/server.log"; exit 1; }
echo "billing ready: port $billing_port"
