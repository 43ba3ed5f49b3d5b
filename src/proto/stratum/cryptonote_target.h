// CryptoNote / XMRig share targets (protocols.md section (b)), used by the XMRig dialect and the
// browser dialects that carry its jobs.
//
//   8 hex digits:  a 32-bit little-endian t32, expanded as t64 = 2^64-1 / (2^32-1 / t32)
//   16 hex digits: a 64-bit little-endian t64, used directly
//   difficulty = 2^64-1 / t64;  a share is valid when the last 8 bytes of its 32-byte PoW hash,
//   read as a little-endian uint64, are below t64.
// Worked example: "b88d0600" -> t32 0x00068db8 -> t64 0x00068db8bac710cb -> difficulty 10000.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/status.h"

namespace mw::stratum {

// Parses an 8- or 16-hex-digit target into t64. A zero target is rejected.
Result<uint64_t> CryptonoteTarget64(std::string_view target_hex);
// 2^64-1 / t64 (t64 must be non-zero; 0 gives 0).
uint64_t CryptonoteDifficulty(uint64_t target64);
// The target hex a pool sends for `difficulty` (>= 1): 8 hex digits (t32 = 2^32-1 / difficulty,
// little-endian) while difficulty < 2^32, else 16 hex digits (t64 = 2^64-1 / difficulty).
std::string CryptonoteTargetHex(uint64_t difficulty);
// The value a share's 32-byte PoW hash is compared with: bytes 24..31 as little-endian uint64.
// `hash` must hold 32 bytes (fewer gives UINT64_MAX, i.e. never a valid share).
uint64_t CryptonoteHashValue(ByteSpan hash);
// True when the hash meets the 64-bit target.
inline bool CryptonoteHashMeetsTarget(ByteSpan hash, uint64_t target64) {
  return CryptonoteHashValue(hash) < target64;
}

}  // namespace mw::stratum
