#include "lab/pool/job_manager.h"

#include <algorithm>
#include <cstdio>

#include "core/target.h"

namespace mw::pool {

JobManager::JobManager(JobManagerOptions options) : options_(std::move(options)) {
  options_.extranonce1_size = std::clamp<size_t>(options_.extranonce1_size, 1, 8);
  options_.extranonce2_size = std::clamp<size_t>(options_.extranonce2_size, 1, 16);
  if (options_.max_live_jobs == 0) options_.max_live_jobs = 1;
}

Result<std::shared_ptr<const PoolJob>> JobManager::AddTemplate(const chain::BlockTemplate& tmpl) {
  MW_ASSIGN_OR_RETURN(
      chain::CoinbaseParts parts,
      tmpl.SplitCoinbase(options_.payout, options_.coinbase_tag,
                         options_.extranonce1_size + options_.extranonce2_size));
  MW_ASSIGN_OR_RETURN(Hash256 network_target, TargetFromCompact(tmpl.bits));

  auto job = std::make_shared<PoolJob>();
  job->tmpl = tmpl;
  job->network_target = network_target;
  job->network_difficulty = DifficultyFromTarget(network_target);
  job->extranonce1_size = options_.extranonce1_size;
  job->extranonce2_size = options_.extranonce2_size;
  job->v1.prevhash_wire = tmpl.prev_hash;
  SwapWords32(job->v1.prevhash_wire);
  job->v1.coinb1 = std::move(parts.coinb1);
  job->v1.coinb2 = std::move(parts.coinb2);
  job->v1.merkle_branch = tmpl.CoinbaseBranch();
  job->v1.version = tmpl.version;
  job->v1.nbits = tmpl.bits;
  job->v1.ntime = tmpl.time;

  job->prevhash_hex = ToHex(job->v1.prevhash_wire);
  job->coinb1_hex = ToHex(job->v1.coinb1);
  job->coinb2_hex = ToHex(job->v1.coinb2);
  for (const Hash256& h : job->v1.merkle_branch) job->branch_hex.push_back(ToHex(h));
  job->version_hex = stratum::U32Hex(job->v1.version);
  job->nbits_hex = stratum::U32Hex(job->v1.nbits);
  job->ntime_hex = stratum::U32Hex(job->v1.ntime);

  std::lock_guard lock(mu_);
  job->serial = next_serial_++;
  char id[24];
  std::snprintf(id, sizeof id, "%llx", static_cast<unsigned long long>(job->serial));
  job->id = id;
  job->v1.job_id = job->id;
  job->v1.clean_jobs = live_.empty() || live_.back()->tmpl.prev_hash != tmpl.prev_hash;
  if (job->v1.clean_jobs) live_.clear();
  live_.push_back(job);
  while (live_.size() > options_.max_live_jobs) live_.pop_front();
  return std::shared_ptr<const PoolJob>(job);
}

std::shared_ptr<const PoolJob> JobManager::Current() const {
  std::lock_guard lock(mu_);
  return live_.empty() ? nullptr : live_.back();
}

std::shared_ptr<const PoolJob> JobManager::Find(std::string_view id) const {
  std::lock_guard lock(mu_);
  for (auto it = live_.rbegin(); it != live_.rend(); ++it) {
    if ((*it)->id == id) return *it;
  }
  return nullptr;
}

Bytes JobManager::NextExtranonce1() {
  std::lock_guard lock(mu_);
  uint64_t v = next_extranonce1_++;
  Bytes out(options_.extranonce1_size);
  // Big-endian so consecutive sessions differ in the last byte, as pools usually do.
  for (size_t i = 0; i < out.size(); ++i) out[out.size() - 1 - i] = uint8_t(v >> (8 * i));
  return out;
}

}  // namespace mw::pool
