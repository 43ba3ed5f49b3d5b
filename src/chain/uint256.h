// U256: the small unsigned 256-bit arithmetic the chain needs for targets and chain work.
//
// Values are plain copyable data (no allocation). Conversions to and from Hash256 use the
// little-endian reading of core/target.h (byte 0 is the least significant). Arithmetic wraps
// modulo 2^256 like unsigned integers; callers that care check for overflow themselves.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>

#include "core/sha256.h"

namespace mw::chain {

class U256 {
 public:
  U256() = default;
  explicit U256(uint64_t v) { limbs_[0] = v; }

  static U256 FromLE(const Hash256& h);  // little-endian bytes (targets, hashes)
  Hash256 ToLE() const;
  static U256 Max();                      // 2^256 - 1

  U256& operator+=(const U256& o);
  U256& operator-=(const U256& o);
  U256& operator<<=(unsigned bits);
  U256& operator>>=(unsigned bits);
  friend U256 operator+(U256 a, const U256& b) { return a += b; }
  friend U256 operator-(U256 a, const U256& b) { return a -= b; }
  friend U256 operator<<(U256 a, unsigned s) { return a <<= s; }
  friend U256 operator>>(U256 a, unsigned s) { return a >>= s; }
  // Multiplication by a 64-bit factor; `overflow` (optional) is set when the result wrapped.
  U256 MulU64(uint64_t m, bool* overflow = nullptr) const;
  // Division; divisor zero is a caller bug and returns Max().
  U256 Div(const U256& divisor) const;
  U256 DivU64(uint64_t d) const { return Div(U256(d)); }

  friend std::strong_ordering operator<=>(const U256& a, const U256& b);
  friend bool operator==(const U256& a, const U256& b) = default;

  bool IsZero() const;
  unsigned Bits() const;            // index of the highest set bit + 1 (0 for zero)
  uint64_t Low64() const { return limbs_[0]; }
  // 64 hex digits, most significant first (how RPC prints chain work).
  std::string ToHex() const;
  // Approximation as a double (for logs and difficulty displays).
  double ToDouble() const;

 private:
  std::array<uint64_t, 4> limbs_{};  // limbs_[0] least significant
};

}  // namespace mw::chain
