#include "chain/block_template.h"

namespace mw::chain {

Transaction BlockTemplate::MakeCoinbase(const PubKey& payout, ByteSpan extra) const {
  return chain::MakeCoinbase(height, payout, coinbase_value, extra);
}

Result<CoinbaseParts> BlockTemplate::SplitCoinbase(const PubKey& payout, ByteSpan tag,
                                                   size_t extranonce_size) const {
  return chain::SplitCoinbase(height, payout, coinbase_value, tag, extranonce_size);
}

std::vector<Hash256> BlockTemplate::CoinbaseBranch() const {
  std::vector<Hash256> leaves;
  leaves.reserve(txids.size() + 1);
  leaves.push_back(Hash256{});
  leaves.insert(leaves.end(), txids.begin(), txids.end());
  return CoinbaseMerkleBranch(leaves);
}

Hash256 BlockTemplate::MerkleRootWith(const Hash256& coinbase_txid) const {
  std::vector<Hash256> leaves;
  leaves.reserve(txids.size() + 1);
  leaves.push_back(coinbase_txid);
  leaves.insert(leaves.end(), txids.begin(), txids.end());
  return MerkleRoot(std::move(leaves));
}

BlockHeader BlockTemplate::HeaderFor(const Transaction& coinbase, uint32_t header_time,
                                     uint32_t nonce) const {
  BlockHeader h;
  h.version = version;
  h.prev_hash = prev_hash;
  h.merkle_root = MerkleRootWith(TxId(coinbase));
  h.time = header_time;
  h.bits = bits;
  h.nonce = nonce;
  return h;
}

Block BlockTemplate::Assemble(const Transaction& coinbase, uint32_t header_time,
                              uint32_t nonce) const {
  Block b;
  b.header = HeaderFor(coinbase, header_time, nonce);
  b.txs.reserve(txs.size() + 1);
  b.txs.push_back(coinbase);
  b.txs.insert(b.txs.end(), txs.begin(), txs.end());
  return b;
}

}  // namespace mw::chain
