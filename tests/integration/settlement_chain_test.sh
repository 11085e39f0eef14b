#!/usr/bin/env bash
# The whole settlement chain (host/settlement/SETTLEMENT.md), the settlement issue's "done when":
# Debian's radclient is the NAS of two local providers, Connect.com (Australia) and Demon (UK,
# whose server names itself with an Operator-Name, RFC 5580); a gatemeter routing server takes
# their accounting, queues it and forwards it (adding Connect.com's Operator-Name from its
# client's realm) to the central gatemeter, which keeps each request as a raw settlement
# record too (radius_settlement). Four providers in three countries (Aimnet and Netcom in the
# USA, Connect.com in Australia, Demon in the UK). settlectl closes July 1997, publishing its
# reports: the Detail, Summary, Invoice and Credit/Debit of Connect.com, both detail files and
# the statement come out as computed by hand below; a Start and an Interim are irrelevant, a
# retry a duplicate. Then disbursement under the guaranteed policy: Aimnet, over its credit
# line, is refused service by the central's routing answer (radius_settlement_refusals) until
# its receipt comes in; Connect.com is paid its net and not a cent more. 127.0.0.0/8 only; every
# wait is bounded.
#   settlement_chain_test.sh GATEMETER_SERVER SETTLECTL
set -euo pipefail
umask 077
server=$1 settlectl=$2
command -v radclient >/dev/null || { echo "SKIP: radclient not installed (Debian freeradius-utils)"; exit 77; }
dir=$(mktemp -d /tmp/gm-chain-XXXXXX)
work=$dir pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
source "$(dirname "$0")/../fault/start_server.sh"
source "$(dirname "$0")/freeradius.sh"  # free_port
# Its own address and secrets: tests run side by side, and the routing fault test's servers
# sit on 127.0.0.2; a port one frees could be the other's next.
central_port=$(free_port 127.0.0.3) routing_port=$(free_port)
printf '127.0.0.1 chain-central-secret\n' >"$dir/central.clients"
printf '127.0.0.1 chain-nas-secret connect.com.au\n127.0.0.3 chain-central-secret\n' >"$dir/routing.clients"
# The central is also the settlement operator's routing server for authentication: which home
# server serves a realm (never contacted here: the answer only names it).
printf 'aimnet.com 127.0.0.1:9 aimnet-home-secret\nnetcom.com 127.0.0.1:9 netcom-home-secret\n' >"$dir/central.realms"
chmod 600 "$dir"/*.clients "$dir/central.realms"
mkdir -m 700 "$dir/central" "$dir/routing"
state=$dir/central start_server central --services=radius --radius-listen="127.0.0.3:$central_port" \
  --radius_clients="$dir/central.clients" --radius_settlement=true \
  --radius_settlement_time_zone=Australia/Sydney --radius-auth-listen=127.0.0.3:0 \
  --radius_realms="$dir/central.realms" --radius_routing=true --radius_settlement_refusals=true \
  --radius_refusal_refresh_s=1
central_auth=$(port_of radius_auth central)
state=$dir/routing start_server routing --services=radius --radius-listen="127.0.0.1:$routing_port" \
  --radius_clients="$dir/routing.clients" --radius_forward="127.0.0.3:$central_port"

# July 1997. Connect.com's network (no Operator-Name: the routing server adds its client's):
# user1@aimnet.com (the seed's Example 1: Start, an interim, the Stop at 01:43:35 UTC after
# 300 s, and the Stop again as a NAS's retry with a new Identifier: one usage),
# user2@netcom.com 120 s, user5@demon.co.uk 240 s. Demon's network (its server's Operator-Name):
# user3@connect.com.au 600 s, user4@aimnet.com 60 s.
stop=868499015
acct='Acct-Terminate-Cause=User-Request'
cat >"$dir/nas.in" <<PACKETS
User-Name=user1@aimnet.com,NAS-Identifier=syd-nas-1,Acct-Status-Type=Start,Acct-Session-Id=1F00A3,Event-Timestamp=$((stop - 300)),Acct-Session-Time=0

User-Name=user1@aimnet.com,NAS-Identifier=syd-nas-1,Acct-Status-Type=Interim-Update,Acct-Session-Id=1F00A3,Event-Timestamp=$((stop - 240)),Acct-Session-Time=60

User-Name=user1@aimnet.com,NAS-Identifier=syd-nas-1,Acct-Status-Type=Stop,Acct-Session-Id=1F00A3,Event-Timestamp=$stop,Acct-Session-Time=300,$acct

User-Name=user1@aimnet.com,NAS-Identifier=syd-nas-1,Acct-Status-Type=Stop,Acct-Session-Id=1F00A3,Event-Timestamp=$stop,Acct-Session-Time=300,$acct

User-Name=user2@netcom.com,NAS-Identifier=syd-nas-1,Acct-Status-Type=Stop,Acct-Session-Id=2B,Event-Timestamp=868600000,Acct-Session-Time=120,$acct

User-Name=user3@connect.com.au,NAS-Identifier=lon-nas-1,Acct-Status-Type=Stop,Acct-Session-Id=3C,Event-Timestamp=868700000,Acct-Session-Time=600,Operator-Name=1demon.co.uk,$acct

User-Name=user4@aimnet.com,NAS-Identifier=lon-nas-1,Acct-Status-Type=Stop,Acct-Session-Id=4D,Event-Timestamp=868800000,Acct-Session-Time=60,Operator-Name=1demon.co.uk,$acct

User-Name=user5@demon.co.uk,NAS-Identifier=syd-nas-2,Acct-Status-Type=Stop,Acct-Session-Id=5E,Event-Timestamp=868900000,Acct-Session-Time=240,$acct
PACKETS
timeout 30 radclient -q -r 3 -t 2 -f "$dir/nas.in" "127.0.0.1:$routing_port" acct chain-nas-secret ||
  { echo "the routing server did not answer:"; cat "$dir/routing.log"; exit 1; }

ctl() { timeout 30 "$settlectl" --state-dir="$dir/central" "$@"; }
ctl provider set Aimnet --country=USA >/dev/null
ctl provider set Netcom --country=USA >/dev/null
ctl provider set Connect.com --country=Australia >/dev/null
ctl provider set Demon --country=UK >/dev/null
ctl server set connect.com.au Connect.com >/dev/null
ctl server set demon.co.uk Demon >/dev/null
ctl realm set aimnet.com Aimnet >/dev/null
ctl realm set netcom.com Netcom >/dev/null
ctl realm set connect.com.au Connect.com >/dev/null
ctl realm set demon.co.uk Demon >/dev/null
# Consumer 1.20 a minute, 1.80 served in Australia; provider 1.00, 1.50 in Australia; the
# operator's fee 0.10 a connection and 0.06 a minute. All billed per second.
ctl rule set c-all --side=consumer --price=1.20 >/dev/null
ctl rule set c-au --side=consumer --serving-country=Australia --price=1.80 >/dev/null
ctl rule set p-all --side=provider --price=1.00 >/dev/null
ctl rule set p-au --side=provider --serving-country=Australia --price=1.50 >/dev/null
ctl fee set --per-connection=0.10 --per-minute=0.06 >/dev/null
period=(--from=1997-07-01T00:00:00Z --to=1997-08-01T00:00:00Z)
# The central server has them once the routing server's queue has drained (bounded wait).
for _ in $(seq 100); do
  ctl clean "${period[@]}" >"$dir/clean.txt" 2>/dev/null || true
  grep -q ': 8 records' "$dir/clean.txt" && break
  sleep 0.1
done
grep -q ': 8 records, 5 clean, 1 duplicate, 2 irrelevant, 0 quarantined' "$dir/clean.txt" ||
  { echo "not the chain's records:"; cat "$dir/clean.txt"; cat "$dir/central.log"; exit 1; }
# Netcom's credit line before the guaranteed terms: in the other order Netcom would be refused
# between the two commands, and the central reads refusals only once a second, so it could
# still be refusing Netcom when it is asked below.
ctl credit-line set Netcom --amount=5.00 >/dev/null
ctl terms set --policy=guaranteed --payment-days=15 --payout-days=30 >/dev/null
ctl close "${period[@]}" --out="$dir/pub" >"$dir/close.txt" ||
  { echo "close failed:"; cat "$dir/close.txt"; exit 1; }
grep -q '^closed 1997-07-01T00:00:00Z to 1997-08-01T00:00:00Z: 5 records, 0 adjustments' "$dir/close.txt" ||
  { echo "close:"; cat "$dir/close.txt"; exit 1; }

# The published reports against the figures worked out by hand (CRLF lines: RFC 4180).
# Per record: consumer price, provider price, fee (0.10 + 0.06 a minute):
#   user1 Aimnet on Connect.com  300 s:  9.00  7.50 0.40
#   user2 Netcom on Connect.com  120 s:  3.60  3.00 0.22
#   user3 Connect.com on Demon   600 s: 12.00 10.00 0.70
#   user4 Aimnet on Demon         60 s:  1.20  1.00 0.16
#   user5 Demon on Connect.com   240 s:  7.20  6.00 0.34
# Nets: Aimnet -(9.40 + 1.36) = -10.76; Netcom -3.82; Connect.com 7.50 + 3.00 + 6.00 - 12.70
# = 3.80; Demon 10.00 + 1.00 - 7.54 = 3.46; the operator: fees 1.82 + margin 5.50 = 7.32; and
# -10.76 - 3.82 + 3.80 + 3.46 + 7.32 = 0.
expect() {  # FILE, then its lines (CRLF stripped), in order, each whole
  local file=$1
  shift
  tr -d '\r' <"$dir/pub/$file" >"$dir/got"
  for line in "$@"; do
    grep -qxF -- "$line" "$dir/got" || { echo "$file lacks the line: $line"; cat "$dir/got"; exit 1; }
  done
}
expect Connect.com/detail.csv \
  "served,Australia,Connect.com,Aimnet,user1@aimnet.com,1,300,7.50,0.00" \
  "served,Australia,Connect.com,Demon,user5@demon.co.uk,1,240,6.00,0.00" \
  "served,Australia,Connect.com,Netcom,user2@netcom.com,1,120,3.00,0.00" \
  "consumed,UK,Demon,Connect.com,user3@connect.com.au,1,600,12.00,0.70" \
  "served_amount,16.50" "consumed_amount,12.00" "fees,0.70"
expect Connect.com/summary.csv \
  "Connect.com,Aimnet,1,300" "Connect.com,Demon,1,240" "Connect.com,Netcom,1,120" "Demon,Connect.com,1,600"
expect Connect.com/invoice.csv \
  "Connect.com,Aimnet,1,300,7.50,0.00,0.00,0.00" "Connect.com,Demon,1,240,6.00,0.00,0.00,0.00" \
  "Connect.com,Netcom,1,120,3.00,0.00,0.00,0.00" "Demon,Connect.com,1,600,0.00,12.00,0.10,0.60" \
  "total_earned,16.50" "total_owed,12.70" "net,3.80"
expect Connect.com/credit_debit.csv \
  "Aimnet,7.50,0.00,7.50" "Demon,6.00,12.70,-6.70" "Netcom,3.00,0.00,3.00" \
  "total_credit,16.50" "total_debit,12.70" "net,3.80"
expect statement.csv "Aimnet,USA,-10.76" "Connect.com,Australia,3.80" "Demon,UK,3.46" \
  "Netcom,USA,-3.82" "operator_fees,1.82" "operator_margin,5.50" "operator_total,7.32"
for f in Aimnet/invoice.csv Netcom/credit_debit.csv Demon/summary.csv; do
  [ -s "$dir/pub/$f" ] || { echo "close --out did not publish $f"; exit 1; }
done
# The detail files, whole: local times as the central's zone (Sydney) gives them.
cat >"$dir/want.connect" <<'EOF2'
"DT","RM","07/10/97","01:43:35","07/10/97","11:43:35","user1@aimnet.com","Aimnet;USA","Connect.com;Australia","S","300"
"DT","RM","07/11/97","05:46:40","07/11/97","15:46:40","user2@netcom.com","Netcom;USA","Connect.com;Australia","S","120"
"DT","RM","07/14/97","17:06:40","07/15/97","03:06:40","user5@demon.co.uk","Demon;UK","Connect.com;Australia","S","240"
EOF2
cat >"$dir/want.demon" <<'EOF2'
"DT","RM","07/12/97","09:33:20","07/12/97","19:33:20","user3@connect.com.au","Connect.com;Australia","Demon;UK","S","600"
"DT","RM","07/13/97","13:20:00","07/13/97","23:20:00","user4@aimnet.com","Aimnet;USA","Demon;UK","S","60"
EOF2
cmp -s "$dir/pub/Connect.com/detail_file.txt" "$dir/want.connect" ||
  { echo "Connect.com's detail file:"; cat "$dir/pub/Connect.com/detail_file.txt"; exit 1; }
cmp -s "$dir/pub/Demon/detail_file.txt" "$dir/want.demon" ||
  { echo "Demon's detail file:"; cat "$dir/pub/Demon/detail_file.txt"; exit 1; }
ctl detail-file Demon "${period[@]}" >"$dir/demon.again"
cmp -s "$dir/demon.again" "$dir/want.demon" || { echo "the closed detail file changed"; exit 1; }

# Disbursement, guaranteed: Aimnet owes 10.76 with no credit line, so it is refused service:
# the central's routing answer for its realm is a reject, Netcom's (3.82 owed, 5.00 of credit)
# names its home server. A receipt of what Aimnet owes lets it back in (within the refresh).
route() {  # realm -> radclient's answer in $dir/route.out
  printf 'User-Name=@%s,Message-Authenticator=0x00\n' "$1" >"$dir/route.in"
  timeout 20 radclient -x -r 1 -t 3 -f "$dir/route.in" "127.0.0.3:$central_auth" auth chain-central-secret >"$dir/route.out" 2>&1 || true
}
grep -q '^Aimnet is over its credit line by 10.76: its realms are refused service' "$dir/close.txt" ||
  { echo "the close did not say Aimnet is refused:"; cat "$dir/close.txt"; exit 1; }
refused_seen=0
for _ in $(seq 50); do
  route aimnet.com
  grep -q 'provider refused service' "$dir/route.out" && { refused_seen=1; break; }
  sleep 0.1
done
[ $refused_seen = 1 ] && grep -q 'Received Access-Reject' "$dir/route.out" ||
  { echo "Aimnet's realm was not refused:"; cat "$dir/route.out"; cat "$dir/central.log"; exit 1; }
route netcom.com
grep -q 'Received Access-Accept' "$dir/route.out" && grep -q 'Tunnel-Server-Endpoint:1 = "127.0.0.1:9"' "$dir/route.out" ||
  { echo "Netcom, within its credit line, was not routed:"; cat "$dir/route.out"; exit 1; }
ctl receipt Aimnet --amount=10.76 --reference=wire-0797-1 >"$dir/receipt.txt"
grep -q 'receipt wire-0797-1 recorded: 10.76 from Aimnet' "$dir/receipt.txt" || { cat "$dir/receipt.txt"; exit 1; }
if ctl receipt Aimnet --amount=10.76 --reference=wire-0797-1 >"$dir/again.txt" 2>&1; then
  echo "the same receipt was recorded twice"; exit 1
fi
served_again=0
for _ in $(seq 50); do
  route aimnet.com
  grep -q 'Received Access-Accept' "$dir/route.out" && { served_again=1; break; }
  sleep 0.1
done
[ $served_again = 1 ] || { echo "Aimnet, paid up, still refused:"; cat "$dir/route.out"; exit 1; }
# Connect.com is owed 3.80, payable 30 days after July's close (today): not yet. With the
# operator's terms changed to pay at once, 3.81 is refused and 3.80 paid.
if ctl payment Connect.com --amount=3.80 --reference=pay-0797-1 >"$dir/pay.txt" 2>&1; then
  echo "a payment before its payout day was recorded"; exit 1
fi
grep -q 'more than is payable to Connect.com now (0.00, guaranteed); nothing recorded' "$dir/pay.txt" ||
  { cat "$dir/pay.txt"; exit 1; }
ctl terms set --policy=guaranteed --payment-days=0 --payout-days=0 >/dev/null
if ctl payment Connect.com --amount=3.81 --reference=pay-0797-1 >"$dir/pay.txt" 2>&1; then
  echo "a payment above what is payable was recorded"; exit 1
fi
ctl payment Connect.com --amount=3.80 --reference=pay-0797-1 >"$dir/pay.txt"
ctl disbursement --csv >"$dir/disbursement.csv"
grep -q '^1997-07-01T00:00:00Z,Connect.com,3.80,is owed,.*,3.80,3.80,0.00,0.00,$' "$dir/disbursement.csv" &&
  grep -q '^1997-07-01T00:00:00Z,Aimnet,-10.76,owes,.*,10.76,0.00,0.00,0.00,0.00,$' "$dir/disbursement.csv" ||
  { echo "disbursement:"; cat "$dir/disbursement.csv"; exit 1; }
echo "settlement chain: radclient (two local providers) -> routing server -> central -> raw -> closed July (5 records of 4 providers in 3 countries: the four reports, both detail files and the statement as computed by hand) -> Aimnet refused service over its credit line, served again after its receipt; Connect.com paid its net"
