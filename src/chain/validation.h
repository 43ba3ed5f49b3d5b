// Block and transaction validation that does not need account state.
#pragma once

#include <cstdint>

#include "chain/block.h"
#include "chain/params.h"
#include "chain/verdict.h"

namespace mw::chain {

// Static shape of one transaction: memo/extra bounds; a transfer needs a valid payer key, a
// valid payee key and a verifying signature (kBadSignature); a coinbase outside a block's first
// slot is the caller's concern.
Verdict CheckTransaction(const Transaction& tx);

// Everything about a block that needs neither its parent nor the ledger: proof of work and bits
// range, size (kOversize against params.max_block_bytes), exactly one coinbase and first
// (kBadCoinbase), duplicate txids (kDuplicateTx), merkle root (kBadMerkleRoot), each
// transaction (CheckTransaction), and coinbase amount == subsidy + sum of fees
// (kBadCoinbaseAmount).
Verdict CheckBlock(const Block& block, const ChainParams& params);

// What the parent chain says about the next block.
struct HeaderContext {
  uint32_t height = 0;             // height of the new block
  uint32_t expected_bits = 0;      // NextBits over its ancestors
  uint32_t median_time_past = 0;   // MedianTimePast over its ancestors
  int64_t now_s = 0;               // wall clock, seconds
};
// kBadBits, kTimeTooOld (time <= median time past), kTimeTooNew (time > now + max future).
Verdict CheckHeaderContext(const BlockHeader& header, const HeaderContext& ctx,
                           const ChainParams& params);
// kBadCoinbaseHeight when the coinbase does not carry ctx.height (block must pass CheckBlock).
Verdict CheckBlockContext(const Block& block, const HeaderContext& ctx,
                          const ChainParams& params);

}  // namespace mw::chain
