// FlatIndex: an open-addressing index from a key's hash to an entry number, for a table whose
// entries (and keys) the caller keeps in its own array. The caller confirms a match by comparing
// the key of the entry the index proposes (`is_key(entry)`), so any key type works and the index
// never copies keys.
//
// Why not std::unordered_map: a lookup there walks a bucket to a heap node (two or three
// dependent cache misses), and each insertion allocates. Here a slot is 8 bytes (the hash's low
// 32 bits and entry + 1), probing is linear, the table is kept at most half full and grows by
// doubling; removal shifts the rest of the probe run back (no tombstones). A miss, and most
// collisions, are decided from the slots alone.
//
// Keys are not attacker-proof: a caller whose keys may be chosen to collide hashes them with a
// seed drawn at run time (core/random_seed.h; the DNS answer cache does) and bounds its
// entries. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace mw {

class FlatIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  size_t size() const { return size_; }

  // The entry whose key `is_key` confirms among those filed under `hash`, or kNone.
  template <class IsKey>
  uint32_t Find(uint64_t hash, IsKey&& is_key) const {
    if (size_ == 0) return kNone;
    const uint64_t slot = table_[SlotOf(uint32_t(hash), is_key)];
    return slot == 0 ? kNone : uint32_t(slot) - 1;
  }

  // Files `entry` under `hash`. The key must not be in the index already.
  void Insert(uint64_t hash, uint32_t entry) {
    if (2 * (size_ + 1) > table_.size()) Grow();
    const uint32_t h = uint32_t(hash);
    size_t i = h & mask_;
    while (table_[i] != 0) i = (i + 1) & mask_;
    table_[i] = (uint64_t(h) << 32) | (uint64_t(entry) + 1);
    ++size_;
  }

  // Removes the key `is_key` confirms under `hash`; returns its entry, or kNone if absent.
  template <class IsKey>
  uint32_t Erase(uint64_t hash, IsKey&& is_key) {
    if (size_ == 0) return kNone;
    size_t hole = SlotOf(uint32_t(hash), is_key);
    if (table_[hole] == 0) return kNone;
    const uint32_t entry = uint32_t(table_[hole]) - 1;
    table_[hole] = 0;
    --size_;
    // Every later slot of the run whose home is not cyclically in (hole, j] moves into the hole.
    for (size_t j = (hole + 1) & mask_; table_[j] != 0; j = (j + 1) & mask_) {
      const size_t home = size_t(table_[j] >> 32) & mask_;
      const bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!stays) {
        table_[hole] = table_[j];
        table_[j] = 0;
        hole = j;
      }
    }
    return entry;
  }

  void Clear() {
    std::fill(table_.begin(), table_.end(), 0);
    size_ = 0;
  }

 private:
  // The slot holding the confirmed key, or the empty slot ending its probe run.
  template <class IsKey>
  size_t SlotOf(uint32_t h, IsKey& is_key) const {
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const uint64_t slot = table_[i];
      if (slot == 0 || (uint32_t(slot >> 32) == h && is_key(uint32_t(slot) - 1))) return i;
    }
  }

  void Grow() {
    const size_t want = std::max<size_t>(16, table_.size() * 2);
    std::vector<uint64_t> old = std::exchange(table_, std::vector<uint64_t>(want, 0));
    mask_ = want - 1;
    for (const uint64_t slot : old) {
      if (slot == 0) continue;
      size_t i = size_t(slot >> 32) & mask_;
      while (table_[i] != 0) i = (i + 1) & mask_;
      table_[i] = slot;
    }
  }

  std::vector<uint64_t> table_;  // (hash << 32) | (entry + 1); 0 = empty
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace mw
