#!/usr/bin/env bash
# Session ids that never collide: two gateways report a first run of subscribers; then one
# gateway's flash is wiped (as a replacement unit with the same credential would start) and
# both run again. The census already holds the first run's sessions with their sequence
# numbers; had the wiped gateway counted its session ids from 1 again, its new records would
# be acknowledged and dropped as old. Every session of both runs must be stored exactly, and
# no (gateway, session id) may appear twice in the truth. 127.0.0.1 only; bounded steps.
#   flash_wipe_test.sh GATEMETER_SERVER CENSUSCTL GATEMETER_SIM GATEMETER_COMPARE
set -euo pipefail
umask 077  # the state folder doubles as scratch: the server refuses files others can read
server=$1 ctl=$2 sim=$3 compare=$4
work=$(mktemp -d /tmp/gm-wipe-XXXXXX)
dir=$work state=$work
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
server_prefix=()
source "$(dirname "$0")/../fault/start_server.sh"

"$ctl" --state-dir="$dir" init >"$dir/pin"
for a in gw-kept gw-wiped; do
  "$ctl" --state-dir="$dir" add-agent "$a" | awk -v a="$a" '/^credential /{print a "," $2}'
done >"$dir/agents.csv"
start_server server --login_listen=127.0.0.1:0 --census_listen=127.0.0.1:0 --metering_interval_s=3
login_port=$(port_of login server)

run() {  # run NUMBER SEED
  timeout 120 "$sim" --agents "$dir/agents.csv" --pin "@$dir/pin" --login "127.0.0.1:$login_port" \
    --flash-dir "$dir/flash" --truth "$dir/truth$1.csv" --duration 8 --interval 3 --arrivals 40 \
    --mean-duration 5 --status-every 0 --drain-timeout 40 --local-ip 127.0.0.1 --seed "$2" \
    | grep '^gatemeter-sim: [0-9]* sessions'
}
run 1 11
rm "$dir/flash/gw-wiped.flash"
echo "flash wipe: gw-wiped's flash is blank again"
run 2 12

{ cat "$dir/truth1.csv"; tail -n +2 "$dir/truth2.csv"; } >"$dir/truth.csv"
repeated=$(tail -n +2 "$dir/truth.csv" | cut -d, -f1,2 | sort | uniq -d)
ids() { awk -F, -v a="$1" '$1 == a { print $2 }' "$dir/truth$2.csv" | sort -n | sed -n '1p;$p' | paste -sd' '; }
echo "flash wipe: gw-wiped session ids, first run: $(ids gw-wiped 1); after the wipe: $(ids gw-wiped 2)"
echo "flash wipe: gw-kept session ids, first run: $(ids gw-kept 1); second run: $(ids gw-kept 2)"
"$ctl" --state-dir="$dir" export-csv "$dir/store.csv"
result=0
"$compare" "$dir/truth.csv" "$dir/store.csv" || result=$?
if [ -n "$repeated" ]; then
  echo "flash wipe: FAIL: session ids used twice: $(echo "$repeated" | head -3 | paste -sd' ')"
  result=1
fi
exit "$result"
