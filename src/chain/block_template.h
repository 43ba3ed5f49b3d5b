// BlockTemplate: everything a solo miner or a Stratum pool needs to build the next block.
//
// Typical pool use:
//   auto parts = tmpl.SplitCoinbase(payout, tag, en1_size + en2_size);   // coinb1 / coinb2
//   auto branch = tmpl.CoinbaseBranch();                                  // notify merkle branch
//   ... miner finds nonce; the pool rebuilds coinbase = coinb1||en1||en2||coinb2 ...
//   auto coinbase = ParseCoinbase(bytes);  Block b = tmpl.Assemble(*coinbase, ntime, nonce);
//   chain.AcceptBlock(b);
// Plain value type.
#pragma once

#include <cstdint>
#include <vector>

#include "chain/block.h"
#include "chain/transaction.h"
#include "core/status.h"

namespace mw::chain {

struct BlockTemplate {
  uint32_t version = 1;
  uint32_t height = 0;
  Hash256 prev_hash{};
  uint32_t bits = 0;
  Hash256 target{};            // expanded bits, little-endian (internal) order
  uint32_t time = 0;           // suggested: max(now, min_time)
  uint32_t min_time = 0;       // median time past + 1
  uint32_t max_time = 0;       // now + max future drift at creation
  std::vector<Transaction> txs;   // selected transfers, without the coinbase
  std::vector<Hash256> txids;     // TxId of txs[i]
  uint64_t total_fees = 0;
  uint64_t coinbase_value = 0;    // subsidy + total_fees

  Transaction MakeCoinbase(const PubKey& payout, ByteSpan extra) const;
  // See transaction.h SplitCoinbase; height and value are the template's.
  Result<CoinbaseParts> SplitCoinbase(const PubKey& payout, ByteSpan tag,
                                      size_t extranonce_size) const;
  // Merkle branch of the coinbase leaf (stratum::MerkleRootFromBranch convention).
  std::vector<Hash256> CoinbaseBranch() const;
  // Merkle root for a given coinbase txid.
  Hash256 MerkleRootWith(const Hash256& coinbase_txid) const;
  // The header to hash for a given coinbase (merkle root filled in).
  BlockHeader HeaderFor(const Transaction& coinbase, uint32_t time, uint32_t nonce) const;
  // The full block: coinbase + txs, header filled in.
  Block Assemble(const Transaction& coinbase, uint32_t time, uint32_t nonce) const;
};

}  // namespace mw::chain
