#include "lab/pool/share_check.h"

#include <algorithm>

#include "core/header_hasher.h"
#include "core/target.h"

namespace mw::pool {

std::string_view ShareErrorMessage(ShareError e) {
  switch (e) {
    case ShareError::kNone: return "OK";
    case ShareError::kOther: return "Other/Unknown";
    case ShareError::kJobNotFound: return "Job not found";
    case ShareError::kDuplicate: return "Duplicate share";
    case ShareError::kLowDifficulty: return "Low difficulty share";
    case ShareError::kUnauthorized: return "Unauthorized worker";
    case ShareError::kNotSubscribed: return "Not subscribed";
  }
  return "Other/Unknown";
}

namespace {

ShareOutcome Reject(ShareError e, std::string reason) {
  ShareOutcome out;
  out.error = e;
  out.reason = std::move(reason);
  return out;
}

// FNV-1a over the fields that make a share unique within one connection.
uint64_t ShareKey(uint64_t job_serial, ByteSpan en2, uint32_t ntime, uint32_t nonce,
                  uint32_t version) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) {
      h ^= uint8_t(v >> (8 * i));
      h *= 1099511628211ull;
    }
  };
  mix(job_serial, 8);
  for (uint8_t b : en2) mix(b, 1);
  mix(ntime, 4);
  mix(nonce, 4);
  mix(version, 4);
  return h;
}

bool ParseHexU32(std::string_view s, uint32_t& out) {
  auto v = stratum::ParseU32Hex(s);
  if (!v.ok()) return false;
  out = *v;
  return true;
}

}  // namespace

ShareOutcome CheckShare(const PoolJob* job, const ShareSubmit& submit, ShareMinerState& state,
                        int64_t now, const NtimeWindow& window) {
  if (!state.subscribed) return Reject(ShareError::kNotSubscribed, "submit before subscribe");
  if (!state.authorized) return Reject(ShareError::kUnauthorized, "submit before authorize");
  if (job == nullptr) return Reject(ShareError::kJobNotFound, "unknown or stale job");

  auto en2 = FromHexExact(submit.extranonce2, state.extranonce2_size);
  if (!en2.ok()) return Reject(ShareError::kOther, "extranonce2 has the wrong size");
  uint32_t ntime = 0, nonce = 0, version_bits = 0;
  if (!ParseHexU32(submit.ntime, ntime)) return Reject(ShareError::kOther, "ntime is not 8 hex");
  if (!ParseHexU32(submit.nonce, nonce)) return Reject(ShareError::kOther, "nonce is not 8 hex");
  uint32_t version = job->v1.version;
  if (submit.version_bits) {
    if (!ParseHexU32(*submit.version_bits, version_bits)) {
      return Reject(ShareError::kOther, "version bits are not 8 hex");
    }
    if (state.version_mask == 0 && version_bits != 0) {
      return Reject(ShareError::kOther, "version rolling not negotiated");
    }
    if ((version_bits & ~state.version_mask) != 0) {
      return Reject(ShareError::kOther, "version bits outside the mask");
    }
    version = stratum::RollVersion(job->v1.version, version_bits, state.version_mask);
  }
  const int64_t min_time = std::min<int64_t>(job->tmpl.min_time ? job->tmpl.min_time : job->v1.ntime,
                                             job->v1.ntime);
  const int64_t max_time = std::max<int64_t>(job->v1.ntime, now) + window.max_future_s;
  if (int64_t(ntime) < min_time || int64_t(ntime) > max_time) {
    return Reject(ShareError::kOther, "ntime out of range");
  }

  const uint64_t key = ShareKey(job->serial, *en2, ntime, nonce, version);
  if (state.seen.count(key)) return Reject(ShareError::kDuplicate, "duplicate share");

  ShareOutcome out;
  Bytes coinbase = stratum::BuildCoinbase(job->v1, state.extranonce1, *en2);
  const Hash256 root = stratum::MerkleRootFromBranch(Sha256d(coinbase), job->v1.merkle_branch);
  out.header = stratum::BuildHeader(job->v1, root, version, ntime, nonce);
  out.hash = Sha256d(out.header);
  out.share_difficulty = DifficultyFromHash(out.hash);
  out.meets_network = HashMeetsTarget(out.hash, job->network_target);

  // Compare against targets, not rounded doubles: a hash meets difficulty d iff hash <= target(d).
  double credited = 0;
  if (HashMeetsTarget(out.hash, TargetFromDifficulty(state.difficulty))) {
    credited = state.difficulty;
  } else if (state.previous_difficulty > 0 && now <= state.previous_valid_until &&
             HashMeetsTarget(out.hash, TargetFromDifficulty(state.previous_difficulty))) {
    credited = state.previous_difficulty;
  }
  if (credited == 0 && !out.meets_network) {
    out.error = ShareError::kLowDifficulty;
    out.reason = "low difficulty share";
    return out;
  }
  if (credited == 0) credited = state.difficulty;  // a block is always worth a full share
  out.credited_difficulty = credited;
  state.seen.insert(key);
  if (out.meets_network) out.coinbase = std::move(coinbase);
  return out;
}

}  // namespace mw::pool
