#include "core/random_seed.h"

#include <gtest/gtest.h>

#include <set>

namespace mw {
namespace {

TEST(RandomSeed, DrawsDifferentNonZeroSeeds) {
  std::set<uint64_t> seen;
  for (int i = 0; i < 100; ++i) {
    const uint64_t s = RandomSeed();
    EXPECT_NE(s, 0u);
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace mw
