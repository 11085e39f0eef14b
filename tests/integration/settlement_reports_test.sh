#!/usr/bin/env bash
# The settlement-reports service (host/settlement/SETTLEMENT.md "Access") against curl: a member
# set, tariffs and raw records imported, July 1997 closed with settlectl; passwords for
# Connect.com (A) and Aimnet (B), none for Demon; gatemeter-server with services =
# settlement-reports on 127.0.0.1 and a free port. Checks: A's invoice CSV and detail file are
# settlectl's bytes exactly; with A's credentials no target yields B's report (B's period
# paths, B named, encoded, climbing, the statement): 400, 403 or 404 each, and no body is one
# of B's reports; a wrong password, a provider with no password and an unknown one are 401 with
# WWW-Authenticate; an open period is 404; after repeated failures 429, even for the right
# password; every answer carries Cache-Control: no-store. 127.0.0.1 only; every wait bounded.
#   settlement_reports_test.sh GATEMETER_SERVER SETTLECTL
set -euo pipefail
umask 077
server=$1 settlectl=$2
command -v curl >/dev/null || { echo "SKIP: curl not installed"; exit 77; }
dir=$(mktemp -d /tmp/gm-reports-XXXXXX)
work=$dir state=$dir/state pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
source "$(dirname "$0")/../fault/start_server.sh"
mkdir -m 700 "$state"

fail() {
  echo "settlement reports test: FAIL: $*"
  [ -f "$dir/server.log" ] && { echo "--- server"; cat "$dir/server.log"; }
  exit 1
}
ctl() { timeout 60 "$settlectl" --state-dir="$state" "$@"; }
quiet() { ctl "$@" >"$dir/ctl.out" 2>&1 || fail "settlectl $* exited $?: $(cat "$dir/ctl.out")"; }

# ---- the settlement: four members, their servers and realms, tariffs, July's records ----
quiet provider set Aimnet --country=USA
quiet provider set Netcom --country=USA
quiet provider set Connect.com --country=Australia
quiet provider set Demon --country=UK
quiet server set aas.aimnet.com Aimnet
quiet server set aas.netcom.com Netcom
quiet server set aas.connect.com.au Connect.com
quiet server set aas.demon.co.uk Demon
quiet realm set aimnet.com Aimnet
quiet realm set netcom.com Netcom
quiet realm set connect.com.au Connect.com
quiet realm set demon.co.uk Demon
quiet rule set c-all --side=consumer --price=1.20
quiet rule set c-au --side=consumer --serving-country=Australia --price=1.80
quiet rule set p-all --side=provider --price=1.00
quiet rule set p-au --side=provider --serving-country=Australia --price=1.50
quiet fee set --per-connection=0.10 --per-minute=0.06
cat >"$dir/raw.csv" <<'EOF'
user1,aimnet.com,Stop,00000A1F,300,0,nas-syd-1,aas.connect.com.au,aas.aimnet.com,1997-07-10T01:43:35Z,1997-06-30 18:43:35,Australia/Sydney
user2@connect.com.au,,Stop,S-2,120,0,nas-lon-1,aas.demon.co.uk,,1997-07-10T03:00:00Z,1997-07-10 04:00:00,Europe/London
user3@demon.co.uk,,Stop,S-3,600,2,nas-sf-1,aas.netcom.com,aas.demon.co.uk,1997-07-11T10:00:00Z,1997-07-11 03:00:00,America/Los_Angeles
user4@netcom.com,,Stop,S-4,60,0,nas-syd-2,aas.connect.com.au,,1997-07-12T00:00:00Z,1997-07-12 10:00:00,Australia/Sydney
EOF
quiet import "$dir/raw.csv"
july=(--from=1997-07-01T00:00:00Z --to=1997-08-01T00:00:00Z)
july_from=867715200 august_from=870393600
quiet close "${july[@]}"
ctl report Connect.com "${july[@]}" --kind=invoice --format=csv >"$dir/a-invoice.csv"
ctl detail-file Connect.com "${july[@]}" >"$dir/a-detail.txt"
[ "$(wc -l <"$dir/a-detail.txt")" = 2 ] || fail "Connect.com's detail file is not its two served records"
for kind in detail summary invoice credit-debit statement; do
  for format in csv json html; do
    ctl report Aimnet "${july[@]}" --kind=$kind --format=$format >"$dir/b-$kind.$format"
  done
done
cmp -s "$dir/a-invoice.csv" "$dir/b-invoice.csv" && fail "A's and B's invoices are alike: the test proves nothing"

# ---- passwords: from stdin, never the command line ----
printf 'connect-secret 1\n' | ctl provider password Connect.com >"$dir/ctl.out" 2>&1 ||
  fail "provider password: $(cat "$dir/ctl.out")"
grep -qxF "provider Connect.com: password set" "$dir/ctl.out" || fail "provider password said: $(cat "$dir/ctl.out")"
printf 'aimnet-secret 2\n' | quiet provider password Aimnet
rc=0; printf 'x\n' | ctl provider password Nobody >"$dir/ctl.out" 2>&1 || rc=$?
[ $rc = 1 ] && grep -qF "no provider Nobody" "$dir/ctl.out" ||
  fail "an unknown provider's password: exit $rc, $(cat "$dir/ctl.out")"
rc=0; ctl provider password Demon </dev/null >"$dir/ctl.out" 2>&1 || rc=$?
[ $rc = 2 ] || fail "no password on stdin: exit $rc, $(cat "$dir/ctl.out")"
rc=0; printf 'tab\there\n' | ctl provider password Demon >"$dir/ctl.out" 2>&1 || rc=$?
[ $rc = 2 ] && grep -qF "control character" "$dir/ctl.out" ||
  fail "a control character: exit $rc, $(cat "$dir/ctl.out")"
# Demon had none set, and the refusals above set none: it must stay unable to log in.
printf 'demon-secret\n' | quiet provider password Demon
quiet provider password Demon --clear
grep -qxF "provider Demon: password cleared" "$dir/ctl.out" || fail "--clear said: $(cat "$dir/ctl.out")"

# ---- the service ----
start_server server --services=settlement-reports --settlement_reports_listen=127.0.0.1:0
port=$(port_of settlement_reports server)
[ "${port:-0}" -gt 0 ] || fail "no settlement_reports_port in the ready line"
grep -q "^settlement-reports: https://127.0.0.1:$port/periods" "$dir/server.log" || fail "no started line"
cert=$state/login-cert.pem
[ -s "$cert" ] || fail "the server made no certificate"

A=(-u 'Connect.com:connect-secret 1')
B=(-u 'Aimnet:aimnet-secret 2')
n=0
# get PATH [CURL ARGS...]: the status in $status, the body in the file $body, the headers in
# $head (each request its own files).
get() {
  local path=$1 rc=0
  shift
  n=$((n + 1))
  body=$dir/r$n.body head=$dir/r$n.head
  # The certificate is the login service's self-signed one, named gatemeter-login.
  status=$(curl -sS --max-time 10 --path-as-is --cacert "$cert" \
    --resolve "gatemeter-login:$port:127.0.0.1" -o "$body" -D "$head" -w '%{http_code}' "$@" \
    "https://gatemeter-login:$port$path") || rc=$?
  [ $rc = 0 ] || status="curl-failed-$rc"
  touch "$body" "$head"
}
header() { grep -i "^$1:" "$head" | head -n1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//'; }
expect() {  # STATUS PATH [CURL ARGS...]
  local want=$1 path=$2
  shift 2
  get "$path" "$@"
  [ "$status" = "$want" ] || fail "$path: status $status, expected $want ($(cat "$body"))"
  [ "$(header Cache-Control)" = no-store ] || fail "$path: Cache-Control is \"$(header Cache-Control)\""
}

# The checks themselves must be able to fail (in a subshell, so that its exit ends only it).
( expect 200 /periods ) >/dev/null && fail "expect passed a 401 as a 200"

# A's own: the invoice and the detail file, settlectl's bytes exactly.
expect 200 "/periods/$july_from/invoice.csv" "${A[@]}"
cmp -s "$body" "$dir/a-invoice.csv" || fail "A's invoice CSV differs from settlectl's"
[ "$(header Content-Type)" = "text/csv; charset=utf-8" ] || fail "invoice Content-Type $(header Content-Type)"
[ "$(header Content-Disposition)" = "attachment; filename=\"invoice-$july_from.csv\"" ] ||
  fail "invoice Content-Disposition: $(header Content-Disposition)"
expect 200 "/periods/$july_from/detail_file.txt" "${A[@]}"
cmp -s "$body" "$dir/a-detail.txt" || fail "A's detail file differs from settlectl's"
[ "$(header Content-Length)" = "$(wc -c <"$dir/a-detail.txt")" ] || fail "detail file Content-Length"
expect 200 "/periods/$july_from/detail_file.txt" "${A[@]}" -I
# (curl -I writes the headers as its output: no line of the file may follow them.)
! grep -qF '"DT"' "$body" && [ "$(header Content-Length)" = "$(wc -c <"$dir/a-detail.txt")" ] ||
  fail "HEAD of the detail file: $(cat "$body")"
for kind in detail summary invoice credit_debit; do
  for format in csv json html; do
    expect 200 "/periods/$july_from/$kind.$format" "${A[@]}"
    ctl report Connect.com "${july[@]}" --kind="${kind/_/-}" --format=$format >"$dir/want"
    cmp -s "$body" "$dir/want" || fail "A's $kind.$format differs from settlectl's"
  done
done
expect 200 /periods "${A[@]}"
grep -qF "\"provider\":\"Connect.com\"" "$body" && grep -qF "\"/periods/$july_from/invoice.csv\"" "$body" ||
  fail "the listing: $(cat "$body")"
# B's own invoice, to B.
expect 200 "/periods/$july_from/invoice.csv" "${B[@]}"
cmp -s "$body" "$dir/b-invoice.csv" || fail "B's invoice differs from settlectl's"

# With A's credentials, no target is B's report.
while read -r want path; do
  expect "$want" "$path" "${A[@]}"
  for f in "$dir"/b-*; do
    [ -s "$body" ] && cmp -s "$body" "$f" && fail "$path served B's $(basename "$f")"
  done
  true
done <<EOF
404 /periods/$july_from/Aimnet/invoice.csv
404 /Aimnet/periods/$july_from/invoice.csv
404 /providers/Aimnet/periods/$july_from/invoice.csv
404 /periods/$july_from/Aimnet.csv
404 /periods/$july_from/invoice.csv/Aimnet
400 /periods/Aimnet/invoice.csv
400 /periods/$july_from/invoice.csv?provider=Aimnet
400 /periods/$july_from/invoice.csv%3Fprovider=Aimnet
400 /periods/$july_from/..%2FAimnet%2Finvoice.csv
400 /periods/$july_from/%2e%2e/Aimnet/invoice.csv
400 /periods/$july_from/../../Aimnet/invoice.csv
400 //Aimnet/periods/$july_from/invoice.csv
400 /periods/$july_from/invoice.csv;provider=Aimnet
403 /periods/$july_from/statement.csv
403 /periods/$july_from/statement.json
403 /periods/$july_from/statement.html
404 /periods/$august_from/invoice.csv
404 /periods/$august_from/detail_file.txt
EOF
# The open period (August) and a period that never was: 404, even for B.
expect 404 "/periods/$august_from/invoice.csv" "${B[@]}"
grep -qF "only closed periods are served" "$body" || fail "the open period's 404 says: $(cat "$body")"
expect 404 /periods/867715201/summary.csv "${B[@]}"
expect 405 "/periods/$july_from/invoice.csv" "${A[@]}" -X POST
[ "$(header Allow)" = "GET, HEAD" ] || fail "405 Allow: $(header Allow)"
expect 405 "/periods/$july_from/invoice.csv" "${A[@]}" --data-binary 'provider=Aimnet'  # a POST with its body
expect 400 /periods "${A[@]}" -X GET --data-binary 'provider=Aimnet'  # a GET never has one
expect 400 "/periods/$(printf 'x%.0s' $(seq 300))" "${A[@]}"

# No credentials, then the failures (each one counted for 127.0.0.1: at most four before the
# lockout is tried on purpose).
expect 401 "/periods/$july_from/invoice.csv"
[ "$(header WWW-Authenticate)" = 'Basic realm="gatemeter settlement"' ] ||
  fail "WWW-Authenticate: $(header WWW-Authenticate)"
expect 401 "/periods/$july_from/invoice.csv" -u 'Connect.com:wrong password'  # 1
[ "$(header WWW-Authenticate)" = 'Basic realm="gatemeter settlement"' ] || fail "401 without WWW-Authenticate"
expect 401 "/periods/$july_from/invoice.csv" -u 'Aimnet:connect-secret 1'     # 2: A's password as B
expect 401 "/periods/$july_from/invoice.csv" -u 'Demon:demon-secret'          # 3: no password set
expect 401 "/periods" -u 'Demon:'                                             # not even empty
grep -qF "HTTP Basic" "$body" || fail "an empty password: $(cat "$body")"
expect 200 /periods "${A[@]}"  # three failures do not hold anyone

# Repeated failures: the fifth within a minute locks; then even the right password is 429.
locked=0
for i in 4 5 6 7 8; do
  get /periods -u "Connect.com:guess $i"
  [ "$status" = 429 ] && { locked=$i; break; }
  [ "$status" = 401 ] || fail "guess $i: status $status"
done
[ "$locked" = 6 ] || fail "the lockout came at guess $locked, expected the sixth request after five failures"
[ "$(header Retry-After)" -gt 0 ] || fail "429 without Retry-After"
expect 429 "/periods/$july_from/invoice.csv" "${A[@]}"
grep -qF "too many failed logins" "$body" || fail "the 429 says: $(cat "$body")"
expect 429 /periods "${B[@]}"  # the address is held too
grep -qF "locked for 60s" "$dir/server.log" || fail "the server did not say it locked"

echo "settlement reports test: PASS ($n requests: A's invoice and detail file as settlectl"\
  "prints them, nothing of B's reachable with A's credentials, 401/403/404/405/429)"
