#!/usr/bin/env bash
# The service manager's JSON API served by the billing service (BILLING.md, "The service
# manager") and `billingctl sessions`, with real sessions: the simulator's gateways authorise
# prepaid subscribers through gatemeter-server (census,login,billing) and are killed with
# SIGKILL once sessions have records, so the store holds open sessions that no longer change.
# Then: the ready line names billing_api_port; GET /sessions lists exactly the store's open
# sessions, with account, balance, rate and charge; paging by two walks them all once; each is
# found at /sessions/AGENT/ID alike; billingctl sessions --json says what the API says and its
# listing has a row each; bad requests get 400, 404 and 405. 127.0.0.1 only (python3's urllib as
# the client); every step has a time limit.
#   billing_api_test.sh GATEMETER_SERVER CENSUSCTL BILLINGCTL GATEMETER_SIM
set -euo pipefail
umask 077
server=$1 ctl=$2 bctl=$3 sim=$4
dir=$(mktemp -d /tmp/gm-billapi-XXXXXX)
state=$dir work=$dir pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
source "$(dirname "$0")/../fault/start_server.sh"

"$ctl" --state-dir="$dir" init >"$dir/pin"
for a in gw-a gw-b; do
  "$ctl" --state-dir="$dir" add-agent "$a" | awk -v a="$a" '/^credential /{print a "," $2}'
done >"$dir/agents.csv"
b() { "$bctl" --state-dir="$dir" "$@" >/dev/null; }
for r in hotspot0.example hotspot1.example; do  # the simulator's gateway i serves hotspot<i>
  b realm set "$r" --outage-policy=continue
  b offer set "$r" prepaid --label=prepaid --terms="0.03 EUR/min"
done
b service set wifi web
b rate add --service-type='*' --band='*' --zone='*' --provider='*' --unit=minute --price=0.03 \
  --from=now+1
for i in 1 2 3; do b account add "acct-$i" --kind=prepaid --balance=50.00; echo "acct-$i"; done \
  >"$dir/accounts.txt"
sleep 1.2  # the rate is in effect from now+1

start_server server --services=census,login,billing --login-listen=127.0.0.1:0 \
  --census-listen=127.0.0.1:0 --billing-listen=127.0.0.1:0 --metering-interval-s=2 \
  --default-realm=hotspot0.example
api_port=$(port_of billing_api server)
[ "${api_port:-0}" -gt 0 ] || { echo "no billing_api_port in the ready line:"; cat "$dir/server.log"; exit 1; }
grep -q "sessions API http://127.0.0.1:$api_port/sessions" "$dir/server.log" ||
  { echo "no API in billing's started line:"; cat "$dir/server.log"; exit 1; }
login_port=$(port_of login server)

api() {  # PATH [METHOD]: prints "STATUS BODY"
  python3 - "$api_port" "$1" "${2:-GET}" <<'PY'
import sys, urllib.request, urllib.error
port, path, method = sys.argv[1:4]
req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
try:
    with urllib.request.urlopen(req, timeout=5) as r: print(r.status, r.read().decode().strip())
except urllib.error.HTTPError as e: print(e.code, e.read().decode().strip())
PY
}

"$sim" --agents "$dir/agents.csv" --pin "@$dir/pin" --login "127.0.0.1:$login_port" \
  --flash-dir "$dir" --truth "$dir/truth.csv" --duration 60 --interval 2 --arrivals 60 \
  --mean-duration 600 --status-every 0 --local-ip 127.0.0.1 --accounts "$dir/accounts.txt" \
  >"$dir/sim.log" 2>&1 &
sim_pid=$!
pids+=("$sim_pid")
# Until at least 4 billed sessions have been charged something (records rated at the rate).
for _ in $(seq 200); do
  n=$(api "/sessions?limit=1000" | python3 -c '
import json, sys
body = json.loads(sys.stdin.read().split(" ", 1)[1])
print(sum(1 for s in body["sessions"] if s["account"] and s["amount_micros"] > 0))')
  [ "$n" -ge 4 ] && break
  sleep 0.1
done
kill -9 "$sim_pid"
wait "$sim_pid" 2>/dev/null || true
[ "$n" -ge 4 ] || { echo "only $n charged sessions"; tail "$dir/sim.log"; exit 1; }
sleep 0.5  # a datagram in flight when the simulator died is committed by now

"$ctl" --state-dir="$dir" export-csv "$dir/store.csv"
api "/sessions?limit=1000" >"$dir/all"
"$bctl" --state-dir="$dir" sessions --json --limit=1000 >"$dir/ctl.json"
"$bctl" --state-dir="$dir" sessions --csv --limit=1000 >"$dir/ctl.csv"
"$bctl" --state-dir="$dir" sessions --limit=2 >"$dir/ctl.txt" 2>"$dir/ctl.err"
for path in "/sessions?limit=0" "/sessions?after=nobody" "/sessions?colour=red" "/sessions/gw-a/x" \
            "/sessions/gw-a/1" "/nothing"; do
  echo "$path $(api "$path")"
done >"$dir/bad"
echo "POST /sessions $(api /sessions POST)" >>"$dir/bad"

python3 - "$api_port" "$dir" <<'PY'
import csv, json, sys, urllib.request, urllib.parse
port, d = sys.argv[1], sys.argv[2]
def get(path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
        return json.loads(r.read())
fail = []
open_rows = {(r["agent_id"], r["session_id"]) for r in csv.DictReader(open(f"{d}/store.csv"))
             if r["state"] == "open"}
status, body = open(f"{d}/all").read().split(" ", 1)
page = json.loads(body)
listed = {(s["agent"], s["session_id"]): s for s in page["sessions"]}
if status != "200" or page["next"] is not None: fail.append(f"one page of all: {status} {page['next']}")
if set(listed) != open_rows: fail.append(f"API lists {len(listed)}, the store has {len(open_rows)} open")
charged = [s for s in listed.values() if s["account"] and s["amount_micros"] > 0]
for s in charged:
    if not (s["account"].startswith("acct-") and s["rate"] and s["rate"]["unit"] == "minute"
            and s["rate"]["price_micros"] == 30000 and s["service_type"] == "web"
            and s["balance_micros"] < 50_000_000 and s["billing"] == "prepaid"
            and s["charged_s"] > 0 and s["duration_s"] >= 0):
        fail.append(f"a charged session reads wrong: {s}")
# Paging by two walks every session once, in the same order.
walked, after, pages = [], None, 0
while pages < 1000:
    q = "/sessions?limit=2" + ("&after=" + urllib.parse.quote(after, safe="") if after else "")
    p = get(q)
    pages += 1
    walked += [(s["agent"], s["session_id"]) for s in p["sessions"]]
    after = p["next"]
    if after is None: break
if walked != [(s["agent"], s["session_id"]) for s in page["sessions"]]: fail.append("paging differs")
if pages != max(1, (len(walked) + 1) // 2):  # a full last page knows it is the last
    fail.append(f"{pages} pages for {len(walked)} sessions")
def same(a, b): return {k: v for k, v in a.items() if k != "duration_s"} == {k: v for k, v in b.items() if k != "duration_s"}
for (agent, sid), s in list(listed.items())[:10]:
    one = get(f"/sessions/{urllib.parse.quote(agent, safe='')}/{sid}")
    if not same(one, s): fail.append(f"/sessions/{agent}/{sid} differs: {one} {s}")
ctl = json.load(open(f"{d}/ctl.json"))
if len(ctl["sessions"]) != len(page["sessions"]) or not all(same(a, b) for a, b in zip(ctl["sessions"], page["sessions"])):
    fail.append("billingctl sessions --json differs from the API")
rows = list(csv.DictReader(open(f"{d}/ctl.csv")))
if len(rows) != len(listed): fail.append(f"billingctl sessions --csv has {len(rows)} rows")
by_key = {(r["agent"], r["session_id"]): r for r in rows}
for key, s in listed.items():
    r = by_key.get(key)
    if r is None or r["subscriber"] != s["subscriber"] or (r["account"] or None) != s["account"]:
        fail.append(f"csv row {r} differs from {s}"); break
text = open(f"{d}/ctl.txt").read().splitlines()
if len(text) != 3 or not text[0].startswith("agent"): fail.append(f"the listing of 2: {text}")
err = open(f"{d}/ctl.err").read()
if len(listed) > 2 and "more: billingctl sessions --after=" not in err: fail.append(f"no next page said: {err}")
want = {"/sessions?limit=0": "400", "/sessions?after=nobody": "400", "/sessions?colour=red": "400",
        "/sessions/gw-a/x": "400", "/sessions/gw-a/1": "404", "/nothing": "404", "POST": "405"}
for line in open(f"{d}/bad"):
    path, status = line.split()[0], line.split()[1] if line.split()[0] != "POST" else line.split()[2]
    if want.get(path) != status or '"error":' not in line: fail.append(f"bad request answered: {line.strip()}")
print(f"open={len(open_rows)} listed={len(listed)} charged={len(charged)} pages_of_two={pages}")
for f in fail: print("FAIL:", f)
sys.exit(1 if fail else 0)
PY
echo "billing API: the store's open sessions, paged, alike in billingctl"
