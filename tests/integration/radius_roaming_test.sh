#!/usr/bin/env bash
# Roaming authentication against a real home provider: a private Debian FreeRADIUS (its own
# config in a temporary folder, 127.0.0.1, a free port, users in a users file) is the home
# server of the realms home.example and fail.example; gatemeter-server's radius service proxies
# each Access-Request by its realm and relays the answer (Debian's radclient is the NAS):
# the right password is accepted with the home server's Reply-Message, a wrong one rejected, an
# unknown realm rejected by gatemeter itself, a request without Message-Authenticator not
# answered at all, and fail.example's first home server (silent) passed over for its second.
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
