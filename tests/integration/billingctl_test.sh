#!/usr/bin/env bash
# billingctl against a real store: a temporary state folder's SQLite file, or (STORE=postgresql)
# a private PostgreSQL cluster (tests/support/pg_cluster.sh; exit 77, ctest's skip, when the
# server is not installed). Defines accounts, subscribers, rates, services, realms, offers and
# zones; checks each listing exactly; a top-up repeated with its key credits once, and the key
# with another amount is refused (exit 1) with the balance unchanged; bad input (an unknown
# unit or billing option, money with 7 decimals, a rate starting in the past, an unknown time
# zone, a subscriber of an unknown account, ...) exits non-zero naming the problem, and every
# listing is the same afterwards: nothing was written.
#   billingctl_test.sh BILLINGCTL CENSUSCTL
set -euo pipefail
umask 077  # the state folder must be the owner's alone
billingctl=$1 censusctl=$2
store=${STORE:-sqlite}
work=$(mktemp -d /tmp/gm-billingctl-XXXXXX)
cleanup() {
  pg_stop 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
source "$(dirname "$0")/../support/pg_cluster.sh"
store_flags=()
if [ "$store" = postgresql ]; then
  pg_start  # exits 77 if it cannot run here
  store_flags=(--store="$pg_spec")
fi
state=$work/state
ctl() { "$billingctl" --state-dir="$state" "${store_flags[@]}" "$@"; }
out=$work/out err=$work/err

fail() {
  echo "billingctl test ($store): FAIL: $*"
  echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$err"
  exit 1
}
# ok ARGS...: billingctl ARGS must succeed; its output is in $out.
ok() { ctl "$@" >"$out" 2>"$err" || fail "billingctl $* exited $?"; }
# refused STATUS TEXT ARGS...: billingctl ARGS must exit STATUS and say TEXT on stderr.
refused() {
  local want=$1 text=$2 rc=0
  shift 2
  ctl "$@" >"$out" 2>"$err" || rc=$?
  [ "$rc" = "$want" ] || fail "billingctl $* exited $rc, expected $want"
  grep -qF -- "$text" "$err" || fail "billingctl $*: stderr does not say \"$text\""
}
# says TEXT: the last command's stdout holds the line TEXT, whole.
says() { grep -qxF -- "$1" "$out" || fail "expected the line \"$1\""; }
# listing ARGS... <<EXPECTED: the command's stdout is exactly EXPECTED, with the times of this
# run (account creation, rates from now or an hour on) written TODAY, whatever the hour (an hour
# on from 23:00 UTC is tomorrow's date).
started=$(date -u +%s)
listing() {
  ok "$@"
  local now days
  now=$(date -u +%s)
  days="$(date -u -d "@$started" +%F)|$(date -u -d "@$now" +%F)|$(date -u -d "@$((now + 3600))" +%F)"
  sed -E "s/($days)T[0-9:]{8}Z/TODAY/g" "$out" >"$work/listed"
  diff -u /dev/stdin "$work/listed" >"$work/diff" || { cat "$work/diff"; fail "billingctl $*: listing differs"; }
}

# The checks themselves must be able to fail: each, given what is not so, fails (in a subshell,
# so that its exit ends only the subshell).
( ok no-such-command ) >/dev/null && { echo "FAIL: ok passed a failing command"; exit 1; }
( refused 1 "x" account list ) >/dev/null && { echo "FAIL: refused passed a success"; exit 1; }
( ok account list; says "no such line" ) >/dev/null && { echo "FAIL: says passed a missing line"; exit 1; }
( listing account list <<<"not this" ) >/dev/null && { echo "FAIL: listing passed another text"; exit 1; }

# ---- the account book ----
ok account add alice --kind=prepaid --plan=gold --time-zone=Europe/Berlin --low-balance=1.00
says "account alice added: prepaid, plan gold, time zone Europe/Berlin, balance 0.00, low balance 1.00, at zero end"
ok account add bob --kind=postpaid --balance=2.5 --at-zero=walled-garden
ok account add carol --kind=prepaid
ok account set carol --plan=silver --time-zone=America/New_York
says "account carol changed: plan (default) -> silver, time zone UTC -> America/New_York"
ok account disable bob
says "account bob disabled"
ok top-up alice 12.50 --key=pay-1
says "top-up applied: 12.50 to account alice, balance 12.50"
ok top-up alice 12.50 --key=pay-1  # a retried payment
says "top-up repeated: key pay-1 credited 12.50 to account alice before (balance then 12.50), nothing added; balance 12.50"
refused 1 "top-up key pay-1 was used for another account or amount" top-up alice 13 --key=pay-1
refused 1 "top-up key pay-1 was used for another account or amount" top-up bob 12.50 --key=pay-1
ok top-up alice 0.000001 --key=pay-2
ok subscriber add anna@home alice
ok subscriber add ben@home alice
ok subscriber add bo@partner bob
ok subscriber remove ben@home
says "subscriber ben@home removed"

listing account list --csv <<'EOF'
name,kind,plan,time_zone,balance,low_balance,at_zero,enabled,created
alice,prepaid,gold,Europe/Berlin,12.500001,1.00,end,yes,TODAY
bob,postpaid,,UTC,2.50,0.00,walled-garden,no,TODAY
carol,prepaid,silver,America/New_York,0.00,0.00,end,yes,TODAY
EOF
ok account show alice
says "account       alice"
says "balance       12.500001"
says "subscribers   anna@home"
grep -q "ben@home" "$out" && fail "account show lists a removed subscriber"
created=$(date -u -d "$(awk '$1 == "created" { print $2 }' "$out")" +%s)
[ "$created" -ge "$started" ] && [ "$created" -le "$(date -u +%s)" ] ||
  fail "account alice created at $created, not during this run (from $started)"
echo 'pw-anna' | ok subscriber password anna@home
says "subscriber anna@home: password set"
grep -q pw-anna "$out" && fail "the password was printed"
echo 'pw-zed' | refused 1 "no subscriber zed@home" subscriber password zed@home
refused 2 "expected the password for anna@home as one line on standard input" \
  subscriber password anna@home </dev/null
listing subscriber list <<'EOF'
subscriber  account  password
anna@home   alice    set
bo@partner  bob      none
EOF

# ---- the catalog ----
ok rate add --plan=gold --service-type=web --band=peak --zone='*' --provider='*' --unit=minute \
  --price=0.02 --increment=60 --minimum=0.10 --from=2031-01-01T00:00:00Z
says "rate 1 added: plan gold, service type web, band peak, zone *, provider *: 0.02 per minute in steps of 60 s, minimum 0.10, from 2031-01-01T00:00:00Z"
ok rate add --service-type='*' --band='*' --zone='*' --provider='*' --unit=megabyte --price=0.005 \
  --from=1924992000
ok rate add --plan=gold --service-type=voice --band='*' --zone=north --provider=acme \
  --unit=second --price=0.001 --from=now+3600
listing rate list <<'EOF'
id  plan  service type  band  zone   provider  unit      price  increment  minimum  from
 1  gold  web           peak  *      *         minute     0.02         60     0.10  2031-01-01T00:00:00Z
 2  -     *             *     *      *         megabyte  0.005          1     0.00  2031-01-01T00:00:00Z
 3  gold  voice         *     north  acme      second    0.001          1     0.00  TODAY
EOF
refused 1 "rate 2 has the same plan, service type, band, zone, provider and start" \
  rate add --service-type='*' --band='*' --zone='*' --provider='*' --unit=second --price=1 \
  --from=2031-01-01T00:00:00Z

ok service set browser web
ok service set softphone voice
ok service set browser download  # set again: the new type replaces the old
listing service list --csv <<'EOF'
service,service_type
browser,download
softphone,voice
EOF

ok realm set home --outage-policy=continue
ok realm set partner --provider=acme --outage-policy=retry-and-terminate \
  --approval-url=http://127.0.0.1:8088/approve --temporary=30
ok realm set home --provider=telco  # leaves its outage policy as it was
says "realm home changed: provider telco, outage policy continue, approval url (none), temporary 0 s"
listing realm list <<'EOF'
realm    provider  outage policy        approval url                   temporary s
home     telco     continue             -                                        0
partner  acme      retry_and_terminate  http://127.0.0.1:8088/approve           30
EOF

"$censusctl" --state-dir="$state" "${store_flags[@]}" add-agent gw-1 >/dev/null
ok zone set gw-1 north
says "gateway gw-1 is in zone north"
listing zone list --csv <<'EOF'
agent,zone
gw-1,north
EOF

ok offer set home prepaid --label="Prepaid account" --terms="0.02 EUR/min, by the minute"
ok offer set home time_pass --label="1 hour pass" --terms="2.00 EUR"
ok offer set gateway:gw-1 free --label="Lobby" --terms=""
ok offer set partner roaming --label="Roaming" --terms="your provider's rates"
ok offer remove home time_pass
says "offer time_pass for home removed"
listing offer list --csv <<'EOF'
scope,option,label,terms
gateway:gw-1,free,Lobby,
home,prepaid,Prepaid account,"0.02 EUR/min, by the minute"
partner,roaming,Roaming,your provider's rates
EOF

listing presence --csv <<'EOF'
agent,last_seen,seconds_ago,lost
EOF
# The service manager on a store with no open session (billing_api_test.sh has real ones).
listing sessions --csv <<'EOF'
agent,session_id,subscriber,service,service_type,billing,address,account,balance,rate,duration_s,charged_s,cost
EOF
ok sessions --json --limit=5
says '{"sessions":[],"next":null}'
ok sessions --after=gw-1/42
says "agent  session id  subscriber  service  service type  billing  address  account  balance  rate  duration s  charged s  cost"
ok bands show
says "peak=mon-fri 08:00-20:00; weekend=sat-sun (the default)"
ok bands set "peak=mon-fri 09:00-18:00; weekend=sun"
ok bands show
says "peak=mon-fri 09:00-18:00; weekend=sun"

# ---- refused input writes nothing ----
snapshot() {
  for what in account subscriber rate service realm offer zone; do
    ctl "$what" list --csv || fail "$what list failed"
  done
  ctl bands show || fail "bands show failed"
}
snapshot >"$work/before"
refused 2 'unknown rate unit "furlong" (one of second, minute, megabyte)' \
  rate add --service-type='*' --band='*' --zone='*' --provider='*' --unit=furlong --price=1 --from=now
refused 2 '--price=1.2345678: money: "1.2345678" has more than 6 decimals' \
  rate add --service-type='*' --band='*' --zone='*' --provider='*' --unit=second --price=1.2345678 --from=now
refused 2 "a new rate never applies to usage already rated" \
  rate add --service-type='*' --band='*' --zone='*' --provider='*' --unit=second --price=1 --from=1700000000
refused 2 "price -1.00 is negative" \
  rate add --service-type='*' --band='*' --zone='*' --provider='*' --unit=second --price=-1 --from=now
refused 2 "--provider=... is required" \
  rate add --service-type='*' --band='*' --zone='*' --unit=second --price=1 --from=now
refused 2 '--time-zone=Mars/Base: time zone "Mars/Base"' account add dave --kind=prepaid --time-zone=Mars/Base
refused 2 '--time-zone=Mars/Base: time zone "Mars/Base"' account set alice --plan=x --time-zone=Mars/Base
refused 2 'unknown account kind "gold" (one of prepaid, postpaid)' account add dave --kind=gold
refused 2 '--balance=1.2345678: money: "1.2345678" has more than 6 decimals' \
  account add dave --kind=prepaid --balance=1.2345678
refused 2 'top-up: money: "1.2345678" has more than 6 decimals' top-up alice 1.2345678 --key=pay-3
refused 1 "account alice exists already" account add alice --kind=postpaid
refused 1 "no account nobody" subscriber add eve@home nobody
refused 1 "subscriber anna@home belongs to account alice" subscriber add anna@home bob
refused 1 "no account nobody" top-up nobody 5 --key=pay-4
refused 2 'unknown billing option "cash" (one of prepaid, postpaid, time_pass, free, roaming)' \
  offer set home cash --label=x --terms=y
refused 1 "no realm elsewhere" offer set elsewhere free --label=x --terms=y
refused 2 "label must be 1 to 32 printable characters, got 33" \
  offer set home free --label=123456789012345678901234567890123 --terms=y
refused 2 'approval URL "https://x:1/a" does not start with http://' \
  realm set home --approval-url=https://x:1/a --temporary=5
refused 2 'approval URL "http://x/a" has no port' realm set home --approval-url=http://x/a --temporary=5
refused 2 'unknown outage policy "sometimes"' realm set home --outage-policy=sometimes
refused 2 "unknown option --kindd" account add dave --kindd=prepaid
refused 2 'unknown service type "chat"' service set chat chat
refused 1 "no agent gw-9" zone set gw-9 south
refused 2 '"25:00" is not a time of day' bands set "peak=mon-fri 25:00-18:00"
refused 2 'sessions: --limit=0: expected a whole number from 1 to 1000, got "0"' sessions --limit=0
refused 2 'sessions: --after=gw-1: expected AGENT/SESSION_ID, e.g. gw-1/42' sessions --after=gw-1
refused 2 "sessions: --csv or --json, not both" sessions --csv --json
refused 2 'unknown option --sort' sessions --sort=agent
snapshot >"$work/after"
diff -u "$work/before" "$work/after" || fail "refused commands changed the store"
ok account show alice
says "balance       12.500001"  # the refused top-ups credited nothing
echo "billingctl test ($store): every check passed"
