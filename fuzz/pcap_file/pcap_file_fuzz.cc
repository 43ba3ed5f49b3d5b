// A whole capture file from arbitrary bytes, read twice: by libpcap (pcap_next_ex over fmemopen)
// and by our record loops (pcap_record_source.h for classic pcap 2.4, pcapng_record_source.h for
// pcapng), frame by frame. Both must give the same frames and end the same way; libpcap reads
// older pcap versions in both. The one licence: where libpcap gives up on a pcapng file whose
// interfaces or sections differ (link type, snapshot length, byte order) or on a large block,
// ours reads on, so the comparison ends there. Inputs of odd size are read through a BPF
// filter, which both run record by record and whose rejections both count. Every frame then
// goes through the decoder and a small flow table. One input in 16 is also read through a pipe
// (our loops reading a stream) and compared with reading it from memory. Errors must be
// values, never crashes.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "net/capture/packet_source.h"
#include "net/decode/decoder.h"
#include "net/flow/flow_table.h"

namespace {

// libpcap's errors for the pcapng files our loop reads on purpose.
bool WeReadOnWhereLibpcapStops(std::string_view why) {
  for (std::string_view licensed :
       {"different from the type of the first interface",
        "different from the snapshot length of the first interface", "different byte orders",
        "pcapng block size"}) {
    if (why.find(licensed) != std::string_view::npos) return true;
  }
  return false;
}

// libpcap rewrites the header of Linux cooked-capture CAN frames as it reads them (the CAN id's
// byte order, CAN FD's flags); our loops hand the bytes out as written. CAN is not IP: the
// decoder counts such frames and skips them, so their bytes are not compared.
bool LibpcapRewritesIt(const mw::net::RawPacket& frame) {
  uint16_t protocol = 0;
  if (frame.link_type == mw::net::kLinkLinuxSll && frame.cap_len >= 16) {
    protocol = uint16_t(frame.data[14] << 8 | frame.data[15]);
  } else if (frame.link_type == mw::net::kLinkLinuxSll2 && frame.cap_len >= 2) {
    protocol = uint16_t(frame.data[0] << 8 | frame.data[1]);
  } else {
    return false;
  }
  return protocol == 0x000C || protocol == 0x000D || protocol == 0x000E;  // CAN, CAN FD, CAN XL
}

// Our loops against libpcap, both reading from memory.
void CompareWithLibpcap(mw::ByteSpan bytes) {
  const size_t size = bytes.size();
  const std::string filter = size % 2 == 1 ? "tcp or (udp and port 53)" : "";
  auto source = mw::net::OpenPcapMemory(bytes, {.bpf_filter = filter});
  auto reference = mw::net::OpenPcapMemory(
      bytes, {.bpf_filter = filter, .records = mw::net::PcapRecords::kLibpcap});
  if (source.ok() != reference.ok()) std::abort();
  if (!source.ok()) {
    if (source.status().message().empty()) std::abort();
    return;
  }
  if ((*source)->link_type() != (*reference)->link_type()) std::abort();
  mw::net::Decoder decoder;
  mw::net::FlowTableConfig config;
  config.max_flows = 8;
  mw::net::FlowTable table(config, nullptr);
  mw::net::RawPacket raw, expected;
  mw::net::DecodedPacket p;
  for (int n = 0; n < 10000; ++n) {
    const mw::net::NextResult r = (*source)->Next(raw);
    const mw::net::NextResult want = (*reference)->Next(expected);
    if (want == mw::net::NextResult::kError &&
        WeReadOnWhereLibpcapStops((*reference)->status().message())) {
      if (r == mw::net::NextResult::kError && (*source)->status().ok()) std::abort();
      while (r == mw::net::NextResult::kPacket &&
             (*source)->Next(raw) == mw::net::NextResult::kPacket) {
        decoder.Decode(raw.link_type, raw.data, raw.cap_len, raw.wire_len, raw.ts_us, p);
      }
      return;
    }
    if (r != want) std::abort();
    if (r != mw::net::NextResult::kPacket) {
      if (r == mw::net::NextResult::kError && (*source)->status().ok()) std::abort();
      break;
    }
    if (raw.ts_us != expected.ts_us || raw.cap_len != expected.cap_len ||
        raw.link_type != expected.link_type ||
        raw.wire_len != expected.wire_len ||
        (raw.cap_len > 0 && !LibpcapRewritesIt(expected) &&
         std::memcmp(raw.data, expected.data, raw.cap_len) != 0)) {
      std::abort();
    }
    if (decoder.Decode(raw.link_type, raw.data, raw.cap_len, raw.wire_len, raw.ts_us, p) ==
        mw::net::DecodeResult::kIp) {
      table.Process(p);
    }
  }
  const mw::net::CaptureStats& ours = (*source)->stats();
  const mw::net::CaptureStats& theirs = (*reference)->stats();
  if (ours.packets != theirs.packets || ours.bytes != theirs.bytes ||
      ours.read_errors != theirs.read_errors ||
      ours.timestamps_clamped != theirs.timestamps_clamped || ours.filtered != theirs.filtered) {
    std::abort();
  }
  table.Flush();
  return;
}

// The same bytes through a pipe (how `--pcap -` reads: read(2) as bytes arrive, the format
// sniffed from bytes already consumed) and from memory: the same frames, end and counters.
void CompareStreamWithMemory(mw::ByteSpan bytes) {
  if (bytes.size() > 60000) return;  // what a pipe holds without a reader
  // A pipe and an open per input cost ten times the rest: one input in 16 (by its size, so
  // that the same input is always checked or not, with and without a filter).
  if ((bytes.size() >> 1) % 16 != 0) return;
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  if (!bytes.empty() && write(fds[1], bytes.data(), bytes.size()) != ssize_t(bytes.size())) {
    std::abort();
  }
  close(fds[1]);
  const std::string filter = bytes.size() % 2 == 1 ? "tcp or (udp and port 53)" : "";
  auto streamed = mw::net::OpenPcapFile("/dev/fd/" + std::to_string(fds[0]),
                                        {.bpf_filter = filter});
  close(fds[0]);  // (the source opened its own descriptor of the pipe)
  auto in_memory = mw::net::OpenPcapMemory(bytes, {.bpf_filter = filter});
  if (streamed.ok() != in_memory.ok()) std::abort();
  if (!streamed.ok()) return;
  if ((*streamed)->link_type() != (*in_memory)->link_type()) std::abort();
  mw::net::RawPacket a, b;
  for (int n = 0; n < 10000; ++n) {
    const mw::net::NextResult r = (*streamed)->Next(a);
    if (r != (*in_memory)->Next(b)) std::abort();
    if (r != mw::net::NextResult::kPacket) break;
    if (a.ts_us != b.ts_us || a.cap_len != b.cap_len || a.wire_len != b.wire_len ||
        a.link_type != b.link_type ||
        (a.cap_len > 0 && std::memcmp(a.data, b.data, a.cap_len) != 0)) {
      std::abort();
    }
  }
  const mw::net::CaptureStats& x = (*streamed)->stats();
  const mw::net::CaptureStats& y = (*in_memory)->stats();
  if (x.packets != y.packets || x.bytes != y.bytes || x.read_errors != y.read_errors ||
      x.timestamps_clamped != y.timestamps_clamped || x.filtered != y.filtered) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mw::ByteSpan bytes(data, size);
  CompareWithLibpcap(bytes);
  CompareStreamWithMemory(bytes);
  return 0;
}
