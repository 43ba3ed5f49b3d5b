// SV2 plaintext framing on arbitrary bytes: split into frames (two chunks), decode the setup and
// mining messages, and check that a decoded message re-encodes to the same payload bytes.
#include <algorithm>
#include <cstdint>

#include "proto/sv2/sv2_frame.h"
#include "proto/sv2/sv2_mining.h"

namespace {

// A payload that decodes must encode back to itself (the frame's header bytes aside).
template <typename Decoded>
void SameAfterRoundTrip(const Decoded& m, const mw::Bytes& payload) {
  if (!m.ok()) return;
  auto again = mw::sv2::EncodeFrame(*m);
  if (!again.ok() || again->size() != mw::sv2::kHeaderBytes + payload.size() ||
      !std::equal(payload.begin(), payload.end(), again->begin() + mw::sv2::kHeaderBytes)) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mw::sv2;
  const mw::ByteSpan in(data, size);
  (void)LooksLikePlaintextSetupConnection(in);
  FrameSplitter splitter(1 << 16);
  const size_t cut = size == 0 ? 0 : data[0] % (size + 1);
  splitter.Append(in.first(cut));
  for (int pass = 0; pass < 2; ++pass) {
    while (true) {
      auto f = splitter.Next();
      if (!f.ok() || !f->has_value()) break;
      const Frame& frame = **f;
      if (frame.payload.size() != frame.header.msg_length) __builtin_trap();
      if (auto m = DecodeSetupConnection(frame.payload); m.ok()) {
        auto again = EncodeSetupConnection(*m);
        if (!again.ok() || *again != frame.payload) __builtin_trap();
      }
      if (auto m = DecodeSetupConnectionSuccess(frame.payload); m.ok()) {
        if (EncodeSetupConnectionSuccess(*m) != frame.payload) __builtin_trap();
      }
      if (auto m = DecodeSetupConnectionError(frame.payload); m.ok()) {
        auto again = EncodeSetupConnectionError(*m);
        if (!again.ok() || *again != frame.payload) __builtin_trap();
      }
      const mw::Bytes& p = frame.payload;
      SameAfterRoundTrip(DecodeOpenStandardMiningChannel(p), p);
      SameAfterRoundTrip(DecodeOpenStandardMiningChannelSuccess(p), p);
      SameAfterRoundTrip(DecodeOpenMiningChannelError(p), p);
      SameAfterRoundTrip(DecodeNewMiningJob(p), p);
      SameAfterRoundTrip(DecodeSetNewPrevHash(p), p);
      SameAfterRoundTrip(DecodeSetTarget(p), p);
      SameAfterRoundTrip(DecodeSubmitSharesStandard(p), p);
      SameAfterRoundTrip(DecodeSubmitSharesSuccess(p), p);
      SameAfterRoundTrip(DecodeSubmitSharesError(p), p);
      auto encoded = EncodeFrame(frame.header.extension_type, frame.header.msg_type, frame.payload);
      if (!encoded.ok() || encoded->size() != kHeaderBytes + frame.payload.size()) __builtin_trap();
    }
    if (pass == 0) splitter.Append(in.subspan(cut));
  }
  return 0;
}
