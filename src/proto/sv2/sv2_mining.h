// Stratum V2 Mining Protocol messages for standard channels (header-only mining), the subset
// minelab's pool and miner speak: open a channel, receive jobs and prev-hashes and targets,
// submit shares and get their answers. Field order and types follow the SV2 specification
// (05-Mining-Protocol.md); integers are little-endian, U256 is 32 bytes as on the wire (a
// little-endian integer; prev_hash and merkle_root are the bytes as they sit in the header).
//
// EncodeFrame(m) builds the whole frame with the message's type and channel_msg bit (the table of
// 08-Message-Types.md); DecodeX(payload) is strict (every byte consumed). Pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/status.h"
#include "proto/sv2/sv2_frame.h"

namespace mw::sv2 {

inline constexpr uint8_t kOpenStandardMiningChannelSuccess = 0x11;
inline constexpr uint8_t kOpenMiningChannelError = 0x12;
// SetupConnection.flags for the mining protocol: the device takes standard jobs only.
inline constexpr uint32_t kRequiresStandardJobs = 0x1;

using U256 = std::array<uint8_t, 32>;

struct OpenStandardMiningChannel {  // 0x10, client -> server
  uint32_t request_id = 0;
  std::string user_identity;  // e.g. "ADDRESS.worker"
  float nominal_hash_rate = 0;  // hashes per second
  U256 max_target{};
  bool operator==(const OpenStandardMiningChannel&) const = default;
};
struct OpenStandardMiningChannelSuccess {  // 0x11
  uint32_t request_id = 0;
  uint32_t channel_id = 0;
  U256 target{};
  Bytes extranonce_prefix;  // B0_32
  uint32_t group_channel_id = 0;
  bool operator==(const OpenStandardMiningChannelSuccess&) const = default;
};
struct OpenMiningChannelError {  // 0x12
  uint32_t request_id = 0;
  std::string error_code;  // "unknown-user", "max-target-out-of-range"
  bool operator==(const OpenMiningChannelError&) const = default;
};
struct NewMiningJob {  // 0x15
  uint32_t channel_id = 0;
  uint32_t job_id = 0;
  std::optional<uint32_t> min_ntime;  // empty: a future job, activated by SetNewPrevHash
  uint32_t version = 0;
  U256 merkle_root{};
  bool operator==(const NewMiningJob&) const = default;
};
struct SetNewPrevHash {  // 0x20 (channel message)
  uint32_t channel_id = 0;
  uint32_t job_id = 0;
  U256 prev_hash{};
  uint32_t min_ntime = 0;
  uint32_t nbits = 0;
  bool operator==(const SetNewPrevHash&) const = default;
};
struct SetTarget {  // 0x21 (channel message)
  uint32_t channel_id = 0;
  U256 maximum_target{};
  bool operator==(const SetTarget&) const = default;
};
struct SubmitSharesStandard {  // 0x1a (channel message): 6 x U32 = 24 bytes
  uint32_t channel_id = 0;
  uint32_t sequence_number = 0;
  uint32_t job_id = 0;
  uint32_t nonce = 0;
  uint32_t ntime = 0;
  uint32_t version = 0;
  bool operator==(const SubmitSharesStandard&) const = default;
};
struct SubmitSharesSuccess {  // 0x1c (channel message)
  uint32_t channel_id = 0;
  uint32_t last_sequence_number = 0;
  uint32_t new_submits_accepted_count = 0;
  uint64_t new_shares_sum = 0;
  bool operator==(const SubmitSharesSuccess&) const = default;
};
struct SubmitSharesError {  // 0x1d (channel message)
  uint32_t channel_id = 0;
  uint32_t sequence_number = 0;
  std::string error_code;  // "invalid-channel-id", "stale-share", "difficulty-too-low", ...
  bool operator==(const SubmitSharesError&) const = default;
};

Result<Bytes> EncodeFrame(const SetupConnection& m);
Result<Bytes> EncodeFrame(const SetupConnectionSuccess& m);
Result<Bytes> EncodeFrame(const SetupConnectionError& m);
Result<Bytes> EncodeFrame(const OpenStandardMiningChannel& m);
Result<Bytes> EncodeFrame(const OpenStandardMiningChannelSuccess& m);
Result<Bytes> EncodeFrame(const OpenMiningChannelError& m);
Result<Bytes> EncodeFrame(const NewMiningJob& m);
Result<Bytes> EncodeFrame(const SetNewPrevHash& m);
Result<Bytes> EncodeFrame(const SetTarget& m);
Result<Bytes> EncodeFrame(const SubmitSharesStandard& m);
Result<Bytes> EncodeFrame(const SubmitSharesSuccess& m);
Result<Bytes> EncodeFrame(const SubmitSharesError& m);

Result<OpenStandardMiningChannel> DecodeOpenStandardMiningChannel(ByteSpan payload);
Result<OpenStandardMiningChannelSuccess> DecodeOpenStandardMiningChannelSuccess(ByteSpan payload);
Result<OpenMiningChannelError> DecodeOpenMiningChannelError(ByteSpan payload);
Result<NewMiningJob> DecodeNewMiningJob(ByteSpan payload);
Result<SetNewPrevHash> DecodeSetNewPrevHash(ByteSpan payload);
Result<SetTarget> DecodeSetTarget(ByteSpan payload);
Result<SubmitSharesStandard> DecodeSubmitSharesStandard(ByteSpan payload);
Result<SubmitSharesSuccess> DecodeSubmitSharesSuccess(ByteSpan payload);
Result<SubmitSharesError> DecodeSubmitSharesError(ByteSpan payload);

}  // namespace mw::sv2
