// The packet decoder on arbitrary bytes: the first byte picks the link type, the rest is the
// frame. Checks that payload pointers stay inside the frame, then feeds the packet to a small
// flow table (fresh per input, so runs are reproducible).
#include <cstdint>
#include <cstdlib>

#include "net/decode/decoder.h"
#include "net/flow/flow_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr int kLinks[] = {0, 1, 12, 101, 108, 113, 276, 147};
  if (size < 1) return 0;
  const int link = kLinks[data[0] % 8];
  const uint8_t* frame = data + 1;
  const uint32_t len = static_cast<uint32_t>(size - 1);
  mw::net::Decoder decoder;
  mw::net::DecodedPacket p;
  const auto r = decoder.Decode(link, frame, len, len + (data[0] >> 3), 1, p);
  if (p.payload != nullptr &&
      (p.payload < frame || p.payload + p.payload_len > frame + len)) {
    std::abort();
  }
  if (r == mw::net::DecodeResult::kIp) {
    mw::net::FlowTableConfig config;
    config.max_flows = 4;
    mw::net::FlowTable table(config, nullptr);
    table.Process(p);
    table.Process(p);
    table.Flush();
  }
  return 0;
}
