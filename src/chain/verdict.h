// Verdict: why a transaction, header or block was refused, as a named reason plus detail.
//
// Every consensus or policy failure of the chain library is one Reject value; tests and peers
// can match on reason() and logs/RPC print name() ("bad-pow") and detail(). A default Verdict
// means "accepted". Plain value type.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace mw::chain {

enum class Reject {
  kNone = 0,
  kMalformed,           // "malformed": bytes do not decode, or a field breaks a static rule
  kBadPow,              // "bad-pow": header hash above the target its bits encode
  kBadMerkleRoot,       // "bad-merkle-root"
  kBadSignature,        // "bad-signature": BIP340 verification failed
  kDoubleSpend,         // "double-spend": payer nonce already used (or same payer/nonce pending)
  kOverspend,           // "overspend": amount + fee above the payer's balance
  kUnknownPayer,        // "unknown-payer": the payer has no account record
  kBadCoinbaseAmount,   // "bad-coinbase-amount": coinbase value != subsidy + fees
  kTimeTooNew,          // "time-too-new": header time beyond now + max future drift
  kTimeTooOld,          // "time-too-old": header time not after the median time past
  kOversize,            // "oversize": block above the network's max block size
  kDuplicateTx,         // "duplicate-tx": one txid twice in a block (or tx already in mempool)
  kBadNonceOrder,       // "bad-nonce-order": payer nonce above the next expected one
  kBadPrev,             // "bad-prev": parent invalid, or a header whose parent is unknown
  kBadBits,             // "bad-bits": bits differ from what retargeting requires
  kBadCoinbaseHeight,   // "bad-coinbase-height"
  kBadCoinbase,         // "bad-coinbase": missing, not first, or more than one coinbase
  kOrphan,              // "orphan": parent block unknown; the block was kept, fetch the parent
  kDuplicateBlock,      // "duplicate-block": already known (not an error for the sender)
  kMempoolFull,         // "mempool-full"
  kStorage,             // "storage": the block store failed (disk full, I/O error)
};

std::string_view RejectName(Reject reason);

class [[nodiscard]] Verdict {
 public:
  Verdict() = default;  // accepted
  Verdict(Reject reason, std::string detail) : reason_(reason), detail_(std::move(detail)) {}
  static Verdict Accept() { return {}; }

  bool ok() const { return reason_ == Reject::kNone; }
  Reject reason() const { return reason_; }
  std::string_view name() const { return RejectName(reason_); }
  const std::string& detail() const { return detail_; }
  // "bad-pow: hash 00ab.. above target"; "ok" when accepted.
  std::string ToString() const;
  // As an mw::Status (kInvalidArgument for malformed, kNotFound for orphan, kIoError for
  // storage, kAlreadyExists for duplicate-block/duplicate-tx, kFailedPrecondition otherwise),
  // message = ToString().
  Status ToStatus() const;

 private:
  Reject reason_ = Reject::kNone;
  std::string detail_;
};

}  // namespace mw::chain
