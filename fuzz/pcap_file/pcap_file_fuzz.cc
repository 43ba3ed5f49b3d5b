// A whole capture file from arbitrary bytes, read twice: by libpcap (pcap_next_ex over fmemopen)
// and by our record loops (pcap_record_source.h for classic pcap 2.4, pcapng_record_source.h for
// pcapng), frame by frame. Both must give the same frames and end the same way; libpcap reads
// older pcap versions in both. The one licence: where libpcap gives up on a pcapng file whose
// interfaces or sections differ (link type, snapshot length, byte order) or on a large block,
// ours reads on, so the comparison ends there. Inputs of odd size are read through a BPF
// filter, which both run record by record and whose rejections both count. Every frame then
// goes through the decoder and a small flow table. Errors must be values, never crashes.
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mw::ByteSpan bytes(data, size);
  const std::string filter = size % 2 == 1 ? "tcp or (udp and port 53)" : "";
  auto source = mw::net::OpenPcapMemory(bytes, {.bpf_filter = filter});
  auto reference = mw::net::OpenPcapMemory(
      bytes, {.bpf_filter = filter, .records = mw::net::PcapRecords::kLibpcap});
  if (source.ok() != reference.ok()) std::abort();
  if (!source.ok()) {
    if (source.status().message().empty()) std::abort();
    return 0;
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
      return 0;
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
  return 0;
}
