// Chain: read-only queries and block templates.
#include <algorithm>

#include "chain/chain.h"
#include "chain/chain_impl.h"
#include "chain/pow.h"
#include "core/target.h"

namespace mw::chain {

TipInfo Chain::Tip() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  const IndexEntry* tip = impl_->tip();
  TipInfo info;
  info.hash = tip->hash;
  info.height = tip->height;
  info.header = tip->header;
  info.chain_work = tip->chain_work;
  info.median_time_past = MedianTimePast(params_, impl_->Ancestors(tip, params_.mtp_window));
  return info;
}

uint32_t Chain::Height() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->tip()->height;
}

Hash256 Chain::BestHash() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->tip()->hash;
}

std::optional<Block> Chain::BlockByHash(const Hash256& hash) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  const IndexEntry* e = impl_->Find(hash);
  if (e == nullptr || !e->has_data) return std::nullopt;
  auto block = impl_->LoadBlock(e);
  if (!block.ok()) return std::nullopt;
  return std::move(block).value();
}

std::optional<Block> Chain::BlockByHeight(uint32_t height) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (height >= impl_->best.size()) return std::nullopt;
  auto block = impl_->LoadBlock(impl_->best[height]);
  if (!block.ok()) return std::nullopt;
  return std::move(block).value();
}

std::optional<BlockHeader> Chain::HeaderByHash(const Hash256& hash) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  const IndexEntry* e = impl_->Find(hash);
  if (e == nullptr) return std::nullopt;
  return e->header;
}

std::optional<uint32_t> Chain::BestChainHeightOf(const Hash256& hash) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  const IndexEntry* e = impl_->Find(hash);
  if (e == nullptr || e->height >= impl_->best.size() || impl_->best[e->height] != e) {
    return std::nullopt;
  }
  return e->height;
}

std::vector<Hash256> Chain::Locator() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<Hash256> out;
  int64_t h = impl_->tip()->height;
  int64_t step = 1;
  while (h > 0) {
    out.push_back(impl_->best[size_t(h)]->hash);
    if (out.size() >= 10) step *= 2;
    h -= step;
  }
  out.push_back(impl_->best[0]->hash);
  return out;
}

std::vector<BlockHeader> Chain::HeadersAfterLocator(const std::vector<Hash256>& locator,
                                                    const Hash256& stop, size_t max) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  size_t start = 1;
  for (const Hash256& h : locator) {
    const IndexEntry* e = impl_->Find(h);
    if (e != nullptr && e->height < impl_->best.size() && impl_->best[e->height] == e) {
      start = e->height + 1;
      break;
    }
  }
  std::vector<BlockHeader> out;
  const Hash256 zero{};
  for (size_t h = start; h < impl_->best.size() && out.size() < max; ++h) {
    out.push_back(impl_->best[h]->header);
    if (stop != zero && impl_->best[h]->hash == stop) break;
  }
  return out;
}

std::vector<Hash256> Chain::BlocksToFetch(size_t max) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  const IndexEntry* best = impl_->tip();
  for (const auto& [hash, e] : impl_->index) {
    if (!e->invalid && e->chain_work > best->chain_work) best = e.get();
  }
  std::vector<Hash256> out;
  for (const IndexEntry* e = best; e != nullptr && !e->has_data; e = e->prev) {
    if (impl_->orphans.count(e->hash) == 0) out.push_back(e->hash);
  }
  std::reverse(out.begin(), out.end());
  if (out.size() > max) out.resize(max);
  return out;
}

AccountInfo Chain::Account(const PubKey& key) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  AccountInfo info;
  if (auto acc = impl_->ledger.Find(key)) {
    info.exists = true;
    info.balance = acc->balance;
    info.next_nonce = acc->next_nonce;
  }
  info.pending_nonce = impl_->mempool.NextNonce(key, impl_->ledger);
  info.pending_spend = impl_->mempool.PendingSpend(key);
  // Coinbases of the last `maturity` best-chain blocks have not been credited yet.
  const size_t tip = impl_->tip()->height;
  const size_t maturity = params_.coinbase_maturity;
  for (size_t h = tip + 1 > maturity ? tip + 1 - maturity : 0; h <= tip; ++h) {
    auto cb = impl_->CoinbaseOf(impl_->best[h]);
    if (cb.ok() && cb->payee == key) info.immature += cb->amount;
  }
  return info;
}

std::optional<TxLookup> Chain::FindTx(const Hash256& txid) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (auto tx = impl_->mempool.Find(txid)) {
    TxLookup out;
    out.tx = *tx;
    out.in_mempool = true;
    return out;
  }
  auto row = impl_->store->FindTx(txid);
  if (!row.ok() || !row->has_value()) return std::nullopt;
  const IndexEntry* e = impl_->Find((*row)->block_hash);
  if (e == nullptr) return std::nullopt;
  auto block = impl_->LoadBlock(e);
  if (!block.ok()) return std::nullopt;
  for (const auto& tx : block->txs) {
    if (TxId(tx) == txid) {
      TxLookup out;
      out.tx = tx;
      out.block_hash = e->hash;
      out.height = e->height;
      out.confirmations = impl_->tip()->height - e->height + 1;
      return out;
    }
  }
  return std::nullopt;
}

std::vector<Transaction> Chain::MempoolTxs() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->mempool.All();
}

size_t Chain::MempoolSize() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->mempool.size();
}

BlockTemplate Chain::CreateTemplate() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  const IndexEntry* tip = impl_->tip();
  const HeaderContext ctx = impl_->ContextAfter(tip);
  BlockTemplate t;
  t.version = params_.block_version;
  t.height = ctx.height;
  t.prev_hash = tip->hash;
  t.bits = ctx.expected_bits;
  t.target = TargetFromCompact(t.bits).value_or(Hash256{});
  t.min_time = ctx.median_time_past + 1;
  t.time = uint32_t(std::max<int64_t>(ctx.now_s, t.min_time));
  t.max_time = uint32_t(std::max<int64_t>(ctx.now_s + params_.max_future_block_time_s, t.min_time));
  // Room for the header, a 5-byte tx count and the largest coinbase.
  const size_t reserved = kHeaderBytes + 5 + kCoinbaseFixedBytes + kMaxCoinbaseExtraBytes;
  const size_t budget = params_.max_block_bytes > reserved ? params_.max_block_bytes - reserved : 0;
  t.txs = impl_->mempool.Select(budget);
  for (const auto& tx : t.txs) {
    t.txids.push_back(TxId(tx));
    t.total_fees += tx.fee;
  }
  t.coinbase_value = params_.subsidy + t.total_fees;
  return t;
}

}  // namespace mw::chain
