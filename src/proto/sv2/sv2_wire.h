// Internal to proto/sv2: little-endian field writers and a bounds-checked reader for payloads
// (SV2 data types: U8/U16/U24/U32/U64, F32, U256, STR0_255, B0_32, OPTION[U32]).
#pragma once

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/status.h"

namespace mw::sv2::wire {

// Growing with resize + index (not push_back/insert of small arrays) keeps GCC 12's
// -Warray-bounds false positive on vector growth away.
inline void U16(Bytes& out, uint16_t v) {
  const size_t at = out.size();
  out.resize(at + 2);
  out[at] = static_cast<uint8_t>(v);
  out[at + 1] = static_cast<uint8_t>(v >> 8);
}
inline void U32(Bytes& out, uint32_t v) {
  const size_t at = out.size();
  out.resize(at + 4);
  WriteLE32(out.data() + at, v);
}
inline void U64(Bytes& out, uint64_t v) {
  const size_t at = out.size();
  out.resize(at + 8);
  WriteLE64(out.data() + at, v);
}
inline void Raw(Bytes& out, ByteSpan b) {
  const size_t at = out.size();
  out.resize(at + b.size());
  if (!b.empty()) std::memcpy(out.data() + at, b.data(), b.size());
}
// A U8 length, then the bytes; fails above `max` bytes.
inline Status Sized(Bytes& out, ByteSpan b, size_t max, std::string_view what) {
  if (b.size() > max) {
    return Status::InvalidArgument(std::string(what) + " longer than " + std::to_string(max) + " bytes");
  }
  const size_t at = out.size();
  out.resize(at + 1);
  out[at] = static_cast<uint8_t>(b.size());
  Raw(out, b);
  return Status::Ok();
}
inline Status Str0_255(Bytes& out, const std::string& s, std::string_view what) {
  return Sized(out, AsBytes(s), 255, what);
}

// Reads fields from a payload, failing once it runs out.
class Reader {
 public:
  explicit Reader(ByteSpan b) : b_(b) {}
  Result<uint8_t> U8() {
    if (!Need(1)) return Short();
    return b_[pos_++];
  }
  Result<uint16_t> U16() {
    if (!Need(2)) return Short();
    const uint16_t v = ReadLE16(b_.data() + pos_);
    pos_ += 2;
    return v;
  }
  Result<uint32_t> U32() {
    if (!Need(4)) return Short();
    const uint32_t v = ReadLE32(b_.data() + pos_);
    pos_ += 4;
    return v;
  }
  Result<uint64_t> U64() {
    if (!Need(8)) return Short();
    const uint64_t v = ReadLE64(b_.data() + pos_);
    pos_ += 8;
    return v;
  }
  Result<std::array<uint8_t, 32>> U256() {
    if (!Need(32)) return Short();
    std::array<uint8_t, 32> v{};
    std::memcpy(v.data(), b_.data() + pos_, 32);
    pos_ += 32;
    return v;
  }
  Result<std::string> Str0_255() {
    MW_ASSIGN_OR_RETURN(uint8_t n, U8());
    if (!Need(n)) return Short();
    std::string s(reinterpret_cast<const char*>(b_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  Result<Bytes> B0_32() {
    MW_ASSIGN_OR_RETURN(uint8_t n, U8());
    if (n > 32) return Status::InvalidArgument("B0_32 field of " + std::to_string(n) + " bytes");
    if (!Need(n)) return Short();
    Bytes v(b_.begin() + static_cast<std::ptrdiff_t>(pos_), b_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return v;
  }
  // OPTION[U32]: a count of 0 or 1, then the value when 1.
  Result<std::optional<uint32_t>> OptionU32() {
    MW_ASSIGN_OR_RETURN(uint8_t n, U8());
    if (n > 1) return Status::InvalidArgument("OPTION with " + std::to_string(n) + " elements");
    if (n == 0) return std::optional<uint32_t>();
    MW_ASSIGN_OR_RETURN(uint32_t v, U32());
    return std::optional<uint32_t>(v);
  }
  Status Done() const {
    if (pos_ != b_.size()) {
      return Status::InvalidArgument(std::to_string(b_.size() - pos_) + " trailing bytes");
    }
    return Status::Ok();
  }

 private:
  bool Need(size_t n) const { return b_.size() - pos_ >= n; }
  static Status Short() { return Status::InvalidArgument("payload too short"); }
  ByteSpan b_;
  size_t pos_ = 0;
};

}  // namespace mw::sv2::wire
