#!/usr/bin/env bash
# The real agent (gatemeter-sim's gateways) authorising its subscribers through the billing
# service of gatemeter-server (services census,login,billing), provisioned with censusctl and
# billingctl: every subscriber is answered (none refused, none unreachable), the ones who first
# named no account are asked again and approved, prepaid accounts are debited by the census's
# commits, prepaid sessions are warned of their low balance (the threshold is set at the
# accounts' opening balance, so the first debit crosses it) and the agents hear it, and the
# census's CSV export still matches the simulator's truth exactly (the sweep, which runs here,
# closes nothing the agents still report).
# 127.0.0.1 only; every step has a time limit.
#   sim_billing_test.sh GATEMETER_SERVER CENSUSCTL BILLINGCTL GATEMETER_SIM GATEMETER_COMPARE
set -euo pipefail
umask 077
server=$1 ctl=$2 bctl=$3 sim=$4 compare=$5
dir=$(mktemp -d /tmp/gm-simbill-XXXXXX)
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
  for o in prepaid postpaid free; do b offer set "$r" "$o" --label="$o" --terms="0.02 EUR/min"; done
done
b service set wifi-basic web
b rate add --service-type='*' --band='*' --zone='*' --provider='*' --unit=second --price=0.0005 \
  --from=now+1
for i in 1 2 3; do b account add "acct-$i" --kind=prepaid --balance=5.00; echo "acct-$i"; done \
  >"$dir/accounts.txt"
b account add acct-post --kind=postpaid
echo acct-post >>"$dir/accounts.txt"
sleep 1.2  # the rate is in effect from now+1

start_server server --services=census,login,billing --login-listen=127.0.0.1:0 \
  --census-listen=127.0.0.1:0 --billing-listen=127.0.0.1:0 --metering-interval-s=3 \
  --default-realm=hotspot0.example --low-balance-micros=5000000
login_port=$(port_of login server)

timeout 120 "$sim" --agents "$dir/agents.csv" --pin "@$dir/pin" --login "127.0.0.1:$login_port" \
  --flash-dir "$dir" --truth "$dir/truth.csv" --duration 12 --interval 3 --arrivals 30 \
  --mean-duration 8 --status-every 0 --drain-timeout 40 --local-ip 127.0.0.1 \
  --accounts "$dir/accounts.txt" --anonymous-share 0.3 | tee "$dir/sim.log"
line=$(grep '^gatemeter-sim: billing:' "$dir/sim.log")
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
[ "$(field asked)" -gt 0 ] && [ "$(field approved)" -gt 0 ] || { echo "nothing approved: $line"; exit 1; }
[ "$(field refused)" -eq 0 ] && [ "$(field unreachable)" -eq 0 ] && [ "$(field approved_locally)" -eq 0 ] \
  || { echo "billing did not answer everyone: $line"; exit 1; }
[ "$(field asked_again)" -gt 0 ] || { echo "no subscriber was asked again: $line"; exit 1; }
[ "$(field low_balance)" -gt 0 ] || { echo "no agent heard a low-balance warning: $line"; exit 1; }
"$bctl" --state-dir="$dir" account list --csv | tee "$dir/accounts.csv"
awk -F, 'NR > 1 && $1 ~ /^acct-[0-9]$/ && $5 != "5.00" { debited = 1 } END { exit !debited }' \
  "$dir/accounts.csv" || { echo "no prepaid account was debited"; exit 1; }
"$ctl" --state-dir="$dir" export-csv "$dir/store.csv"
"$compare" "$dir/truth.csv" "$dir/store.csv"
