#include "chain/uint256.h"

#include <cmath>

#include "core/bytes.h"

namespace mw::chain {

U256 U256::FromLE(const Hash256& h) {
  U256 r;
  for (int i = 0; i < 4; ++i) {
    r.limbs_[i] = ReadLE64(h.data() + 8 * i);
  }
  return r;
}

Hash256 U256::ToLE() const {
  Hash256 h{};
  for (int i = 0; i < 4; ++i) WriteLE64(h.data() + 8 * i, limbs_[i]);
  return h;
}

U256 U256::Max() {
  U256 r;
  for (auto& l : r.limbs_) l = ~uint64_t{0};
  return r;
}

U256& U256::operator+=(const U256& o) {
  uint64_t carry = 0;
  for (int i = 0; i < 4; ++i) {
    const uint64_t a = limbs_[i];
    const uint64_t s = a + o.limbs_[i];
    const uint64_t c1 = s < a ? 1 : 0;
    limbs_[i] = s + carry;
    const uint64_t c2 = limbs_[i] < s ? 1 : 0;
    carry = c1 | c2;
  }
  return *this;
}

U256& U256::operator-=(const U256& o) {
  uint64_t borrow = 0;
  for (int i = 0; i < 4; ++i) {
    const uint64_t a = limbs_[i];
    const uint64_t d = a - o.limbs_[i];
    const uint64_t b1 = a < o.limbs_[i] ? 1 : 0;
    limbs_[i] = d - borrow;
    const uint64_t b2 = d < borrow ? 1 : 0;
    borrow = b1 | b2;
  }
  return *this;
}

U256& U256::operator<<=(unsigned bits) {
  if (bits >= 256) {
    limbs_ = {};
    return *this;
  }
  const unsigned words = bits / 64, rem = bits % 64;
  std::array<uint64_t, 4> out{};
  for (int i = 3; i >= 0; --i) {
    const int src = i - int(words);
    if (src < 0) continue;
    out[i] = limbs_[src] << rem;
    if (rem != 0 && src > 0) out[i] |= limbs_[src - 1] >> (64 - rem);
  }
  limbs_ = out;
  return *this;
}

U256& U256::operator>>=(unsigned bits) {
  if (bits >= 256) {
    limbs_ = {};
    return *this;
  }
  const unsigned words = bits / 64, rem = bits % 64;
  std::array<uint64_t, 4> out{};
  for (int i = 0; i < 4; ++i) {
    const int src = i + int(words);
    if (src > 3) continue;
    out[i] = limbs_[src] >> rem;
    if (rem != 0 && src < 3) out[i] |= limbs_[src + 1] << (64 - rem);
  }
  limbs_ = out;
  return *this;
}

U256 U256::MulU64(uint64_t m, bool* overflow) const {
  U256 r;
  uint64_t carry = 0;
  for (int i = 0; i < 4; ++i) {
    __extension__ using u128 = unsigned __int128;
    const u128 p = u128(limbs_[i]) * m + carry;
    r.limbs_[i] = uint64_t(p);
    carry = uint64_t(p >> 64);
  }
  if (overflow != nullptr) *overflow = carry != 0;
  return r;
}

U256 U256::Div(const U256& divisor) const {
  if (divisor.IsZero()) return Max();
  U256 quotient, remainder;
  for (int bit = int(Bits()) - 1; bit >= 0; --bit) {
    remainder <<= 1;
    if ((limbs_[bit / 64] >> (bit % 64)) & 1) remainder.limbs_[0] |= 1;
    if (remainder >= divisor) {
      remainder -= divisor;
      quotient.limbs_[bit / 64] |= uint64_t{1} << (bit % 64);
    }
  }
  return quotient;
}

std::strong_ordering operator<=>(const U256& a, const U256& b) {
  for (int i = 3; i >= 0; --i) {
    if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] <=> b.limbs_[i];
  }
  return std::strong_ordering::equal;
}

bool U256::IsZero() const { return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3]) == 0; }

unsigned U256::Bits() const {
  for (int i = 3; i >= 0; --i) {
    if (limbs_[i] != 0) return unsigned(64 * i + 64 - __builtin_clzll(limbs_[i]));
  }
  return 0;
}

std::string U256::ToHex() const {
  Hash256 le = ToLE();
  ReverseBytes(le);
  return mw::ToHex(le);
}

double U256::ToDouble() const {
  double r = 0;
  for (int i = 3; i >= 0; --i) r = r * 18446744073709551616.0 + double(limbs_[i]);
  return r;
}

}  // namespace mw::chain
