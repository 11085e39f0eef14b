#!/usr/bin/env bash
# Roaming authentication against a real home provider: a private Debian FreeRADIUS (its own
# config in a temporary folder, 127.0.0.1, a free port, users in a users file) is the home
# server of the realms home.example and fail.example; gatemeter-server's radius service proxies
# each Access-Request by its realm and relays the answer (Debian's radclient is the NAS):
# the right password is accepted with the home server's Reply-Message, a wrong one rejected, an
# unknown realm rejected by gatemeter itself, a request without Message-Authenticator not
# answered at all, and fail.example's first home server (silent) passed over for its second.
# Then the routing mode (the seed's Fig. 6): a gatemeter routing server on 127.0.0.2 answers
# which home servers serve a realm (radclient reads its answer: the endpoint, and the secret
# hidden as Tunnel-Password), and a local gatemeter that lists no realm asks it, then asks
# FreeRADIUS itself; an unknown realm is rejected; the route is kept, so with the routing
# server killed a second login still goes through.
# 127.0.0.1 only; every step has a time limit.
#   radius_roaming_test.sh GATEMETER_SERVER
set -euo pipefail
umask 077
server=$1
command -v radclient >/dev/null || { echo "SKIP: radclient not installed (Debian freeradius-utils)"; exit 77; }
command -v freeradius >/dev/null || { echo "SKIP: freeradius not installed (Debian freeradius)"; exit 77; }
dir=$(mktemp -d /tmp/gm-roaming-XXXXXX)
state=$dir/state work=$dir pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
source "$(dirname "$0")/../fault/start_server.sh"
source "$(dirname "$0")/freeradius.sh"
home_port=$(free_port) silent_port=$(free_port)

mkdir -p "$dir/raddb"
cat >"$dir/raddb/users" <<'USERS'
bob@home.example Cleartext-Password := "pw-bob"
	Reply-Message := "hello bob"
carol@fail.example Cleartext-Password := "pw-carol"
	Reply-Message := "hello carol"
USERS
freeradius_conf "$dir/raddb" <<CONF
modules {
  files {
    filename = $dir/raddb/users
  }
  pap {
  }
}
client gatemeter {
  ipaddr = 127.0.0.1
  secret = home-secret
}
server default {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = $home_port
  }
  authorize {
    files
    pap
  }
  authenticate {
    pap
  }
}
CONF
start_freeradius "$dir/raddb"

printf '127.0.0.1 nas-secret isp.example\n' >"$dir/clients"
printf 'home.example 127.0.0.1:%s home-secret\nfail.example 127.0.0.1:%s home-secret\nfail.example 127.0.0.1:%s home-secret\n' \
  "$home_port" "$silent_port" "$home_port" >"$dir/realms"
chmod 600 "$dir/clients" "$dir/realms"
start_server server --services=radius --radius-listen=127.0.0.1:0 --radius-auth-listen=127.0.0.1:0 \
  --radius_clients="$dir/clients" --radius_realms="$dir/realms" --radius_response_window_ms=500
port=$(port_of radius_auth server)
[ "${port:-0}" -gt 0 ] || { echo "no radius_auth_port:"; cat "$dir/server.log"; exit 1; }
grep -q "authentication on 127.0.0.1:$port for 2 realm(s)" "$dir/server.log" || { cat "$dir/server.log"; exit 1; }

ask() {  # name attributes -> radclient's output in $dir/name.out, its status
  printf '%s\n' "$2" >"$dir/$1.in"
  timeout 20 radclient -x -r 1 -t 3 -f "$dir/$1.in" "127.0.0.1:$port" auth nas-secret >"$dir/$1.out" 2>&1
}
ma=',Message-Authenticator=0x00'
ask accept "User-Name=bob@home.example,User-Password=pw-bob$ma" || { cat "$dir/accept.out"; tail -30 "$dir/raddb/freeradius.log"; exit 1; }
grep -q 'Received Access-Accept' "$dir/accept.out" && grep -q 'hello bob' "$dir/accept.out" ||
  { echo "not the home server's Accept:"; cat "$dir/accept.out"; exit 1; }
ask reject "User-Name=bob@home.example,User-Password=wrong$ma" || true
grep -q 'Received Access-Reject' "$dir/reject.out" || { echo "a wrong password not rejected:"; cat "$dir/reject.out"; exit 1; }
ask unknown "User-Name=bob@nowhere.example,User-Password=pw-bob$ma" || true
grep -q 'Received Access-Reject' "$dir/unknown.out" && grep -q 'unknown realm' "$dir/unknown.out" ||
  { echo "an unknown realm not rejected so:"; cat "$dir/unknown.out"; exit 1; }
if ask bare "User-Name=bob@home.example,User-Password=pw-bob"; then
  echo "a request without Message-Authenticator was answered:"; cat "$dir/bare.out"; exit 1
fi
grep -q 'Received' "$dir/bare.out" && { echo "answered:"; cat "$dir/bare.out"; exit 1; }
ask failover "User-Name=carol@fail.example,User-Password=pw-carol$ma" || { cat "$dir/failover.out"; exit 1; }
grep -q 'Received Access-Accept' "$dir/failover.out" && grep -q 'hello carol' "$dir/failover.out" ||
  { echo "not accepted through the second home server:"; cat "$dir/failover.out"; exit 1; }
echo "roaming: accepted, rejected, unknown realm, no Message-Authenticator, failover"
kill "$last_pid"; wait "$last_pid" 2>/dev/null || true

# The routing mode.
printf '127.0.0.1 route-secret\n' >"$dir/routing-clients"
printf 'home.example 127.0.0.1:%s home-secret\n' "$home_port" >"$dir/routing-realms"
printf '127.0.0.1 nas-secret isp.example\n127.0.0.2 route-secret\n' >"$dir/local-clients"
chmod 600 "$dir/routing-clients" "$dir/routing-realms" "$dir/local-clients"
state=$dir/routing-state start_server routing --services=radius --radius-listen=127.0.0.2:0 \
  --radius-auth-listen=127.0.0.2:0 --radius_clients="$dir/routing-clients" \
  --radius_realms="$dir/routing-realms" --radius_routing=true
routing_pid=$last_pid routing_port=$(port_of radius_auth routing)
printf 'User-Name=@home.example,Message-Authenticator=0x00\n' >"$dir/route.in"
timeout 20 radclient -x -r 1 -t 3 -f "$dir/route.in" "127.0.0.2:$routing_port" auth route-secret >"$dir/route.out" 2>&1 ||
  { echo "no routing answer:"; cat "$dir/route.out"; cat "$dir/routing.log"; exit 1; }
grep -q "Tunnel-Server-Endpoint:1 = \"127.0.0.1:$home_port\"" "$dir/route.out" &&
  grep -q 'Tunnel-Password:1 = "home-secret"' "$dir/route.out" ||
  { echo "the routing answer does not name the home server and its secret:"; cat "$dir/route.out"; exit 1; }
printf 'User-Name=@nowhere.example,Message-Authenticator=0x00\n' >"$dir/noroute.in"
timeout 20 radclient -x -r 1 -t 3 -f "$dir/noroute.in" "127.0.0.2:$routing_port" auth route-secret >"$dir/noroute.out" 2>&1 || true
grep -q 'Received Access-Reject' "$dir/noroute.out" && grep -q 'unknown realm' "$dir/noroute.out" ||
  { echo "an unknown realm routed:"; cat "$dir/noroute.out"; exit 1; }

state=$dir/local-state start_server local --services=radius --radius-listen=127.0.0.1:0 \
  --radius-auth-listen=127.0.0.1:0 --radius_clients="$dir/local-clients" \
  --radius_route_via="127.0.0.2:$routing_port"
port=$(port_of radius_auth local)
ask routed "User-Name=bob@home.example,User-Password=pw-bob$ma" || { cat "$dir/routed.out"; cat "$dir/local.log"; exit 1; }
grep -q 'Received Access-Accept' "$dir/routed.out" && grep -q 'hello bob' "$dir/routed.out" ||
  { echo "not accepted by the home server the routing server named:"; cat "$dir/routed.out"; exit 1; }
ask routed-wrong "User-Name=bob@home.example,User-Password=wrong$ma" || true
grep -q 'Received Access-Reject' "$dir/routed-wrong.out" || { echo "a wrong password not rejected:"; cat "$dir/routed-wrong.out"; exit 1; }
ask routed-unknown "User-Name=bob@nowhere.example,User-Password=pw-bob$ma" || true
grep -q 'Received Access-Reject' "$dir/routed-unknown.out" && grep -q 'unknown realm' "$dir/routed-unknown.out" ||
  { echo "an unknown realm not rejected through the routing server:"; cat "$dir/routed-unknown.out"; exit 1; }
kill "$routing_pid"; wait "$routing_pid" 2>/dev/null || true
ask kept "User-Name=bob@home.example,User-Password=pw-bob$ma" || { cat "$dir/kept.out"; exit 1; }
grep -q 'hello bob' "$dir/kept.out" || { echo "the kept route was not used:"; cat "$dir/kept.out"; exit 1; }
echo "routing mode: the routing server named the home server and its secret, the local server asked it and then the home server; unknown realm rejected; the route kept"
