#include "intel/snapshot_format.h"

#include <algorithm>
#include <cstring>

namespace mw::intel::format {
namespace {

constexpr uint64_t kP1 = 0x9e3779b185ebca87ull;
constexpr uint64_t kP2 = 0xc2b2ae3d27d4eb4full;

uint64_t Rotl(uint64_t v, int r) { return (v << r) | (v >> (64 - r)); }

uint64_t Word(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // little-endian hosts only (checked by the loader)
}

}  // namespace

uint64_t Checksum64(const uint8_t* data, size_t size) {
  uint64_t lane[4] = {kP1, kP2, kP1 ^ 0x5555, kP2 ^ 0xaaaa};
  size_t i = 0;
  for (; i + 32 <= size; i += 32) {
    for (int k = 0; k < 4; ++k) {
      lane[k] = Rotl((lane[k] ^ Word(data + i + 8 * size_t(k))) * kP1, 31);
    }
  }
  uint64_t h = uint64_t(size) * kP2;
  for (int k = 0; k < 4; ++k) h = Rotl(h ^ (lane[k] * kP2), 27) * kP1;
  for (; i + 8 <= size; i += 8) h = Rotl(h ^ (Word(data + i) * kP2), 27) * kP1;
  for (; i < size; ++i) h = Rotl(h ^ (uint64_t(data[i]) * kP1), 11) * kP2;
  h ^= h >> 29;
  h *= kP2;
  h ^= h >> 32;
  return h;
}

uint64_t HashName(std::string_view lower_name, uint32_t seed) {
  char padded[kMaxKeyLength + 9] = {};
  const size_t n = std::min(lower_name.size(), kMaxKeyLength);
  std::memcpy(padded, lower_name.data(), n);
  uint64_t state = SeedState(seed);
  size_t end = n;
  for (size_t i = n; i > 0; --i) {
    if (padded[i - 1] != '.') continue;
    state = ChainLabel(state, LabelHash(padded + i, end - i));
    end = i - 1;
  }
  state = ChainLabel(state, LabelHash(padded, end));
  return FinishSuffix(state, n);
}

}  // namespace mw::intel::format
