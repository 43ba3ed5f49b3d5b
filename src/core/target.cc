#include "core/target.h"

#include <cmath>
#include <limits>

namespace mw {
namespace {

// 0xFFFF * 2^208
const long double kDiff1 = std::ldexp(static_cast<long double>(0xFFFF), 208);

}  // namespace

Result<Hash256> TargetFromCompact(uint32_t bits) {
  const uint32_t exponent = bits >> 24;
  uint32_t mantissa = bits & 0x007fffff;
  if ((bits & 0x00800000) && mantissa != 0) {
    return Status::InvalidArgument("compact target is negative");
  }
  Hash256 t{};
  if (exponent <= 3) {
    mantissa >>= 8 * (3 - exponent);
    t[0] = uint8_t(mantissa);
    t[1] = uint8_t(mantissa >> 8);
    t[2] = uint8_t(mantissa >> 16);
  } else {
    const uint32_t shift = exponent - 3;  // in bytes
    for (int i = 0; i < 3; ++i) {
      const uint8_t byte = uint8_t(mantissa >> (8 * i));
      const uint32_t pos = shift + uint32_t(i);
      if (pos >= 32) {
        if (byte != 0) return Status::InvalidArgument("compact target overflows 256 bits");
        continue;
      }
      t[pos] = byte;
    }
  }
  bool zero = true;
  for (uint8_t b : t) zero = zero && b == 0;
  if (zero) return Status::InvalidArgument("compact target is zero");
  return t;
}

uint32_t CompactFromTarget(const Hash256& target) {
  int size = 32;
  while (size > 0 && target[size - 1] == 0) --size;
  if (size == 0) return 0;
  uint32_t mantissa = 0;
  for (int i = 0; i < 3; ++i) {
    const int pos = size - 1 - i;
    mantissa = (mantissa << 8) | (pos >= 0 ? target[pos] : 0);
  }
  // The sign bit must stay clear: shift one byte more.
  if (mantissa & 0x00800000) {
    mantissa >>= 8;
    ++size;
  }
  return (uint32_t(size) << 24) | mantissa;
}

long double HashToLongDouble(const Hash256& h) {
  long double v = 0;
  for (int i = 31; i >= 0; --i) v = v * 256.0L + h[i];
  return v;
}

double DifficultyFromHash(const Hash256& hash) {
  const long double v = HashToLongDouble(hash);
  if (v == 0) return std::numeric_limits<double>::infinity();
  return static_cast<double>(kDiff1 / v);
}

double DifficultyFromTarget(const Hash256& target) { return DifficultyFromHash(target); }

Hash256 TargetFromDifficulty(double difficulty) {
  Hash256 out{};
  long double t = kDiff1 / static_cast<long double>(difficulty);
  const long double max = std::ldexp(1.0L, 256);
  if (!(t < max)) {
    out.fill(0xff);
    return out;
  }
  if (t < 1) t = 1;
  for (int i = 31; i >= 0; --i) {
    long double scaled = std::floor(std::ldexp(t, -8 * i));
    if (scaled > 255) scaled = 255;
    if (scaled < 0) scaled = 0;
    out[i] = static_cast<uint8_t>(scaled);
    t -= std::ldexp(scaled, 8 * i);
  }
  return out;
}

}  // namespace mw
