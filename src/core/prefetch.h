// Cache prefetch hints, for code that knows which memory it reads next (a flow the next packet
// belongs to, the next flow to end). A hint never faults and changes nothing but timing.
#pragma once

#include <cstddef>

namespace mw {

inline constexpr size_t kCacheLineBytes = 64;

// Prefetches the cache lines of [p, p + bytes).
inline void PrefetchBytes(const void* p, size_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (size_t off = 0; off < bytes; off += kCacheLineBytes) __builtin_prefetch(c + off);
}

}  // namespace mw
