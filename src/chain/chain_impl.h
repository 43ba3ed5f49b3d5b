// Internal state of Chain (shared by chain.cc and chain_queries.cc). Everything here is guarded
// by Impl::mu; functions named *Locked expect it held.
#pragma once

#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "chain/block_store.h"
#include "chain/chain.h"
#include "chain/mempool.h"
#include "chain/validation.h"

namespace mw::chain {

struct IndexEntry {
  Hash256 hash{};
  BlockHeader header;
  uint32_t height = 0;
  U256 chain_work;
  IndexEntry* prev = nullptr;
  bool has_data = false;
  bool invalid = false;
  std::optional<Transaction> coinbase;  // cached on first use
};

struct HashHasher {
  size_t operator()(const Hash256& h) const {
    size_t v;
    static_assert(sizeof(v) <= sizeof(Hash256));
    std::memcpy(&v, h.data(), sizeof(v));
    return v;
  }
};

struct Chain::Impl {
  Impl(const ChainParams& p, ChainOptions o) : params(p), options(o), mempool(o.max_mempool_txs) {}

  mutable std::mutex mu;
  const ChainParams& params;
  ChainOptions options;
  std::unique_ptr<BlockStore> store;
  std::unordered_map<Hash256, std::unique_ptr<IndexEntry>, HashHasher> index;
  std::vector<IndexEntry*> best;  // best[h] = best-chain entry at height h
  Ledger ledger;
  Mempool mempool;
  std::map<Hash256, Block> orphans;                 // hash -> block (parent unknown)
  std::multimap<Hash256, Hash256> orphans_by_prev;  // prev hash -> orphan hash
  std::deque<Hash256> orphan_order;                 // oldest first, for eviction

  int64_t NowSeconds() const { return options.env->NowMicros() / 1'000'000; }
  IndexEntry* Find(const Hash256& h) const {
    auto it = index.find(h);
    return it == index.end() ? nullptr : it->second.get();
  }
  IndexEntry* tip() const { return best.back(); }
  // Up to `n` headers ending at `e`, oldest first.
  std::vector<BlockHeader> Ancestors(const IndexEntry* e, size_t n) const;
  HeaderContext ContextAfter(const IndexEntry* parent) const;
  Result<Block> LoadBlock(const IndexEntry* e) const;
  Result<Transaction> CoinbaseOf(IndexEntry* e) const;
};

}  // namespace mw::chain
