#!/usr/bin/env bash
# minelab hash: known answers and the one-line error with exit 2 on bad input.
source "$(dirname "$0")/lib.sh"

H125552=0100000081cd02ab7e569e8bcd9317e2fe99f2de44d49ab2b8851ba4a308000000000000e320b6c2fffc8d750423db8b1eb942ae710e951ed797f7affc8892b0f1fc122bc7f5d74df2b9441a42a14695
HV3=040000204595850c738349a3fa5274a511b72ec265a4f23d5243050000000000000000005bdc1968499c3393873edf8e07a1c3a50a97fc3a9d1a376bbf77087dd63778ebb52570643aae0517d19e020a

expect_eq "$("$MINELAB" hash sha256d "$H125552")" \
  00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d "sha256d of block 125552"
expect_eq "$("$MINELAB" hash share-diff "$HV3")" 683.5 "share difficulty of the V3 header"

for bad in "abc" "zz" "${HV3}00" "${HV3:0:158}"; do
  expect_exit 2 "share-diff rejects '${bad:0:12}...'" -- "$MINELAB" hash share-diff "$bad"
  lines=$(wc -l </tmp/mw_e2e_err.$$)
  expect_eq "$lines" 1 "one-line error for '${bad:0:12}...'"
done
expect_exit 2 "sha256d rejects odd-length hex" -- "$MINELAB" hash sha256d abc
grep -q "odd number of hex digits" /tmp/mw_e2e_err.$$ && pass "error names the problem" || fail "error text"
expect_exit 2 "sha256d rejects non-hex" -- "$MINELAB" hash sha256d 00zz
expect_exit 2 "missing argument is a usage error" -- "$MINELAB" hash sha256d
expect_exit 2 "unknown subcommand is a usage error" -- "$MINELAB" frobnicate
expect_exit 0 "--help" -- "$MINELAB" --help
expect_exit 0 "--version" -- "$MINEWATCH" --version
grep -q "minewatch 0" /tmp/mw_e2e_out.$$ && pass "version printed" || fail "version text"
expect_exit 0 "minewatch selftest" -- "$MINEWATCH" selftest
finish
