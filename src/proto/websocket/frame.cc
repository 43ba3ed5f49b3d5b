#include "proto/websocket/frame.h"

#include <openssl/rand.h>

#include <algorithm>

namespace mw::websocket {

namespace {

bool KnownOpcode(uint8_t op) {
  return op == 0x0 || op == 0x1 || op == 0x2 || op == 0x8 || op == 0x9 || op == 0xA;
}

// RFC 6455 section 7.4: codes a peer may send in a close frame.
bool ValidCloseCode(uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}

}  // namespace

void ApplyMask(std::span<uint8_t> data, const MaskKey& key, size_t offset) {
  for (size_t i = 0; i < data.size(); ++i) data[i] ^= key[(i + offset) & 3];
}

Bytes EncodeFrame(Opcode op, ByteSpan payload, bool fin, std::optional<MaskKey> mask) {
  Bytes out;
  out.reserve(payload.size() + 14);
  out.push_back(static_cast<uint8_t>((fin ? 0x80 : 0x00) | static_cast<uint8_t>(op)));
  const uint8_t mask_bit = mask ? 0x80 : 0x00;
  const uint64_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<uint8_t>(mask_bit | n));
  } else if (n <= 0xFFFF) {
    out.push_back(mask_bit | 126);
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
  } else {
    out.push_back(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(n >> shift));
  }
  if (mask) out.insert(out.end(), mask->begin(), mask->end());
  const size_t start = out.size();
  out.insert(out.end(), payload.begin(), payload.end());
  if (mask) ApplyMask(std::span<uint8_t>(out).subspan(start), *mask);
  return out;
}

Bytes EncodeClientFrame(Opcode op, ByteSpan payload) {
  MaskKey key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    key = {0x37, 0xfa, 0x21, 0x3d};  // masking guards proxies, not secrets; any key is valid
  }
  return EncodeFrame(op, payload, /*fin=*/true, key);
}

Bytes EncodeServerFrame(Opcode op, ByteSpan payload) {
  return EncodeFrame(op, payload, /*fin=*/true, std::nullopt);
}

Bytes ClosePayload(uint16_t code, std::string_view reason) {
  // Assembled in a string: GCC 12 warns falsely on small vector writes here.
  std::string raw;
  raw.push_back(static_cast<char>(code >> 8));
  raw.push_back(static_cast<char>(code & 0xFF));
  raw.append(reason);
  const ByteSpan b = AsBytes(raw);
  return Bytes(b.begin(), b.end());
}

void FrameDecoder::Append(ByteSpan bytes) {
  if (pos_ > 0 && pos_ >= buf_.size() / 2) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

Result<std::optional<WsMessage>> FrameDecoder::Fail(std::string why) {
  error_ = Status::InvalidArgument("websocket: " + why);
  return error_;
}

Result<std::optional<WsMessage>> FrameDecoder::Next() {
  while (true) {
    if (!error_.ok()) return error_;
    const size_t avail = buf_.size() - pos_;
    if (avail < 2) return std::optional<WsMessage>();
    const uint8_t* p = buf_.data() + pos_;
    const bool fin = (p[0] & 0x80) != 0;
    if ((p[0] & 0x70) != 0) return Fail("reserved bits set (no extension was negotiated)");
    const uint8_t op_bits = p[0] & 0x0F;
    if (!KnownOpcode(op_bits)) return Fail("unknown opcode " + std::to_string(op_bits));
    const auto op = static_cast<Opcode>(op_bits);
    const bool masked = (p[1] & 0x80) != 0;
    if (masked && policy_ == MaskPolicy::kRequireUnmasked) return Fail("masked server frame");
    if (!masked && policy_ == MaskPolicy::kRequireMasked) return Fail("unmasked client frame");
    const uint8_t len7 = p[1] & 0x7F;
    size_t header = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
    if (avail < header) return std::optional<WsMessage>();
    uint64_t len = len7;
    if (len7 == 126) {
      len = ReadBE16(p + 2);
    } else if (len7 == 127) {
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
      if ((len >> 63) != 0) return Fail("64-bit length with the top bit set");
    }
    if (IsControl(op)) {
      if (!fin) return Fail("fragmented control frame");
      if (len > 125) return Fail("control frame longer than 125 bytes");
    } else {
      if (len > limits_.max_frame_payload) return Fail("frame larger than the limit");
      const size_t so_far = in_message_ ? partial_.payload.size() : 0;
      if (so_far + len > limits_.max_message_payload) return Fail("message larger than the limit");
      if (op == Opcode::kContinuation && !in_message_) return Fail("continuation without a start");
      if (op != Opcode::kContinuation && in_message_) {
        return Fail("new data frame inside a fragmented message");
      }
    }
    if (avail - header < len) return std::optional<WsMessage>();

    MaskKey key{};
    if (masked) std::copy(p + header - 4, p + header, key.begin());
    Bytes payload(p + header, p + header + len);
    if (masked) ApplyMask(payload, key);
    pos_ += header + static_cast<size_t>(len);
    ++frames_;

    if (IsControl(op)) {
      WsMessage m;
      m.opcode = op;
      m.was_masked = masked;
      if (op == Opcode::kClose) {
        if (payload.size() == 1) return Fail("close payload of one byte");
        m.close_code = payload.empty() ? 1005 : ReadBE16(payload.data());
        if (!payload.empty() && !ValidCloseCode(m.close_code)) {
          return Fail("invalid close code " + std::to_string(m.close_code));
        }
      }
      m.payload = std::move(payload);
      return std::optional<WsMessage>(std::move(m));
    }
    if (op == Opcode::kContinuation) {
      partial_.payload.insert(partial_.payload.end(), payload.begin(), payload.end());
    } else {
      partial_ = WsMessage{};
      partial_.opcode = op;
      partial_.was_masked = masked;
      partial_.payload = std::move(payload);
    }
    if (fin) {
      in_message_ = false;
      return std::optional<WsMessage>(std::move(partial_));
    }
    in_message_ = true;
  }
}

}  // namespace mw::websocket
