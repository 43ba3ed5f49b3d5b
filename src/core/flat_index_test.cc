#include "core/flat_index.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <unordered_map>
#include <vector>

namespace mw {
namespace {

// Random inserts, erases and lookups against std::unordered_map, with hash functions from
// fair to awful (every key colliding), so that long probe runs wrap around the table and
// removals shift them back.
TEST(FlatIndex, BehavesLikeAMapUnderAnyHash) {
  using HashFn = uint64_t (*)(uint64_t);
  const HashFn hashes[] = {
      [](uint64_t k) -> uint64_t { return k * 0x9e3779b97f4a7c15ull; },
      [](uint64_t k) -> uint64_t { return k % 13; },
      [](uint64_t k) -> uint64_t { return 0xfffffff0u + k % 3; },  // homes at the table's end
      [](uint64_t) -> uint64_t { return 42; },
  };
  for (const HashFn hash : hashes) {
    FlatIndex index;
    std::vector<uint64_t> keys;  // entry -> key (the caller's array)
    std::unordered_map<uint64_t, uint32_t> model;
    std::mt19937_64 rng(7);
    for (int step = 0; step < 30000; ++step) {
      const uint64_t key = rng() % 400;
      const auto is_key = [&](uint32_t e) { return keys[e] == key; };
      const auto it = model.find(key);
      switch (rng() % 3) {
        case 0:  // insert when absent
          if (it == model.end()) {
            keys.push_back(key);
            index.Insert(hash(key), uint32_t(keys.size() - 1));
            model.emplace(key, uint32_t(keys.size() - 1));
          }
          break;
        case 1: {
          const uint32_t got = index.Erase(hash(key), is_key);
          ASSERT_EQ(got, it == model.end() ? FlatIndex::kNone : it->second) << step;
          if (it != model.end()) model.erase(it);
          break;
        }
        default: {
          const uint32_t got = index.Find(hash(key), is_key);
          ASSERT_EQ(got, it == model.end() ? FlatIndex::kNone : it->second) << step;
        }
      }
      ASSERT_EQ(index.size(), model.size());
    }
    for (const auto& [key, entry] : model) {
      EXPECT_EQ(index.Find(hash(key), [&](uint32_t e) { return keys[e] == key; }), entry);
    }
    index.Clear();
    EXPECT_EQ(index.size(), 0u);
    EXPECT_EQ(index.Find(hash(1), [](uint32_t) { return true; }), FlatIndex::kNone);
  }
}

}  // namespace
}  // namespace mw
