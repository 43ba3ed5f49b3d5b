// SoloMiner: mines blocks for one payout address from a node's getblocktemplate.
//
// A long-poll thread keeps the newest template (getblocktemplate with the last longpollid). The
// miner builds the coinbase (payout address, extra = tag || extranonce u64 LE), the merkle root
// and the header, and hands the nonce range to HashWorkers. A find is assembled into a block and
// sent with submitblock; the template is then stale and the miner waits for the next one. When
// the nonce range runs out the extranonce is rolled. Hash rate is printed every
// report_interval.
//
// Output: one line per event through `print` (thread-safe to call from the Run thread only):
//   "template height H prev P bits B txs N"
//   "solved block height H hash X nonce N"
//   "submitted block height H hash X: accepted" / "...: rejected (REASON)"
//   "hashrate R MH/s threads T height H blocks B"
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "chain/keys.h"
#include "core/status.h"
#include "io/host_port.h"

namespace mw::lab::miner {

struct SoloMinerOptions {
  io::HttpUrl node;
  chain::PubKey payout{};
  int threads = 1;
  std::chrono::milliseconds report_interval{5000};
  std::string tag = "minelab-solo";
  uint64_t max_blocks = 0;  // stop after this many accepted blocks (0: run until stopped)
};

class SoloMiner {
 public:
  SoloMiner(SoloMinerOptions options, std::function<void(const std::string&)> print);

  // Mines until `stop` becomes true or max_blocks are accepted. Keeps retrying while the node
  // is unreachable. Returns OK on a requested stop.
  Status Run(const std::atomic<bool>& stop);

  uint64_t blocks_accepted() const { return blocks_accepted_; }

 private:
  SoloMinerOptions options_;
  std::function<void(const std::string&)> print_;
  uint64_t blocks_accepted_ = 0;
};

}  // namespace mw::lab::miner
