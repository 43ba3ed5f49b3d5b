#include "chain/validation.h"

#include <set>

#include "chain/pow.h"

namespace mw::chain {

Verdict CheckTransaction(const Transaction& tx) {
  if (tx.IsCoinbase()) {
    if (tx.extra.size() > kMaxCoinbaseExtraBytes) return {Reject::kMalformed, "coinbase extra too long"};
    return {};
  }
  if (tx.kind != TxKind::kTransfer) return {Reject::kMalformed, "unknown tx kind"};
  if (tx.memo.size() > kMaxMemoBytes) return {Reject::kMalformed, "memo too long"};
  if (!IsValidPubKey(tx.payee)) return {Reject::kMalformed, "payee is not a valid key"};
  if (!IsValidPubKey(tx.payer)) return {Reject::kBadSignature, "payer is not a valid key"};
  if (!VerifyTransferSignature(tx)) {
    return {Reject::kBadSignature, "signature does not verify for " + EncodeAddress(tx.payer)};
  }
  return {};
}

Verdict CheckBlock(const Block& block, const ChainParams& params) {
  Verdict pow = CheckProofOfWork(block.header, params);
  if (!pow.ok()) return pow;
  const size_t size = EncodedBlockSize(block);
  if (size > params.max_block_bytes) {
    return {Reject::kOversize, std::to_string(size) + " bytes > " +
                                   std::to_string(params.max_block_bytes)};
  }
  if (block.txs.empty() || !block.txs[0].IsCoinbase()) {
    return {Reject::kBadCoinbase, "first transaction is not a coinbase"};
  }
  std::set<Hash256> seen;
  std::vector<Hash256> ids;
  ids.reserve(block.txs.size());
  for (size_t i = 0; i < block.txs.size(); ++i) {
    if (i > 0 && block.txs[i].IsCoinbase()) {
      return {Reject::kBadCoinbase, "tx " + std::to_string(i) + " is a second coinbase"};
    }
    ids.push_back(TxId(block.txs[i]));
    if (!seen.insert(ids.back()).second) {
      return {Reject::kDuplicateTx, "txid " + ToDisplayHex(ids.back()) + " appears twice"};
    }
  }
  if (MerkleRoot(ids) != block.header.merkle_root) {
    return {Reject::kBadMerkleRoot, "header merkle root does not match the transactions"};
  }
  uint64_t fees = 0;
  for (size_t i = 1; i < block.txs.size(); ++i) {
    Verdict v = CheckTransaction(block.txs[i]);
    if (!v.ok()) return {v.reason(), "tx " + std::to_string(i) + ": " + v.detail()};
    if (block.txs[i].fee > UINT64_MAX - fees) return {Reject::kOverspend, "fees overflow"};
    fees += block.txs[i].fee;
  }
  Verdict cb = CheckTransaction(block.txs[0]);
  if (!cb.ok()) return cb;
  if (fees > UINT64_MAX - params.subsidy || block.txs[0].amount != params.subsidy + fees) {
    return {Reject::kBadCoinbaseAmount,
            "coinbase pays " + std::to_string(block.txs[0].amount) + ", expected " +
                std::to_string(params.subsidy + fees)};
  }
  return {};
}

Verdict CheckHeaderContext(const BlockHeader& header, const HeaderContext& ctx,
                           const ChainParams& params) {
  if (header.bits != ctx.expected_bits) {
    return {Reject::kBadBits, "bits " + std::to_string(header.bits) + ", expected " +
                                  std::to_string(ctx.expected_bits)};
  }
  if (header.time <= ctx.median_time_past) {
    return {Reject::kTimeTooOld, "time " + std::to_string(header.time) +
                                     " not after median time past " +
                                     std::to_string(ctx.median_time_past)};
  }
  if (int64_t(header.time) > ctx.now_s + params.max_future_block_time_s) {
    return {Reject::kTimeTooNew, "time " + std::to_string(header.time) + " more than " +
                                     std::to_string(params.max_future_block_time_s) +
                                     " s ahead of now " + std::to_string(ctx.now_s)};
  }
  return {};
}

Verdict CheckBlockContext(const Block& block, const HeaderContext& ctx, const ChainParams&) {
  if (block.txs.empty() || block.txs[0].height != ctx.height) {
    return {Reject::kBadCoinbaseHeight,
            "coinbase height " + std::to_string(block.txs.empty() ? 0 : block.txs[0].height) +
                ", block height " + std::to_string(ctx.height)};
  }
  return {};
}

}  // namespace mw::chain
