#include "intel/punycode.h"

#include <array>
#include <cstdint>

namespace mw::intel {
namespace {

// RFC 3492 section 5 parameters.
constexpr uint32_t kBase = 36;
constexpr uint32_t kTMin = 1;
constexpr uint32_t kTMax = 26;
constexpr uint32_t kSkew = 38;
constexpr uint32_t kDamp = 700;
constexpr uint32_t kInitialBias = 72;
constexpr uint32_t kInitialN = 128;
constexpr uint32_t kMaxInt = 0xFFFFFFFFu;

char Digit(uint32_t d) { return d < 26 ? char('a' + d) : char('0' + (d - 26)); }

// RFC 3492 section 6.1.
uint32_t Adapt(uint32_t delta, uint32_t num_points, bool first_time) {
  delta = first_time ? delta / kDamp : delta / 2;
  delta += delta / num_points;
  uint32_t k = 0;
  while (delta > ((kBase - kTMin) * kTMax) / 2) {
    delta /= kBase - kTMin;
    k += kBase;
  }
  return k + (kBase - kTMin + 1) * delta / (delta + kSkew);
}

}  // namespace

std::optional<size_t> DecodeUtf8(std::string_view in, std::span<char32_t> out) {
  size_t n = 0;
  size_t i = 0;
  while (i < in.size()) {
    const auto b0 = static_cast<uint8_t>(in[i]);
    char32_t cp;
    size_t len;
    if (b0 < 0x80) {
      cp = b0;
      len = 1;
    } else if ((b0 & 0xE0) == 0xC0) {
      cp = b0 & 0x1F;
      len = 2;
    } else if ((b0 & 0xF0) == 0xE0) {
      cp = b0 & 0x0F;
      len = 3;
    } else if ((b0 & 0xF8) == 0xF0) {
      cp = b0 & 0x07;
      len = 4;
    } else {
      return std::nullopt;
    }
    if (i + len > in.size()) return std::nullopt;
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<uint8_t>(in[i + k]);
      if ((b & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr std::array<char32_t, 5> kMinForLen = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLen[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return std::nullopt;
    }
    if (n == out.size()) return std::nullopt;
    out[n++] = cp;
    i += len;
  }
  return n;
}

std::optional<size_t> EncodePunycode(std::span<const char32_t> code_points, std::span<char> out) {
  size_t o = 0;
  auto put = [&](char c) {
    if (o == out.size()) return false;
    out[o++] = c;
    return true;
  };
  if (code_points.size() >= kMaxInt) return std::nullopt;
  const auto input_length = static_cast<uint32_t>(code_points.size());
  uint32_t basic = 0;
  for (char32_t c : code_points) {
    if (c < 0x80) {
      if (!put(static_cast<char>(c))) return std::nullopt;
      ++basic;
    }
  }
  uint32_t handled = basic;
  if (basic > 0 && !put('-')) return std::nullopt;

  uint32_t n = kInitialN;
  uint32_t delta = 0;
  uint32_t bias = kInitialBias;
  while (handled < input_length) {
    uint32_t m = kMaxInt;
    for (char32_t c : code_points) {
      if (c >= n && c < m) m = c;
    }
    if (m - n > (kMaxInt - delta) / (handled + 1)) return std::nullopt;
    delta += (m - n) * (handled + 1);
    n = m;
    for (char32_t c : code_points) {
      if (c < n) {
        if (++delta == 0) return std::nullopt;
      }
      if (c == n) {
        uint32_t q = delta;
        for (uint32_t k = kBase;; k += kBase) {
          const uint32_t t = k <= bias ? kTMin : (k >= bias + kTMax ? kTMax : k - bias);
          if (q < t) break;
          if (!put(Digit(t + (q - t) % (kBase - t)))) return std::nullopt;
          q = (q - t) / (kBase - t);
        }
        if (!put(Digit(q))) return std::nullopt;
        bias = Adapt(delta, handled + 1, handled == basic);
        delta = 0;
        ++handled;
      }
    }
    ++delta;
    ++n;
  }
  return o;
}

std::optional<std::string> PunycodeFromUtf8(std::string_view utf8) {
  std::array<char32_t, 256> cps;
  auto count = DecodeUtf8(utf8, cps);
  if (!count) return std::nullopt;
  std::array<char, 1024> buf;
  auto len = EncodePunycode(std::span<const char32_t>(cps.data(), *count), buf);
  if (!len) return std::nullopt;
  return std::string(buf.data(), *len);
}

}  // namespace mw::intel
