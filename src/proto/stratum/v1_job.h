// Stratum V1 job arithmetic shared by pool, miner and tests: coinbase assembly, merkle root from
// the branch, and the 80-byte header, following the byte-order rules of
// ../shared/docs/protocols.md section (a):
//   - version, nbits, ntime (notify) and ntime, nonce (submit) are big-endian hex of a uint32;
//   - prevhash is internal order with each 4-byte word byte-swapped;
//   - merkle branch entries and the root are used as sent (internal order).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/sha256.h"
#include "core/status.h"

namespace mw::stratum {

using Header80 = std::array<uint8_t, 80>;

// The fields of a mining.notify, decoded from their hex.
struct V1Job {
  std::string job_id;
  Hash256 prevhash_wire{};     // as sent: internal order with words swapped
  Bytes coinb1;
  Bytes coinb2;
  std::vector<Hash256> merkle_branch;  // as sent
  uint32_t version = 0;
  uint32_t nbits = 0;
  uint32_t ntime = 0;
  bool clean_jobs = false;
};

// Decodes notify parameters given as strings (the JSON layer parses the array).
Result<V1Job> V1JobFromHex(std::string_view job_id, std::string_view prevhash,
                           std::string_view coinb1, std::string_view coinb2,
                           const std::vector<std::string>& merkle_branch,
                           std::string_view version, std::string_view nbits,
                           std::string_view ntime, bool clean_jobs);

// Parses 8 hex digits as a big-endian uint32 ("20000004" -> 0x20000004).
Result<uint32_t> ParseU32Hex(std::string_view hex);
// 8 lower-case hex digits of v, big-endian.
std::string U32Hex(uint32_t v);

// coinb1 || extranonce1 || extranonce2 || coinb2
Bytes BuildCoinbase(const V1Job& job, ByteSpan extranonce1, ByteSpan extranonce2);
// h = SHA256d(coinbase); for b in branch: h = SHA256d(h || b)
Hash256 MerkleRootFromBranch(const Hash256& coinbase_hash, const std::vector<Hash256>& branch);
// Header bytes for a share: version (already rolled if version rolling is used), prevhash
// un-swapped, merkle root, ntime, nbits, nonce.
Header80 BuildHeader(const V1Job& job, const Hash256& merkle_root, uint32_t version,
                     uint32_t ntime, uint32_t nonce);
// BIP310: (job_version & ~mask) | (version_bits & mask)
inline uint32_t RollVersion(uint32_t job_version, uint32_t version_bits, uint32_t mask) {
  return (job_version & ~mask) | (version_bits & mask);
}

}  // namespace mw::stratum
