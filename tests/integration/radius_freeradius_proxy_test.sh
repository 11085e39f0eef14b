#!/usr/bin/env bash
# Debian's FreeRADIUS as a proxy in front of gatemeter: a private FreeRADIUS (its own config in a
# temporary folder, 127.0.0.1, a free port) forwards the accounting Debian's radclient sends it
# to gatemeter-server's radius service, and answers the NAS only once gatemeter has. Start,
# Interim-Update and Stop land as the NAS's session with its totals; while gatemeter is down the
# NAS's Stop is not answered, and once gatemeter is back, the same Stop sent again is answered
# and stored: nothing lost. 127.0.0.1 only; every step has a time limit.
#   radius_freeradius_proxy_test.sh GATEMETER_SERVER CENSUSCTL
set -euo pipefail
umask 077
server=$1 censusctl=$2
command -v radclient >/dev/null || { echo "SKIP: radclient not installed (Debian freeradius-utils)"; exit 77; }
command -v freeradius >/dev/null || { echo "SKIP: freeradius not installed (Debian freeradius)"; exit 77; }
dir=$(mktemp -d /tmp/gm-frproxy-XXXXXX)
state=$dir/state work=$dir pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
source "$(dirname "$0")/../fault/start_server.sh"
source "$(dirname "$0")/freeradius.sh"
gm_port=$(free_port) fr_port=$(free_port)
printf '127.0.0.1 proxy-secret isp.example\n' >"$dir/clients"
chmod 600 "$dir/clients"

# FreeRADIUS: one accounting listener, every request proxied to gatemeter (home server of the
# realm `gatemeter`), nothing else loaded.
freeradius_conf "$dir/raddb" <<CONF
modules {
  always ok {
    rcode = ok
  }
}
client nas {
  ipaddr = 127.0.0.1
  secret = nas-secret
}
home_server gatemeter {
  type = acct
  ipaddr = 127.0.0.1
  port = $gm_port
  secret = proxy-secret
  response_window = 3
  zombie_period = 10
  revive_interval = 1
  status_check = none
}
home_server_pool gatemeter_pool {
  type = fail-over
  home_server = gatemeter
}
realm gatemeter {
  acct_pool = gatemeter_pool
  nostrip
}
server default {
  listen {
    type = acct
    ipaddr = 127.0.0.1
    port = $fr_port
  }
  preacct {
    update control {
      &Proxy-To-Realm := "gatemeter"
    }
  }
  accounting {
    ok
  }
}
CONF
start_freeradius "$dir/raddb"

flags=(--services=radius --radius-listen="127.0.0.1:$gm_port" --radius_clients="$dir/clients")
start_server server "${flags[@]}"
gm_pid=$last_pid

nas() {  # file: packets to FreeRADIUS as the NAS
  timeout 30 radclient -r "${2:-2}" -t 2 -f "$1" "127.0.0.1:$fr_port" acct nas-secret >"$1.out" 2>&1
}
packet() {  # status time octets
  printf 'User-Name=bob,NAS-Identifier=nas-fr,Acct-Status-Type=%s,Acct-Session-Id=f1,Event-Timestamp=%s,Acct-Session-Time=%s,Acct-Input-Octets=%s,Acct-Terminate-Cause=User-Request\n\n' \
    "$1" $((1796032800 + $2)) "$2" "$3"
}
{ packet Start 0 0; packet Interim-Update 60 6000; packet Interim-Update 120 12000; } >"$dir/first"
nas "$dir/first" || { echo "through the proxy:"; cat "$dir/first.out"; cat "$dir/raddb/freeradius.log"; exit 1; }
[ "$(grep -c 'Received Accounting-Response' "$dir/first.out")" -eq 3 ] || { cat "$dir/first.out"; exit 1; }

# gatemeter down: FreeRADIUS gets no answer from its home server, so the NAS gets none.
kill "$gm_pid"; wait "$gm_pid" || true
packet Stop 150 15000 >"$dir/stop"
if nas "$dir/stop" 1; then echo "the NAS was answered while gatemeter was down:"; cat "$dir/stop.out"; exit 1; fi
grep -q 'Sent Accounting-Request' "$dir/stop.out" && ! grep -q 'Received' "$dir/stop.out" ||
  { echo "not sent, or answered:"; cat "$dir/stop.out"; exit 1; }
# Back on the same store and port: the NAS sends its Stop again, and this time it is answered.
start_server server2 "${flags[@]}"
sleep 1.5  # FreeRADIUS's revive_interval: it tries its home server again
for _ in 1 2 3 4 5; do nas "$dir/stop" && break; sleep 1; done
grep -q 'Received Accounting-Response' "$dir/stop.out" || { echo "the Stop was not answered:"; cat "$dir/stop.out"; tail -30 "$dir/raddb/freeradius.log"; exit 1; }
timeout 20 "$censusctl" --state_dir="$state" list-sessions radius:nas-fr >"$dir/sessions.txt"
line=$(grep 'bob@isp.example' "$dir/sessions.txt") || { cat "$dir/sessions.txt"; exit 1; }
echo "$line" | grep -q 'stopped' && echo "$line" | grep -q ' 150 ' && echo "$line" | grep -q ' 15000 ' ||
  { echo "not the Stop's totals:"; cat "$dir/sessions.txt"; exit 1; }
echo "FreeRADIUS proxied to gatemeter: $line"
