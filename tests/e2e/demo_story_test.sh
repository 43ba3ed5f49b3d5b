#!/usr/bin/env bash
# `minelab demo`: finishes in under a minute, and its narration matches the chain: every block
# height/hash pair and the txid it prints can be looked up with getblock/gettransaction on the
# demo's nodes (kept up with --linger while this test checks).
source "$(dirname "$0")/lib.sh"

OUT=$(mktemp /tmp/mw_demo_e2e.XXXXXX)
"$MINELAB" demo --linger 30 >"$OUT" 2>&1 &
DEMO=$!
cleanup() { kill "$DEMO" 2>/dev/null || true; wait "$DEMO" 2>/dev/null || true; rm -f "$OUT"; }
trap cleanup EXIT

start=$SECONDS
until grep -q '^DEMO-SUMMARY ' "$OUT"; do
  if ! kill -0 "$DEMO" 2>/dev/null || ((SECONDS - start > 60)); then
    cat "$OUT"; fail "demo did not finish its story within 60 s"; finish
  fi
  sleep 0.2
done
pass "demo told its story in $((SECONDS - start)) s"
summary=$(sed -n 's/^DEMO-SUMMARY //p' "$OUT")
port=$(jget "['nodes'][0]['rpc']" <<<"$summary" | cut -d: -f2)
rpc() { rpc_at "$port" "$@"; }

for step in "created and signed" "in its mempool" "packed into block" "proof of work solved" \
            "broadcast" "adopted block" "3 confirmations" "balance of B" "node 3 tip"; do
  grep -q "$step" "$OUT" && pass "narrates: $step" || fail "narration lacks '$step'"
done

checked=0
while read -r h hash; do
  if grep -q "block $h $hash named above was orphaned" "$OUT"; then
    pass "printed block $h ${hash:0:16} was narrated as orphaned"; continue
  fi
  got=$(rpc getblock "[\"$hash\"]" | jget "['result']['height']")
  expect_eq "$got" "$h" "printed block $h ${hash:0:16} is at that height"
  checked=$((checked + 1))
done < <(grep -o 'block [0-9]\+ hash [0-9a-f]\{64\}' "$OUT" | awk '{print $2, $4}' | sort -u)
((checked >= 3)) && pass "checked $checked printed blocks" || fail "only $checked blocks printed"

while read -r txid; do
  conf=$(rpc gettransaction "[\"$txid\"]" | jget "['result']['confirmations']")
  ((${conf:-0} >= 3)) && pass "printed txid ${txid:0:16} has $conf confirmations" \
    || fail "txid $txid: confirmations '$conf'"
done < <(grep -o 'txid [0-9a-f]\{64\}' "$OUT" | awk '{print $2}' | sort -u)
b_balance=$(rpc getbalance "[\"$(jget "['balances']['B']['address']" <<<"$summary")\"]" | jget "['result']['balance']")
expect_eq "$b_balance" 500000000 "B holds the 5 coins A paid"
finish
