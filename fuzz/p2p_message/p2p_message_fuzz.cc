// The lab P2P decoder on arbitrary bytes: a stream split into frames, each frame decoded into a
// message. Mode byte bit 0 chooses between a raw stream (magic/checksum errors) and a payload
// wrapped in a valid frame for a chosen command (so payload decoders get reached). Every decoded
// message must re-encode to exactly the payload it came from (decoding is strict/canonical).
#include <algorithm>
#include <cstdint>
#include <string_view>

#include "lab/p2p/message.h"

namespace {

constexpr std::string_view kCommands[] = {"version", "verack", "ping", "pong", "inv", "getdata",
                                          "notfound", "getheaders", "headers", "tx", "block"};

void CheckFrame(const mw::lab::p2p::Frame& frame) {
  auto decoded = mw::lab::p2p::DecodeMessage(frame);
  if (auto* m = std::get_if<mw::lab::p2p::Message>(&decoded)) {
    if (mw::lab::p2p::CommandOf(*m) != frame.command) __builtin_trap();
    if (mw::lab::p2p::EncodePayload(*m) != frame.payload) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  mw::ByteSpan rest(data + 1, size - 1);
  mw::lab::p2p::FrameDecoder decoder;
  if (mode & 1) {
    const std::string_view command = kCommands[(mode >> 1) % std::size(kCommands)];
    mw::Bytes wire = mw::lab::p2p::EncodeFrame(command, rest);
    decoder.Feed(wire);
  } else {
    // Feed in chunks of 1..16 bytes (from the mode byte) to exercise reassembly.
    const size_t chunk = 1 + (mode >> 4);
    for (size_t off = 0; off < rest.size(); off += chunk) {
      decoder.Feed(rest.subspan(off, std::min(chunk, rest.size() - off)));
      while (auto frame = decoder.Next()) CheckFrame(*frame);
    }
  }
  while (auto frame = decoder.Next()) CheckFrame(*frame);
  if (decoder.buffered() > mw::lab::p2p::kFrameHeaderBytes + mw::lab::p2p::kMaxPayloadBytes + size) {
    __builtin_trap();
  }
  return 0;
}
