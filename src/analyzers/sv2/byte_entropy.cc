#include "analyzers/sv2/byte_entropy.h"

#include <array>
#include <cmath>
#include <cstdint>

namespace mw::analyzers::sv2 {

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
