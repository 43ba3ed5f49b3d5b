#include "chain/pow.h"

#include <gtest/gtest.h>

#include "core/header_hasher.h"
#include "core/target.h"

namespace mw::chain {
namespace {

ChainParams RetargetParams() {
  ChainParams p = ChainParams::Lab();
  p.retarget_window = 10;
  p.target_spacing_s = 2;
  p.max_step_factor = 4;
  p.pow_limit_bits = 0x1f00ffff;
  return p;
}

// `count` headers at `bits`, `spacing` seconds apart.
std::vector<BlockHeader> Headers(size_t count, uint32_t bits, uint32_t spacing) {
  std::vector<BlockHeader> out(count);
  for (size_t i = 0; i < count; ++i) {
    out[i].bits = bits;
    out[i].time = 1'800'000'000 + uint32_t(i) * spacing;
  }
  return out;
}

U256 TargetOf(uint32_t bits) { return U256::FromLE(TargetFromCompact(bits).value()); }

TEST(RetargetTest, OnScheduleKeepsDifficulty) {
  const auto p = RetargetParams();
  EXPECT_EQ(NextBits(p, Headers(11, 0x1e0fffff, 2)), 0x1e0fffffu);
  EXPECT_EQ(NextBits(p, Headers(40, 0x1e0fffff, 2)), 0x1e0fffffu);  // older ones ignored
}

TEST(RetargetTest, FasterBlocksMakeItHarder) {
  const auto p = RetargetParams();
  const uint32_t bits = 0x1e0fffff;
  const uint32_t next = NextBits(p, Headers(11, bits, 1));  // twice as fast
  EXPECT_EQ(TargetOf(next), TargetOf(CompactFromTarget(TargetOf(bits).DivU64(2).ToLE())));
  EXPECT_LT(TargetOf(next), TargetOf(bits));
  // More hash power, harder again.
  auto faster = Headers(11, next, 1);
  EXPECT_LT(TargetOf(NextBits(p, faster)), TargetOf(next));
}

TEST(RetargetTest, StepIsClampedBothWays) {
  const auto p = RetargetParams();
  const uint32_t bits = 0x1e0fffff;
  // All blocks in the same second: at most 4x harder.
  const U256 quarter = TargetOf(CompactFromTarget(TargetOf(bits).DivU64(4).ToLE()));
  EXPECT_EQ(TargetOf(NextBits(p, Headers(11, bits, 0))), quarter);
  // Very slow: at most 4x easier.
  const U256 times4 = TargetOf(CompactFromTarget(TargetOf(bits).MulU64(4).ToLE()));
  EXPECT_EQ(TargetOf(NextBits(p, Headers(11, bits, 1000))), times4);
  // ...and never easier than the pow limit.
  EXPECT_EQ(NextBits(p, Headers(11, 0x1f00ffff, 1000)), p.pow_limit_bits);
}

TEST(RetargetTest, ShortChainsAndRegtest) {
  const auto p = RetargetParams();
  EXPECT_EQ(NextBits(p, Headers(1, 0x1e0fffff, 2)), p.pow_limit_bits);
  EXPECT_EQ(NextBits(p, {}), p.pow_limit_bits);
  // Two headers: one interval is used.
  const uint32_t next = NextBits(p, Headers(2, 0x1e0fffff, 1));
  EXPECT_LT(TargetOf(next), TargetOf(0x1e0fffff));
  EXPECT_EQ(NextBits(ChainParams::Regtest(), Headers(11, 0x1e0fffff, 0)),
            ChainParams::Regtest().pow_limit_bits);
}

TEST(MedianTimePastTest, MedianOfLastEleven) {
  const auto p = RetargetParams();
  std::vector<BlockHeader> h(15);
  const uint32_t times[15] = {100, 1, 1, 1, 9, 3, 11, 5, 7, 2, 10, 4, 8, 6, 12};
  for (size_t i = 0; i < 15; ++i) h[i].time = times[i];
  // Last 11: 9 3 11 5 7 2 10 4 8 6 12 -> sorted median 7.
  EXPECT_EQ(MedianTimePast(p, h), 7u);
  EXPECT_EQ(MedianTimePast(p, std::span(h).first(3)), 1u);
  EXPECT_EQ(MedianTimePast(p, {}), 0u);
}

TEST(ProofOfWorkTest, RejectsHighHashAndEasyBits) {
  const auto& p = ChainParams::Lab();
  BlockHeader h = p.genesis.header;
  EXPECT_TRUE(CheckProofOfWork(h, p).ok());
  do {
    h.nonce += 1;
  } while (HashMeetsTarget(h.Hash(), TargetFromCompact(h.bits).value()));
  EXPECT_EQ(CheckProofOfWork(h, p).reason(), Reject::kBadPow);
  h.bits = 0x207fffff;
  EXPECT_EQ(CheckProofOfWork(h, p).reason(), Reject::kBadBits);
  h.bits = 0;
  EXPECT_EQ(CheckProofOfWork(h, p).reason(), Reject::kBadBits);
}

}  // namespace
}  // namespace mw::chain

namespace mw::chain {
namespace {

// Mines `blocks` blocks with a constant hash rate, each taking exactly its expected number of
// hashes; returns the mean interval of the last 40 and the final bits.
std::pair<double, uint32_t> Simulate(const ChainParams& p, double hashes_per_s, size_t blocks) {
  std::vector<BlockHeader> chain(1);
  chain[0].bits = p.pow_limit_bits;
  chain[0].time = 1'800'000'000;
  double now = chain[0].time;
  for (size_t i = 0; i < blocks; ++i) {
    BlockHeader h;
    h.bits = NextBits(p, chain);
    now += BlockWork(h.bits).ToDouble() / hashes_per_s;
    h.time = uint32_t(now);
    chain.push_back(h);
  }
  const double span = double(chain.back().time) - double(chain[chain.size() - 41].time);
  return {span / 40.0, chain.back().bits};
}

TEST(RetargetTest, LabConvergesToTargetSpacingForAnyHashRate) {
  const ChainParams& lab = ChainParams::Lab();
  const auto [slow_interval, slow_bits] = Simulate(lab, 2e7, 300);    // one fast CPU thread
  const auto [fast_interval, fast_bits] = Simulate(lab, 2e8, 300);    // ten of them
  EXPECT_GT(slow_interval, lab.target_spacing_s * 0.5);
  EXPECT_LT(slow_interval, lab.target_spacing_s * 2.0);
  EXPECT_GT(fast_interval, lab.target_spacing_s * 0.5);
  EXPECT_LT(fast_interval, lab.target_spacing_s * 2.0);
  // Ten times the hash power: a target about ten times smaller.
  const double ratio = U256::FromLE(TargetFromCompact(slow_bits).value()).ToDouble() /
                       U256::FromLE(TargetFromCompact(fast_bits).value()).ToDouble();
  EXPECT_GT(ratio, 4.0);
  EXPECT_LT(ratio, 25.0);
}

}  // namespace
}  // namespace mw::chain
