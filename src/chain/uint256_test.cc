#include "chain/uint256.h"

#include <gtest/gtest.h>

#include "chain/pow.h"
#include "core/target.h"

namespace mw::chain {
namespace {

TEST(U256Test, AddCarriesAcrossLimbs) {
  U256 a(~uint64_t{0});
  a += U256(1);
  EXPECT_EQ(a, U256(1) << 64);
  EXPECT_EQ(U256::Max() + U256(1), U256());
}

TEST(U256Test, SubtractBorrows) {
  const U256 a = U256(1) << 128;
  const U256 b = a - U256(1);
  EXPECT_EQ(b.Bits(), 128u);
  EXPECT_EQ(b + U256(1), a);
  EXPECT_EQ(U256() - U256(1), U256::Max());
}

TEST(U256Test, ShiftAndCompare) {
  EXPECT_GT(U256(1) << 200, U256(~uint64_t{0}));
  EXPECT_EQ((U256(5) << 130) >> 130, U256(5));
  EXPECT_EQ(U256(1) << 256, U256());
  EXPECT_EQ(U256::Max().Bits(), 256u);
}

TEST(U256Test, DivideMatchesSmallArithmetic) {
  EXPECT_EQ(U256(1000).DivU64(7), U256(142));
  const U256 big = (U256(123456789) << 150) + U256(987654321);
  const U256 q = big.Div(U256(1) << 100);
  EXPECT_EQ(q, (U256(123456789) << 50));
  // q * d + r == n for a 3-limb divisor.
  const U256 d = (U256(0xdeadbeef) << 130) + U256(77);
  const U256 q2 = big.Div(d);
  bool overflow = false;
  // d * q2 <= big < d * (q2 + 1)
  U256 prod;
  for (uint64_t i = 0; i < q2.Low64(); ++i) prod += d;
  EXPECT_FALSE(overflow);
  EXPECT_LE(prod, big);
  EXPECT_GT(prod + d, big);
}

TEST(U256Test, MulU64ReportsOverflow) {
  bool overflow = true;
  EXPECT_EQ(U256(3).MulU64(5, &overflow), U256(15));
  EXPECT_FALSE(overflow);
  (void)(U256::Max().MulU64(2, &overflow));
  EXPECT_TRUE(overflow);
}

TEST(U256Test, LittleEndianRoundTrip) {
  Hash256 h{};
  for (size_t i = 0; i < h.size(); ++i) h[i] = uint8_t(i * 7 + 1);
  EXPECT_EQ(U256::FromLE(h).ToLE(), h);
  EXPECT_EQ(U256::FromLE(h).Low64() & 0xff, 1u);
}

TEST(U256Test, BlockWorkOfDifficultyOneIsBitcoinValue) {
  // Bitcoin: each diff-1 block (bits 0x1d00ffff) adds 0x100010001 to chain work.
  EXPECT_EQ(BlockWork(0x1d00ffff), U256(0x100010001ULL));
  // Target 2^255 - 1 ... regtest-like: work 2.
  EXPECT_EQ(BlockWork(0x207fffff), U256(2));
  EXPECT_EQ(BlockWork(0x00000000), U256());  // invalid bits: no work
}

}  // namespace
}  // namespace mw::chain
