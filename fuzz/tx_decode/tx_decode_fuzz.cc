// Transaction decoding on arbitrary bytes (P2P tx messages, RPC sendrawtransaction): a decoded
// transaction must re-encode to exactly the input, and the checks that follow must not crash.
#include <cstdint>

#include "chain/ledger.h"
#include "chain/transaction.h"
#include "chain/validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mw::ByteSpan input(data, size);
  auto tx = mw::chain::DecodeTx(input);
  if (tx.ok()) {
    const mw::Bytes again = mw::chain::EncodeTx(*tx);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) __builtin_trap();
    if (mw::chain::EncodedTxSize(*tx) != size) __builtin_trap();
    (void)mw::chain::TxId(*tx);
    (void)mw::chain::CheckTransaction(*tx);
    mw::chain::Ledger ledger;
    ledger.Set(tx->payer, mw::chain::Account{1000, 0});
    (void)mw::chain::CheckTransferAgainst(ledger, *tx);
  }
  // The prefix decoder must agree with the exact one.
  size_t consumed = 0;
  auto prefix = mw::chain::DecodeTxPrefix(input, consumed);
  if (prefix.ok() && consumed > size) __builtin_trap();
  if (tx.ok() && (!prefix.ok() || consumed != size)) __builtin_trap();
  (void)mw::chain::ParseCoinbase(input);
  (void)mw::chain::DecodeUndo(input);
  return 0;
}
