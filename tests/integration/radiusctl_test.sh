#!/usr/bin/env bash
# radiusctl and the local realms as an operator sets them up, with the real binaries: clients
# and home servers added with their secrets on standard input (the files stay 0600, keep their
# comments, never show a secret; a duplicate, a bad address or a secret with a blank is refused
# and changes nothing); billingctl gives a subscriber a password; gatemeter-server, started on
# those files with radius_local_auth, answers Debian's radclient: the subscriber's
# Access-Accept carries the Session-Timeout its balance buys, a wrong password is rejected, and
# `radiusctl sessions` lists the session its Start opened until its Stop ends it.
# 127.0.0.1 only; every step has a time limit.
#   radiusctl_test.sh GATEMETER_SERVER RADIUSCTL BILLINGCTL
set -euo pipefail
umask 022  # as an operator's shell often is: radiusctl must still leave the files 0600
server=$1 radiusctl=$2 billingctl=$3
command -v radclient >/dev/null || { echo "SKIP: radclient not installed (Debian freeradius-utils)"; exit 77; }
dir=$(mktemp -d /tmp/gm-radiusctl-XXXXXX)
state=$dir/state work=$dir pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
source "$(dirname "$0")/../fault/start_server.sh"
files=(--state_dir="$state" --radius_clients="$dir/clients" --radius_realms="$dir/realms")
rctl() { timeout 20 "$radiusctl" "${files[@]}" "$@"; }
bctl() { timeout 60 "$billingctl" --state_dir="$state" "$@"; }
files_sum() { { cat "$dir/clients" "$dir/realms" 2>/dev/null || true; } | md5sum; }
refused() {  # expected-status command...: it fails so, and the files are as they were
  local want=$1; shift
  local before; before=$(files_sum)
  set +e; "$@" >"$dir/refused.out" 2>&1; local got=$?; set -e
  [ "$got" -eq "$want" ] || { echo "expected status $want, got $got: $*"; cat "$dir/refused.out"; exit 1; }
  [ "$(files_sum)" = "$before" ] ||
    { echo "a refused command changed a file: $*"; exit 1; }
}

printf '# the NASes of the Berlin POP\n' >"$dir/clients"
chmod 600 "$dir/clients"
echo 'nas-secret' | rctl client add 127.0.0.1 --realm=isp.example >/dev/null
echo 'proxy-secret' | rctl client add 127.0.0.2 >/dev/null
echo 'again' | refused 1 rctl client add 127.0.0.1
echo 'two words' | refused 2 rctl client add 127.0.0.3
echo 'x' | refused 2 rctl client add 300.0.0.1
echo 'home-secret' | rctl realm add home.example 127.0.0.1:1 >/dev/null
echo 'home-secret' | rctl realm add home.example 127.0.0.1:2 >/dev/null
echo 'x' | refused 2 rctl realm add home.example 127.0.0.1:99999
[ "$(stat -c %a "$dir/clients")" = 600 ] && [ "$(stat -c %a "$dir/realms")" = 600 ] ||
  { echo "a file is not 0600:"; ls -l "$dir"; exit 1; }
grep -q '^# the NASes of the Berlin POP$' "$dir/clients" || { echo "the comment is gone"; exit 1; }
rctl client list >"$dir/clients.txt"
rctl realm list --csv >"$dir/realms.csv"
grep -q 'secret' "$dir/clients.txt" && ! grep -q 'nas-secret\|proxy-secret' "$dir/clients.txt" ||
  { echo "client list shows a secret, or no column:"; cat "$dir/clients.txt"; exit 1; }
grep -q '127.0.0.1 *isp.example' "$dir/clients.txt" || { cat "$dir/clients.txt"; exit 1; }
grep -q '^home.example,2,127.0.0.1:2,' "$dir/realms.csv" && ! grep -q home-secret "$dir/realms.csv" ||
  { echo "realm list:"; cat "$dir/realms.csv"; exit 1; }
rctl realm remove home.example 127.0.0.1:2 >/dev/null
refused 1 rctl realm remove home.example 127.0.0.1:2 </dev/null
refused 1 rctl client remove 127.0.0.9 </dev/null
[ "$(grep -c home.example "$dir/realms")" -eq 1 ] || { cat "$dir/realms"; exit 1; }

# Billing: this operator's realm, a rate, a prepaid account of 300 s and its subscriber.
bctl realm set isp.example >/dev/null
bctl offer set isp.example prepaid --label=Prepaid --terms="0.001/s" >/dev/null
bctl rate add --service-type='*' --band='*' --zone='*' --provider='*' --unit=second \
  --price=0.001 --from=now+1 >/dev/null
bctl account add ann-acct --kind=prepaid --balance=0.30 >/dev/null
bctl subscriber add ann@isp.example ann-acct >/dev/null
echo 'correct horse' | bctl subscriber password ann@isp.example >/dev/null
bctl subscriber list >"$dir/subscribers.txt"
grep -q 'ann@isp.example *ann-acct *set' "$dir/subscribers.txt" && ! grep -q horse "$dir/subscribers.txt" ||
  { echo "subscriber list:"; cat "$dir/subscribers.txt"; exit 1; }
sleep 1.2  # the rate starts a second after it was added

start_server server --services=radius --radius-listen=127.0.0.1:0 --radius-auth-listen=127.0.0.1:0 \
  --radius_clients="$dir/clients" --radius_realms="$dir/realms" --radius_local_auth=true
auth=$(port_of radius_auth server) acct=$(port_of radius server)
ask() {  # name attributes
  printf '%s,NAS-Identifier=nas-1,Message-Authenticator=0x00\n' "$2" >"$dir/$1.in"
  timeout 20 radclient -x -r 1 -t 3 -f "$dir/$1.in" "127.0.0.1:$auth" auth nas-secret >"$dir/$1.out" 2>&1 || true
}
ask accept 'User-Name=ann,User-Password="correct horse"'
grep -q 'Received Access-Accept' "$dir/accept.out" && grep -q 'Session-Timeout = 300' "$dir/accept.out" ||
  { echo "not accepted for 300 s:"; cat "$dir/accept.out"; cat "$dir/server.log"; exit 1; }
ask wrong 'User-Name=ann,User-Password=horse'
grep -q 'Received Access-Reject' "$dir/wrong.out" && grep -q 'wrong user name or password' "$dir/wrong.out" ||
  { echo "a wrong password not rejected so:"; cat "$dir/wrong.out"; exit 1; }

acct() {  # attributes
  printf '%s,NAS-Identifier=nas-1,Acct-Session-Id=x1,Event-Timestamp=%s\n' "$1" "$2" >"$dir/acct.in"
  timeout 20 radclient -r 2 -t 1 -f "$dir/acct.in" "127.0.0.1:$acct" acct nas-secret >"$dir/acct.out" 2>&1 ||
    { cat "$dir/acct.out"; exit 1; }
}
t0=$(date +%s)
acct "User-Name=ann,Acct-Status-Type=Start" "$t0"
acct "User-Name=ann,Acct-Status-Type=Interim-Update,Acct-Session-Time=60,Acct-Input-Octets=5000" $((t0 + 60))
timeout 20 "$radiusctl" --state_dir="$state" sessions --csv >"$dir/open.csv"
grep -q '^nas-1,x1,.*,ann@isp.example,60,5000,0,ann-acct,0.06,' "$dir/open.csv" ||
  { echo "radiusctl sessions:"; cat "$dir/open.csv"; exit 1; }
acct "User-Name=ann,Acct-Status-Type=Stop,Acct-Session-Time=90,Acct-Input-Octets=6000" $((t0 + 90))
timeout 20 "$radiusctl" --state_dir="$state" sessions --nas=nas-1 --csv >"$dir/after.csv"
[ "$(wc -l <"$dir/after.csv")" -eq 1 ] || { echo "a stopped session is listed open:"; cat "$dir/after.csv"; exit 1; }
bctl account show ann-acct >"$dir/account.txt"
grep -q '0.21' "$dir/account.txt" || { echo "not debited 0.09:"; cat "$dir/account.txt"; exit 1; }
echo "radiusctl: clients and realms kept 0600, refusals change nothing; local realm: accepted for 300 s, wrong password rejected, the session listed open then closed, 0.09 debited"
