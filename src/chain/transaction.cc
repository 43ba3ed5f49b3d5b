#include "chain/transaction.h"

#include "chain/byte_reader.h"

namespace mw::chain {
namespace {

void AppendUnsigned(Bytes& out, const Transaction& tx) {
  out.push_back(uint8_t(tx.kind));
  if (tx.IsCoinbase()) {
    AppendLE32(out, tx.height);
    out.push_back(uint8_t(tx.extra.size()));
    Append(out, tx.extra);
    Append(out, tx.payee);
    AppendLE64(out, tx.amount);
    return;
  }
  Append(out, tx.payer);
  Append(out, tx.payee);
  AppendLE64(out, tx.amount);
  AppendLE64(out, tx.fee);
  AppendLE64(out, tx.nonce);
  out.push_back(uint8_t(tx.memo.size()));
  Append(out, tx.memo);
}

}  // namespace

void AppendTx(Bytes& out, const Transaction& tx) {
  AppendUnsigned(out, tx);
  if (!tx.IsCoinbase()) Append(out, tx.signature);
}

Bytes EncodeTx(const Transaction& tx) {
  Bytes out;
  out.reserve(EncodedTxSize(tx));
  AppendTx(out, tx);
  return out;
}

size_t EncodedTxSize(const Transaction& tx) {
  return tx.IsCoinbase() ? kCoinbaseFixedBytes + tx.extra.size()
                         : kTransferFixedBytes + tx.memo.size();
}

Result<Transaction> DecodeTxPrefix(ByteSpan bytes, size_t& consumed) {
  ByteReader r(bytes);
  Transaction tx;
  uint8_t kind = 0;
  if (!r.ReadU8(kind)) return Status::InvalidArgument("tx: empty");
  if (kind == uint8_t(TxKind::kCoinbase)) {
    tx.kind = TxKind::kCoinbase;
    uint8_t extra_len = 0;
    if (!r.ReadU32(tx.height) || !r.ReadU8(extra_len)) {
      return Status::InvalidArgument("coinbase: truncated");
    }
    if (extra_len > kMaxCoinbaseExtraBytes) {
      return Status::InvalidArgument("coinbase: extra longer than 100 bytes");
    }
    if (!r.ReadBytes(extra_len, tx.extra) || !r.ReadArray(tx.payee) || !r.ReadU64(tx.amount)) {
      return Status::InvalidArgument("coinbase: truncated");
    }
  } else if (kind == uint8_t(TxKind::kTransfer)) {
    tx.kind = TxKind::kTransfer;
    uint8_t memo_len = 0;
    if (!r.ReadArray(tx.payer) || !r.ReadArray(tx.payee) || !r.ReadU64(tx.amount) ||
        !r.ReadU64(tx.fee) || !r.ReadU64(tx.nonce) || !r.ReadU8(memo_len)) {
      return Status::InvalidArgument("transfer: truncated");
    }
    if (memo_len > kMaxMemoBytes) {
      return Status::InvalidArgument("transfer: memo longer than 80 bytes");
    }
    if (!r.ReadBytes(memo_len, tx.memo) || !r.ReadArray(tx.signature)) {
      return Status::InvalidArgument("transfer: truncated");
    }
  } else {
    return Status::InvalidArgument("tx: unknown kind " + std::to_string(kind));
  }
  consumed = r.position();
  return tx;
}

Result<Transaction> DecodeTx(ByteSpan bytes) {
  size_t consumed = 0;
  MW_ASSIGN_OR_RETURN(Transaction tx, DecodeTxPrefix(bytes, consumed));
  if (consumed != bytes.size()) {
    return Status::InvalidArgument("tx: " + std::to_string(bytes.size() - consumed) +
                                   " trailing bytes");
  }
  return tx;
}

Hash256 TxId(const Transaction& tx) { return Sha256d(EncodeTx(tx)); }

Hash256 SigHash(const Transaction& tx) {
  Bytes out;
  AppendUnsigned(out, tx);
  return Sha256d(out);
}

Status SignTransfer(Transaction& tx, const KeyPair& key) {
  if (tx.IsCoinbase()) return Status::InvalidArgument("a coinbase is not signed");
  tx.payer = key.pubkey();
  MW_ASSIGN_OR_RETURN(tx.signature, key.Sign(SigHash(tx)));
  return Status::Ok();
}

Result<Transaction> MakeTransfer(const KeyPair& key, const PubKey& payee, uint64_t amount,
                                 uint64_t fee, uint64_t nonce, ByteSpan memo) {
  if (memo.size() > kMaxMemoBytes) return Status::InvalidArgument("memo longer than 80 bytes");
  Transaction tx;
  tx.kind = TxKind::kTransfer;
  tx.payee = payee;
  tx.amount = amount;
  tx.fee = fee;
  tx.nonce = nonce;
  tx.memo.assign(memo.begin(), memo.end());
  MW_RETURN_IF_ERROR(SignTransfer(tx, key));
  return tx;
}

bool VerifyTransferSignature(const Transaction& tx) {
  if (tx.IsCoinbase()) return false;
  return VerifySignature(tx.payer, SigHash(tx), tx.signature);
}

Transaction MakeCoinbase(uint32_t height, const PubKey& payee, uint64_t value, ByteSpan extra) {
  Transaction tx;
  tx.kind = TxKind::kCoinbase;
  tx.height = height;
  tx.payee = payee;
  tx.amount = value;
  tx.extra.assign(extra.begin(), extra.end());
  return tx;
}

Result<CoinbaseParts> SplitCoinbase(uint32_t height, const PubKey& payee, uint64_t value,
                                    ByteSpan tag, size_t extranonce_size) {
  if (tag.size() > kMaxCoinbaseExtraBytes ||
      extranonce_size > kMaxCoinbaseExtraBytes - tag.size()) {
    return Status::OutOfRange("coinbase tag + extranonce exceed 100 bytes");
  }
  Bytes extra(tag.begin(), tag.end());
  extra.resize(tag.size() + extranonce_size, 0);
  const Bytes full = EncodeTx(MakeCoinbase(height, payee, value, extra));
  // kind(1) height(4) extra_len(1) tag | extranonce | payee amount
  const size_t split = 1 + 4 + 1 + tag.size();
  CoinbaseParts parts;
  parts.coinb1.assign(full.begin(), full.begin() + long(split));
  parts.coinb2.assign(full.begin() + long(split + extranonce_size), full.end());
  return parts;
}

Result<Transaction> ParseCoinbase(ByteSpan bytes) {
  MW_ASSIGN_OR_RETURN(Transaction tx, DecodeTx(bytes));
  if (!tx.IsCoinbase()) return Status::InvalidArgument("not a coinbase transaction");
  return tx;
}

}  // namespace mw::chain
