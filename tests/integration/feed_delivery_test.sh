#!/usr/bin/env bash
# The network management feed delivered by the billing service (BILLING.md, "The network
# management feed"): the simulator's gateways end sessions against a census,login server; a
# second gatemeter-server over the same store runs the billing service alone with feed_file and
# feed_webhook. The webhook is down at first (nothing listens), then up and refusing its first
# request (the approval stand-in as receiver, answering slowly so that kills land mid-post);
# the billing node is killed with SIGKILL three times while it delivers and started again.
# At the end: every ended session's event is in the file exactly once (no id twice, no session
# left out), and every event id reached the webhook at least once. A negative control shows the
# check fails on a file with a line doubled. STORE=postgresql runs it over a private cluster.
# 127.0.0.1 only; every step has a time limit.
#   feed_delivery_test.sh GATEMETER_SERVER CENSUSCTL GATEMETER_SIM GATEMETER_APPROVAL_STANDIN
set -euo pipefail
umask 077
server=$1 ctl=$2 sim=$3 standin=$4
store=${STORE:-sqlite}
dir=$(mktemp -d /tmp/gm-feed-XXXXXX)
state=$dir work=$dir pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pg_stop 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $dir" || rm -rf "$dir"
}
trap cleanup EXIT
source "$(dirname "$0")/../support/pg_cluster.sh"
store_flags=()
if [ "$store" = postgresql ]; then
  pg_start  # exits 77 (skip) if the server is not installed
  store_flags=(--store="$pg_spec")
fi
source "$(dirname "$0")/../fault/start_server.sh"
ctl() { "$ctl" --state-dir="$dir" "${store_flags[@]}" "$@"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
metric() {  # NAME_AND_LABELS: its value on the billing node's /metrics (-1: not there)
  python3 - "$metrics_port" "$1" <<'PY'
import sys, urllib.request
port, name = sys.argv[1], sys.argv[2]
text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
values = [l.split()[-1] for l in text.splitlines() if l.startswith(name + " ")]
print(int(float(values[0])) if values else -1)
PY
}

ctl init >"$dir/pin"
for a in gw-a gw-b; do
  ctl add-agent "$a" | awk -v a="$a" '/^credential /{print a "," $2}'
done >"$dir/agents.csv"

start_server census --services=census,login --login-listen=127.0.0.1:0 \
  --census-listen=127.0.0.1:0 --metering-interval-s=2
login_port=$(port_of login census)
hook_port=$(free_port) metrics_port=$(free_port)  # metrics_listen port 0 means none
feed=$dir/feed.jsonl
node=billing-1
billing_flags=(--services=billing --billing-listen=127.0.0.1:0 --billing-api-listen=off
               --metrics-listen="127.0.0.1:$metrics_port" --feed-file="$feed"
               --feed-webhook="http://127.0.0.1:$hook_port/feed")
start_server "$node" "${billing_flags[@]}"
grep -q "feed file $feed, feed webhook http://127.0.0.1:$hook_port/feed" "$dir/$node.log" ||
  { echo "no feed in billing's started line:"; cat "$dir/$node.log"; exit 1; }

timeout 120 "$sim" --agents "$dir/agents.csv" --pin "@$dir/pin" --login "127.0.0.1:$login_port" \
  --flash-dir "$dir" --truth "$dir/truth.csv" --duration 9 --interval 2 --arrivals 240 \
  --mean-duration 2 --status-every 0 --drain-timeout 40 --local-ip 127.0.0.1 >"$dir/sim.log" 2>&1 &
sim_pid=$!
pids+=("$sim_pid")

# The webhook is down: events reach the file, the webhook's attempts fail and are retried.
for _ in $(seq 150); do
  [ -s "$feed" ] && [ "$(metric gatemeter_billing_feed_post_failures_total)" -ge 2 ] && break
  sleep 0.1
done
[ -s "$feed" ] || { echo "no event reached the file"; cat "$dir/$node.log"; exit 1; }
failures=$(metric gatemeter_billing_feed_post_failures_total)
[ "$failures" -ge 2 ] || { echo "the webhook down was not retried ($failures failures)"; exit 1; }
echo "webhook down: $(wc -l <"$feed") events in the file, $failures posts failed"

# Up, refusing its first request, answering each after 300 ms.
"$standin" --listen="127.0.0.1:$hook_port" --refuse-first=1 --delay-ms=300 \
  --record="$dir/received" >"$dir/standin.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q '^ready port=' "$dir/standin.log" && break; sleep 0.1; done

# Killed while it delivers, started again each time.
for k in 1 2 3; do
  sleep 1
  kill -9 "$last_pid"
  wait "$last_pid" 2>/dev/null || true
  node=billing-$((k + 1))
  start_server "$node" "${billing_flags[@]}"
done
wait "$sim_pid" || { echo "the simulator failed:"; tail -n 20 "$dir/sim.log"; exit 1; }

# Everything delivered: both backlogs empty.
for _ in $(seq 300); do
  [ "$(metric 'gatemeter_billing_feed_backlog{sink="file"}')" = 0 ] &&
    [ "$(metric 'gatemeter_billing_feed_backlog{sink="webhook"}')" = 0 ] && break
  sleep 0.1
done
echo "backlogs: file $(metric 'gatemeter_billing_feed_backlog{sink="file"}'), webhook $(metric 'gatemeter_billing_feed_backlog{sink="webhook"}')"
# The receiver is the oracle, not the gauge: wait (bounded) until it has every id of the file.
for _ in $(seq 300); do
  python3 - "$feed" "$dir/received" <<'PY' && break
import json, sys
ids = {json.loads(l)["id"] for l in open(sys.argv[1])}
try:
    got = {e["id"] for body in open(sys.argv[2]) for e in json.loads(body)["events"]}
except FileNotFoundError:
    got = set()
sys.exit(0 if ids <= got else 1)
PY
  sleep 0.1
done
ctl export-csv "$dir/store.csv"

check() {  # FEED_FILE: every stopped session's event once in it, every id at the webhook
  python3 - "$dir/store.csv" "$1" "$dir/received" <<'PY'
import csv, json, sys
store, feed, received = sys.argv[1:4]
ended = {(r["agent_id"], int(r["session_id"])) for r in csv.DictReader(open(store))
         if r["state"] == "stopped"}
lines = [json.loads(l) for l in open(feed)]
ids = [e["id"] for e in lines]
sessions = [(e["agent"], e["session"]["session_id"]) for e in lines]
posted = [e["id"] for body in open(received) for e in json.loads(body)["events"]]
problems = []
if len(set(ids)) != len(ids): problems.append(f"{len(ids) - len(set(ids))} ids twice in the file")
if len(set(sessions)) != len(sessions): problems.append("a session twice in the file")
if set(sessions) != ended:
    problems.append(f"{len(ended - set(sessions))} ended sessions missing, "
                    f"{len(set(sessions) - ended)} not ended")
if set(posted) != set(ids): problems.append(f"{len(set(ids) - set(posted))} ids never posted")
print(f"ended={len(ended)} file_lines={len(ids)} posted={len(posted)} "
      f"posted_again={len(posted) - len(set(posted))}")
for p in problems: print("FAIL:", p)
sys.exit(1 if problems or not ended else 0)
PY
}
check "$feed" || { tail -n 5 "$dir"/billing-*.log; exit 1; }
grep -h "feed" "$dir"/billing-*.log | sort | uniq -c | head -n 8
# The negative control: a line doubled must fail the check.
{ cat "$feed"; head -n 1 "$feed"; } >"$dir/doubled.jsonl"
if check "$dir/doubled.jsonl" >/dev/null; then echo "FAIL: the check passed a doubled line"; exit 1; fi
echo "feed delivery ($store): every event once in the file and at least once at the webhook"
