// Share validation for Stratum V1 submits (pure; no sockets, no clock of its own).
//
// A submit is checked in the order real pools answer: not subscribed (25), unauthorized (24),
// unknown or stale job (21), malformed fields / ntime outside the window / version bits outside
// the negotiated BIP310 mask (20), duplicate (22), below the connection's difficulty (23).
// Byte order follows protocols.md (a): ntime/nonce/version_bits are big-endian hex of a uint32,
// the header is rebuilt with stratum::BuildHeader (prevhash word swap undone, branch as sent).
//
// Difficulty: a share is credited at the connection's current difficulty; a share that misses it
// but meets the previous difficulty is still accepted (credited at the previous one) until the
// grace deadline, because the miner may still be working on jobs sent before the change.
//
// Thread-safety: CheckShare is a pure function; ShareMinerState belongs to one connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "core/bytes.h"
#include "core/sha256.h"
#include "lab/pool/job_manager.h"
#include "proto/stratum/v1_job.h"

namespace mw::pool {

// The common Stratum error codes (node-stratum-pool, public-pool).
enum class ShareError : int {
  kNone = 0,
  kOther = 20,
  kJobNotFound = 21,
  kDuplicate = 22,
  kLowDifficulty = 23,
  kUnauthorized = 24,
  kNotSubscribed = 25,
};
std::string_view ShareErrorMessage(ShareError e);  // "Job not found", "Duplicate share", ...

// What the pool knows about one connection when a share arrives.
struct ShareMinerState {
  bool subscribed = false;
  bool authorized = false;
  Bytes extranonce1;
  size_t extranonce2_size = 4;
  uint32_t version_mask = 0;          // 0: version rolling not negotiated
  double difficulty = 1;
  double previous_difficulty = 0;     // 0: none
  int64_t previous_valid_until = 0;   // unix seconds
  // Keys of accepted shares per clean-job epoch (cleared by the session on clean jobs).
  std::unordered_set<uint64_t> seen;
};

struct ShareSubmit {
  std::string_view job_id;
  std::string_view extranonce2;  // hex
  std::string_view ntime;        // 8 hex
  std::string_view nonce;        // 8 hex
  std::optional<std::string_view> version_bits;  // 8 hex
};

struct ShareOutcome {
  ShareError error = ShareError::kNone;
  std::string reason;                 // detail for logs ("ntime out of range", ...)
  double share_difficulty = 0;        // what the hash meets
  double credited_difficulty = 0;     // what the share is worth (0 when rejected)
  bool meets_network = false;         // a block: submit it
  Hash256 hash{};                     // internal order
  stratum::Header80 header{};
  Bytes coinbase;                     // filled only when meets_network
  bool ok() const { return error == ShareError::kNone; }
};

struct NtimeWindow {
  int64_t max_future_s = 60;  // ntime may exceed max(job ntime, now) by this much
};

// `job` is the job named by submit.job_id (null when unknown). `now` is unix seconds. On
// acceptance the share's key is added to state.seen.
ShareOutcome CheckShare(const PoolJob* job, const ShareSubmit& submit, ShareMinerState& state,
                        int64_t now, const NtimeWindow& window = {});

}  // namespace mw::pool
