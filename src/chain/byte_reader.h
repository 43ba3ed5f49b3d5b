// ByteReader: bounds-checked sequential reads over untrusted bytes (internal to src/chain).
// Every read checks the remaining length first; nothing is allocated from a length field before
// the bytes it announces are known to be present.
#pragma once

#include <cstdint>
#include <cstring>

#include "core/bytes.h"

namespace mw::chain {

class ByteReader {
 public:
  explicit ByteReader(ByteSpan bytes, size_t offset = 0) : bytes_(bytes), pos_(offset) {}

  size_t remaining() const { return bytes_.size() - pos_; }
  size_t position() const { return pos_; }

  bool ReadU8(uint8_t& v) {
    if (remaining() < 1) return false;
    v = bytes_[pos_++];
    return true;
  }
  bool ReadU32(uint32_t& v) {
    if (remaining() < 4) return false;
    v = ReadLE32(bytes_.data() + pos_);
    pos_ += 4;
    return true;
  }
  bool ReadU64(uint64_t& v) {
    if (remaining() < 8) return false;
    v = ReadLE64(bytes_.data() + pos_);
    pos_ += 8;
    return true;
  }
  template <size_t N>
  bool ReadArray(std::array<uint8_t, N>& out) {
    if (remaining() < N) return false;
    std::memcpy(out.data(), bytes_.data() + pos_, N);
    pos_ += N;
    return true;
  }
  // Reads n bytes after checking they are present.
  bool ReadBytes(size_t n, Bytes& out) {
    if (remaining() < n) return false;
    out.assign(bytes_.begin() + long(pos_), bytes_.begin() + long(pos_ + n));
    pos_ += n;
    return true;
  }

 private:
  ByteSpan bytes_;
  size_t pos_;
};

}  // namespace mw::chain
