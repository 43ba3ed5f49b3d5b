// The mining-speed path: SHA-256d of an 80-byte block header for many nonces.
//
// The first 64 header bytes do not change with the nonce, so their compression (the midstate)
// is computed once; each nonce then costs two compressions instead of three. On CPUs with the
// SHA extensions two nonces are hashed at once with SHA-NI; elsewhere a portable loop is used.
// A HeaderHasher is immutable after construction and may be shared by threads.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/sha256.h"
#include "core/status.h"

namespace mw {

enum class HashImpl { kAuto, kPortable, kShaNi };

// The implementation kAuto picks on this CPU.
HashImpl BestHashImpl();
std::string_view HashImplName(HashImpl impl);

class HeaderHasher {
 public:
  static constexpr size_t kHeaderBytes = 80;
  static constexpr size_t kNonceOffset = 76;

  // `header` must be 80 bytes (its nonce field is ignored). kShaNi on a CPU without SHA-NI
  // falls back to portable.
  static Result<HeaderHasher> Create(ByteSpan header, HashImpl impl = HashImpl::kAuto);

  // SHA-256d of the header with `nonce` (little-endian in bytes 76..79), internal byte order.
  Hash256 Hash(uint32_t nonce) const;

  struct Found {
    uint32_t nonce;
    Hash256 hash;  // internal order
  };
  // Hashes nonces first, first+1, ... first+count-1 (wrapping at 2^32) and appends to `found`
  // every nonce whose hash, read as a little-endian 256-bit number, is <= `target` (also
  // internal/little-endian order). Returns the number of nonces hashed (= count).
  uint64_t Scan(uint32_t first, uint32_t count, const Hash256& target,
                std::vector<Found>& found) const;

  HashImpl impl() const { return impl_; }

 private:
  HeaderHasher() = default;
  uint32_t midstate_[8] = {};
  uint8_t tail_[12] = {};  // header bytes 64..75
  uint32_t prepared_[4] = {};  // SHA-NI: the second block's first two rounds
  HashImpl impl_ = HashImpl::kPortable;
};

// True when the little-endian 256-bit number `hash` is <= `target`.
bool HashMeetsTarget(const Hash256& hash, const Hash256& target);

}  // namespace mw
