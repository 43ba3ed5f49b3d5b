// JobManager: turns the node's block templates into Stratum V1 jobs and hands out extranonce1s.
//
// A job is immutable once made and shared (std::shared_ptr<const PoolJob>) by every session that
// was sent it, so a share names a job by id and is checked against exactly the bytes the miner
// received. A template on a new previous block makes a "clean" job: every older job becomes
// unknown (a later share for it gets error 21); a refresh on the same block keeps the last
// kMaxLiveJobs jobs valid.
//
// Thread-safety: every method may be called from any thread (one internal mutex; Find is cheap).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "chain/block_template.h"
#include "chain/keys.h"
#include "core/bytes.h"
#include "core/sha256.h"
#include "core/status.h"
#include "proto/stratum/v1_job.h"

namespace mw::pool {

struct PoolJob {
  std::string id;
  uint64_t serial = 0;            // strictly increasing over the manager's life
  stratum::V1Job v1;              // what mining.notify carries (job_id == id)
  chain::BlockTemplate tmpl;      // to assemble the block when a share meets the network target
  Hash256 network_target{};       // from tmpl.bits
  double network_difficulty = 0;  // diff-1 / network_target
  size_t extranonce1_size = 0;
  size_t extranonce2_size = 0;

  // The 9 notify params as hex strings, in order (prevhash, coinb1, coinb2, branch, version,
  // nbits, ntime) for encoders.
  std::string prevhash_hex, coinb1_hex, coinb2_hex, version_hex, nbits_hex, ntime_hex;
  std::vector<std::string> branch_hex;
};

struct JobManagerOptions {
  chain::PubKey payout{};                   // coinbase payee (the pool's address)
  Bytes coinbase_tag = {'/', 'm', 'i', 'n', 'e', 'l', 'a', 'b', '/'};
  size_t extranonce1_size = 4;              // 1..8
  size_t extranonce2_size = 4;              // 1..16
  size_t max_live_jobs = 8;
};

class JobManager {
 public:
  explicit JobManager(JobManagerOptions options);

  // Makes a job from `tmpl`; clean when the template builds on a different block than the
  // current job (or when there is none). Fails when the coinbase cannot be split (tag +
  // extranonces too long).
  Result<std::shared_ptr<const PoolJob>> AddTemplate(const chain::BlockTemplate& tmpl);
  // The newest job; null before the first template.
  std::shared_ptr<const PoolJob> Current() const;
  // A live job by id; null when unknown or dropped by a clean job.
  std::shared_ptr<const PoolJob> Find(std::string_view id) const;

  // A fresh extranonce1 (extranonce1_size bytes, a counter, never repeated until it wraps).
  Bytes NextExtranonce1();

  const JobManagerOptions& options() const { return options_; }

 private:
  JobManagerOptions options_;
  mutable std::mutex mu_;
  std::deque<std::shared_ptr<const PoolJob>> live_;  // oldest first
  uint64_t next_serial_ = 1;
  uint64_t next_extranonce1_ = 1;
};

}  // namespace mw::pool
