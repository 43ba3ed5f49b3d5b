#!/usr/bin/env bash
# minelab node/wallet/miner end to end on loopback: three nodes with miners on two, A pays B,
# all nodes agree; a late fourth node syncs; a SIGKILLed node restarts with the same chain; two
# miners on a split network converge on the most-work chain when it heals; garbage RPC and P2P
# input gets errors or a dropped peer while the node keeps serving.
source "$(dirname "$0")/lib.sh"

T=$(mktemp -d /tmp/mw_chain_e2e.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if ((failures)); then for f in "$T"/*.log; do echo "== $f"; tail -n 30 "$f"; done; fi
  rm -rf "$T"
}
trap cleanup EXIT

rpc() { rpc_at "$@"; }
best() { rpc "$1" getbestblockhash | jget "['result']"; }
height() { rpc "$1" getchaininfo | jget "['result']['blocks']"; }

declare -A RPC P2P PID
# start_node NAME RPC_PORT P2P_PORT [PEER_NAME...]   (ports 0 = pick free ones)
start_node() {
  local name=$1 rport=$2 pport=$3; shift 3
  local args=() p
  for p in "$@"; do args+=(--peer "127.0.0.1:${P2P[$p]}"); done
  rm -f "$T/$name/node.json"
  "$MINELAB" node --datadir "$T/$name" --rpc "127.0.0.1:$rport" --p2p "127.0.0.1:$pport" \
    --longpoll-timeout 5 --log-level info "${args[@]}" >>"$T/$name.log" 2>&1 &
  PID[$name]=$!
  pids+=($!)
  wait_until 10 test -s "$T/$name/node.json" || { fail "node $name did not start"; return 1; }
  RPC[$name]=$(jget "['rpc']" <"$T/$name/node.json" | cut -d: -f2)
  P2P[$name]=$(jget "['p2p']" <"$T/$name/node.json" | cut -d: -f2)
}
# start_miner NAME NODE ADDRESS [EXTRA...]
start_miner() {
  local name=$1 node=$2 addr=$3; shift 3
  "$MINELAB" miner --solo --node "http://127.0.0.1:${RPC[$node]}/" --address "$addr" \
    --threads 1 --report-interval 1 "$@" >>"$T/$name.log" 2>&1 &
  PID[$name]=$!
  pids+=($!)
}
stop() { kill "${PID[$1]}" 2>/dev/null || true; wait "${PID[$1]}" 2>/dev/null || true; }
same_tip() {
  local first; first=$(best "${RPC[$1]}"); [[ -n $first ]] || return 1
  local n; for n in "$@"; do [[ $(best "${RPC[$n]}") == "$first" ]] || return 1; done
}
addr_of() { "$MINELAB" wallet --file "$T/$1.key" address | awk '{print $NF}'; }

# --- three nodes in a line (n1 <- n2 <- n3), miners on n1 and n3 --------------------------------
start_node n1 0 0
start_node n2 0 0 n1
start_node n3 0 0 n2
for w in a b m; do "$MINELAB" wallet --file "$T/$w.key" new >/dev/null; done
expect_eq "$(stat -c %a "$T/a.key")" 600 "wallet key file has mode 0600"
A=$(addr_of a); B=$(addr_of b); M=$(addr_of m)
[[ $A == ml1* ]] && pass "wallet address is the last word" || fail "wallet address: '$A'"

start_miner miner1 n1 "$A"
start_miner miner2 n3 "$M"
a_funded() { (( $(rpc "${RPC[n2]}" getbalance "[\"$A\"]" | jget "['result']['balance']" || echo 0) >= 600000000 )); }
wait_until 40 a_funded && pass "A funded by mining" || fail "A was not funded"

out=$("$MINELAB" wallet --file "$T/a.key" --node "http://127.0.0.1:${RPC[n2]}/" send "$B" 5 --memo book)
txid=$(sed -n 's/.*txid \([0-9a-f]\{64\}\).*/\1/p' <<<"$out")
[[ -n $txid ]] && pass "A's payment accepted: $txid" || fail "send failed: $out"
confirmed_everywhere() {
  local n; for n in n1 n2 n3; do
    (( $(rpc "${RPC[$n]}" gettransaction "[\"$txid\"]" | jget "['result']['confirmations']" || echo 0) >= 2 )) || return 1
  done
}
wait_until 40 confirmed_everywhere && pass "payment confirmed on all three nodes" || fail "payment not confirmed everywhere"
expect_eq "$(rpc "${RPC[n1]}" getbalance "[\"$B\"]" | jget "['result']['balance']")" 500000000 "B received 5 coins"
"$MINELAB" wallet --file "$T/b.key" --node "http://127.0.0.1:${RPC[n3]}/" history | grep -q "receive.*$txid" \
  && pass "B's history shows the payment" || fail "B's history"
# The block that holds it can be looked up by hash on every node.
bh=$(rpc "${RPC[n1]}" gettransaction "[\"$txid\"]" | jget "['result']['blockhash']")
expect_eq "$(rpc "${RPC[n3]}" getblock "[\"$bh\"]" | jget "['result']['hash']")" "$bh" "getblock finds the payment's block on node 3"

# Two miners may stop on competing blocks of equal work, which only a next block settles: miner 2
# stops first and miner 1 mines on alone until the tips meet.
stop miner2
wait_until 30 same_tip n1 n2 n3 || true
stop miner1
wait_until 15 same_tip n1 n2 n3 && pass "all nodes agree on the tip ($(height "${RPC[n1]}"))" || fail "tips differ"

# --- a fourth node joins late and syncs header-first --------------------------------------------
start_node n4 0 0 n1
wait_until 20 same_tip n1 n4 && pass "late node 4 synced to height $(height "${RPC[n4]}")" || fail "node 4 did not sync"

# --- SIGKILL and restart keeps the chain --------------------------------------------------------
h3=$(height "${RPC[n3]}"); b3=$(best "${RPC[n3]}")
kill -9 "${PID[n3]}"; wait "${PID[n3]}" 2>/dev/null || true
start_node n3 "${RPC[n3]}" "${P2P[n3]}" n2
expect_eq "$(height "${RPC[n3]}")" "$h3" "node 3 restarted at the same height"
expect_eq "$(best "${RPC[n3]}")" "$b3" "node 3 restarted with the same tip"
wait_until 15 same_tip n1 n2 n3 n4 && pass "restarted node 3 back in agreement" || fail "node 3 diverged after restart"

# --- partition: n2 drops its links, so n1(+n4) and n3 mine apart; then it heals -----------------
expect_eq "$(rpc "${RPC[n2]}" setnetworkactive '[false]' | jget "['result']")" False "network of node 2 switched off"
peerless() { [[ $(rpc "${RPC[$1]}" getchaininfo | jget "['result']['peers']") == 0 ]]; }
wait_until 10 peerless n3 \
  && pass "node 3 is cut off" || fail "node 3 still has peers"
start_miner split1 n1 "$A" --max-blocks 3
start_miner split3 n3 "$M" --max-blocks 5
wait "${PID[split1]}" "${PID[split3]}" 2>/dev/null || true
t1=$(best "${RPC[n1]}"); t3=$(best "${RPC[n3]}")
[[ -n $t1 && $t1 != "$t3" ]] && pass "the two sides mined different tips" || fail "no split: $t1 vs $t3"
w1=$(rpc "${RPC[n1]}" getchaininfo | jget "['result']['chainwork']")
w3=$(rpc "${RPC[n3]}" getchaininfo | jget "['result']['chainwork']")
if [[ $w1 > $w3 ]]; then want=$t1; else want=$t3; fi
rpc "${RPC[n2]}" setnetworkactive '[true]' >/dev/null
wait_until 30 same_tip n1 n2 n3 n4 && pass "network healed: all nodes converged" || fail "no convergence after healing"
expect_eq "$(best "${RPC[n1]}")" "$want" "converged on the side with the most work"

# --- garbage in: RPC errors, dropped peers, node keeps serving -----------------------------------
code() { jget "['error']['code']"; }
expect_eq "$(curl -s -d '{not json' "http://127.0.0.1:${RPC[n1]}/" | code)" -32700 "malformed JSON -> parse error"
expect_eq "$(curl -s -d '[1,2]' "http://127.0.0.1:${RPC[n1]}/" | code)" -32600 "batch/array -> invalid request"
expect_eq "$(rpc "${RPC[n1]}" nosuchmethod | code)" -32601 "unknown method"
expect_eq "$(rpc "${RPC[n1]}" getblock '[{}]' | code)" -32602 "getblock with an object -> invalid params"
expect_eq "$(rpc "${RPC[n1]}" getbalance '[42]' | code)" -32602 "getbalance with a number -> invalid params"
expect_eq "$(rpc "${RPC[n1]}" sendtransaction '["00ff"]' | code)" -26 "undecodable transaction -> rejected"
expect_eq "$(rpc "${RPC[n1]}" submitblock '["zz"]' | code)" -32602 "non-hex block -> invalid params"
big=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Length: 100000000' -d 'x' "http://127.0.0.1:${RPC[n1]}/" || true)
expect_eq "$big" 413 "oversized body -> 413"
exec 3<>"/dev/tcp/127.0.0.1/${RPC[n1]}"; head -c 4000 /dev/urandom >&3 || true; exec 3>&- 3<&-
peers_before=$(rpc "${RPC[n1]}" getchaininfo | jget "['result']['peers']")
for i in 1 2 3; do
  exec 3<>"/dev/tcp/127.0.0.1/${P2P[n1]}"; head -c 3000 /dev/urandom >&3 || true; exec 3>&- 3<&-
done
printf '\xd9lab\x76\x65\x72\x73\x69\x6f\x6e\x00\x00\x00\x00\x00\xff\xff\xff\x7f' >"$T/oversize.bin"
exec 3<>"/dev/tcp/127.0.0.1/${P2P[n1]}"; cat "$T/oversize.bin" >&3 || true; sleep 0.2; exec 3>&- 3<&-
sleep 0.5
wait_until 5 grep -q "misbehaved" "$T/n1.log" && pass "garbage P2P peers were dropped as misbehaving" || fail "no misbehaviour logged"
expect_eq "$(best "${RPC[n1]}")" "$(best "${RPC[n2]}")" "node 1 still serves RPC after garbage"
expect_eq "$(rpc "${RPC[n1]}" getchaininfo | jget "['result']['peers']")" "$peers_before" "node 1 kept its real peers"
finish
