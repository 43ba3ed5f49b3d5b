#include "analyzers/sv2/sv2_frame.h"

#include <array>
#include <cmath>

namespace mw::analyzers::sv2 {
namespace {

uint32_t ReadLE24(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16; }

class Reader {
 public:
  explicit Reader(ByteSpan b) : b_(b) {}
  bool U8(uint8_t& v) {
    if (b_.size() - pos_ < 1) return false;
    v = b_[pos_++];
    return true;
  }
  bool U16(uint16_t& v) {
    if (b_.size() - pos_ < 2) return false;
    v = ReadLE16(b_.data() + pos_);
    pos_ += 2;
    return true;
  }
  bool U32(uint32_t& v) {
    if (b_.size() - pos_ < 4) return false;
    v = ReadLE32(b_.data() + pos_);
    pos_ += 4;
    return true;
  }
  bool Str0_255(std::string& s) {
    uint8_t n = 0;
    if (!U8(n) || b_.size() - pos_ < n) return false;
    s.assign(reinterpret_cast<const char*>(b_.data() + pos_), n);
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == b_.size(); }

 private:
  ByteSpan b_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<FrameHeader> ParseFrameHeader(ByteSpan data) {
  if (data.size() < kFrameHeaderSize) return std::nullopt;
  FrameHeader h;
  h.extension_type = ReadLE16(data.data());
  h.msg_type = data[2];
  h.msg_length = ReadLE24(data.data() + 3);
  return h;
}

bool ParseSetupConnection(ByteSpan payload, SetupConnection& out) {
  Reader r(payload);
  return r.U8(out.protocol) && r.U16(out.min_version) && r.U16(out.max_version) &&
         r.U32(out.flags) && r.Str0_255(out.endpoint_host) && r.U16(out.endpoint_port) &&
         r.Str0_255(out.vendor) && r.Str0_255(out.hardware_version) &&
         r.Str0_255(out.firmware) && r.Str0_255(out.device_id) && r.done();
}

bool ParseSetupConnectionSuccess(ByteSpan payload, SetupConnectionSuccess& out) {
  Reader r(payload);
  return r.U16(out.used_version) && r.U32(out.flags) && r.done();
}

bool ParseSetupConnectionError(ByteSpan payload, SetupConnectionError& out) {
  Reader r(payload);
  return r.U32(out.flags) && r.Str0_255(out.error_code) && r.done();
}

bool LooksLikePlaintextSetupConnection(ByteSpan prefix) {
  const auto h = ParseFrameHeader(prefix);
  if (!h || prefix.size() < kFrameHeaderSize + 5) return false;
  // The smallest SetupConnection has 1+2+2+4+1+2+1+1+1+1 = 16 payload bytes; anything over a
  // few KiB is not a SetupConnection (five short strings).
  if (h->extension_type != 0 || h->msg_type != kSetupConnection || h->msg_length < 16 ||
      h->msg_length > 4096) {
    return false;
  }
  const uint8_t* p = prefix.data() + kFrameHeaderSize;
  return p[0] <= 2 && ReadLE16(p + 1) == 2 && ReadLE16(p + 3) == 2;
}

double ByteEntropy(ByteSpan data) {
  if (data.empty()) return 0.0;
  std::array<uint32_t, 256> counts{};
  for (uint8_t b : data) ++counts[b];
  double h = 0.0;
  const double n = double(data.size());
  for (uint32_t c : counts) {
    if (c == 0) continue;
    const double p = c / n;
    h -= p * std::log2(p);
  }
  return h;
}

}  // namespace mw::analyzers::sv2
