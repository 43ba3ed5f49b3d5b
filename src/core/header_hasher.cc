#include "core/header_hasher.h"

#include <algorithm>
#include <cstring>

#include "core/sha256_compress.h"

namespace mw {
namespace {

void StateToDigest(const uint32_t s[8], Hash256& out) {
  for (int i = 0; i < 8; ++i) WriteBE32(out.data() + 4 * i, s[i]);
}

// Portable SHA-256d of the header from the midstate.
void DoubleHashPortable(const uint32_t midstate[8], const uint8_t tail[12], uint32_t nonce,
                        uint32_t out[8]) {
  uint8_t block[64] = {};
  std::memcpy(block, tail, 12);
  WriteLE32(block + 12, nonce);
  block[16] = 0x80;
  WriteBE32(block + 60, 640);
  uint32_t s[8];
  std::memcpy(s, midstate, sizeof(s));
  sha256::CompressPortable(s, block);
  uint8_t block2[64] = {};
  for (int i = 0; i < 8; ++i) WriteBE32(block2 + 4 * i, s[i]);
  block2[32] = 0x80;
  WriteBE32(block2 + 60, 256);
  std::memcpy(out, sha256::kInitState, 32);
  sha256::CompressPortable(out, block2);
}

// The most significant 32 bits of the hash read as a little-endian 256-bit number: digest bytes
// 28..31, i.e. the last state word byte-swapped.
inline uint32_t TopWord(const uint32_t s[8]) { return __builtin_bswap32(s[7]); }

}  // namespace

HashImpl BestHashImpl() {
  return sha256::CpuHasShaNi() ? HashImpl::kShaNi : HashImpl::kPortable;
}

std::string_view HashImplName(HashImpl impl) {
  switch (impl) {
    case HashImpl::kAuto: return "auto";
    case HashImpl::kPortable: return "portable";
    case HashImpl::kShaNi: return "sha-ni";
  }
  return "unknown";
}

bool HashMeetsTarget(const Hash256& hash, const Hash256& target) {
  for (int i = 31; i >= 0; --i) {
    if (hash[i] != target[i]) return hash[i] < target[i];
  }
  return true;
}

Result<HeaderHasher> HeaderHasher::Create(ByteSpan header, HashImpl impl) {
  if (header.size() != kHeaderBytes) {
    return Status::InvalidArgument("block header must be 80 bytes, got " +
                                   std::to_string(header.size()));
  }
  HeaderHasher h;
  if (impl == HashImpl::kAuto || (impl == HashImpl::kShaNi && !sha256::CpuHasShaNi())) {
    impl = BestHashImpl();
  }
  h.impl_ = impl;
  std::memcpy(h.midstate_, sha256::kInitState, sizeof(h.midstate_));
  if (impl == HashImpl::kShaNi) {
    sha256::CompressShaNi(h.midstate_, header.data());
  } else {
    sha256::CompressPortable(h.midstate_, header.data());
  }
  std::memcpy(h.tail_, header.data() + 64, 12);
  if (impl == HashImpl::kShaNi) sha256::PrepareTailShaNi(h.midstate_, h.tail_, h.prepared_);
  return h;
}

Hash256 HeaderHasher::Hash(uint32_t nonce) const {
  uint32_t s[8];
  if (impl_ == HashImpl::kShaNi) {
    uint32_t unused[8];
    sha256::DoubleHashTwoNoncesShaNi(midstate_, tail_, nonce, nonce, s, unused);
  } else {
    DoubleHashPortable(midstate_, tail_, nonce, s);
  }
  Hash256 out;
  StateToDigest(s, out);
  return out;
}

uint64_t HeaderHasher::Scan(uint32_t first, uint32_t count, const Hash256& target,
                            std::vector<Found>& found) const {
  const uint32_t target_top = ReadLE32(target.data() + 28);
  auto consider = [&](uint32_t nonce, const uint32_t s[8]) {
    if (TopWord(s) > target_top) return;  // the common case: one compare per nonce
    Found f{nonce, {}};
    StateToDigest(s, f.hash);
    if (HashMeetsTarget(f.hash, target)) found.push_back(f);
  };
  uint32_t done = 0;
  if (impl_ == HashImpl::kShaNi) {
    // Filter on the top word only; the rare candidate is hashed again in full.
    uint32_t last[2];
    for (; count - done >= 2; done += 2) {
      const uint32_t n = first + done;
      sha256::TopWordTwoNoncesShaNi(midstate_, prepared_, tail_, n, n + 1, last);
      for (uint32_t j = 0; j < 2; ++j) {
        if (__builtin_bswap32(last[j]) > target_top) continue;
        Found f{n + j, Hash(n + j)};
        if (HashMeetsTarget(f.hash, target)) found.push_back(f);
      }
    }
  }
  uint32_t s[8];
  for (; done < count; ++done) {
    const uint32_t n = first + done;
    if (impl_ == HashImpl::kShaNi) {
      uint32_t unused[8];
      sha256::DoubleHashTwoNoncesShaNi(midstate_, tail_, n, n, s, unused);
    } else {
      DoubleHashPortable(midstate_, tail_, n, s);
    }
    consider(n, s);
  }
  return count;
}

}  // namespace mw
