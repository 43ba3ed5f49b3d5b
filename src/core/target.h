// Proof-of-work targets and difficulties (Bitcoin conventions).
//
// Targets and hashes are Hash256 values read as little-endian 256-bit numbers (internal order).
// Difficulty 1 is the target 0x00000000FFFF << 208 ("diff-1"), as in Stratum V1.
#pragma once

#include <cstdint>

#include "core/sha256.h"
#include "core/status.h"

namespace mw {

// Expands compact "nBits": mantissa << 8*(exponent-3). Negative or overflowing values and a zero
// target are rejected.
Result<Hash256> TargetFromCompact(uint32_t bits);
// The compact encoding of `target` (rounded down, as Bitcoin does).
uint32_t CompactFromTarget(const Hash256& target);

// The 256-bit little-endian number as a long double (64-bit mantissa).
long double HashToLongDouble(const Hash256& h);

// diff-1 target / hash: the difficulty a share with this hash meets. Infinity for a zero hash.
double DifficultyFromHash(const Hash256& hash);
// diff-1 target / target.
double DifficultyFromTarget(const Hash256& target);
// diff-1 target / difficulty, clamped to [1, 2^256-1]. `difficulty` must be > 0.
Hash256 TargetFromDifficulty(double difficulty);

}  // namespace mw
