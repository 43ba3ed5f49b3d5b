#!/usr/bin/env bash
# minelab pool and miner in Stratum V2 (plaintext frames, one standard channel), end to end on
# loopback: node + pool --sv2-listen + a miner on stratum2+tcp://. Checks: the miner's shares are
# accepted (it stops on --max-shares) and credited to its worker; from a raw socket, the frames
# have the specification's shapes (SetupConnection.Success, OpenStandardMiningChannel.Success,
# a future NewMiningJob activated by SetNewPrevHash), a share mined here is accepted, its replay
# is refused as a duplicate and a made-up job id as invalid; blocks from SV2 shares reach the node.
source "$(dirname "$0")/lib.sh"

lab_setup pool_sv2

for w in pool a; do "$MINELAB" wallet --file "$T/$w.key" new >/dev/null; done
POOL_ADDR=$(addr_of pool); A=$(addr_of a)

lab_node
lab_pool --address "$POOL_ADDR" --listen 127.0.0.1:0 --sv2-listen 127.0.0.1:0 \
  --api-listen 127.0.0.1:0 --share-interval 1 --refresh 5 --start-difficulty 0.0001
[[ -n "$SV2" ]] && pass "pool up: stratum2 $SV2, api $API" || { fail "no SV2 listener in pool.log"; finish; }

SHARES=6
"$MINELAB" miner --pool "stratum2+tcp://$SV2" --user "$A.sv2" --threads 1 --report-interval 5 \
  --max-shares $SHARES >"$T/miner_sv2.log" 2>&1 &
MINER_PID=$!
pids+=($MINER_PID)

python3 - "$SV2" "$A" >"$T/probe.log" 2>&1 <<'PY' && pass "SV2 over a raw socket: setup, channel, future job + prev-hash, share accepted, replay refused as duplicate-share, unknown job as invalid-job-id" || fail "SV2 socket probe (see probe.log)"
import hashlib, socket, struct, sys
host, port = sys.argv[1].split(":"); user = (sys.argv[2] + ".probe").encode()
s = socket.create_connection((host, int(port)), timeout=10)
def send(ext, typ, payload):
    s.sendall(struct.pack("<HB", ext, typ) + struct.pack("<I", len(payload))[:3] + payload)
def recv_exact(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b)); assert c, "pool closed"; b += c
    return b
def recv():
    h = recv_exact(6); ext, typ = struct.unpack("<HB", h[:3]); n = int.from_bytes(h[3:6], "little")
    return ext, typ, recv_exact(n)
def s0255(b): return bytes([len(b)]) + b
# SetupConnection: protocol 0, versions 2..2, flags REQUIRES_STANDARD_JOBS, then the strings.
send(0, 0x00, bytes([0]) + struct.pack("<HHI", 2, 2, 1) + s0255(b"127.0.0.1") + struct.pack("<H", 0)
     + s0255(b"probe") + s0255(b"py") + s0255(b"0") + s0255(b"probe-1"))
ext, typ, p = recv(); print("setup answer", hex(typ), p.hex())
assert (ext, typ) == (0, 0x01) and struct.unpack("<H", p[:2])[0] == 2
send(0, 0x10, struct.pack("<I", 7) + s0255(user) + struct.pack("<f", 1e6) + b"\xff" * 32)
ext, typ, p = recv(); print("open answer", hex(typ), p.hex())
assert typ == 0x11
req, chan = struct.unpack("<II", p[:8]); target = int.from_bytes(p[8:40], "little")
assert req == 7 and chan != 0 and target > 0
ext, typ, p = recv(); print("job", hex(ext), hex(typ), p.hex())
assert typ == 0x15 and p[8] == 0  # a future job (min_ntime absent)
job_chan, job_id = struct.unpack("<II", p[:8]); version = struct.unpack("<I", p[9:13])[0]; root = p[13:45]
assert job_chan == chan and len(p) == 45
ext, typ, p = recv(); print("prevhash", hex(ext), hex(typ), p.hex())
assert typ == 0x20 and ext & 0x8000
_, ph_job = struct.unpack("<II", p[:8]); prev = p[8:40]; ntime, nbits = struct.unpack("<II", p[40:48])
assert ph_job == job_id
header = bytearray(struct.pack("<I", version) + prev + root + struct.pack("<II", ntime, nbits) + b"\0" * 4)
for nonce in range(1 << 26):
    header[76:80] = struct.pack("<I", nonce)
    h = hashlib.sha256(hashlib.sha256(bytes(header)).digest()).digest()
    if int.from_bytes(h, "little") <= target: break
def submit(seq, job):
    send(0x8000, 0x1a, struct.pack("<6I", chan, seq, job, nonce, ntime, version))
    while True:
        ext, typ, p = recv()
        if typ in (0x1c, 0x1d): return typ, p
first = submit(1, job_id); print("first", hex(first[0]), first[1].hex())
if first[0] == 0x1d: assert b"stale-share" in first[1]  # a new block raced us
else: assert struct.unpack("<III", first[1][:12]) == (chan, 1, 1)
again = submit(2, job_id); print("again", again[1])
assert again[0] == 0x1d and (b"duplicate-share" in again[1] or b"stale-share" in again[1])
bogus = submit(3, job_id + 1000); print("bogus", bogus[1])
assert bogus[0] == 0x1d and b"invalid-job-id" in bogus[1]
PY

done_ok() { ! kill -0 "$MINER_PID" 2>/dev/null; }
wait_until 45 done_ok || fail "SV2 miner did not reach $SHARES accepted shares within 45 s"
got=$(grep -o 'stopped: [0-9]* accepted' "$T/miner_sv2.log" | awk '{print $2}')
expect_eq "${got:-none}" "$SHARES" "SV2 miner: shares accepted through the pool"
grep -q "(sv2)" "$T/miner_sv2.log" && pass "the miner says it speaks sv2" || fail "miner log: $(head -3 "$T/miner_sv2.log")"
ST=$(stats)
[[ $(jget "['workers']['$A.sv2']['shares']" <<<"$ST") -ge $SHARES ]] 2>/dev/null \
  && pass "pool credits the SV2 worker" || fail "SV2 worker in /api/stats: $(jget "['workers']" <<<"$ST")"

check_found_block "SV2 miner" "$ST" "$A"
finish
