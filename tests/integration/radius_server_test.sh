#!/usr/bin/env bash
# gatemeter-server with services census,login,radius as an operator starts it: a clients file
# others can read is refused with a clear error; with one of mode 0600 the ready line names
# radius_port, Debian's radclient's Start and Stop are answered, `censusctl list-sessions`
# shows the NAS's session ended with its totals, censusctl refuses a gateway id radius:..., and
# the stopped line counts the requests.
# 127.0.0.1 only; every step has a time limit.
#   radius_server_test.sh GATEMETER_SERVER CENSUSCTL
set -euo pipefail
umask 077
server=$1 censusctl=$2
command -v radclient >/dev/null || { echo "SKIP: radclient not installed (Debian freeradius-utils)"; exit 77; }
dir=$(mktemp -d /tmp/gm-radius-XXXXXX)
state=$dir/state work=$dir pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
source "$(dirname "$0")/../fault/start_server.sh"
flags=(--services=census,login,radius --login-listen=127.0.0.1:0 --census-listen=127.0.0.1:0
       --radius-listen=127.0.0.1:0 --radius_clients="$dir/clients")

printf '127.0.0.1 s3cret isp.example\n' >"$dir/clients"
chmod 644 "$dir/clients"
if timeout 20 "$server" --state_dir="$state" "${flags[@]}" >"$dir/refused.log" 2>&1; then
  echo "started with a clients file others can read"; exit 1
fi
grep -q "radius_clients: $dir/clients is open to others (mode 0644)" "$dir/refused.log" ||
  { echo "no clear error:"; cat "$dir/refused.log"; exit 1; }
grep -q s3cret "$dir/refused.log" && { echo "the secret was printed"; exit 1; }

chmod 600 "$dir/clients"
start_server server "${flags[@]}"
port=$(port_of radius server)
[ "${port:-0}" -gt 0 ] || { echo "no radius_port:"; cat "$dir/server.log"; exit 1; }
grep -q "^radius: accounting on 127.0.0.1:$port, 1 client(s) from $dir/clients" "$dir/server.log" ||
  { echo "no radius started line:"; cat "$dir/server.log"; exit 1; }
cat >"$dir/packets" <<'PACKETS'
User-Name=ann,NAS-Identifier=nas-9,Acct-Status-Type=Start,Acct-Session-Id=a1,Event-Timestamp=1796032800

User-Name=ann,NAS-Identifier=nas-9,Acct-Status-Type=Stop,Acct-Session-Id=a1,Event-Timestamp=1796032890,Acct-Session-Time=90,Acct-Input-Octets=1234,Acct-Output-Octets=99,Acct-Terminate-Cause=Idle-Timeout
PACKETS
timeout 20 radclient -r 2 -t 1 -f "$dir/packets" "127.0.0.1:$port" acct s3cret >"$dir/radclient.log" 2>&1 ||
  { echo "radclient:"; cat "$dir/radclient.log"; exit 1; }
[ "$(grep -c 'Received Accounting-Response' "$dir/radclient.log")" -eq 2 ] ||
  { echo "not two answers:"; cat "$dir/radclient.log"; exit 1; }
timeout 20 "$censusctl" --state_dir="$state" list-sessions radius:nas-9 >"$dir/sessions.txt"
grep -q 'ann@isp.example' "$dir/sessions.txt" && grep -q 'idle_timeout' "$dir/sessions.txt" &&
  grep -q '1234' "$dir/sessions.txt" || { echo "the session is not stored so:"; cat "$dir/sessions.txt"; exit 1; }
# A NAS's agent id is the RADIUS server's: censusctl gives none to a gateway.
if "$censusctl" --state_dir="$state" add-agent radius:nas-10 >"$dir/add.log" 2>&1; then
  echo "censusctl added a radius: agent"; exit 1
fi
grep -q "ids starting radius: are the RADIUS server's NASes" "$dir/add.log" ||
  { echo "no clear refusal:"; cat "$dir/add.log"; exit 1; }
kill "$last_pid"
wait "$last_pid" || true
grep -q '^radius: 2 requests, 2 records committed' "$dir/server.log" ||
  { echo "no radius stopped line:"; cat "$dir/server.log"; exit 1; }
echo "radius ready: port $port, a NAS's session stored"
