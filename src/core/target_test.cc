#include "core/target.h"

#include <gtest/gtest.h>

namespace mw {
namespace {

TEST(Target, CompactRoundTrip) {
  for (uint32_t bits : {0x1d00ffffu, 0x1a44b9f2u, 0x207fffffu, 0x1705ae3au, 0x03123456u}) {
    auto t = TargetFromCompact(bits);
    ASSERT_TRUE(t.ok()) << std::hex << bits;
    EXPECT_EQ(CompactFromTarget(*t), bits) << std::hex << bits;
  }
}

TEST(Target, Diff1) {
  Hash256 t = TargetFromCompact(0x1d00ffff).value();
  EXPECT_EQ(ToDisplayHex(t), "00000000ffff0000000000000000000000000000000000000000000000000000");
  EXPECT_DOUBLE_EQ(DifficultyFromTarget(t), 1.0);
}

TEST(Target, RejectsNegativeZeroAndOverflow) {
  EXPECT_FALSE(TargetFromCompact(0x1d80ffff).ok());
  EXPECT_FALSE(TargetFromCompact(0x1d000000).ok());
  EXPECT_FALSE(TargetFromCompact(0x2300ffff).ok());
}

TEST(Target, ShareDifficultyOfV3Hash) {
  // protocols.md V3: share hash 00000000005fe144... has difficulty 683.5.
  Hash256 h =
      FromDisplayHex("00000000005fe144efbc66241c0094b8fdc2702b7729226fdfed70ca8094c0b5").value();
  EXPECT_NEAR(DifficultyFromHash(h), 683.5, 0.05);
}

TEST(Target, DifficultyTargetRoundTrip) {
  for (double d : {0.001, 0.5, 1.0, 683.5, 1e6, 5e12}) {
    Hash256 t = TargetFromDifficulty(d);
    EXPECT_NEAR(DifficultyFromTarget(t) / d, 1.0, 1e-9) << d;
  }
}

}  // namespace
}  // namespace mw
