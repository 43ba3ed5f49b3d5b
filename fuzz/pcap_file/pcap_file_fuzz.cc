// A whole capture file from arbitrary bytes: libpcap reads it from memory (fmemopen), every
// packet goes through the decoder and a small flow table. Errors must be values, never crashes.
#include <cstdint>
#include <cstdlib>

#include "net/capture/packet_source.h"
#include "net/decode/decoder.h"
#include "net/flow/flow_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto source = mw::net::OpenPcapMemory(mw::ByteSpan(data, size));
  if (!source.ok()) {
    if (source.status().message().empty()) std::abort();
    return 0;
  }
  mw::net::Decoder decoder;
  mw::net::FlowTableConfig config;
  config.max_flows = 8;
  mw::net::FlowTable table(config, nullptr);
  mw::net::RawPacket raw;
  mw::net::DecodedPacket p;
  for (int n = 0; n < 10000; ++n) {
    const mw::net::NextResult r = (*source)->Next(raw);
    if (r != mw::net::NextResult::kPacket) {
      if (r == mw::net::NextResult::kError && (*source)->status().ok()) std::abort();
      break;
    }
    if (decoder.Decode(raw.link_type, raw.data, raw.cap_len, raw.wire_len, raw.ts_us, p) ==
        mw::net::DecodeResult::kIp) {
      table.Process(p);
    }
  }
  table.Flush();
  return 0;
}
