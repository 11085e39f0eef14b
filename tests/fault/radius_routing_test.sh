#!/usr/bin/env bash
# The RADIUS routing server under faults (host/radius/RADIUS.md, "The routing server"): NASes
# (Debian's radclient) send 400 sessions' Start, Interim-Update and Stop to a routing server
# (gatemeter-server --radius_forward), which queues each durably, answers, and forwards to the
# central server (another gatemeter-server, on 127.0.0.2). The routing server is killed -9
# mid-stream and restarted; later the central server is down while 100 more sessions arrive,
# which the routing server still answers and queues, and is killed -9 again with that queue
# held. Once its queue has drained, the central's store must
# hold every session's Stop totals exactly: nothing lost, nothing doubled. The comparison is
# then run against a truth with one session changed, and must find exactly that one (its
# negative control). 127.0.0.0/8 only; every wait is bounded.
#   radius_routing_test.sh GATEMETER_SERVER CENSUSCTL
set -euo pipefail
umask 077
server=$1 censusctl=$2
command -v radclient >/dev/null || { echo "SKIP: radclient not installed (Debian freeradius-utils)"; exit 77; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed"; exit 77; }
dir=$(mktemp -d /tmp/gm-rrouting-XXXXXX)
work=$dir pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
source "$(dirname "$0")/start_server.sh"
free_port() {  # on $1
  python3 -c 'import socket, sys; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$1"
}
central_port=$(free_port 127.0.0.2) routing_port=$(free_port 127.0.0.1)
printf '127.0.0.1 central-secret isp.example\n' >"$dir/central.clients"
printf '127.0.0.1 nas-secret isp.example\n127.0.0.2 central-secret\n' >"$dir/routing.clients"
chmod 600 "$dir"/*.clients
central_flags=(--services=radius --radius-listen="127.0.0.2:$central_port" --radius_clients="$dir/central.clients")
routing_flags=(--services=radius --radius-listen="127.0.0.1:$routing_port" --radius_clients="$dir/routing.clients"
               --radius_forward="127.0.0.2:$central_port")
start_central() { state=$dir/central start_server "central$1" "${central_flags[@]}"; central_pid=$last_pid; }
start_routing() { state=$dir/routing start_server "routing$1" "${routing_flags[@]}"; routing_pid=$last_pid; }

# Sessions FIRST..LAST: Start, an interim at 60 s, a Stop at 90 + i % 30 s; octets 100 per second.
packets() {
  for i in $(seq "$1" "$2"); do
    local stop=$((90 + i % 30))
    for x in "Start 0" "Interim-Update 60" "Stop $stop"; do
      set -- $x
      printf 'User-Name=u%s,NAS-Identifier=nas-r,Acct-Status-Type=%s,Acct-Session-Id=r%s,Event-Timestamp=%s,Acct-Session-Time=%s,Acct-Input-Octets=%s,Acct-Terminate-Cause=User-Request\n\n' \
        "$i" "$1" "$i" $((1796032800 + $2)) "$2" $((100 * $2))
    done
  done
}
# A NAS resends until answered: radclient over the file until it exits 0 (bounded).
nas() {
  for try in $(seq 8); do
    timeout 120 radclient -q -p 30 -r 3 -t 1 -f "$1" "127.0.0.1:$routing_port" acct nas-secret && return 0
    sleep 0.5
  done
  echo "the routing server did not answer $1 after 8 tries"; exit 1
}
queue_length() { sqlite3 "$dir/routing/usage.db" "SELECT count(*) FROM radius_queue" 2>/dev/null || echo 0; }

mkdir -m 700 "$dir/central" "$dir/routing"
start_central 1
start_routing 1
packets 1 400 >"$dir/first"
packets 401 500 >"$dir/second"

# 1. killed -9 mid-stream, restarted on its queue, the NASes resending what it did not answer.
timeout 120 radclient -q -p 30 -r 1 -t 1 -f "$dir/first" "127.0.0.1:$routing_port" acct nas-secret \
  >/dev/null 2>&1 &
sender=$!
sleep 0.4
kill -9 "$routing_pid"
wait "$routing_pid" 2>/dev/null || true
wait "$sender" || true
echo "routing server killed -9 with $(queue_length) request(s) queued"
start_routing 2
nas "$dir/first"

# 2. the central server down while 100 more sessions arrive: still answered, held in the queue.
kill "$central_pid"
wait "$central_pid" || true
nas "$dir/second"
held=$(queue_length)
[ "$held" -gt 0 ] || { echo "nothing queued while the central server was down"; exit 1; }
echo "central server down: $held request(s) answered and queued"
# ...and the routing server killed -9 again, with its queue full: the next one sends it on.
kill -9 "$routing_pid"
wait "$routing_pid" 2>/dev/null || true
[ "$(queue_length)" -eq "$held" ] || { echo "the queue changed across kill -9: $held, now $(queue_length)"; exit 1; }
start_routing 3
start_central 2
for _ in $(seq 600); do [ "$(queue_length)" -eq 0 ] && break; sleep 0.1; done
[ "$(queue_length)" -eq 0 ] || { echo "the queue did not drain: $(queue_length) left"; cat "$dir/routing3.log"; exit 1; }

# 3. every session's Stop totals at the central server, exactly.
kill "$routing_pid" "$central_pid"
wait "$routing_pid" "$central_pid" || true
timeout 60 "$censusctl" --state_dir="$dir/central" export-csv "$dir/central.csv"
expected() {  # the truth, one line per session: subscriber,charged_s,octets_in,state
  for i in $(seq 1 500); do
    local stop=$((90 + i % 30))
    echo "u$i@isp.example,$stop,$((100 * stop)),stopped"
  done
}
exact() {  # truth file -> how many sessions the central holds exactly so
  awk -F, 'NR == FNR { want[$1] = $2 "," $3 "," $4; next }
           FNR == 1 { for (c = 1; c <= NF; ++c) col[$c] = c; next }
           { got = $col["charged_s"] "," $col["octets_in"] "," $col["state"]
             if ($col["subscriber"] in want && want[$col["subscriber"]] == got) ++n }
           END { print n + 0 }' "$1" "$dir/central.csv"
}
expected >"$dir/truth"
n=$(exact "$dir/truth")
rows=$(($(wc -l <"$dir/central.csv") - 1))
echo "radius_routing_sessions=500 exact=$n rows=$rows"
[ "$n" -eq 500 ] && [ "$rows" -eq 500 ] || { echo "the central server does not hold the truth"; exit 1; }
sed '250s/,stopped$/,open/' "$dir/truth" >"$dir/wrong"
[ "$(exact "$dir/wrong")" -eq 499 ] || { echo "the comparison missed a changed session"; exit 1; }
