#!/usr/bin/env bash
# minewatch intel: import of every feed format into a snapshot, lookups with provenance, the
# allowlist winning, stats with skipped lines, and one-line errors (exit 2) on bad input or a
# corrupt snapshot. Uses only rules/intel/ and the small feeds written below.
source "$(dirname "$0")/lib.sh"
: "${MW_SOURCE_DIR:?MW_SOURCE_DIR must point at the source tree}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/filters.txt" <<'FEED'
[Adblock Plus 2.0]
! Title: test filters
||miner.example^$third-party
||198.51.100.9^
/cryptonight.wasm
example.org##.miner
example.org##+js(aopr, miner)
||bad host^
FEED
cat >"$work/trails.txt" <<'FEED'
# test trails
198.51.100.4:3333
xmr.pool.example
104.16.1.1
FEED
printf '0.0.0.0 m\xc3\xbcnchen-miner.example\n0.0.0.0 hosted.example\n' >"$work/hosts.txt"
printf '*://*.ws-miner.example/*\nwss://*.proxy.example/proxy*\n' >"$work/patterns.txt"

snap="$work/test.mwintel"
expect_exit 0 "import every format" -- "$MINEWATCH" intel import --out "$snap" \
  --allowlist "$MW_SOURCE_DIR/rules/intel/allowlist.txt" \
  "$MW_SOURCE_DIR/rules/intel/lab.csv,name=lab" \
  "$work/filters.txt,category=browser-miner" "$work/trails.txt,format=maltrail,category=pool" \
  "$work/hosts.txt,category=browser-miner" "$work/patterns.txt,format=webext,category=browser-miner"
grep -q "line 8: malformed" /tmp/mw_e2e_out.$$ && pass "import names the malformed line" || fail "malformed line not reported"
grep -q "^wrote " /tmp/mw_e2e_out.$$ && pass "import wrote the snapshot" || fail "no 'wrote' line"
# 104.16.1.1 is a CDN address on the allowlist: the trails' summary counts it as dropped.
grep -Eq "^[^ ]*trails +maltrail +pool +4 lines +2 entries, skipped: 1 allowlisted" /tmp/mw_e2e_out.$$ \
  && pass "import counts the allowlisted drop" || fail "trails summary: $(grep trails /tmp/mw_e2e_out.$$)"

expect_exit 0 "lookup of the lab pool" -- "$MINEWATCH" intel lookup --intel "$snap" pool.minelab.test:3333
grep -q "^pool.minelab.test:3333: match" /tmp/mw_e2e_out.$$ && pass "lab pool matches" || fail "lab pool: $(cat /tmp/mw_e2e_out.$$)"
grep -q "feed=lab line=4 port=3333 scheme=stratum+tcp coin=btc" /tmp/mw_e2e_out.$$ \
  && pass "provenance printed" || fail "provenance: $(cat /tmp/mw_e2e_out.$$)"

out=$("$MINEWATCH" intel lookup --intel "$snap" EU1.XMR.Pool.Example. 127.0.0.1:3334 198.51.100.4:3333 \
      198.51.100.4:80 nothing.example wss://a.proxy.example/proxy)
echo "$out" | grep -q "^EU1.XMR.Pool.Example.: match" && pass "suffix match, any case" || fail "suffix: $out"
echo "$out" | grep -q "^127.0.0.1:3334: match" && pass "loopback pool address" || fail "127.0.0.1:3334: $out"
echo "$out" | grep -q "^198.51.100.4:3333: match" && pass "ip:port trail" || fail "ip:port: $out"
echo "$out" | grep -q "^198.51.100.4:80: no match" && pass "other port does not match" || fail "port filter: $out"
echo "$out" | grep -q "^nothing.example: no match" && pass "miss says no match" || fail "miss: $out"
echo "$out" | grep -q "^wss://a.proxy.example/proxy: match" && pass "URL pattern" || fail "url: $out"
uni=$("$MINEWATCH" intel lookup --intel "$snap" "$(printf 'M\xc3\x9cNCHEN-miner.example')")
echo "$uni" | grep -q "xn--mnchen-miner-dlb.example" && pass "Unicode name meets its punycode entry" || fail "unicode: $uni"

cdn=$("$MINEWATCH" intel lookup --intel "$snap" 104.16.1.1)
echo "$cdn" | grep -q "allowlisted" && pass "CDN address from a feed does not fire" || fail "allowlist: $cdn"

# scan: a list of names longer than one batch (1,024) and one read block (1 MiB), hits spread
# through it, plus addresses, HOST:PORT, a comment, a blank line and a line with more words.
{
  echo "# resolver log cut to names"
  echo
  awk 'BEGIN { for (i = 1; i <= 70000; i++) print "host" i ((i % 7000) ? ".benign.example" : ".xmr.pool.example") }'
  printf '  EU1.XMR.Pool.Example.\tA 2026-11-30\n127.0.0.1:3334\n198.51.100.4:80\n104.16.1.1\n'
  printf 'nothing.example'  # no newline at the end
} >"$work/names.txt"
expect_exit 1 "scan finds names" -- "$MINEWATCH" intel scan --intel "$snap" "$work/names.txt"
expect_eq "$(grep -c ': match (' /tmp/mw_e2e_out.$$)" 12 "scan reports each matching line"
grep -q "^line 7002: host7000.xmr.pool.example: match (1 entry)" /tmp/mw_e2e_out.$$ \
  && pass "scan names the line" || fail "scan line: $(head -3 /tmp/mw_e2e_out.$$)"
grep -q "^line 70002: host70000.xmr.pool.example: match" /tmp/mw_e2e_out.$$ \
  && pass "scan reaches past the first read block" || fail "scan: last block"
grep -q "^line 70003: EU1.XMR.Pool.Example.: match" /tmp/mw_e2e_out.$$ && pass "scan takes a line's first word" \
  || fail "scan first word"
grep -q "^line 70004: 127.0.0.1:3334: match" /tmp/mw_e2e_out.$$ && pass "scan matches address:port" \
  || fail "scan address"
grep -q "scanned 70007 lines: 70002 names, 3 addresses, 2 skipped (blank or #); 12 matched, 1 allowlisted" \
  /tmp/mw_e2e_err.$$ && pass "scan summary counts" || fail "scan summary: $(cat /tmp/mw_e2e_err.$$)"
grep -v -e '^host' -e '^#' -e '^$' "$work/names.txt" | sed -n '3,$p' >"$work/quiet.txt"
expect_exit 0 "scan with nothing matched" -- "$MINEWATCH" intel scan --intel "$snap" - <"$work/quiet.txt"
expect_eq "$(wc -c </tmp/mw_e2e_out.$$)" 0 "scan prints no match lines when nothing matched"
# A 3 MB line: its first word still counts, the rest is dropped as it arrives.
python3 -c 'import sys; sys.stdout.write("xmr.pool.example " + "x" * 3000000 + "\nnothing.example\n")' >"$work/long.txt"
expect_exit 1 "scan of an overlong line" -- "$MINEWATCH" intel scan --intel "$snap" "$work/long.txt"
grep -q "^line 1: xmr.pool.example: match" /tmp/mw_e2e_out.$$ && grep -q "1 line(s) longer than 65536 bytes were cut" \
  /tmp/mw_e2e_err.$$ && pass "an overlong line is cut, its first word matched" || fail "long line: $(cat /tmp/mw_e2e_err.$$)"

expect_exit 0 "stats" -- "$MINEWATCH" intel stats --intel "$snap"
grep -q "filters .*adblock .*browser-miner" /tmp/mw_e2e_out.$$ && pass "stats per feed" || fail "stats feed line"
grep -q "test/filters:8: malformed" /tmp/mw_e2e_out.$$ || grep -q "filters:8: malformed" /tmp/mw_e2e_out.$$ \
  && pass "stats lists skipped lines" || fail "stats skipped: $(cat /tmp/mw_e2e_out.$$)"
grep -q "allowlisted" /tmp/mw_e2e_out.$$ && pass "stats shows allowlisted drops" || fail "stats allowlisted"

# Bad input: one line on stderr, exit 2 (check_usage in lib.sh).
check_usage "lookup rejects a bad name" -- "$MINEWATCH" intel lookup --intel "$snap" "bad name"
check_usage "lookup rejects a bad port" -- "$MINEWATCH" intel lookup --intel "$snap" pool.example:99999
check_usage "lookup rejects a name too long" -- "$MINEWATCH" intel lookup --intel "$snap" \
  "$(printf 'a.%.0s' {1..2000})"
(( $(wc -c </tmp/mw_e2e_err.$$) < 200 )) && grep -q "(4000 bytes): name longer than 253 bytes" \
  /tmp/mw_e2e_err.$$ && pass "a long query is quoted by its start and its length" \
  || fail "long query error: $(head -c 300 /tmp/mw_e2e_err.$$)"
check_usage "missing snapshot" -- "$MINEWATCH" intel lookup --intel "$work/none.mwintel" a.example
check_usage "scan of a missing file" -- "$MINEWATCH" intel scan --intel "$snap" "$work/none.txt"
head -c 200 "$snap" >"$work/truncated.mwintel"
check_usage "truncated snapshot" -- "$MINEWATCH" intel stats --intel "$work/truncated.mwintel"
cp "$snap" "$work/flipped.mwintel"
printf '\xff' | dd of="$work/flipped.mwintel" bs=1 seek=300 conv=notrunc status=none
check_usage "corrupt snapshot" -- "$MINEWATCH" intel stats --intel "$work/flipped.mwintel"
grep -q "checksum" /tmp/mw_e2e_err.$$ && pass "corruption is named" || fail "corrupt: $(cat /tmp/mw_e2e_err.$$)"
check_usage "unknown format" -- "$MINEWATCH" intel import --format nope --out "$work/x" "$work/trails.txt"
check_usage "missing feed file" -- "$MINEWATCH" intel import --out "$work/x" "$work/none.txt"
check_usage "unknown category" -- "$MINEWATCH" intel import --out "$work/x" "$work/trails.txt,category=bad"
finish
