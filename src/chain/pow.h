// Proof of work, chain work, difficulty retargeting and median time past. Pure functions.
#pragma once

#include <cstdint>
#include <span>

#include "chain/block.h"
#include "chain/params.h"
#include "chain/uint256.h"
#include "chain/verdict.h"

namespace mw::chain {

// Work of one block: 2^256 / (target + 1). Zero for invalid bits.
U256 BlockWork(uint32_t bits);

// kBadBits when `bits` does not decode or is easier than the pow limit; kBadPow when the header
// hash is above the target.
Verdict CheckProofOfWork(const BlockHeader& header, const ChainParams& params);

// The bits the next block must carry. `ancestors` are the headers ending at the new block's
// parent, oldest first (pass at least retarget_window + 1 of them when available; extra older
// ones are ignored). Rule: with n = min(window, ancestors-1) intervals (n = 0 -> pow limit),
//   new_target = average(target of the last n blocks) * actual / (n * spacing)
// where actual = time(last) - time(last - n), clamped to [expected / step, expected * step]
// and the result capped at the pow limit. no_retarget networks always get the pow limit.
uint32_t NextBits(const ChainParams& params, std::span<const BlockHeader> ancestors);

// Median of the times of the last min(mtp_window, size) headers of `ancestors` (oldest first);
// 0 when empty. A new block's time must be strictly greater.
uint32_t MedianTimePast(const ChainParams& params, std::span<const BlockHeader> ancestors);

}  // namespace mw::chain
