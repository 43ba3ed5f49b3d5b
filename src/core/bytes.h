// Byte buffers, hex, and little/big-endian integer helpers.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace mw {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

// Lower-case hex of the bytes, in the order given.
std::string ToHex(ByteSpan bytes);
// Parses hex (either case, no prefix, no spaces). Errors name the offending position.
Result<Bytes> FromHex(std::string_view hex);
// Parses hex that must decode to exactly `n` bytes.
Result<Bytes> FromHexExact(std::string_view hex, size_t n);
// True when every character is a hex digit (empty counts as hex).
bool IsHex(std::string_view s);

inline ByteSpan AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsString(ByteSpan b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

inline uint32_t ReadLE32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
inline uint32_t ReadBE32(const uint8_t* p) {
  return uint32_t(p[3]) | uint32_t(p[2]) << 8 | uint32_t(p[1]) << 16 | uint32_t(p[0]) << 24;
}
inline uint64_t ReadLE64(const uint8_t* p) {
  return uint64_t(ReadLE32(p)) | uint64_t(ReadLE32(p + 4)) << 32;
}
inline uint16_t ReadLE16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
inline uint16_t ReadBE16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline void WriteLE32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v); p[1] = uint8_t(v >> 8); p[2] = uint8_t(v >> 16); p[3] = uint8_t(v >> 24);
}
inline void WriteBE32(uint8_t* p, uint32_t v) {
  p[3] = uint8_t(v); p[2] = uint8_t(v >> 8); p[1] = uint8_t(v >> 16); p[0] = uint8_t(v >> 24);
}
inline void WriteLE64(uint8_t* p, uint64_t v) {
  WriteLE32(p, uint32_t(v));
  WriteLE32(p + 4, uint32_t(v >> 32));
}

inline void AppendLE32(Bytes& out, uint32_t v) {
  uint8_t b[4]; WriteLE32(b, v); out.insert(out.end(), b, b + 4);
}
inline void AppendLE64(Bytes& out, uint64_t v) {
  uint8_t b[8]; WriteLE64(b, v); out.insert(out.end(), b, b + 8);
}
inline void Append(Bytes& out, ByteSpan b) { out.insert(out.end(), b.begin(), b.end()); }

// Reverses byte order in place (display order <-> internal order of hashes).
void ReverseBytes(std::span<uint8_t> b);
// Byte-swaps each 4-byte word (Stratum V1 prevhash <-> header order).
void SwapWords32(std::span<uint8_t> b);

}  // namespace mw
