// Transactions of the lab chain (account model) and their strict binary encoding.
//
// Two kinds share one struct:
//   transfer: payer pays `amount` to payee plus `fee` to the miner; `nonce` is the payer's
//             sequence number (the n-th transfer of a payer has nonce n, starting at 0).
//   coinbase: first transaction of every block; pays subsidy + fees to `payee`; carries the
//             block `height` and a free `extra` field (pool tag + extranonce).
//
// Wire format (integers little-endian):
//   transfer: 0x01 | payer[32] | payee[32] | amount u64 | fee u64 | nonce u64
//             | memo_len u8 | memo[memo_len] | signature[64]
//   coinbase: 0x00 | height u32 | extra_len u8 | extra[extra_len] | payee[32] | amount u64
// The signature covers SigHash() = SHA-256d(transfer encoding without the last 64 signature
// bytes). txid = SHA-256d(full encoding, signature included). A coinbase has no signature, so its
// txid is SHA-256d of the whole coinbase, exactly what a Stratum miner computes from
// coinb1 || extranonce1 || extranonce2 || coinb2.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "chain/keys.h"
#include "core/bytes.h"
#include "core/sha256.h"
#include "core/status.h"

namespace mw::chain {

enum class TxKind : uint8_t { kCoinbase = 0, kTransfer = 1 };

inline constexpr size_t kMaxMemoBytes = 80;
inline constexpr size_t kMaxCoinbaseExtraBytes = 100;
inline constexpr size_t kTransferFixedBytes = 1 + 32 + 32 + 8 + 8 + 8 + 1 + 64;  // 154
inline constexpr size_t kCoinbaseFixedBytes = 1 + 4 + 1 + 32 + 8;                // 46
inline constexpr size_t kMinTxBytes = kCoinbaseFixedBytes;
inline constexpr size_t kMaxTxBytes = kTransferFixedBytes + kMaxMemoBytes;

struct Transaction {
  TxKind kind = TxKind::kTransfer;
  PubKey payer{};          // transfer only
  PubKey payee{};
  uint64_t amount = 0;
  uint64_t fee = 0;        // transfer only
  uint64_t nonce = 0;      // transfer only
  Bytes memo;              // transfer only, <= kMaxMemoBytes
  Signature signature{};   // transfer only
  uint32_t height = 0;     // coinbase only
  Bytes extra;             // coinbase only, <= kMaxCoinbaseExtraBytes

  bool IsCoinbase() const { return kind == TxKind::kCoinbase; }
  friend bool operator==(const Transaction&, const Transaction&) = default;
};

// Full encoding. A memo/extra longer than its maximum is a caller bug; Encode truncates nothing
// and the result will not decode (use ValidateShape first for outside input).
Bytes EncodeTx(const Transaction& tx);
void AppendTx(Bytes& out, const Transaction& tx);
size_t EncodedTxSize(const Transaction& tx);
// Decodes exactly one transaction filling all of `bytes`.
Result<Transaction> DecodeTx(ByteSpan bytes);
// Decodes one transaction from the front of `bytes` and sets `consumed`. Strict: unknown kind,
// over-long memo/extra, or truncated input are errors (kInvalidArgument).
Result<Transaction> DecodeTxPrefix(ByteSpan bytes, size_t& consumed);

Hash256 TxId(const Transaction& tx);
// The message a transfer signs (see above). For a coinbase it equals TxId.
Hash256 SigHash(const Transaction& tx);

// Builds a signed transfer from `key`'s account. `memo` must be <= kMaxMemoBytes.
Result<Transaction> MakeTransfer(const KeyPair& key, const PubKey& payee, uint64_t amount,
                                 uint64_t fee, uint64_t nonce, ByteSpan memo = {});
// Signs (or re-signs) a transfer with `key`; sets tx.payer to key.pubkey().
Status SignTransfer(Transaction& tx, const KeyPair& key);
// True when the signature verifies for tx.payer (false for a coinbase).
bool VerifyTransferSignature(const Transaction& tx);

Transaction MakeCoinbase(uint32_t height, const PubKey& payee, uint64_t value, ByteSpan extra);

// A coinbase split for Stratum: coinbase = coinb1 || extranonce || coinb2, where the extranonce
// (extranonce1 || extranonce2, `extranonce_size` bytes in total) sits inside `extra` right after
// `tag`. tag.size() + extranonce_size must be <= kMaxCoinbaseExtraBytes.
struct CoinbaseParts {
  Bytes coinb1;
  Bytes coinb2;
};
Result<CoinbaseParts> SplitCoinbase(uint32_t height, const PubKey& payee, uint64_t value,
                                    ByteSpan tag, size_t extranonce_size);
// Parses an assembled coinbase (coinb1 || en1 || en2 || coinb2) back; kInvalidArgument when it
// is not exactly one well-formed coinbase transaction.
Result<Transaction> ParseCoinbase(ByteSpan bytes);

}  // namespace mw::chain
