// Mempool: valid unconfirmed transfers, chained per payer by nonce, selected by fee rate.
//
// A transfer is accepted when it passes CheckTransaction and applies on top of the ledger plus
// the payer's transfers already pending (its nonce must be the payer's next nonce after them and
// the balance must cover all of them). Fee rate = fee / encoded size. Not thread-safe; the Chain
// serialises access.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <vector>

#include "chain/ledger.h"
#include "chain/transaction.h"
#include "chain/verdict.h"

namespace mw::chain {

class Mempool {
 public:
  explicit Mempool(size_t max_txs = 10'000) : max_txs_(max_txs) {}

  // kDuplicateTx (same txid pending), kDoubleSpend (same payer and nonce pending, or nonce
  // used), kBadNonceOrder, kOverspend, kUnknownPayer, kBadSignature, kMalformed, kMempoolFull.
  Verdict Add(const Transaction& tx, const Ledger& ledger);

  // After the ledger changed (block connected or disconnected): drops every transfer that no
  // longer applies (confirmed, nonce used, balance gone) and offers `returning` (transfers of
  // disconnected blocks, already signature-checked) again. Returns how many of the entries
  // pooled before the call did not make it back (approximate when `returning` is not empty).
  size_t Revalidate(const Ledger& ledger, std::vector<Transaction> returning = {});

  // Transfers for a block template: highest fee rate first among each payer's next pending
  // transfer, payer nonce order kept, total encoded size <= max_bytes.
  std::vector<Transaction> Select(size_t max_bytes) const;

  std::optional<Transaction> Find(const Hash256& txid) const;
  // The nonce the payer's next transfer should carry, counting pending ones.
  uint64_t NextNonce(const PubKey& payer, const Ledger& ledger) const;
  // Sum of amount + fee of the payer's pending transfers.
  uint64_t PendingSpend(const PubKey& payer) const;
  std::vector<Transaction> All() const;  // ordered by payer, nonce
  size_t size() const { return by_txid_.size(); }

 private:
  struct Entry {
    Transaction tx;
    Hash256 txid{};
    size_t bytes = 0;
  };
  Verdict AddChecked(const Transaction& tx, const Hash256& txid, const Ledger& ledger);

  size_t max_txs_;
  std::map<Hash256, std::pair<PubKey, uint64_t>> by_txid_;       // txid -> (payer, nonce)
  std::map<PubKey, std::map<uint64_t, Entry>> by_payer_;          // payer -> nonce -> entry
};

}  // namespace mw::chain
