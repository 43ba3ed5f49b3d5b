#include "core/sha256.h"

#include <openssl/sha.h>

#include <algorithm>

namespace mw {

Hash256 Sha256(ByteSpan data) {
  Hash256 out;
  SHA256(data.data(), data.size(), out.data());
  return out;
}

Hash256 Sha256d(ByteSpan data) {
  Hash256 first = Sha256(data);
  return Sha256(first);
}

Hash256 Sha256dPair(const Hash256& left, const Hash256& right) {
  uint8_t buf[64];
  std::copy(left.begin(), left.end(), buf);
  std::copy(right.begin(), right.end(), buf + 32);
  return Sha256d(ByteSpan(buf, 64));
}

std::string ToDisplayHex(const Hash256& h) {
  Hash256 r = h;
  std::reverse(r.begin(), r.end());
  return ToHex(r);
}

Result<Hash256> Hash256FromHex(std::string_view hex) {
  MW_ASSIGN_OR_RETURN(Bytes b, FromHexExact(hex, 32));
  Hash256 h;
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}

Result<Hash256> FromDisplayHex(std::string_view hex) {
  MW_ASSIGN_OR_RETURN(Hash256 h, Hash256FromHex(hex));
  std::reverse(h.begin(), h.end());
  return h;
}

}  // namespace mw
