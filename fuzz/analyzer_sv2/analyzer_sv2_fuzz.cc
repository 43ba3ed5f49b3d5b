// The SV2 handshake classifier and plaintext frame following on arbitrary bytes (frame and setup
// decoding itself: fuzz/sv2_frame).
// Segment sizes are the evidence here, so the input is a list of segments:
//   repeat { U16 LE: bit 15 = server->client, bits 0..14 = length } { length bytes }
// one second apart (a short final segment takes what is left).
#include <cmath>
#include <cstdint>

#include "analyzers/sv2/sv2_analyzer.h"
#include "analyzers/sv2/byte_entropy.h"

using namespace mw::analyzers;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mw::ByteSpan all(data, size);
  const double h = sv2::ByteEntropy(all);
  if (h < 0 || h > 8.0000001) __builtin_trap();

  sv2::Sv2Analyzer analyzer;
  size_t pos = 0;
  int64_t t = 0;
  while (size - pos >= 2) {
    const uint16_t header = mw::ReadLE16(data + pos);
    pos += 2;
    const size_t len = std::min<size_t>(header & 0x7fff, size - pos);
    const Direction dir = (header & 0x8000) ? Direction::kToClient : Direction::kToServer;
    analyzer.Feed(dir, all.subspan(pos, len), t);
    (void)analyzer.TakeEvents();
    pos += len;
    t += 1000000;
  }
  const double p = analyzer.features().periodicity();
  if (!(p >= 0 && p <= 1) || std::isnan(analyzer.features().share_intervals.mean_s())) {
    __builtin_trap();
  }
  return 0;
}
