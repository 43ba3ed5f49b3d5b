#include "chain/verdict.h"

namespace mw::chain {

std::string_view RejectName(Reject reason) {
  switch (reason) {
    case Reject::kNone: return "ok";
    case Reject::kMalformed: return "malformed";
    case Reject::kBadPow: return "bad-pow";
    case Reject::kBadMerkleRoot: return "bad-merkle-root";
    case Reject::kBadSignature: return "bad-signature";
    case Reject::kDoubleSpend: return "double-spend";
    case Reject::kOverspend: return "overspend";
    case Reject::kUnknownPayer: return "unknown-payer";
    case Reject::kBadCoinbaseAmount: return "bad-coinbase-amount";
    case Reject::kTimeTooNew: return "time-too-new";
    case Reject::kTimeTooOld: return "time-too-old";
    case Reject::kOversize: return "oversize";
    case Reject::kDuplicateTx: return "duplicate-tx";
    case Reject::kBadNonceOrder: return "bad-nonce-order";
    case Reject::kBadPrev: return "bad-prev";
    case Reject::kBadBits: return "bad-bits";
    case Reject::kBadCoinbaseHeight: return "bad-coinbase-height";
    case Reject::kBadCoinbase: return "bad-coinbase";
    case Reject::kOrphan: return "orphan";
    case Reject::kDuplicateBlock: return "duplicate-block";
    case Reject::kMempoolFull: return "mempool-full";
    case Reject::kStorage: return "storage";
  }
  return "unknown";
}

std::string Verdict::ToString() const {
  if (ok()) return "ok";
  std::string s(name());
  if (!detail_.empty()) s += ": " + detail_;
  return s;
}

Status Verdict::ToStatus() const {
  switch (reason_) {
    case Reject::kNone: return Status::Ok();
    case Reject::kMalformed: return Status::InvalidArgument(ToString());
    case Reject::kOrphan: return Status::NotFound(ToString());
    case Reject::kStorage: return Status::IoError(ToString());
    case Reject::kDuplicateBlock:
    case Reject::kDuplicateTx: return Status::AlreadyExists(ToString());
    default: return Status::FailedPrecondition(ToString());
  }
}

}  // namespace mw::chain
