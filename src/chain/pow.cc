#include "chain/pow.h"

#include <algorithm>
#include <vector>

#include "core/header_hasher.h"
#include "core/target.h"

namespace mw::chain {

U256 BlockWork(uint32_t bits) {
  auto target = TargetFromCompact(bits);
  if (!target.ok()) return U256();
  const U256 t = U256::FromLE(*target);
  // 2^256 / (t + 1) == (2^256 - 1 - t) / (t + 1) + 1, which fits in 256 bits.
  return (U256::Max() - t).Div(t + U256(1)) + U256(1);
}

Verdict CheckProofOfWork(const BlockHeader& header, const ChainParams& params) {
  auto target = TargetFromCompact(header.bits);
  if (!target.ok()) {
    return {Reject::kBadBits, "bits " + std::to_string(header.bits) + " do not decode"};
  }
  const auto limit = TargetFromCompact(params.pow_limit_bits);
  if (limit.ok() && U256::FromLE(*target) > U256::FromLE(*limit)) {
    return {Reject::kBadBits, "target easier than the pow limit"};
  }
  const Hash256 hash = header.Hash();
  if (!HashMeetsTarget(hash, *target)) {
    return {Reject::kBadPow, "hash " + ToDisplayHex(hash) + " above target"};
  }
  return {};
}

uint32_t NextBits(const ChainParams& params, std::span<const BlockHeader> ancestors) {
  if (params.no_retarget || ancestors.size() < 2) return params.pow_limit_bits;
  const size_t n = std::min<size_t>(params.retarget_window, ancestors.size() - 1);
  const auto window = ancestors.subspan(ancestors.size() - 1 - n);  // n + 1 headers
  // Sum exactly when it fits in 256 bits (always below a 2^240 pow limit), else sum shares.
  U256 sum, sum_of_shares;
  bool sum_overflow = false;
  for (size_t i = 1; i <= n; ++i) {
    auto t = TargetFromCompact(window[i].bits);
    if (!t.ok()) return params.pow_limit_bits;
    const U256 target = U256::FromLE(*t);
    const U256 next_sum = sum + target;
    sum_overflow = sum_overflow || next_sum < sum;
    sum = next_sum;
    sum_of_shares += target.DivU64(n);
  }
  const U256 average = sum_overflow ? sum_of_shares : sum.DivU64(n);
  const int64_t expected = int64_t(n) * params.target_spacing_s;
  int64_t actual = int64_t(window[n].time) - int64_t(window[0].time);
  const int64_t step = std::max<int64_t>(1, params.max_step_factor);
  actual = std::clamp<int64_t>(actual, std::max<int64_t>(1, expected / step), expected * step);

  const U256 limit = U256::FromLE(TargetFromCompact(params.pow_limit_bits).value_or(Hash256{}));
  bool overflow = false;
  U256 next = average.MulU64(uint64_t(actual), &overflow);
  if (overflow) return params.pow_limit_bits;
  next = next.DivU64(uint64_t(expected));
  if (next > limit || next.IsZero()) next = next.IsZero() ? U256(1) : limit;
  return CompactFromTarget(next.ToLE());
}

uint32_t MedianTimePast(const ChainParams& params, std::span<const BlockHeader> ancestors) {
  if (ancestors.empty()) return 0;
  const size_t n = std::min<size_t>(params.mtp_window, ancestors.size());
  std::vector<uint32_t> times;
  times.reserve(n);
  for (size_t i = ancestors.size() - n; i < ancestors.size(); ++i) times.push_back(ancestors[i].time);
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace mw::chain
