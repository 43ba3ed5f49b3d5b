#!/usr/bin/env bash
# minelab stays on loopback: every subcommand refuses to listen on or connect to another
# address (one-line error, exit 2) before it opens a socket, unless --allow-non-loopback.
# 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never routed, and nothing here tries to reach it.
# Also: pool settings that would leave it unable to serve or pay are one-line usage errors.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$MINELAB" wallet --file "$work/w.key" new >/dev/null
addr=$("$MINELAB" wallet --file "$work/w.key" address | awk '{print $NF}')

refused() {  # WHAT OPTION -- command...
  local what=$1 option=$2; shift 3
  check_usage "$what" -- "$@"
  grep -q "^minelab [a-z]*: error: $option: .* is not a loopback address" /tmp/mw_e2e_err.$$ \
    && pass "$what: names $option" || fail "$what: $(cat /tmp/mw_e2e_err.$$)"
}
refused "miner to an outside pool" --pool -- "$MINELAB" miner --pool stratum+tcp://192.0.2.1:3333 --user "$addr.w"
refused "miner to a pool by name" --pool -- "$MINELAB" miner --pool stratum+ssl://pool.example:443 --user "$addr.w"
refused "failover to an outside pool" --pool -- \
  "$MINELAB" miner --pool 127.0.0.1:1 --pool ws://192.0.2.1:80/ --user "$addr.w"
refused "solo miner to an outside node" --node -- \
  "$MINELAB" miner --solo --address "$addr" --node http://192.0.2.1:18443/
refused "pool on every interface" --listen -- "$MINELAB" pool --address "$addr" --listen 0.0.0.0:3333
refused "pool SV2 on every interface" --sv2-listen -- \
  "$MINELAB" pool --address "$addr" --listen 127.0.0.1:0 --sv2-listen [::]:0
refused "pool in front of an outside node" --node -- \
  "$MINELAB" pool --address "$addr" --node http://192.0.2.1:18443/
refused "node RPC on every interface" --rpc -- "$MINELAB" node --datadir "$work/n" --rpc 0.0.0.0:0
refused "node peer outside" --peer -- "$MINELAB" node --datadir "$work/n" --peer 192.0.2.9:18444
refused "wallet to an outside node" --node -- "$MINELAB" wallet --file "$work/w.key" --node 192.0.2.1:18443 balance
[[ ! -e "$work/n" ]] && pass "refused node created no datadir" || fail "refused node created $work/n"

# localhost is loopback: the miner starts (and finds nothing listening on port 1). 0.0.0.0 is
# refused without the flag; with it the miner starts, and a connect to 0.0.0.0 stays on this
# machine (Linux takes it for a local address), so nothing leaves it either way.
starts() {  # WHAT -- miner arguments...
  local what=$1; shift 2
  timeout 10 "$MINELAB" miner "$@" --user "$addr.w" --max-shares 1 >/tmp/mw_e2e_out.$$ 2>/tmp/mw_e2e_err.$$ &
  local pid=$!
  wait_until 5 grep -q "^pool mining as" /tmp/mw_e2e_out.$$ && pass "$what" || fail "$what: $(cat /tmp/mw_e2e_err.$$)"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
starts "localhost is loopback" -- --pool stratum+tcp://localhost:1
starts "[::1] is loopback" -- --pool "stratum+tcp://[::1]:1"
refused "0.0.0.0 as a pool" --pool -- "$MINELAB" miner --pool stratum+tcp://0.0.0.0:1 --user "$addr.w"
starts "--allow-non-loopback lifts the check" -- --allow-non-loopback --pool stratum+tcp://0.0.0.0:1

# Pool settings that would leave it unable to serve or pay are refused before it contacts the
# node (port 1: nothing listens, so an accepted setting would fail later with exit 3, not 2).
for bad in "--io-threads 0" "--pplns-window 0" "--refresh 0" "--idle-timeout 0" \
           "--max-connections 0" "--max-per-ip 0" "--min-payout -1"; do
  # shellcheck disable=SC2086
  check_usage "pool $bad" -- "$MINELAB" pool --address "$addr" --listen 127.0.0.1:0 \
    --api-listen 127.0.0.1:0 --node http://127.0.0.1:1/ $bad
  grep -q -- "${bad%% *}" /tmp/mw_e2e_err.$$ && pass "the error names ${bad%% *}" \
    || fail "pool $bad: $(cat /tmp/mw_e2e_err.$$)"
done
finish
