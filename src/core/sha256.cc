#include "core/sha256.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>

namespace mw {

namespace {

// OpenSSL's one-shot SHA256() looks the implementation up by name on every call, which is most
// of its cost on short inputs (335 ns against 153 ns for 80 bytes here). Fetched once; the
// handle never changes (and is never freed: it lives as long as the process).
const EVP_MD* FetchedSha256() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

Hash256 Sha256(ByteSpan data) {
  Hash256 out;
  const EVP_MD* md = FetchedSha256();
  unsigned int len = 0;
  if (md == nullptr || EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1 ||
      len != out.size()) {
    SHA256(data.data(), data.size(), out.data());
  }
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
