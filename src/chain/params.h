// ChainParams: the consensus constants of one network, and the built-in networks.
//
//   "lab"     : the demo network. 2 s blocks, retarget every block over a 10-block window,
//               pow limit 0x1f00ffff (~65k hashes per block at the start; retargeting raises it
//               toward the 2 s interval for whatever hash power mines).
//   "regtest" : unit tests. pow limit 0x207fffff (about 2 hashes per block) and no retargeting,
//               coinbase maturity 2.
// The returned objects are immutable and live for the whole program (thread-safe).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "chain/block.h"
#include "core/status.h"

namespace mw::chain {

struct ChainParams {
  std::string name;
  Block genesis;
  Hash256 genesis_hash{};
  int64_t target_spacing_s = 2;        // target block interval
  uint32_t retarget_window = 10;       // blocks averaged by NextBits
  uint32_t max_step_factor = 4;        // one retarget changes the target by at most this factor
  bool no_retarget = false;            // every block uses pow_limit_bits (regtest)
  uint32_t pow_limit_bits = 0x1f00ffff;
  uint64_t subsidy = 50'0000'0000;     // base units per block
  uint32_t coinbase_maturity = 10;     // blocks before a coinbase payout is spendable
  size_t max_block_bytes = 1'000'000;
  int64_t max_future_block_time_s = 60;
  uint32_t mtp_window = 11;            // blocks in the median-time-past
  uint32_t block_version = 1;

  static const ChainParams& Lab();
  static const ChainParams& Regtest();
  // "lab" or "regtest"; kNotFound otherwise.
  static Result<const ChainParams*> ByName(std::string_view name);
};

}  // namespace mw::chain
