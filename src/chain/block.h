// Block headers (Bitcoin's 80-byte layout), blocks, and the Bitcoin merkle tree.
//
// Header bytes: version u32 LE | prev_hash[32] | merkle_root[32] | time u32 LE | bits u32 LE |
// nonce u32 LE. Hashes are Hash256 in internal order (print with ToDisplayHex). The block hash
// is SHA-256d of the 80 header bytes (what core/header_hasher.h computes).
// Block encoding: header[80] | tx_count (Bitcoin CompactSize, minimal) | transactions
// back-to-back (each self-delimiting, see transaction.h). Decoding is strict: at most
// kMaxBlockBytesDecode bytes, tx_count bounded by the remaining bytes / kMinTxBytes before any
// allocation, and no trailing bytes.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "chain/transaction.h"
#include "core/bytes.h"
#include "core/sha256.h"
#include "core/status.h"

namespace mw::chain {

inline constexpr size_t kHeaderBytes = 80;
// Absolute decoder bound; each network's ChainParams::max_block_bytes is at most this.
inline constexpr size_t kMaxBlockBytesDecode = 4'000'000;
inline constexpr size_t kMaxBlockTxs = kMaxBlockBytesDecode / kMinTxBytes;

struct BlockHeader {
  uint32_t version = 1;
  Hash256 prev_hash{};
  Hash256 merkle_root{};
  uint32_t time = 0;
  uint32_t bits = 0;
  uint32_t nonce = 0;

  std::array<uint8_t, kHeaderBytes> Encode() const;
  static Result<BlockHeader> Decode(ByteSpan bytes);  // exactly 80 bytes
  Hash256 Hash() const;
  friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};

struct Block {
  BlockHeader header;
  std::vector<Transaction> txs;  // txs[0] is the coinbase in a valid block

  Hash256 Hash() const { return header.Hash(); }
  friend bool operator==(const Block&, const Block&) = default;
};

Bytes EncodeBlock(const Block& block);
size_t EncodedBlockSize(const Block& block);
Result<Block> DecodeBlock(ByteSpan bytes);

// Bitcoin merkle root of `leaves` (txids, internal order): pairs hashed with SHA-256d, the last
// entry duplicated on odd levels. Empty input gives an all-zero hash. (Duplicate-last allows two
// lists with the same root; block validation rejects duplicate txids, which closes that hole.)
Hash256 MerkleRoot(std::vector<Hash256> leaves);
// Merkle root of the block's txids.
Hash256 BlockMerkleRoot(const Block& block);
// The merkle branch of leaf 0 (the coinbase) for Stratum notify: the siblings from the bottom
// up, so that stratum::MerkleRootFromBranch(txids[0], branch) == MerkleRoot(txids). Only
// txids[1..] are read; txids[0] may be a placeholder. Empty for a single leaf.
std::vector<Hash256> CoinbaseMerkleBranch(const std::vector<Hash256>& txids);

// Bitcoin CompactSize helpers (exposed for the P2P layer).
void AppendCompactSize(Bytes& out, uint64_t v);
// Minimal encodings only; advances `offset`.
Result<uint64_t> ReadCompactSize(ByteSpan bytes, size_t& offset);

}  // namespace mw::chain
