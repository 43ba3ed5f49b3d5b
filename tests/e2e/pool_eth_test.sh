#!/usr/bin/env bash
# minelab pool in the two Ethereum dialects, end to end on loopback: node + pool + one eth-proxy
# and one EthereumStratum/1.0.0 miner over real sockets. Checks: each miner has its shares
# accepted (and stops on --max-shares), the pool credits them per worker, sends work in the real
# shapes, answers a replayed eth_submitWork as a duplicate (22) and refuses a made-up header (21),
# and blocks found by the eth miners reach the node's chain.
source "$(dirname "$0")/lib.sh"

lab_setup pool_eth

for w in pool a b; do "$MINELAB" wallet --file "$T/$w.key" new >/dev/null; done
POOL_ADDR=$(addr_of pool); A=$(addr_of a); B=$(addr_of b)

lab_node
lab_pool --address "$POOL_ADDR" --listen 127.0.0.1:0 --api-listen 127.0.0.1:0 --share-interval 1 \
  --refresh 5
pass "pool up: stratum $TCP, api $API"

SHARES=6
"$MINELAB" miner --pool "stratum+tcp://$TCP" --dialect ethproxy --user "$A.proxy" --threads 1 \
  --report-interval 5 --keepalive 1 --max-shares $SHARES >"$T/miner_proxy.log" 2>&1 &
PROXY_PID=$!
pids+=($PROXY_PID)
"$MINELAB" miner --pool "stratum+tcp://$TCP" --dialect ethstratum --user "$B.nicehash" --threads 1 \
  --report-interval 5 --keepalive 1 --max-shares $SHARES >"$T/miner_ethstratum.log" 2>&1 &
NH_PID=$!
pids+=($NH_PID)

# --- the wire, from a raw socket: work shape, duplicate and unknown-header answers ------------
python3 - "$TCP" "$A" >"$T/probe.log" 2>&1 <<'PY' && pass "eth-proxy over a raw socket: work [0x header, 0x seed, 0x boundary, 0x ntime|nbits]; replay answered 22, made-up header 21" || fail "eth-proxy socket probe (see probe.log)"
import hashlib, json, socket, struct, sys
host, port = sys.argv[1].split(":"); addr = sys.argv[2]
s = socket.create_connection((host, int(port)), timeout=10); f = s.makefile("rb")
def call(obj):
    s.sendall((json.dumps(obj, separators=(",", ":")) + "\n").encode())
    while True:
        m = json.loads(f.readline())
        if m.get("id") == obj["id"]: return m
assert call({"id": 1, "jsonrpc": "2.0", "method": "eth_submitLogin", "params": [addr], "worker": "probe"})["result"] is True
work = call({"id": 2, "jsonrpc": "2.0", "method": "eth_getWork"})["result"]
print("work", work)
assert len(work) == 4 and all(w.startswith("0x") for w in work)
assert len(work[0]) == len(work[1]) == len(work[2]) == 66 and len(work[3]) == 18
header = bytearray(80)
header[4:36] = bytes.fromhex(work[1][2:]); header[36:68] = bytes.fromhex(work[0][2:])
header[68:72] = struct.pack("<I", int(work[3][2:10], 16)); header[72:76] = struct.pack("<I", int(work[3][10:18], 16))
boundary = int(work[2], 16); version = 0x20000000
for nonce in range(1 << 26):
    header[0:4] = struct.pack("<I", version); header[76:80] = struct.pack("<I", nonce)
    h = hashlib.sha256(hashlib.sha256(bytes(header)).digest()).digest()
    if int.from_bytes(h, "little") <= boundary: break
sub = {"id": 3, "jsonrpc": "2.0", "method": "eth_submitWork", "worker": "probe",
       "params": ["0x%08x%08x" % (version, nonce), work[0], "0x" + h.hex()]}
first = call(sub); print("first", first)
assert first.get("result") is True or first["error"]["code"] == 21  # 21: a new block raced us
sub["id"] = 4; again = call(sub); print("again", again)
assert again["error"]["code"] in (22, 21)
sub["id"] = 5; sub["params"][1] = "0x" + "ab" * 32; bogus = call(sub); print("bogus", bogus)
assert bogus["error"]["code"] == 21
PY

done_ok() { ! kill -0 "$PROXY_PID" 2>/dev/null && ! kill -0 "$NH_PID" 2>/dev/null; }
wait_until 45 done_ok || fail "eth miners did not reach $SHARES accepted shares within 45 s"
for m in proxy ethstratum; do
  got=$(grep -o 'stopped: [0-9]* accepted' "$T/miner_$m.log" | awk '{print $2}')
  expect_eq "${got:-none}" "$SHARES" "$m miner: shares accepted through the pool"
done
ST=$(stats)
[[ $(jget "['workers']['$A.proxy']['shares']" <<<"$ST") -ge $SHARES ]] 2>/dev/null \
  && pass "pool credits the eth-proxy worker" || fail "eth-proxy worker in /api/stats: $(jget "['workers']" <<<"$ST")"
[[ $(jget "['workers']['$B.nicehash']['shares']" <<<"$ST") -ge $SHARES ]] 2>/dev/null \
  && pass "pool credits the EthereumStratum worker" || fail "EthereumStratum worker in /api/stats: $(jget "['workers']" <<<"$ST")"

# Blocks found from eth shares are on the node's chain (the lab chain starts easy enough that
# the shares above usually include some).
check_found_block "eth miners" "$ST" "$A" "$B"
finish
