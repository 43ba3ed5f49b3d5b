#include "proto/sv2/sv2_frame.h"

#include <algorithm>

#include "proto/sv2/sv2_wire.h"

namespace mw::sv2 {

namespace {

uint32_t ReadLE24(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16; }

}  // namespace

Result<Bytes> EncodeFrame(uint16_t extension_type, uint8_t msg_type, ByteSpan payload) {
  if (payload.size() > kMaxPayload) return Status::OutOfRange("payload of 2^24 bytes or more");
  Bytes out(kHeaderBytes + payload.size());
  const auto n = static_cast<uint32_t>(payload.size());
  out[0] = static_cast<uint8_t>(extension_type);
  out[1] = static_cast<uint8_t>(extension_type >> 8);
  out[2] = msg_type;
  out[3] = static_cast<uint8_t>(n);
  out[4] = static_cast<uint8_t>(n >> 8);
  out[5] = static_cast<uint8_t>(n >> 16);
  std::copy(payload.begin(), payload.end(), out.begin() + kHeaderBytes);
  return out;
}

Result<FrameHeader> ParseHeader(ByteSpan bytes) {
  if (bytes.size() < kHeaderBytes) return Status::InvalidArgument("fewer than 6 header bytes");
  FrameHeader h;
  h.extension_type = ReadLE16(bytes.data());
  h.msg_type = bytes[2];
  h.msg_length = ReadLE24(bytes.data() + 3);
  return h;
}

void FrameSplitter::Append(ByteSpan bytes) {
  if (pos_ > 0 && pos_ >= buf_.size() / 2) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

Result<std::optional<Frame>> FrameSplitter::Next() {
  if (!error_.ok()) return error_;
  const ByteSpan avail = ByteSpan(buf_).subspan(pos_);
  if (avail.size() < kHeaderBytes) return std::optional<Frame>();
  MW_ASSIGN_OR_RETURN(FrameHeader h, ParseHeader(avail));
  if (h.msg_length > max_payload_) {
    error_ = Status::OutOfRange("sv2 frame payload of " + std::to_string(h.msg_length) +
                                " bytes exceeds the limit");
    return error_;
  }
  if (avail.size() - kHeaderBytes < h.msg_length) return std::optional<Frame>();
  Frame f;
  f.header = h;
  const auto* p = avail.data() + kHeaderBytes;
  f.payload.assign(p, p + h.msg_length);
  pos_ += kHeaderBytes + h.msg_length;
  return std::optional<Frame>(std::move(f));
}

Result<Bytes> EncodeSetupConnection(const SetupConnection& m) {
  Bytes out(1, m.protocol);
  wire::U16(out, m.min_version);
  wire::U16(out, m.max_version);
  wire::U32(out, m.flags);
  MW_RETURN_IF_ERROR(wire::Str0_255(out, m.endpoint_host, "endpoint_host"));
  wire::U16(out, m.endpoint_port);
  MW_RETURN_IF_ERROR(wire::Str0_255(out, m.vendor, "vendor"));
  MW_RETURN_IF_ERROR(wire::Str0_255(out, m.hardware_version, "hardware_version"));
  MW_RETURN_IF_ERROR(wire::Str0_255(out, m.firmware, "firmware"));
  MW_RETURN_IF_ERROR(wire::Str0_255(out, m.device_id, "device_id"));
  return out;
}

Result<SetupConnection> DecodeSetupConnection(ByteSpan payload) {
  wire::Reader r(payload);
  SetupConnection m;
  MW_ASSIGN_OR_RETURN(m.protocol, r.U8());
  if (m.protocol > 2) return Status::InvalidArgument("unknown protocol " + std::to_string(m.protocol));
  MW_ASSIGN_OR_RETURN(m.min_version, r.U16());
  MW_ASSIGN_OR_RETURN(m.max_version, r.U16());
  if (m.min_version > m.max_version) return Status::InvalidArgument("min_version > max_version");
  MW_ASSIGN_OR_RETURN(m.flags, r.U32());
  MW_ASSIGN_OR_RETURN(m.endpoint_host, r.Str0_255());
  MW_ASSIGN_OR_RETURN(m.endpoint_port, r.U16());
  MW_ASSIGN_OR_RETURN(m.vendor, r.Str0_255());
  MW_ASSIGN_OR_RETURN(m.hardware_version, r.Str0_255());
  MW_ASSIGN_OR_RETURN(m.firmware, r.Str0_255());
  MW_ASSIGN_OR_RETURN(m.device_id, r.Str0_255());
  MW_RETURN_IF_ERROR(r.Done());
  return m;
}

Bytes EncodeSetupConnectionSuccess(const SetupConnectionSuccess& m) {
  Bytes out;
  wire::U16(out, m.used_version);
  wire::U32(out, m.flags);
  return out;
}

Result<SetupConnectionSuccess> DecodeSetupConnectionSuccess(ByteSpan payload) {
  wire::Reader r(payload);
  SetupConnectionSuccess m;
  MW_ASSIGN_OR_RETURN(m.used_version, r.U16());
  MW_ASSIGN_OR_RETURN(m.flags, r.U32());
  MW_RETURN_IF_ERROR(r.Done());
  return m;
}

Result<Bytes> EncodeSetupConnectionError(const SetupConnectionError& m) {
  Bytes out;
  wire::U32(out, m.flags);
  MW_RETURN_IF_ERROR(wire::Str0_255(out, m.error_code, "error_code"));
  return out;
}

Result<SetupConnectionError> DecodeSetupConnectionError(ByteSpan payload) {
  wire::Reader r(payload);
  SetupConnectionError m;
  MW_ASSIGN_OR_RETURN(m.flags, r.U32());
  MW_ASSIGN_OR_RETURN(m.error_code, r.Str0_255());
  MW_RETURN_IF_ERROR(r.Done());
  return m;
}

bool LooksLikePlaintextSetupConnection(ByteSpan b) {
  if (b.size() < kHeaderBytes + 5) return false;
  if (b[0] != 0 || b[1] != 0 || b[2] != kSetupConnection) return false;
  const uint32_t len = ReadLE24(b.data() + 3);
  // protocol(1) + versions(4) + flags(4) + host(1+) + port(2) + 4 strings(1+ each), and at
  // most five strings of 255 bytes.
  if (len < 16 || len > 5 * 256 + 11) return false;
  return b[6] <= 2 && ReadLE16(b.data() + 7) == 2 && ReadLE16(b.data() + 9) == 2;
}

}  // namespace mw::sv2
