// PoolCore: the pool's shared state behind every connection — jobs, the share ledger (PPLNS or
// solo), found blocks, payouts, bans and statistics — with no sockets of its own.
//
// Sessions call OnShare/OnReject from any io thread; the node link calls AddTemplate and the
// maturity/payout steps from its own thread. Thread-safety: every public method is safe to call
// from any thread (atomics for counters, one mutex for the ledger).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <deque>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chain/block.h"
#include "chain/keys.h"
#include "lab/pool/ban_policy.h"
#include "lab/pool/job_manager.h"
#include "lab/pool/pplns.h"
#include "lab/pool/share_check.h"
#include "lab/pool/vardiff.h"

namespace mw::pool {

struct PoolOptions {
  JobManagerOptions jobs;
  VardiffOptions vardiff;
  BanOptions bans;
  // Lab default: a single CPU thread of a portable SHA-256d miner (a few MH/s) finds a share of
  // difficulty 0.001 (4.3 M hashes on average) within a few seconds.
  double start_difficulty = 0.001;
  int64_t difficulty_grace_s = 30;   // shares at the previous difficulty stay valid this long
  uint32_t version_mask = 0x1fffe000;
  bool solo = false;                 // the finder gets the whole reward
  size_t pplns_window = 2000;        // shares
  uint64_t min_payout = 1'0000'0000; // base units
  uint64_t payout_fee = 1000;        // per payout transaction
  bool require_address = true;       // the user part before '.' must be an ml1 address
  int64_t idle_timeout_s = 600;      // no line for this long: close
  int64_t handshake_timeout_s = 30;  // no subscribe/login within this: close
  size_t max_connections = 20000;
  size_t max_connections_per_ip = 20000;
};

// Counters and gauges for /api/stats and /metrics.
struct PoolStats {
  std::atomic<uint64_t> connections{0};        // open now
  std::atomic<uint64_t> connections_total{0};
  std::atomic<uint64_t> refused_connections{0};
  std::atomic<uint64_t> shares_accepted{0};
  std::atomic<uint64_t> shares_rejected[6] = {};  // codes 20..25
  std::atomic<uint64_t> blocks_found{0};
  std::atomic<uint64_t> blocks_accepted{0};
  std::atomic<uint64_t> blocks_rejected{0};
  std::atomic<uint64_t> bans{0};
  std::atomic<uint64_t> junk_lines{0};
  std::atomic<uint64_t> jobs{0};
  std::atomic<uint64_t> payouts{0};
  std::atomic<uint64_t> paid_total{0};
};

class PoolCore {
 public:
  explicit PoolCore(PoolOptions options);

  const PoolOptions& options() const { return options_; }
  JobManager& jobs() { return jobs_; }
  BanList& bans() { return bans_; }
  PoolStats& stats() { return stats_; }

  // Block candidates go here (the node link submits them). Set before serving.
  using BlockSink = std::function<void(chain::Block block, std::string finder)>;
  void SetBlockSink(BlockSink sink) { block_sink_ = std::move(sink); }

  // Checks that a user name is acceptable and returns its account (the address part).
  // Empty on failure.
  std::string AccountFor(const std::string& user) const;

  // An accepted share: credits the ledger, and builds + hands on a block when it is one.
  void OnShare(const std::string& account, const std::string& worker, const PoolJob& job,
               const ShareOutcome& outcome, double now_s);
  void OnReject(ShareError error);

  // Called by the node link when the node accepted / refused a submitted block.
  void OnBlockResult(const Hash256& hash, uint32_t height, uint64_t reward, const std::string& finder,
                     bool accepted);

  // Maturity and payouts (node link thread).
  int Mature(uint32_t maturity,
             const std::function<std::optional<uint32_t>(const Hash256&)>& confirmations);
  std::vector<PlannedPayout> PlanPayouts(uint64_t spendable) const;
  void MarkPaid(const PlannedPayout& payout);

  // Hash rate (H/s) over the last `window_s` seconds from credited difficulty, per worker
  // ("account.worker") and in total.
  double HashRate(double now_s, double window_s = 60) const;
  // /api/stats body.
  nlohmann::json StatsJson(double now_s) const;
  // Prometheus text exposition.
  std::string Metrics(double now_s) const;

 private:
  struct Bucket {  // credited difficulty per worker within one second
    int64_t second = 0;
    std::map<std::string, double> by_worker;
  };
  PoolOptions options_;
  JobManager jobs_;
  BanList bans_;
  PoolStats stats_;
  BlockSink block_sink_;

  mutable std::mutex mu_;
  PplnsWindow window_;
  PayoutBook book_;
  std::map<Hash256, std::map<std::string, double>> weights_at_find_;
  std::deque<Bucket> recent_;  // the last kRateWindowS seconds
  std::map<std::string, uint64_t> worker_shares_;
  std::map<std::string, double> account_credit_;  // credited difficulty per account, all time
  double total_credited_ = 0;
};

}  // namespace mw::pool
