#include "core/sha256.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "core/sha256_compress.h"

namespace mw {

namespace {

using CompressFn = void (*)(uint32_t state[8], const uint8_t block[64]);

// Chosen once: SHA-NI where the CPU has it.
CompressFn Compressor() {
  static const CompressFn fn =
      sha256::CpuHasShaNi() ? &sha256::CompressShaNi : &sha256::CompressPortable;
  return fn;
}

}  // namespace

// On our own compression function rather than OpenSSL's EVP_Digest: for the short inputs this
// code base hashes (event ids, headers, transactions), EVP_Digest's context set-up and
// algorithm lookup cost about ten times the hashing itself. Tests compare the two.
Hash256 Sha256(ByteSpan data) {
  const CompressFn compress = Compressor();
  uint32_t state[8];
  std::copy(std::begin(sha256::kInitState), std::end(sha256::kInitState), state);
  const size_t full = data.size() / 64 * 64;
  for (size_t off = 0; off < full; off += 64) compress(state, data.data() + off);
  // The rest, 0x80, zeros, and the length in bits (big-endian) in one or two blocks.
  uint8_t tail[128] = {};
  const size_t rest = data.size() - full;
  if (rest > 0) std::memcpy(tail, data.data() + full, rest);
  tail[rest] = 0x80;
  const size_t tail_len = rest < 56 ? 64 : 128;
  const uint64_t bits = uint64_t(data.size()) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 1 - i] = uint8_t(bits >> (8 * i));
  compress(state, tail);
  if (tail_len == 128) compress(state, tail + 64);
  Hash256 out;
  for (int i = 0; i < 8; ++i) {
    out[4 * i] = uint8_t(state[i] >> 24);
    out[4 * i + 1] = uint8_t(state[i] >> 16);
    out[4 * i + 2] = uint8_t(state[i] >> 8);
    out[4 * i + 3] = uint8_t(state[i]);
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
