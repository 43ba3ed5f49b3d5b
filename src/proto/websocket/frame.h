// RFC 6455 data framing: an encoder and an incremental decoder.
//
// Frame layout: FIN|RSV1-3|opcode (1 byte), MASK|len7 (1 byte), then a 16-bit (len7 = 126) or
// 64-bit (len7 = 127) big-endian length, then a 4-byte masking key when MASK is set, then the
// payload (XORed with the key when masked). Clients mask every frame; servers never do.
//
// FrameDecoder is a value owned by one connection direction; not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/status.h"

namespace mw::websocket {

enum class Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};
inline bool IsControl(Opcode op) { return (static_cast<uint8_t>(op) & 0x8) != 0; }

using MaskKey = std::array<uint8_t, 4>;

// One frame. `mask` set: the payload is masked with it (client frames). Control frames must have
// fin = true and at most 125 payload bytes (not checked here; the decoder enforces it).
Bytes EncodeFrame(Opcode op, ByteSpan payload, bool fin, std::optional<MaskKey> mask);
// A whole message as a client sends it: one frame, FIN, masked with a random key (RAND_bytes).
Bytes EncodeClientFrame(Opcode op, ByteSpan payload);
// A whole message as a server sends it: one frame, FIN, unmasked.
Bytes EncodeServerFrame(Opcode op, ByteSpan payload);
// Close frame payload: 2-byte big-endian status code followed by a UTF-8 reason.
Bytes ClosePayload(uint16_t code, std::string_view reason);

// XORs `data` with the key, starting at key byte `offset % 4`.
void ApplyMask(std::span<uint8_t> data, const MaskKey& key, size_t offset = 0);

// What the decoder yields: a complete data message (fragments joined) or one control frame.
struct WsMessage {
  Opcode opcode = Opcode::kText;  // kText / kBinary for data, kClose / kPing / kPong for control
  Bytes payload;                  // unmasked
  bool was_masked = false;        // the (first) frame carried a mask
  // kClose only: the status code (1005 "no status" when the payload is empty).
  uint16_t close_code = 0;
};

enum class MaskPolicy : uint8_t {
  kRequireMasked,    // a server reading client frames
  kRequireUnmasked,  // a client reading server frames
  kAny,              // a sensor reading either direction
};

struct DecoderLimits {
  size_t max_frame_payload = 1 << 20;    // bytes in one frame
  size_t max_message_payload = 1 << 20;  // bytes of a reassembled message
};

class FrameDecoder {
 public:
  explicit FrameDecoder(MaskPolicy policy, DecoderLimits limits = {})
      : policy_(policy), limits_(limits) {}

  // Buffers more bytes from the stream.
  void Append(ByteSpan bytes);
  // The next complete message or control frame; nullopt when more bytes are needed. Errors are
  // sticky: after the first, every call returns the same error (the connection must be closed,
  // RFC 6455 section 7.1.7). Reasons: reserved bits set, unknown opcode, mask policy violated,
  // fragmented or over-long control frame, continuation without a start, a new data frame inside
  // a fragmented message, 64-bit length with the top bit set, frame or message over the limits,
  // a close payload of 1 byte or with an invalid code.
  Result<std::optional<WsMessage>> Next();

  size_t buffered() const { return buf_.size() - pos_; }
  uint64_t frames() const { return frames_; }
  bool failed() const { return !error_.ok(); }

 private:
  Result<std::optional<WsMessage>> Fail(std::string why);

  MaskPolicy policy_;
  DecoderLimits limits_;
  Bytes buf_;
  size_t pos_ = 0;
  // Fragmented data message in progress.
  bool in_message_ = false;
  WsMessage partial_;
  uint64_t frames_ = 0;
  Status error_;
};

}  // namespace mw::websocket
