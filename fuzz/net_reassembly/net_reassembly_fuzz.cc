// TCP reassembly and the flow table on a sequence of synthetic segments drawn from the input.
//
// Input: 4 bytes client ISN, 4 bytes server ISN, 1 byte of limits, then 7-byte records:
//   flags (bit 0 direction, bits 1-5 SYN FIN RST ACK "corrupt"), seq offset (LE16), length,
//   ack offset (LE16), time step. Payload bytes are a fixed function of their sequence number
// unless the record is "corrupt", so every byte delivered can be checked against it: the
// reassembler must deliver exactly the stream (first copy wins), never more than the limit.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/bytes.h"
#include "net/flow/flow_table.h"

namespace {

using mw::net::Direction;
using mw::net::Flow;

uint8_t Pattern(uint32_t seq) { return static_cast<uint8_t>(seq * 131u + (seq >> 8)); }

class Checker : public mw::net::FlowListener {
 public:
  explicit Checker(uint32_t limit) : limit_(limit) {}
  void OnData(Flow& f, Direction d, mw::ByteSpan data, int64_t) override {
    const int i = mw::net::Index(d);
    if (f.ip_proto != mw::net::kProtoTcp) return;
    const mw::net::TcpStreamState& s = f.tcp[i];
    if (s.delivered > limit_ || data.size() > s.delivered) std::abort();
    // corrupt[] is indexed by sender (0 = the 10.0.0.1:40000 side); flow directions are
    // relative to whichever side the table made the originator.
    const bool from_client = (d == Direction::kToResponder) == (f.orig_port == 40000);
    if (corrupt[from_client ? 0 : 1]) return;
    const uint32_t start = s.base_seq + (s.delivered - static_cast<uint32_t>(data.size()));
    for (size_t k = 0; k < data.size(); ++k) {
      if (data[k] != Pattern(start + static_cast<uint32_t>(k))) std::abort();
    }
  }
  void OnGap(Flow& f, Direction d, uint32_t bytes, int64_t) override {
    if (bytes == 0 || f.tcp[mw::net::Index(d)].delivered > limit_) std::abort();
  }
  bool corrupt[2] = {false, false};

 private:
  uint32_t limit_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 9) return 0;
  const uint32_t isn[2] = {mw::ReadLE32(data), mw::ReadLE32(data + 4)};
  mw::net::FlowTableConfig config;
  config.max_flows = 2;
  config.reassembly.max_bytes_per_direction = 64 + (data[8] & 0x0F) * 64u;
  config.reassembly.max_pending_per_direction = 16 + (data[8] >> 4) * 32u;
  config.reassembly.max_pending_total = 600;
  config.reassembly.gap_timeout_us = 50;
  Checker checker(config.reassembly.max_bytes_per_direction);
  mw::net::FlowTable table(config, &checker);

  mw::net::DecodedPacket p;
  p.ip_version = 4;
  p.ip_proto = mw::net::kProtoTcp;
  p.has_l4 = true;
  const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
  std::vector<uint8_t> payload;
  int64_t ts = 1000;
  for (size_t at = 9; at + 7 <= size; at += 7) {
    const uint8_t* r = data + at;
    const int dir = r[0] & 1;
    uint8_t flags = 0;
    if (r[0] & 0x02) flags |= mw::net::kTcpSyn;
    if (r[0] & 0x04) flags |= mw::net::kTcpFin;
    if (r[0] & 0x08) flags |= mw::net::kTcpRst;
    if (r[0] & 0x10) flags |= mw::net::kTcpAck;
    const bool corrupt = (r[0] & 0x20) != 0;
    const uint32_t seq = isn[dir] + mw::ReadLE16(r + 1);
    const uint32_t len = r[3];
    payload.resize(len);
    for (uint32_t k = 0; k < len; ++k) {
      payload[k] = corrupt ? static_cast<uint8_t>(~Pattern(seq + k)) : Pattern(seq + k);
    }
    // The stream starts after the SYN: pattern and SYN seq must agree, so data on a SYN is
    // placed at seq + 1 by the reassembler; keep the checker exact by not sending any.
    if ((flags & mw::net::kTcpSyn) != 0) payload.clear();
    if (corrupt && !payload.empty()) checker.corrupt[dir] = true;
    p.src = mw::net::IpAddress::V4(dir == 0 ? a : b);
    p.dst = mw::net::IpAddress::V4(dir == 0 ? b : a);
    p.src_port = dir == 0 ? 40000 : 3333;
    p.dst_port = dir == 0 ? 3333 : 40000;
    p.tcp_flags = flags;
    p.seq = seq;
    p.ack = isn[1 - dir] + mw::ReadLE16(r + 4);
    ts += r[6];
    p.ts_us = ts;
    p.payload = payload.data();
    p.payload_len = static_cast<uint32_t>(payload.size());
    p.wire_len = 40 + p.payload_len;
    table.Process(p);
    if (table.reassembly_stats().pending_bytes_now > config.reassembly.max_pending_total) {
      std::abort();
    }
  }
  table.Flush();
  if (table.active_flows() != 0 || table.reassembly_stats().pending_bytes_now != 0) std::abort();
  return 0;
}
