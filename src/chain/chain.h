// Chain: the persistent block chain of one network in one data directory.
//
// Holds the block index (every stored header with height and cumulative work), the best chain
// (most cumulative work among fully stored, valid blocks), the ledger at the tip, the mempool,
// and a bounded pool of orphan blocks (parent unknown). Blocks, undo data, accounts and a txid
// index live in SQLite (<datadir>/chain.sqlite, WAL); each block connection or reorganisation is
// one SQLite transaction, so a SIGKILL leaves the previous or the new tip, never a mix.
//
// Thread-safety: every public method takes one internal mutex; a Chain may be shared by the
// RPC, P2P and mining threads. Returned values are copies.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chain/block.h"
#include "chain/block_template.h"
#include "chain/ledger.h"
#include "chain/params.h"
#include "chain/uint256.h"
#include "chain/verdict.h"
#include "core/env.h"
#include "core/status.h"

namespace mw::chain {

struct ChainOptions {
  // Wall clock for "time too far ahead" and templates; Env::Default() when null. Not owned; must
  // outlive the Chain.
  Env* env = nullptr;
  size_t max_orphans = 256;
  size_t max_mempool_txs = 10'000;
};

struct TipInfo {
  Hash256 hash{};
  uint32_t height = 0;
  BlockHeader header;
  U256 chain_work;
  uint32_t median_time_past = 0;
};

// Result of AcceptBlock.
struct BlockOutcome {
  Verdict verdict;             // ok, or why not (kOrphan: parent unknown, block kept)
  Hash256 hash{};
  bool stored = false;         // the block is in the store now (possibly on a side branch)
  bool tip_changed = false;    // the best chain changed (extended or reorganised)
  uint32_t disconnected = 0;   // blocks rolled back by a reorganisation
  uint32_t connected = 0;      // blocks connected to the best chain
  Hash256 missing_parent{};    // with kOrphan: the block to fetch
};

struct TxLookup {
  Transaction tx;
  bool in_mempool = false;
  Hash256 block_hash{};        // zero when in mempool
  uint32_t height = 0;
  uint32_t confirmations = 0;  // 0 in mempool, 1 in the tip block
};

struct AccountInfo {
  bool exists = false;          // has a ledger record
  uint64_t balance = 0;         // spendable (matured, confirmed)
  uint64_t immature = 0;        // coinbase payouts not yet mature
  uint64_t next_nonce = 0;      // confirmed next nonce
  uint64_t pending_nonce = 0;   // next nonce counting mempool transfers (use for new transfers)
  uint64_t pending_spend = 0;   // amount + fee of mempool transfers
};

class Chain {
 public:
  // Opens or creates <datadir>/chain.sqlite (the directory is created if missing). A datadir
  // created for another network is refused (kFailedPrecondition); a store that fails its own
  // checks gives kCorruption. `params` must outlive the Chain (the built-in ones always do).
  static Result<std::unique_ptr<Chain>> Open(const ChainParams& params, const std::string& datadir,
                                             ChainOptions options = {});
  ~Chain();
  Chain(const Chain&) = delete;
  Chain& operator=(const Chain&) = delete;

  const ChainParams& params() const { return params_; }

  // --- blocks and headers -------------------------------------------------------------------
  // Validates and stores a block and switches to the heaviest chain (reorganising if needed).
  // Orphans (unknown parent) are kept and connected when their parent arrives.
  BlockOutcome AcceptBlock(const Block& block);
  // The same from wire bytes; kMalformed when they do not decode.
  BlockOutcome AcceptBlockBytes(ByteSpan bytes);
  // Header-first sync: checks and indexes a header whose parent header is known (kBadPrev
  // otherwise). Does not change the tip; fetch the block with BlocksToFetch().
  Verdict AcceptHeader(const BlockHeader& header);
  // Hashes of indexed headers without block data on the most-work header chain, oldest first.
  std::vector<Hash256> BlocksToFetch(size_t max) const;

  TipInfo Tip() const;
  uint32_t Height() const;
  Hash256 BestHash() const;
  std::optional<Block> BlockByHash(const Hash256& hash) const;
  std::optional<Block> BlockByHeight(uint32_t height) const;  // best chain
  std::optional<BlockHeader> HeaderByHash(const Hash256& hash) const;
  // Height of a block on the best chain; nullopt when unknown or on a side branch.
  std::optional<uint32_t> BestChainHeightOf(const Hash256& hash) const;
  // Bitcoin-style locator of the best chain: tip, tip-1, ..., then doubling steps, genesis last.
  std::vector<Hash256> Locator() const;
  // Best-chain headers after the first locator entry found on the best chain (genesis when
  // none), up to and including `stop` (zero = no stop), at most `max`.
  std::vector<BlockHeader> HeadersAfterLocator(const std::vector<Hash256>& locator,
                                               const Hash256& stop, size_t max = 2000) const;

  // --- accounts, transactions -------------------------------------------------------------
  AccountInfo Account(const PubKey& key) const;
  uint64_t Balance(const PubKey& key) const { return Account(key).balance; }
  // Next nonce for a new transfer of `payer` (counting mempool transfers).
  uint64_t NextNonce(const PubKey& payer) const { return Account(payer).pending_nonce; }
  std::optional<TxLookup> FindTx(const Hash256& txid) const;

  // --- mempool and mining -------------------------------------------------------------------
  Verdict AcceptTx(const Transaction& tx);
  // The same from wire bytes; kMalformed when they do not decode.
  Verdict AcceptTxBytes(ByteSpan bytes);
  std::vector<Transaction> MempoolTxs() const;
  size_t MempoolSize() const;
  // The next block on the tip: transfers by fee rate up to the size limit (room left for the
  // coinbase), time = max(now, median time past + 1).
  BlockTemplate CreateTemplate() const;

  struct Impl;  // internal (chain_impl.h); public only so helper functions can name it

 private:
  Chain(const ChainParams& params, std::unique_ptr<Impl> impl);
  const ChainParams& params_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mw::chain
