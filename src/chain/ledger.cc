#include "chain/ledger.h"

#include <algorithm>

#include "chain/byte_reader.h"

namespace mw::chain {
namespace {

constexpr size_t kUndoEntryBytes = 32 + 1 + 8 + 8;

// Records the first touch of `key` in this block.
void Remember(const Ledger& ledger, const PubKey& key, BlockUndo& undo) {
  for (const auto& e : undo.entries) {
    if (e.key == key) return;
  }
  AccountUndo entry;
  entry.key = key;
  if (auto acc = ledger.Find(key)) {
    entry.existed = true;
    entry.before = *acc;
  }
  undo.entries.push_back(entry);
}

// Adds `amount` to key's balance, creating the record; false on overflow.
bool Credit(Ledger& ledger, const PubKey& key, uint64_t amount) {
  Account acc = ledger.Find(key).value_or(Account{});
  if (acc.balance > UINT64_MAX - amount) return false;
  acc.balance += amount;
  ledger.Set(key, acc);
  return true;
}

}  // namespace

std::optional<Account> Ledger::Find(const PubKey& key) const {
  auto it = accounts_.find(key);
  if (it == accounts_.end()) return std::nullopt;
  return it->second;
}

Bytes EncodeUndo(const BlockUndo& undo) {
  Bytes out;
  out.reserve(4 + undo.entries.size() * kUndoEntryBytes);
  AppendLE32(out, uint32_t(undo.entries.size()));
  for (const auto& e : undo.entries) {
    Append(out, e.key);
    out.push_back(e.existed ? 1 : 0);
    AppendLE64(out, e.before.balance);
    AppendLE64(out, e.before.next_nonce);
  }
  return out;
}

Result<BlockUndo> DecodeUndo(ByteSpan bytes) {
  ByteReader r(bytes);
  uint32_t count = 0;
  if (!r.ReadU32(count) || count > r.remaining() / kUndoEntryBytes) {
    return Status::Corruption("undo: bad entry count");
  }
  BlockUndo undo;
  undo.entries.resize(count);
  for (auto& e : undo.entries) {
    uint8_t existed = 0;
    if (!r.ReadArray(e.key) || !r.ReadU8(existed) || !r.ReadU64(e.before.balance) ||
        !r.ReadU64(e.before.next_nonce) || existed > 1) {
      return Status::Corruption("undo: truncated entry");
    }
    e.existed = existed == 1;
  }
  if (r.remaining() != 0) return Status::Corruption("undo: trailing bytes");
  return undo;
}

Verdict CheckTransferAgainst(const Ledger& ledger, const Transaction& tx) {
  const auto acc = ledger.Find(tx.payer);
  if (!acc) return {Reject::kUnknownPayer, "payer " + EncodeAddress(tx.payer) + " has no account"};
  if (tx.nonce < acc->next_nonce) {
    return {Reject::kDoubleSpend, "nonce " + std::to_string(tx.nonce) + " already used (next " +
                                      std::to_string(acc->next_nonce) + ")"};
  }
  if (tx.nonce > acc->next_nonce) {
    return {Reject::kBadNonceOrder, "nonce " + std::to_string(tx.nonce) + " but next is " +
                                        std::to_string(acc->next_nonce)};
  }
  if (tx.amount > UINT64_MAX - tx.fee || tx.amount + tx.fee > acc->balance) {
    return {Reject::kOverspend, "amount + fee above balance " + std::to_string(acc->balance)};
  }
  return {};
}

Verdict ConnectBlockToLedger(Ledger& ledger, const Block& block,
                             const Transaction* matured_coinbase, BlockUndo& undo) {
  undo = BlockUndo{};
  // Every account is remembered before it changes, so the partial undo rolls a failure back.
  auto fail = [&](Verdict v) {
    DisconnectBlockFromLedger(ledger, undo);
    undo = BlockUndo{};
    return v;
  };
  for (size_t i = 0; i < block.txs.size(); ++i) {
    const Transaction& tx = block.txs[i];
    if (tx.IsCoinbase()) continue;
    Verdict v = CheckTransferAgainst(ledger, tx);
    if (!v.ok()) return fail({v.reason(), "tx " + std::to_string(i) + ": " + v.detail()});
    Remember(ledger, tx.payer, undo);
    Account payer = *ledger.Find(tx.payer);
    payer.balance -= tx.amount + tx.fee;
    payer.next_nonce += 1;
    ledger.Set(tx.payer, payer);
    Remember(ledger, tx.payee, undo);
    if (!Credit(ledger, tx.payee, tx.amount)) {
      return fail({Reject::kOverspend, "tx " + std::to_string(i) + ": payee balance overflow"});
    }
  }
  if (matured_coinbase != nullptr) {
    Remember(ledger, matured_coinbase->payee, undo);
    if (!Credit(ledger, matured_coinbase->payee, matured_coinbase->amount)) {
      return fail({Reject::kOverspend, "matured coinbase overflows payee balance"});
    }
  }
  return {};
}

void DisconnectBlockFromLedger(Ledger& ledger, const BlockUndo& undo) {
  for (auto it = undo.entries.rbegin(); it != undo.entries.rend(); ++it) {
    if (it->existed) {
      ledger.Set(it->key, it->before);
    } else {
      ledger.Erase(it->key);
    }
  }
}

}  // namespace mw::chain
