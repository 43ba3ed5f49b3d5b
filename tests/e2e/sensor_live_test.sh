#!/usr/bin/env bash
# Live detection: minewatch sensor on the loopback interface while a minelab pool and miners talk
# (Stratum V1 on an odd port, then Stratum V2 plaintext). Each alert must appear within 5 s of
# the miner starting, and name the miner's login and agent. The sensor's heartbeat ("health"
# events, one a second here) carries its counters, and a last one says it stopped.
source "$(dirname "$0")/lib.sh"

T=$(mktemp -d /tmp/mw_sensor_live.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if ((failures)); then for f in "$T"/*.log; do echo "== $f"; tail -n 20 "$f"; done; fi
  rm -rf "$T"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }

for w in pool miner; do "$MINELAB" wallet --file "$T/$w.key" new >/dev/null; done
POOL_ADDR=$("$MINELAB" wallet --file "$T/pool.key" address | awk '{print $NF}')
MINER_ADDR=$("$MINELAB" wallet --file "$T/miner.key" address | awk '{print $NF}')
RPC=$(free_port); TCP=$(free_port); SV2=$(free_port); API=$(free_port)

"$MINELAB" node --datadir "$T/node" --rpc "127.0.0.1:$RPC" --p2p 127.0.0.1:0 --longpoll-timeout 5 \
  >"$T/node.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$RPC/" && break; sleep 0.2; done
"$MINELAB" pool --node "http://127.0.0.1:$RPC/" --address "$POOL_ADDR" --listen "127.0.0.1:$TCP" \
  --sv2-listen "127.0.0.1:$SV2" --api-listen "127.0.0.1:$API" --start-difficulty 0.001 \
  >"$T/pool.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q "pool ready" "$T/pool.log" && break; sleep 0.2; done
grep -q "pool ready" "$T/pool.log" && pass "pool is up on port $TCP" || fail "pool did not start"

"$MINEWATCH" sensor --iface lo --bpf "tcp port $TCP or tcp port $SV2" --eve "$T/eve.json" --no-intel \
  --duration 40 --health-interval 1 >"$T/sensor.log" 2>&1 &
SENSOR=$!
sensor_started=$(now_ms)
pids+=($SENSOR)
for _ in $(seq 50); do grep -q "listening on lo" "$T/sensor.log" && break; sleep 0.1; done
grep -q "listening on lo" "$T/sensor.log" && pass "sensor listening on lo" || fail "sensor did not start"
sleep 0.5

# expect_alert_within_5s WHAT SID: waits (up to 15 s) for the first alert with that signature id
# in eve.json, counting from $start; sets `alert` to it.
expect_alert_within_5s() {
  local what=$1 sid=$2 seen=""
  while (( $(now_ms) - start < 15000 )); do
    if [[ -s $T/eve.json ]] && grep -q "\"signature_id\":$sid" "$T/eve.json"; then seen=$(now_ms); break; fi
    sleep 0.1
  done
  if [[ -n $seen ]]; then
    local latency=$((seen - start))
    ((latency <= 5000)) && pass "$what: alert within 5 s of the miner starting (${latency} ms)" \
                        || fail "$what: alert took ${latency} ms"
  else
    fail "$what: no alert $sid within 15 s"
  fi
  alert=$(grep -m1 "\"signature_id\":$sid" "$T/eve.json" || true)
}

start=$(now_ms)
"$MINELAB" miner --pool "stratum+tcp://127.0.0.1:$TCP" --user "$MINER_ADDR.live" --threads 1 \
  --report-interval 30 >"$T/miner.log" 2>&1 &
pids+=($!)
expect_alert_within_5s "V1" 9100001
python3 - "$alert" "$MINER_ADDR.live" "$TCP" <<'PY' && pass "alert names signature, login, agent and pool port" || fail "alert content: $alert"
import json, sys
e = json.loads(sys.argv[1])
assert e["alert"]["signature_id"] == 9100001, e["alert"]
assert e["alert"]["category"] == "Crypto Mining"
assert e["minewatch"]["login"] == sys.argv[2], e["minewatch"]
assert e["minewatch"]["agent_string"], e["minewatch"]
assert e["dest_port"] == int(sys.argv[3])
PY

start=$(now_ms)
"$MINELAB" miner --pool "stratum2+tcp://127.0.0.1:$SV2" --user "$MINER_ADDR.live2" --threads 1 \
  --report-interval 30 >"$T/miner_sv2.log" 2>&1 &
pids+=($!)
expect_alert_within_5s "SV2" 9100010
python3 - "$alert" "$MINER_ADDR.live2" "$SV2" <<'PY' && pass "SV2 alert names the channel's login, the device and the pool port" || fail "SV2 alert content: $alert"
import json, sys
e = json.loads(sys.argv[1])
assert e["minewatch"]["dialect"] == "sv2", e["minewatch"]
assert e["minewatch"]["login"] == sys.argv[2], e["minewatch"]
assert "minelab" in e["minewatch"]["agent_string"], e["minewatch"]
assert e["dest_port"] == int(sys.argv[3])
PY
sleep 2.5  # at least two heartbeats' worth
ran_s=$(( ($(now_ms) - sensor_started) / 1000 ))
kill -INT "$SENSOR" 2>/dev/null || true
wait "$SENSOR" 2>/dev/null
expect_eq "$?" 0 "sensor exits cleanly on SIGINT"
python3 - "$T/eve.json" "$ran_s" <<'PY' && pass "health events: a heartbeat a second with the counters, and a last one on stop" || fail "health events: see above"
import json, sys
health = [e["health"] for e in map(json.loads, open(sys.argv[1])) if e["event_type"] == "health"]
running = [h for h in health if h["state"] == "running"]
ran_s = int(sys.argv[2])
assert ran_s >= 3 and len(running) >= ran_s - 1, f"{len(running)} heartbeats in {ran_s} s"
assert health and health[-1]["state"] == "stopped", health[-1:]
last = health[-1]
assert last["source"] == "interface lo", last
assert last["counters"]["capture.packets"] > 0, last["counters"]
assert last["counters"]["sensor.alerts"] >= 2, last["counters"]
assert last["counters"]["capture.kernel_dropped"] == 0, last["counters"]
uptimes = [h["uptime_s"] for h in health]
assert uptimes == sorted(uptimes), uptimes
PY
finish
