#!/usr/bin/env bash
# The whole settlement chain (host/settlement/SETTLEMENT.md): Debian's radclient is a NAS of
# the local provider Connect.com; a gatemeter routing server takes its accounting, queues it
# and forwards it with an Operator-Name naming Connect.com's realm (RFC 5580) to the central
# gatemeter, which keeps each request as a raw settlement record too (radius_settlement). Then
# settlectl cleans the period and the detail file and the statement come out as computed by
# hand: the Stop of the seed's Example 1 user, with its local time in Sydney, the Start and
# Interim irrelevant, a retry a duplicate. 127.0.0.0/8 only; every wait is bounded.
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
chmod 600 "$dir"/*.clients
mkdir -m 700 "$dir/central" "$dir/routing"
state=$dir/central start_server central --services=radius --radius-listen="127.0.0.3:$central_port" \
  --radius_clients="$dir/central.clients" --radius_settlement=true \
  --radius_settlement_time_zone=Australia/Sydney
state=$dir/routing start_server routing --services=radius --radius-listen="127.0.0.1:$routing_port" \
  --radius_clients="$dir/routing.clients" --radius_forward="127.0.0.3:$central_port"

# user1@aimnet.com roams on Connect.com's network: Start, an interim, the Stop at the seed's
# 1997-07-10 01:43:35 UTC after 300 s; the Stop sent twice as two requests (a NAS's retry
# with a new Identifier): one usage.
stop=868499015
cat >"$dir/nas.in" <<PACKETS
User-Name=user1@aimnet.com,NAS-Identifier=syd-nas-1,Acct-Status-Type=Start,Acct-Session-Id=1F00A3,Event-Timestamp=$((stop - 300)),Acct-Session-Time=0

User-Name=user1@aimnet.com,NAS-Identifier=syd-nas-1,Acct-Status-Type=Interim-Update,Acct-Session-Id=1F00A3,Event-Timestamp=$((stop - 240)),Acct-Session-Time=60

User-Name=user1@aimnet.com,NAS-Identifier=syd-nas-1,Acct-Status-Type=Stop,Acct-Session-Id=1F00A3,Event-Timestamp=$stop,Acct-Session-Time=300,Acct-Terminate-Cause=User-Request

User-Name=user1@aimnet.com,NAS-Identifier=syd-nas-1,Acct-Status-Type=Stop,Acct-Session-Id=1F00A3,Event-Timestamp=$stop,Acct-Session-Time=300,Acct-Terminate-Cause=User-Request
PACKETS
timeout 30 radclient -q -r 3 -t 2 -f "$dir/nas.in" "127.0.0.1:$routing_port" acct chain-nas-secret ||
  { echo "the routing server did not answer:"; cat "$dir/routing.log"; exit 1; }

ctl() { timeout 30 "$settlectl" --state-dir="$dir/central" "$@"; }
ctl provider set Aimnet --country=USA >/dev/null
ctl provider set Connect.com --country=Australia >/dev/null
ctl server set connect.com.au Connect.com >/dev/null
ctl realm set aimnet.com Aimnet >/dev/null
ctl rule set c-all --side=consumer --price=0.20 >/dev/null
ctl rule set p-all --side=provider --price=0.16 >/dev/null
ctl fee set --per-connection=0.005 --per-minute=0.001 >/dev/null
period=(--from=1997-07-01T00:00:00Z --to=1997-08-01T00:00:00Z)
# The central server has them once the routing server's queue has drained (bounded wait).
for _ in $(seq 100); do
  ctl clean "${period[@]}" >"$dir/clean.txt" 2>/dev/null || true
  grep -q ': 4 records' "$dir/clean.txt" && break
  sleep 0.1
done
grep -q ': 4 records, 1 clean, 1 duplicate, 2 irrelevant, 0 quarantined' "$dir/clean.txt" ||
  { echo "not the chain's records:"; cat "$dir/clean.txt"; cat "$dir/central.log"; exit 1; }
ctl detail-file Connect.com "${period[@]}" >"$dir/detail.txt"
want='"DT","RM","07/10/97","01:43:35","07/10/97","11:43:35","user1@aimnet.com","Aimnet;USA","Connect.com;Australia","S","300"'
[ "$(cat "$dir/detail.txt")" = "$want" ] || { echo "detail file:"; cat "$dir/detail.txt"; echo "wanted: $want"; exit 1; }
# 300 s: Aimnet pays 0.20 x 5 = 1.00 and the fee 0.005 + 0.001 x 5 = 0.01; Connect.com earns
# 0.16 x 5 = 0.80; the operator keeps 0.20 margin + 0.01 fees = 0.21; -1.01 + 0.80 + 0.21 = 0.
ctl report Aimnet "${period[@]}" --kind=statement --format=csv >"$dir/statement.csv"
grep -q '^Aimnet,USA,-1.01' "$dir/statement.csv" && grep -q '^Connect.com,Australia,0.80' "$dir/statement.csv" &&
  grep -q '^operator_fees,0.01' "$dir/statement.csv" && grep -q '^operator_margin,0.20' "$dir/statement.csv" &&
  grep -q '^operator_total,0.21' "$dir/statement.csv" || { echo "statement:"; cat "$dir/statement.csv"; exit 1; }
echo "settlement chain: radclient -> routing server -> central (Operator-Name connect.com.au) -> raw -> clean (1 clean, 1 duplicate, 2 irrelevant) -> the detail line and a statement that sums to zero"
