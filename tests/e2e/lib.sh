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
