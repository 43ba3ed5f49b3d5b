#!/usr/bin/env bash
# A live sensor whose interface disappears and comes back (a VM's tap or a container's veth
# re-created, ppp0 after a reconnect): it waits for the interface with its flows kept, says so in
# one line and in a health event ("interface_down"), and catches a miner that starts after the
# interface is back. An interface merely taken down and up again keeps its capture. Started with
# --user, the sensor cannot open the interface again (no capture right left): it says why and
# exits 2.
#
# Two network namespaces of our own joined by a veth pair (nothing leaves them): node and pool
# in "pool", sensor and miners in "host", capturing on the host's end of the pair (pool and miners
# take the pair's addresses with --allow-non-loopback, which exists for namespaces like these).
source "$(dirname "$0")/lib.sh"

lab_setup sensor_iface_loss
HOST_NS=mw_host_$$
POOL_NS=mw_pool_$$
cleanup_all() {
  for ns in "$HOST_NS" "$POOL_NS"; do  # (whatever still runs in them, then the namespaces)
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  done
  lab_cleanup
  ip netns del "$HOST_NS" 2>/dev/null || true
  ip netns del "$POOL_NS" 2>/dev/null || true
}
trap cleanup_all EXIT
# Commands run in a namespace through these (not through a shell function: `ip netns exec`
# becomes the command, so that $! of a background one is the command itself and signals reach it).
in_host=(ip netns exec "$HOST_NS")
in_pool=(ip netns exec "$POOL_NS")

if ! ip netns add "$HOST_NS" 2>"$T/netns.log" || ! ip netns add "$POOL_NS" 2>>"$T/netns.log"; then
  fail "cannot create network namespaces (needs root): $(head -1 "$T/netns.log")"
  finish
fi
# make_link: the veth pair (va in host, vb in pool), addressed and up.
make_link() {
  ip -n "$HOST_NS" link add va type veth peer name vb netns "$POOL_NS" &&
    ip -n "$HOST_NS" addr add 10.77.0.1/24 dev va &&
    ip -n "$POOL_NS" addr add 10.77.0.2/24 dev vb &&
    ip -n "$HOST_NS" link set va up && ip -n "$POOL_NS" link set vb up
}
ip -n "$HOST_NS" link set lo up && ip -n "$POOL_NS" link set lo up && make_link \
  || { fail "cannot set up the veth pair"; finish; }

for w in pool miner; do "$MINELAB" wallet --file "$T/$w.key" new >/dev/null; done
MINER_ADDR=$(addr_of miner)
"${in_pool[@]}" "$MINELAB" node --datadir "$T/node" --rpc 127.0.0.1:0 --p2p 127.0.0.1:0 \
  --longpoll-timeout 5 >"$T/node.log" 2>&1 &
pids+=($!)
wait_until 10 test -s "$T/node/node.json" || { fail "node did not start"; finish; }
RPC=$(jget "['rpc']" <"$T/node/node.json" | cut -d: -f2)
"${in_pool[@]}" "$MINELAB" pool --node "http://127.0.0.1:$RPC/" --address "$(addr_of pool)" \
  --allow-non-loopback --listen 10.77.0.2:3333 --api-listen 127.0.0.1:0 --start-difficulty 0.001 >"$T/pool.log" 2>&1 &
pids+=($!)
wait_until 10 grep -qs "pool ready" "$T/pool.log" && pass "pool up on 10.77.0.2:3333 (namespace $POOL_NS)" \
  || { fail "pool did not start"; finish; }

"${in_host[@]}" "$MINEWATCH" sensor --iface va --eve "$T/eve.json" --no-intel --health-interval 1 \
  --duration 90 >"$T/sensor.log" 2>&1 &
SENSOR=$!
pids+=($SENSOR)
wait_until 10 grep -qs "listening on va" "$T/sensor.log" && pass "sensor listening on va" \
  || { fail "sensor did not start"; finish; }

# miner_alerted NAME: a miner logging in as $MINER_ADDR.NAME through va is alerted within 10 s
# (the live test holds the 5 s bound; here the point is that it is seen at all).
miner_alerted() {
  "${in_host[@]}" "$MINELAB" miner --allow-non-loopback --pool "stratum+tcp://10.77.0.2:3333" \
    --user "$MINER_ADDR.$1" --threads 1 --report-interval 30 >"$T/miner_$1.log" 2>&1 &
  local miner=$!
  pids+=($miner)
  if wait_until 10 grep -qs "\"login\":\"$MINER_ADDR.$1\"" "$T/eve.json"; then
    pass "$2: the miner ($1) is alerted"
  else
    fail "$2: no alert for the miner ($1)"
  fi
  kill "$miner" 2>/dev/null
}
sensor_alive() { kill -0 "$SENSOR" 2>/dev/null; }

miner_alerted one "before the interface goes"
sleep 1.5  # a heartbeat while it runs

# The interface disappears (both ends of the pair go).
ip -n "$HOST_NS" link del va
wait_until 10 grep -qs "waiting for va to come back" "$T/sensor.log" \
  && pass "the sensor says it lost va and waits: $(grep -m1 'waiting for va' "$T/sensor.log")" \
  || fail "no line about the lost interface"
sleep 2.5  # heartbeats while it is away
sensor_alive && pass "the sensor is still running without its interface" \
  || fail "the sensor ended when its interface disappeared"
grep -qs '"state":"interface_down"' "$T/eve.json" && pass "a health event says interface_down" \
  || fail "no interface_down health event"

make_link || fail "cannot re-create the veth pair"
wait_until 10 grep -qs "va is back after" "$T/sensor.log" \
  && pass "the sensor says va is back: $(grep -m1 'va is back' "$T/sensor.log")" \
  || fail "no line about the interface coming back"
miner_alerted two "after the interface was re-created"

# Taken down and up again: the same capture goes on (libpcap reports nothing).
ip -n "$HOST_NS" link set va down
sleep 1.5
ip -n "$HOST_NS" link set va up
ip -n "$HOST_NS" addr add 10.77.0.1/24 dev va 2>/dev/null || true
miner_alerted three "after the interface was down and up"

kill -INT "$SENSOR" 2>/dev/null || true
rc=0; wait "$SENSOR" || rc=$?
expect_eq "$rc" 0 "sensor exits cleanly on SIGINT"
python3 - "$T/eve.json" <<'PY' && pass "health: running, interface_down, running again, stopped; loss and reopen counted" || fail "health events: see above"
import json, sys
health = [e["health"] for e in map(json.loads, open(sys.argv[1])) if e["event_type"] == "health"]
states = [h["state"] for h in health]
# runs of one state, in order
runs = [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s]
assert runs == ["running", "interface_down", "running", "stopped"], runs
assert states.count("interface_down") >= 3, states  # the one at once, and heartbeats
last = health[-1]["counters"]
assert last["capture.interface_lost"] == 1, last
assert last["capture.interface_reopened"] == 1, last
assert last["sensor.alerts"] >= 3, last
PY

# With --user the capture right is gone once the sensor runs: it cannot open va again.
"${in_host[@]}" "$MINEWATCH" sensor --iface va --user nobody --eve "$T/eve_user.json" --no-intel \
  --duration 60 >"$T/sensor_user.log" 2>&1 &
SENSOR=$!
pids+=($SENSOR)
wait_until 10 grep -qs "listening on va as user nobody" "$T/sensor_user.log" \
  || fail "sensor --user did not start"
ip -n "$HOST_NS" link del va
wait_until 10 grep -qs "cannot open it again" "$T/sensor_user.log" \
  && pass "sensor --user says why it stops: $(grep -m1 'cannot open it again' "$T/sensor_user.log")" \
  || fail "sensor --user said nothing about its lost interface"
rc=0; wait "$SENSOR" || rc=$?  # (--duration bounds a sensor that would not stop)
expect_eq "$rc" 2 "sensor --user exits 2 when it cannot open its interface again"
grep -q "cannot open it again: .*permission" "$T/sensor_user.log" \
  && pass "the reason is the missing capture right" || fail "reason: $(cat "$T/sensor_user.log")"
finish
