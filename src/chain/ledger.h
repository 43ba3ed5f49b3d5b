// Ledger: the account state (balance and next nonce per payer key) and the block-level state
// transition with undo data, so that a reorganisation can roll state back and forward.
//
// Coinbase maturity in the account model: connecting the block at height h credits the coinbase
// of the main-chain block at height h - coinbase_maturity (the caller passes it in). Until then
// a payout is "immature" and not part of any balance.
// Not thread-safe; the Chain owning a Ledger serialises access.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "chain/block.h"
#include "chain/params.h"
#include "chain/verdict.h"
#include "core/status.h"

namespace mw::chain {

struct Account {
  uint64_t balance = 0;
  uint64_t next_nonce = 0;  // nonce the payer's next transfer must carry
  friend bool operator==(const Account&, const Account&) = default;
};

class Ledger {
 public:
  std::optional<Account> Find(const PubKey& key) const;
  void Set(const PubKey& key, const Account& account) { accounts_[key] = account; }
  void Erase(const PubKey& key) { accounts_.erase(key); }
  const std::map<PubKey, Account>& accounts() const { return accounts_; }

 private:
  std::map<PubKey, Account> accounts_;
};

// What an account looked like before a block touched it.
struct AccountUndo {
  PubKey key{};
  bool existed = false;
  Account before;
};
struct BlockUndo {
  std::vector<AccountUndo> entries;  // first touch of each account, in order
};
Bytes EncodeUndo(const BlockUndo& undo);
Result<BlockUndo> DecodeUndo(ByteSpan bytes);

// A transfer against the current state: kUnknownPayer, kDoubleSpend (nonce below next),
// kBadNonceOrder (nonce above next), kOverspend (amount + fee above balance or overflowing).
Verdict CheckTransferAgainst(const Ledger& ledger, const Transaction& tx);

// Applies the transfers of `block` in order (fees go to the block's coinbase payee only when it
// matures) and credits `matured_coinbase` (may be null). On failure the ledger is unchanged and
// the verdict names the first failing transfer. On success `undo` describes how to roll back.
Verdict ConnectBlockToLedger(Ledger& ledger, const Block& block,
                             const Transaction* matured_coinbase, BlockUndo& undo);
// Restores the accounts recorded in `undo` (reverse order of ConnectBlockToLedger).
void DisconnectBlockFromLedger(Ledger& ledger, const BlockUndo& undo);

}  // namespace mw::chain
