// WebSocket framing on arbitrary bytes. The first byte picks the mask policy and a chunk-size
// seed; the rest is fed to FrameDecoder in chunks of varying size. Properties: the decoder never
// yields more payload than it was given, messages respect the limits, errors are sticky, and a
// decoded data message re-encoded as one frame decodes to the same payload. The same bytes are
// also parsed as an opening handshake.
#include <algorithm>
#include <cstdint>
#include <string_view>

#include "proto/websocket/frame.h"
#include "proto/websocket/handshake.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mw::websocket;
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (HandshakeLength(text) != 0) {
    (void)ParseClientHandshake(text);
    (void)CheckServerHandshake(text, "dGhlIHNhbXBsZSBub25jZQ==");
  }

  const uint8_t control = data[0];
  const MaskPolicy policy = static_cast<MaskPolicy>(control % 3);
  DecoderLimits limits{4096, 8192};
  FrameDecoder decoder(policy, limits);
  size_t chunk = 1 + (control >> 2);
  size_t fed = 1;
  size_t yielded = 0;
  bool failed = false;
  while (fed < size) {
    const size_t n = std::min(chunk, size - fed);
    decoder.Append(mw::ByteSpan(data + fed, n));
    fed += n;
    chunk = (chunk * 7 + 3) % 61 + 1;
    while (true) {
      auto m = decoder.Next();
      if (!m.ok()) {
        failed = true;
        if (decoder.Next().ok()) __builtin_trap();  // sticky
        break;
      }
      if (!m->has_value()) break;
      const WsMessage& msg = **m;
      yielded += msg.payload.size();
      if (yielded > fed) __builtin_trap();
      if (IsControl(msg.opcode)) {
        if (msg.payload.size() > 125) __builtin_trap();
        continue;
      }
      if (msg.payload.size() > limits.max_message_payload) __builtin_trap();
      // Re-encode as a single frame, masked or not, and decode again.
      const mw::Bytes again = msg.was_masked ? EncodeClientFrame(msg.opcode, msg.payload)
                                             : EncodeServerFrame(msg.opcode, msg.payload);
      FrameDecoder check(MaskPolicy::kAny, limits);
      check.Append(again);
      auto back = check.Next();
      if (!back.ok() || !back->has_value() || (**back).payload != msg.payload ||
          (**back).opcode != msg.opcode) {
        __builtin_trap();
      }
    }
    if (failed) break;
  }
  return 0;
}
