#include "chain/mempool.h"

#include <algorithm>
#include <queue>

#include "chain/validation.h"

namespace mw::chain {
namespace {

// a.fee / a.bytes > b.fee / b.bytes, without division.
bool HigherFeeRate(uint64_t fee_a, size_t bytes_a, uint64_t fee_b, size_t bytes_b) {
  __extension__ using u128 = unsigned __int128;
  return u128(fee_a) * bytes_b > u128(fee_b) * bytes_a;
}

}  // namespace

uint64_t Mempool::PendingSpend(const PubKey& payer) const {
  auto it = by_payer_.find(payer);
  if (it == by_payer_.end()) return 0;
  uint64_t sum = 0;
  for (const auto& [nonce, e] : it->second) sum += e.tx.amount + e.tx.fee;
  return sum;
}

uint64_t Mempool::NextNonce(const PubKey& payer, const Ledger& ledger) const {
  const auto acc = ledger.Find(payer);
  uint64_t next = acc ? acc->next_nonce : 0;
  auto it = by_payer_.find(payer);
  if (it != by_payer_.end()) {
    while (it->second.count(next) != 0) ++next;
  }
  return next;
}

Verdict Mempool::Add(const Transaction& tx, const Ledger& ledger) {
  if (tx.IsCoinbase()) return {Reject::kBadCoinbase, "a coinbase cannot enter the mempool"};
  const Hash256 txid = TxId(tx);
  if (by_txid_.count(txid) != 0) return {Reject::kDuplicateTx, "already in the mempool"};
  Verdict shape = CheckTransaction(tx);
  if (!shape.ok()) return shape;
  return AddChecked(tx, txid, ledger);
}

Verdict Mempool::AddChecked(const Transaction& tx, const Hash256& txid, const Ledger& ledger) {
  const auto acc = ledger.Find(tx.payer);
  if (!acc) return {Reject::kUnknownPayer, "payer " + EncodeAddress(tx.payer) + " has no account"};
  auto payer_it = by_payer_.find(tx.payer);
  if (tx.nonce < acc->next_nonce ||
      (payer_it != by_payer_.end() && payer_it->second.count(tx.nonce) != 0)) {
    return {Reject::kDoubleSpend, "nonce " + std::to_string(tx.nonce) + " already used or pending"};
  }
  const uint64_t expected = NextNonce(tx.payer, ledger);
  if (tx.nonce != expected) {
    return {Reject::kBadNonceOrder, "nonce " + std::to_string(tx.nonce) + " but next is " +
                                        std::to_string(expected)};
  }
  const uint64_t pending = PendingSpend(tx.payer);
  if (tx.amount > UINT64_MAX - tx.fee || pending > UINT64_MAX - (tx.amount + tx.fee) ||
      pending + tx.amount + tx.fee > acc->balance) {
    return {Reject::kOverspend, "amount + fee + pending " + std::to_string(pending) +
                                    " above balance " + std::to_string(acc->balance)};
  }
  if (by_txid_.size() >= max_txs_) return {Reject::kMempoolFull, "mempool holds its maximum"};
  Entry e{tx, txid, EncodedTxSize(tx)};
  by_payer_[tx.payer].emplace(tx.nonce, std::move(e));
  by_txid_.emplace(txid, std::make_pair(tx.payer, tx.nonce));
  return {};
}

size_t Mempool::Revalidate(const Ledger& ledger, std::vector<Transaction> returning) {
  const size_t before = by_txid_.size();
  std::vector<Transaction> all = All();
  all.insert(all.end(), std::make_move_iterator(returning.begin()),
             std::make_move_iterator(returning.end()));
  // Per payer in nonce order, so chained transfers re-enter one after the other.
  std::stable_sort(all.begin(), all.end(), [](const Transaction& a, const Transaction& b) {
    return a.payer != b.payer ? a.payer < b.payer : a.nonce < b.nonce;
  });
  by_txid_.clear();
  by_payer_.clear();
  size_t kept_old = 0;
  for (const auto& tx : all) {
    if (tx.IsCoinbase()) continue;
    // Signatures were verified on entry; only the state-dependent rules can change.
    const Hash256 txid = TxId(tx);
    if (by_txid_.count(txid) != 0) continue;
    if (AddChecked(tx, txid, ledger).ok()) ++kept_old;
  }
  return before > kept_old ? before - kept_old : 0;
}

std::vector<Transaction> Mempool::Select(size_t max_bytes) const {
  // A heap of each payer's next transfer; taking one exposes the payer's following nonce.
  struct Head {
    const Entry* entry;
    const std::map<uint64_t, Entry>* chain;
  };
  auto lower = [](const Head& a, const Head& b) {
    return HigherFeeRate(b.entry->tx.fee, b.entry->bytes, a.entry->tx.fee, a.entry->bytes);
  };
  std::priority_queue<Head, std::vector<Head>, decltype(lower)> heap(lower);
  for (const auto& [payer, chain] : by_payer_) {
    if (!chain.empty()) heap.push({&chain.begin()->second, &chain});
  }
  std::vector<Transaction> out;
  size_t used = 0;
  while (!heap.empty()) {
    Head h = heap.top();
    heap.pop();
    if (used + h.entry->bytes > max_bytes) continue;  // this payer's later nonces wait too
    used += h.entry->bytes;
    out.push_back(h.entry->tx);
    auto next = h.chain->find(h.entry->tx.nonce + 1);
    if (next != h.chain->end()) heap.push({&next->second, h.chain});
  }
  return out;
}

std::optional<Transaction> Mempool::Find(const Hash256& txid) const {
  auto it = by_txid_.find(txid);
  if (it == by_txid_.end()) return std::nullopt;
  return by_payer_.at(it->second.first).at(it->second.second).tx;
}

std::vector<Transaction> Mempool::All() const {
  std::vector<Transaction> out;
  out.reserve(by_txid_.size());
  for (const auto& [payer, chain] : by_payer_) {
    for (const auto& [nonce, e] : chain) out.push_back(e.tx);
  }
  return out;
}

}  // namespace mw::chain
