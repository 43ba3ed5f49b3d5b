#!/usr/bin/env bash
# minewatch sensor --max-flows: a capture of more concurrent flows than the table holds evicts
# flows before they end, which the sensor reports in one line (and counts); a table large
# enough reports nothing; a limit out of range is a one-line usage error. Also: the capture
# counters of several files, a --bpf filter that keeps nothing (counted, one line), a pcapng
# file with interfaces of two link types, SIGHUP reopening the EVE file, SIGUSR2 reloading intel,
# --user. The capture (five TCP
# flows that all stay open, on loopback addresses) is written below.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work/five_flows.pcap" <<'PY'
import struct, sys
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))  # LINKTYPE_RAW
def packet(ts, sport, seq, flags, payload=b""):
    tcp = struct.pack(">HHIIBBHHH", sport, 4444, seq, 0, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0,
                     bytes([127, 0, 0, 1]), bytes([127, 0, 0, 2])) + tcp
    out.write(struct.pack("<IIII", ts, 0, len(ip), len(ip)) + ip)
# Five flows open one after another, then each sends data in turn: none ends or idles out.
for i in range(5):
    packet(1_700_000_000 + i, 40000 + i, 1000, 0x02)
for round_ in range(3):
    for i in range(5):
        packet(1_700_000_010 + round_ * 5 + i, 40000 + i, 1001 + round_ * 4, 0x18, b"ping")
PY

expect_exit 0 "five open flows through a 2-flow table" -- \
  "$MINEWATCH" sensor --pcap "$work/five_flows.pcap" --no-intel --eve /dev/null --max-flows 2 --stats
grep -q "the flow table was full (--max-flows 2): [0-9]* flow(s) evicted before they ended" \
  /tmp/mw_e2e_err.$$ && pass "a full table is reported in one line" \
  || fail "no eviction line: $(head -c 300 /tmp/mw_e2e_err.$$)"
evicted=$(awk '$1 == "flow.evicted" {print $2}' /tmp/mw_e2e_err.$$)
[[ -n "$evicted" && "$evicted" -ge 3 ]] && pass "flow.evicted counts them ($evicted)" \
  || fail "flow.evicted is '$evicted', want at least 3"

expect_exit 0 "the same capture through the default table" -- \
  "$MINEWATCH" sensor --pcap "$work/five_flows.pcap" --no-intel --eve /dev/null --stats
grep -q "flow table was full" /tmp/mw_e2e_err.$$ && fail "eviction reported with room to spare" \
  || pass "no eviction line when the table has room"
expect_eq "$(awk '$1 == "flow.created" {print $2}' /tmp/mw_e2e_err.$$)" 5 "five flows created"

# Several files feed one pipeline: the capture counters are their sums, not the last file's.
expect_exit 0 "the capture read twice" -- \
  "$MINEWATCH" sensor --pcap "$work/five_flows.pcap" "$work/five_flows.pcap" --no-intel \
  --eve /dev/null --stats
expect_eq "$(awk '$1 == "capture.packets" {print $2}' /tmp/mw_e2e_err.$$)" 40 \
  "capture.packets sums both files"
expect_eq "$(awk '$1 == "decode.packets" {print $2}' /tmp/mw_e2e_err.$$)" 40 \
  "decode.packets agrees"

# "--pcap -" reads standard input (a pipe: our record loop, reading as bytes arrive).
expect_exit 0 "the capture from standard input" -- \
  bash -c '"$1" sensor --pcap - --no-intel --eve /dev/null --stats < <(cat "$2")' _ \
  "$MINEWATCH" "$work/five_flows.pcap"
expect_eq "$(awk '$1 == "capture.packets" {print $2}' /tmp/mw_e2e_err.$$)" 20 \
  "all 20 packets read from the pipe"
check_usage "--pcap - twice" -- "$MINEWATCH" sensor --pcap - --pcap - --no-intel

# SIGINT while a capture is being read: the sensor stops reading, ends the flows it has, writes
# their events as whole lines, says so, and exits 130. The capture comes through a FIFO that this
# script holds open, so the sensor is surely inside its read when the signal arrives.
mkfifo "$work/pipe"
"$MINEWATCH" sensor --pcap "$work/pipe" --no-intel --flow-events all --eve "$work/int.json" \
  --stats >/dev/null 2>"$work/int.err" &
sensor_pid=$!
exec 3>"$work/pipe"
cat "$work/five_flows.pcap" >&3
has_pipe_open() { ls -l "/proc/$sensor_pid/fd" 2>/dev/null | grep -q "$work/pipe"; }
wait_until 10 has_pipe_open || fail "the sensor did not open the FIFO"
kill -INT "$sensor_pid"
sleep 0.3
exec 3>&-
rc=0
wait "$sensor_pid" || rc=$?
expect_eq "$rc" 130 "an interrupted read exits 130"
grep -q "stopped by signal 2 before $work/pipe was read to its end" "$work/int.err" \
  && pass "the interruption is said" || fail "no interruption line: $(head -c 300 "$work/int.err")"
expect_eq "$(grep -c '"event_type":"flow"' "$work/int.json")" 5 \
  "the five flows read before the signal are ended and written"
expect_eq "$(tail -c 1 "$work/int.json" | od -An -c | tr -d ' ')" '\n' "the EVE file ends with a whole line"

# SIGHUP (log rotation): the EVE file is reopened, and nothing is lost: the renamed file and the
# new one under the name hold, in whole lines, the events one run without the signal writes. Two
# mining sessions come through a FIFO; the signal arrives while the sensor waits for the second.
pcaps="$(dirname "$0")/../pcap"
{ cat "$pcaps/v1_tcp/capture.pcap"; tail -c +25 "$pcaps/xmrig_tcp/capture.pcap"; } >"$work/two.pcap"
expect_exit 0 "two mining sessions in one run" -- \
  "$MINEWATCH" sensor --pcap "$work/two.pcap" --no-intel --eve "$work/ref.json"
event_types() { cat "$@" | python3 -c 'import json, sys, collections
print(sorted(collections.Counter(json.loads(l)["event_type"] for l in sys.stdin).items()))'; }
# fifo_run NAME FIRST SECOND ACTION SENSOR_ARGS...: the sensor reads the captures FIRST then
# SECOND (its file header dropped) from a FIFO this script holds open, so that ACTION (a command,
# which may use $fifo_pid) runs while the sensor waits for the second. Stderr in $work/NAME.err;
# sets fifo_rc.
fifo_run() {
  local name=$1 first=$2 second=$3 action=$4
  shift 4
  mkfifo "$work/$name.fifo"
  "$MINEWATCH" sensor --pcap "$work/$name.fifo" "$@" >/dev/null 2>"$work/$name.err" &
  fifo_pid=$!
  exec 5>"$work/$name.fifo"  # (opens once the sensor has opened its end)
  cat "$first" >&5
  sleep 0.5
  $action
  sleep 0.3
  tail -c +25 "$second" >&5
  exec 5>&-
  fifo_rc=0
  wait "$fifo_pid" || fifo_rc=$?
}
rotate() { mv "$work/eve.json" "$work/eve.json.1"; kill -HUP "$fifo_pid"; }
fifo_run hup "$pcaps/v1_tcp/capture.pcap" "$pcaps/xmrig_tcp/capture.pcap" rotate \
  --no-intel --eve "$work/eve.json"
rc=$fifo_rc
expect_eq "$rc" 0 "SIGHUP does not end the sensor"
grep -q "SIGHUP: reopened $work/eve.json" "$work/hup.err" && pass "the reopen is said" \
  || fail "no reopen line: $(head -c 300 "$work/hup.err")"
[[ -f "$work/eve.json" ]] && pass "a new file was started under the name" \
  || fail "no new EVE file after the reopen"
expect_eq "$(event_types "$work/eve.json.1" "$work/eve.json")" "$(event_types "$work/ref.json")" \
  "the two files hold every event of the run, once"

# SIGUSR2 (an intel update): the snapshot is loaded again from its file, and flows already open
# are matched against it too. Two TLS mining sessions to 127.0.0.1:55907 come through a FIFO; the
# intel file is replaced and the signal sent between them. Alone, the old snapshot raises
# nothing on them and the new one an address alert on each.
printf '198.51.100.4:3333\n' >"$work/old_feed.txt"
printf '127.0.0.1:55907\n' >"$work/new_feed.txt"
for v in old new; do
  expect_exit 0 "import the $v intel" -- "$MINEWATCH" intel import --out "$work/$v.mwintel" \
    "$work/${v}_feed.txt,format=maltrail,category=pool"
done
head -c 200 "$work/new.mwintel" >"$work/cut.mwintel"
{ cat "$pcaps/v1_tls/capture.pcap"; tail -c +25 "$pcaps/xmrig_tls/capture.pcap"; } >"$work/tls_two.pcap"
address_alerts() { grep -c '"signature_id":9100103,' "$1" || true; }
for v in old new; do
  expect_exit 0 "both TLS sessions with the $v intel" -- "$MINEWATCH" sensor \
    --pcap "$work/tls_two.pcap" --intel "$work/$v.mwintel" --eve "$work/$v.json"
done
expect_eq "$(address_alerts "$work/old.json")" 0 "the old intel does not list the pool"
expect_eq "$(address_alerts "$work/new.json")" 2 "the new intel lists it: one alert a flow"
# usr2_run NAME FIRST NEXT: the sensor starts with FIRST as its --intel file; after the first
# session NEXT is moved over that file and SIGUSR2 sent. Sets usr2_rc.
replace_intel() {
  cp "$work/$next_intel.mwintel" "$work/replacement.mwintel"
  mv "$work/replacement.mwintel" "$work/in_use.mwintel"
  kill -USR2 "$fifo_pid"
}
usr2_run() {
  cp "$work/$2.mwintel" "$work/in_use.mwintel"
  next_intel=$3
  fifo_run "$1" "$pcaps/v1_tls/capture.pcap" "$pcaps/xmrig_tls/capture.pcap" replace_intel \
    --intel "$work/in_use.mwintel" --eve "$work/$1.json" --stats
  usr2_rc=$fifo_rc
}
usr2_run reload old new
expect_eq "$usr2_rc" 0 "SIGUSR2 does not end the sensor"
grep -q "SIGUSR2: reloaded intel $work/in_use.mwintel (1 entries)" "$work/reload.err" \
  && pass "the reload is said" || fail "no reload line: $(head -c 300 "$work/reload.err")"
expect_eq "$(awk '$1 == "intel.reloads" {print $2}' "$work/reload.err")" 1 "intel.reloads counts it"
expect_eq "$(awk '$1 == "intel.entries" {print $2}' "$work/reload.err")" 1 \
  "intel.entries gives the size of the snapshot in use"
expect_eq "$(address_alerts "$work/reload.json")" 2 \
  "after the reload both sessions alert, the one open before it too"
usr2_run failed new cut
expect_eq "$usr2_rc" 0 "a failed reload does not end the sensor"
grep -q "SIGUSR2: intel $work/in_use.mwintel: .*; the snapshot loaded before stays in use" \
  "$work/failed.err" && pass "the failed reload is said, with its reason" \
  || fail "no failure line: $(head -c 300 "$work/failed.err")"
expect_eq "$(awk '$1 == "intel.reload_failures" {print $2}' "$work/failed.err")" 1 \
  "intel.reload_failures counts it"
expect_eq "$(address_alerts "$work/failed.json")" 2 "the snapshot in use before still matches"
# The intel file written over in place (cp, no rename), and no signal: the sensor goes on with
# the snapshot it read. (When it was memory-mapped, later matches read the new bytes, missing the
# second session here, or died of SIGBUS when the file shrank by whole pages.)
cp "$(dirname "$0")/../../rules/intel/lab.csv" "$work/lab.csv"
expect_exit 0 "import a larger snapshot" -- "$MINEWATCH" intel import --out "$work/in_use.mwintel" \
  "$work/lab.csv,name=lab" "$work/new_feed.txt,format=maltrail,category=pool"
write_over_intel() { cp "$work/cut.mwintel" "$work/in_use.mwintel"; }
fifo_run inplace "$pcaps/v1_tls/capture.pcap" "$pcaps/xmrig_tls/capture.pcap" write_over_intel \
  --intel "$work/in_use.mwintel" --eve "$work/inplace.json"
rc=$fifo_rc
expect_eq "$rc" 0 "the intel file written over in place does not end the sensor"
expect_eq "$(address_alerts "$work/inplace.json")" 2 "the snapshot read at start still matches"

# Events into a pipe whose reader is gone (a log shipper that died; here `true`, which reads
# nothing): the sensor says so in one line and exits 2, instead of dying of SIGPIPE in silence
# (exit 141). 3,000 UDP flows, each a "flow" event: far more than a pipe holds.
python3 - "$work/udp_flows.pcap" <<'PY'
import struct, sys
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))  # LINKTYPE_RAW
for i in range(3000):
    udp = struct.pack(">HHHH", 20000 + i, 9, 8 + 4, 0) + b"ping"
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     bytes([127, 0, 0, 1]), bytes([127, 0, 0, 3])) + udp
    out.write(struct.pack("<IIII", 1_700_000_000, i, len(ip), len(ip)) + ip)
PY
rc=0  # (pipefail is on: the pipeline's status is the sensor's, `true` exits 0)
"$MINEWATCH" sensor --pcap "$work/udp_flows.pcap" --no-intel --flow-events all --eve - \
  2>"$work/epipe.err" | true || rc=$?
expect_eq "$rc" 2 "events to a pipe nobody reads: exit 2, not death by SIGPIPE"
expect_eq "$(grep -c "writing events to stdout failed: Broken pipe.*nothing reads them any more" \
  "$work/epipe.err")" 1 "the broken pipe is said once"
expect_eq "$(wc -l <"$work/epipe.err")" 1 "and nothing else is said"

# A pcapng capture taken on two interfaces of different link types (libpcap's reader refuses
# it): the first two flows on an Ethernet interface, the other three on a raw IP one.
python3 - "$work/five_flows.pcap" "$work/two_links.pcapng" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
out = open(sys.argv[2], "wb")
def block(kind, body):
    body += b"\0" * (-len(body) % 4)
    out.write(struct.pack("<II", kind, len(body) + 12) + body + struct.pack("<I", len(body) + 12))
block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
block(1, struct.pack("<HHI", 1, 0, 65535))    # interface 0: Ethernet
block(1, struct.pack("<HHI", 101, 0, 65535))  # interface 1: raw IP
at = 24
while at < len(data):
    sec, usec, caplen, length = struct.unpack_from("<IIII", data, at)
    ip = data[at + 16:at + 16 + caplen]
    at += 16 + caplen
    sport = struct.unpack_from(">H", ip, 20)[0]
    if sport < 40002:
        frame, iface = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip, 0
    else:
        frame, iface = ip, 1
    ticks = sec * 1_000_000 + usec
    block(6, struct.pack("<IIIII", iface, ticks >> 32, ticks & 0xFFFFFFFF, len(frame), len(frame))
          + frame)
PY
expect_exit 0 "a pcapng capture on two link types" -- \
  "$MINEWATCH" sensor --pcap "$work/two_links.pcapng" --no-intel --eve /dev/null --stats
expect_eq "$(awk '$1 == "decode.link.EN10MB" {print $2}' /tmp/mw_e2e_err.$$)" 8 \
  "the Ethernet interface's frames decoded as Ethernet"
expect_eq "$(awk '$1 == "decode.link.RAW" {print $2}' /tmp/mw_e2e_err.$$)" 12 \
  "the raw IP interface's frames decoded as raw IP"
expect_eq "$(awk '$1 == "flow.created" {print $2}' /tmp/mw_e2e_err.$$)" 5 "five flows across both"
expect_exit 0 "the same pcapng from standard input" -- \
  bash -c '"$1" sensor --pcap - --no-intel --eve /dev/null --stats < <(cat "$2")' _ \
  "$MINEWATCH" "$work/two_links.pcapng"
expect_eq "$(awk '$1 == "decode.link.RAW" {print $2}' /tmp/mw_e2e_err.$$)" 12 \
  "the raw IP interface's frames, through the pipe"
expect_exit 0 "the same through a filter compiled for each link type" -- \
  "$MINEWATCH" sensor --pcap "$work/two_links.pcapng" --no-intel --eve /dev/null --stats \
  --bpf "tcp src port 40001 or tcp src port 40004"
expect_eq "$(awk '$1 == "capture.packets" {print $2}' /tmp/mw_e2e_err.$$)" 8 \
  "the filter kept one flow of each interface"

# A file cut in the middle of a record: exit 2, and its counts (the read error among them) still
# reach --stats.
head -c 500 "$work/five_flows.pcap" >"$work/cut.pcap"
expect_exit 2 "a capture cut mid-record" -- \
  "$MINEWATCH" sensor --pcap "$work/cut.pcap" --no-intel --eve /dev/null --stats
expect_eq "$(awk '$1 == "capture.read_errors" {print $2}' /tmp/mw_e2e_err.$$)" 1 \
  "capture.read_errors counts the cut record"
[[ "$(awk '$1 == "capture.packets" {print $2}' /tmp/mw_e2e_err.$$)" -gt 0 ]] \
  && pass "the records before the cut are counted" || fail "no capture.packets after a cut"

# A BPF filter that keeps nothing: counted, and said in one line (not an error).
expect_exit 0 "a filter that matches no packet" -- \
  "$MINEWATCH" sensor --pcap "$work/five_flows.pcap" --no-intel --eve /dev/null --bpf udp --stats
grep -q "the BPF filter 'udp' kept none of the 20 record(s) read" /tmp/mw_e2e_err.$$ \
  && pass "an empty filter result is reported" \
  || fail "no line for the filter: $(head -c 300 /tmp/mw_e2e_err.$$)"
expect_eq "$(awk '$1 == "capture.filtered" {print $2}' /tmp/mw_e2e_err.$$)" 20 \
  "capture.filtered counts the rejected records"
expect_exit 0 "a filter that keeps some" -- \
  "$MINEWATCH" sensor --pcap "$work/five_flows.pcap" --no-intel --eve /dev/null \
  --bpf "tcp[tcpflags] & tcp-syn != 0" --stats
expect_eq "$(awk '$1 == "capture.packets" {print $2}' /tmp/mw_e2e_err.$$)" 5 "the five SYNs pass"
expect_eq "$(awk '$1 == "capture.filtered" {print $2}' /tmp/mw_e2e_err.$$)" 15 \
  "the fifteen data segments are filtered"
grep -q "kept none" /tmp/mw_e2e_err.$$ && fail "filter line with packets kept" \
  || pass "no filter line when packets pass"

# Events that cannot be written (/dev/full is always out of space): exit 2, and one line that
# names the destination and the reason.
if [[ -e /dev/full ]]; then
  expect_exit 2 "events to a full device" -- \
    "$MINEWATCH" sensor --pcap "$work/five_flows.pcap" --no-intel --eve /dev/full \
    --flow-events all
  expect_eq "$(grep -c "writing events to /dev/full failed: No space left on device" \
    /tmp/mw_e2e_err.$$)" 1 "the write failure is said once, with its reason"
fi

check_usage "--duration -1" -- "$MINEWATCH" sensor --iface lo --duration -1
check_usage "--duration 0" -- "$MINEWATCH" sensor --iface lo --duration 0
check_usage "--duration with a file" -- "$MINEWATCH" sensor --pcap "$work/five_flows.pcap" \
  --duration 3
grep -q -- "--duration applies to a live capture" /tmp/mw_e2e_err.$$ \
  && pass "the error says --duration is for --iface" || fail "$(cat /tmp/mw_e2e_err.$$)"

check_usage "--health-interval with a file" -- "$MINEWATCH" sensor --pcap "$work/five_flows.pcap" \
  --health-interval 5
check_usage "--health-interval -1" -- "$MINEWATCH" sensor --iface lo --health-interval -1
# Live capture without the privilege: one line that says what is missing and where to read on.
if [[ $(id -u) == 0 ]] && command -v runuser >/dev/null && runuser -u nobody -- test -x "$MINEWATCH"; then
  check_usage "live capture as an unprivileged user" -- \
    runuser -u nobody -- "$MINEWATCH" sensor --iface lo --no-intel --eve /dev/null --duration 1
  grep -q "CAP_NET_RAW and CAP_NET_ADMIN: see docs/deploy.md" /tmp/mw_e2e_err.$$ \
    && pass "the error names the capabilities" || fail "no hint: $(cat /tmp/mw_e2e_err.$$)"
else
  echo "skip: not root, or user nobody cannot run $MINEWATCH"
fi
# --capture-buffer sizes the kernel's capture ring (seen in the process's memory map). The
# sensor runs until told to stop (--duration only bounds it), so that a slow machine cannot make
# the check miss it.
if [[ $(id -u) == 0 ]]; then
  "$MINEWATCH" sensor --iface lo --no-intel --eve /dev/null --duration 60 --capture-buffer 64 \
    --health-interval 0 2>/dev/null &
  ring_pid=$!
  ring_bytes() {  # the largest socket mapping, in bytes
    local max=0 range a b path
    while read -r range _ _ _ _ path; do
      [[ $path == socket:* ]] || continue
      a=$((16#${range%-*})); b=$((16#${range#*-}))
      if ((b - a > max)); then max=$((b - a)); fi
    done <"/proc/$ring_pid/maps"
    echo "$max"
  }
  ring_is_64m() { [[ $(ring_bytes) == $((64 << 20)) ]]; }
  wait_until 10 ring_is_64m && pass "--capture-buffer 64: a 64 MiB ring" \
    || fail "--capture-buffer 64: ring of $(ring_bytes) bytes"
  kill -INT "$ring_pid" 2>/dev/null || true
  wait "$ring_pid" || fail "the sensor with --capture-buffer 64 failed"
else
  echo "skip: live capture needs root"
fi
# --user: started as root, the sensor opens the capture, then becomes the account (no root, no
# capability, no root group) and goes on capturing as it.
if [[ $(id -u) == 0 ]] && id nobody >/dev/null 2>&1; then
  "$MINEWATCH" sensor --iface lo --no-intel --eve "$work/user.json" --duration 60 --stats \
    --health-interval 0 --user nobody 2>"$work/user.err" &
  user_pid=$!
  said_listening() { grep -q "listening on lo as user nobody" "$work/user.err"; }
  wait_until 5 said_listening && pass "the sensor says which user it captures as" \
    || fail "no listening line: $(head -c 300 "$work/user.err")"
  ids=$(awk '$1 == "Uid:" || $1 == "Gid:" {print $2, $3, $4, $5} $1 == "CapEff:" {print $2}
             $1 == "Groups:" {$1 = ""; print "groups" $0}' "/proc/$user_pid/status" | tr '\n' '/')
  expect_eq "$ids" "$(id -u nobody) $(id -u nobody) $(id -u nobody) $(id -u nobody)/$(id -g nobody) \
$(id -g nobody) $(id -g nobody) $(id -g nobody)/groups $(id -G nobody)/0000000000000000/" \
    "every user and group id is nobody's, and no capability is left"
  python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20): s.sendto(b"minewatch-user-test", ("127.0.0.1", 9)); time.sleep(0.01)'
  sleep 0.5  # (the kernel hands the capture its packets a block at a time: 200 ms at most)
  kill -INT "$user_pid" 2>/dev/null || true
  rc=0
  wait "$user_pid" || rc=$?
  expect_eq "$rc" 0 "the capture as nobody ends normally"
  packets=$(awk '$1 == "decode.udp" {print $2}' "$work/user.err")
  [[ -n "$packets" && "$packets" -ge 20 ]] && pass "it captured and decoded as nobody ($packets UDP)" \
    || fail "decode.udp is '$packets' after 20 datagrams"
else
  echo "skip: --user needs root and a user nobody"
fi
check_usage "--user with a file" -- "$MINEWATCH" sensor --pcap "$work/five_flows.pcap" --user nobody
check_usage "--user unknown" -- "$MINEWATCH" sensor --iface lo --user no-such-user-mw
grep -q "no user 'no-such-user-mw'" /tmp/mw_e2e_err.$$ && pass "the error names the user" \
  || fail "unknown user: $(cat /tmp/mw_e2e_err.$$)"
check_usage "--capture-buffer 0" -- "$MINEWATCH" sensor --iface lo --capture-buffer 0
check_usage "--capture-buffer 4096" -- "$MINEWATCH" sensor --iface lo --capture-buffer 4096
check_usage "--capture-buffer with a file" -- "$MINEWATCH" sensor --pcap "$work/five_flows.pcap" \
  --capture-buffer 8
check_usage "--max-flows 0" -- "$MINEWATCH" sensor --pcap "$work/five_flows.pcap" --max-flows 0
grep -q -- "--max-flows" /tmp/mw_e2e_err.$$ && pass "the error names --max-flows" \
  || fail "error does not name the option: $(cat /tmp/mw_e2e_err.$$)"
check_usage "--max-flows too large" -- "$MINEWATCH" sensor --pcap "$work/five_flows.pcap" \
  --max-flows 99999999999
finish
