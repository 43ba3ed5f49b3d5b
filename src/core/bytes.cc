#include "core/bytes.h"

#include <algorithm>

namespace mw {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string ToHex(ByteSpan bytes) {
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kHexDigits[bytes[i] & 0xf];
  }
  return out;
}

Result<Bytes> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Status::InvalidArgument("odd number of hex digits (" + std::to_string(hex.size()) + ")");
  }
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      size_t pos = hi < 0 ? 2 * i : 2 * i + 1;
      return Status::InvalidArgument("not a hex digit at position " + std::to_string(pos));
    }
    out[i] = uint8_t(hi << 4 | lo);
  }
  return out;
}

Result<Bytes> FromHexExact(std::string_view hex, size_t n) {
  MW_ASSIGN_OR_RETURN(Bytes b, FromHex(hex));
  if (b.size() != n) {
    return Status::InvalidArgument("expected " + std::to_string(n) + " bytes, got " +
                                   std::to_string(b.size()));
  }
  return b;
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return HexValue(c) >= 0; });
}

void ReverseBytes(std::span<uint8_t> b) { std::reverse(b.begin(), b.end()); }

void SwapWords32(std::span<uint8_t> b) {
  for (size_t i = 0; i + 4 <= b.size(); i += 4) {
    std::swap(b[i], b[i + 3]);
    std::swap(b[i + 1], b[i + 2]);
  }
}

}  // namespace mw
