# Helpers for end-to-end test scripts. Source it; MW_BIN points at build/bin.
set -euo pipefail
: "${MW_BIN:?MW_BIN must point at the bin folder of a build}"
MINELAB="$MW_BIN/minelab"
MINEWATCH="$MW_BIN/minewatch"
failures=0
pass() { echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# expect_eq ACTUAL EXPECTED WHAT
expect_eq() { if [[ "$1" == "$2" ]]; then pass "$3"; else fail "$3: got '$1', want '$2'"; fi; }
# expect_exit CODE WHAT -- command...
expect_exit() {
  local want=$1 what=$2; shift 3
  local got=0
  "$@" >/tmp/mw_e2e_out.$$ 2>/tmp/mw_e2e_err.$$ || got=$?
  if [[ $got == "$want" ]]; then pass "$what (exit $got)"; else fail "$what: exit $got, want $want"; fi
}
# check_usage WHAT -- command...: bad input gets exit 2 and one line on stderr.
check_usage() {
  local what=$1; shift
  expect_exit 2 "$what" "$@"
  local lines
  lines=$(wc -l </tmp/mw_e2e_err.$$)
  expect_eq "$lines" 1 "one-line error: $what"
}
finish() { rm -f /tmp/mw_e2e_out.$$ /tmp/mw_e2e_err.$$; if ((failures)); then echo "$failures check(s) failed"; exit 1; fi; echo "all checks passed"; }
# jget PYTHON_SUBSCRIPT < json   e.g. jget "['result']['blocks']"; prints "" when absent, JSON for
# objects and arrays.
jget() { python3 -c 'import json,sys
try:
  d = json.load(sys.stdin); v = eval("d" + sys.argv[1])
  print(json.dumps(v) if isinstance(v, (dict, list)) else ("null" if v is None else v))
except Exception: print("")' "$1"; }
# rpc_at PORT METHOD [PARAMS_JSON]: one JSON-RPC call to a minelab node on 127.0.0.1.
rpc_at() { curl -s --max-time 10 -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":${3:-[]}}" "http://127.0.0.1:$1/" || true; }
# wait_until SECONDS COMMAND...: polls every 0.2 s; non-zero when the time ran out.
wait_until() { local end=$((SECONDS + $1)); shift; until "$@"; do ((SECONDS < end)) || return 1; sleep 0.2; done; }

# --- a lab on loopback: node and pool ------------------------------------------------------------
# lab_setup NAME: a fresh temp dir $T and a list $pids of processes killed on exit (the tail of
# every $T/*.log is shown when a check failed).
lab_setup() {
  T=$(mktemp -d "/tmp/mw_$1.XXXXXX")
  pids=()
  trap lab_cleanup EXIT
}
lab_cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if ((failures)); then for f in "$T"/*.log; do echo "== $f"; tail -n 20 "$f"; done; fi
  rm -rf "$T"
}
# addr_of NAME: the address of the wallet $T/NAME.key
addr_of() { "$MINELAB" wallet --file "$T/$1.key" address | awk '{print $NF}'; }
# lab_node: a node in $T/node with long-poll; sets RPC to its JSON-RPC port.
lab_node() {
  "$MINELAB" node --datadir "$T/node" --rpc 127.0.0.1:0 --p2p 127.0.0.1:0 --longpoll-timeout 5 \
    >"$T/node.log" 2>&1 &
  pids+=($!)
  wait_until 10 test -s "$T/node/node.json" || { fail "node did not start"; finish; }
  RPC=$(jget "['rpc']" <"$T/node/node.json" | cut -d: -f2)
}
# lab_pool POOL_OPTIONS...: a pool on that node; sets TCP, TLS (when --tls-listen), SV2 (when
# --sv2-listen) and API.
lab_pool() {
  "$MINELAB" pool --node "http://127.0.0.1:$RPC/" "$@" >"$T/pool.log" 2>&1 &
  pids+=($!)
  wait_until 10 grep -qs "pool ready" "$T/pool.log" || { fail "pool did not start"; finish; }
  TCP=$(grep "^stratum listening" "$T/pool.log" | awk '{print $NF}')
  TLS=$(grep "^stratum+ssl listening" "$T/pool.log" | awk '{print $NF}' || true)
  SV2=$(grep "^stratum2 (plaintext) listening" "$T/pool.log" | awk '{print $NF}' || true)
  API=$(grep "^api listening" "$T/pool.log" | awk '{print $4}')
}
# check_found_block WHO STATS_JSON ADDRESS...: a block the pool says one of ADDRESS found is on
# the node's chain ($RPC); when none was found (the lab chain's luck), says so instead of failing.
check_found_block() {
  local who=$1 st=$2; shift 2
  local found h got
  found=$(python3 -c 'import json,sys
s = json.loads(sys.argv[1]); b = (s.get("blocks") or {}).get("list") or []
print(" ".join(x["hash"] for x in b if x["finder"] in sys.argv[2:]))' "$st" "$@" 2>/dev/null || true)
  if [[ -z "$found" ]]; then
    echo "note: no block was found by the $who in this run"
    return 0
  fi
  h=${found%% *}
  got=$(rpc_at "$RPC" getblock "[\"$h\"]" | jget "['result']['confirmations']")
  [[ "$got" =~ ^[0-9]+$ ]] && pass "a block found by the $who ($h) is on the node's chain" \
    || fail "block $h from the $who: getblock confirmations '$got'"
}
# stats: the pool's /api/stats
stats() { curl -s --max-time 5 "http://$API/api/stats" || true; }
