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
