// Block decoding on arbitrary bytes (P2P block messages, RPC submitblock): a decoded block must
// re-encode to exactly the input, and static validation must not crash.
#include <cstdint>

#include "chain/block.h"
#include "chain/params.h"
#include "chain/validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mw::ByteSpan input(data, size);
  auto block = mw::chain::DecodeBlock(input);
  if (block.ok()) {
    const mw::Bytes again = mw::chain::EncodeBlock(*block);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) __builtin_trap();
    if (mw::chain::EncodedBlockSize(*block) != size) __builtin_trap();
    (void)mw::chain::BlockMerkleRoot(*block);
    std::vector<mw::Hash256> ids;
    for (const auto& tx : block->txs) ids.push_back(mw::chain::TxId(tx));
    (void)mw::chain::CoinbaseMerkleBranch(ids);
    (void)mw::chain::CheckBlock(*block, mw::chain::ChainParams::Regtest());
  }
  if (size >= mw::chain::kHeaderBytes) {
    auto header = mw::chain::BlockHeader::Decode(input.first(mw::chain::kHeaderBytes));
    if (!header.ok()) __builtin_trap();
    const auto enc = header->Encode();
    if (!std::equal(enc.begin(), enc.end(), data)) __builtin_trap();
  }
  size_t offset = 0;
  (void)mw::chain::ReadCompactSize(input, offset);
  if (offset > size) __builtin_trap();
  return 0;
}
