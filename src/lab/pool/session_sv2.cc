// Session: Stratum V2 mining protocol, plaintext, standard channels (header-only mining). The
// pool picks extranonce2 for every job (as for the blob and eth dialects), so a NewMiningJob
// carries the finished merkle root and the miner rolls nonce, ntime and the BIP320 version bits.
// How the messages map onto our V1 jobs: README.md ("Stratum V2").
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/bytes.h"
#include "core/target.h"
#include "lab/pool/session.h"
#include "proto/stratum/v1_job.h"
#include "proto/sv2/sv2_mining.h"

namespace mw::pool {

namespace st = mw::stratum;

namespace {

constexpr size_t kMaxSv2Jobs = 16;
constexpr uint32_t kSv2Channel = 1;
constexpr uint32_t kBip320Mask = 0x1fffe000;  // the general-purpose version bits

sv2::U256 ToU256(const Hash256& h) {
  sv2::U256 v{};
  std::memcpy(v.data(), h.data(), v.size());
  return v;
}

std::string_view Sv2ErrorCode(ShareError e) {
  switch (e) {
    case ShareError::kJobNotFound: return "stale-share";
    case ShareError::kDuplicate: return "duplicate-share";
    case ShareError::kLowDifficulty: return "difficulty-too-low";
    case ShareError::kUnauthorized: return "unauthorized";
    default: return "invalid-share";
  }
}

}  // namespace

void Session::SendSv2(const Result<Bytes>& frame) {
  if (frame.ok()) SendRaw(std::string(AsString(*frame)));
}

bool Session::OnBadSv2Frame(double now_s) {
  core_.stats().junk_lines.fetch_add(1);
  close_reason_ = "bad Stratum V2 frame";
  if (BanReason r = guard_.OnJunk(); r != BanReason::kNone) return Ban(r, now_s);
  return false;
}

bool Session::OnSv2Frame(const sv2::Frame& frame, double now_s) {
  const bool keep = HandleSv2Frame(frame, now_s);
  if (keep) FlushRetarget();
  return keep;
}

bool Session::HandleSv2Frame(const sv2::Frame& frame, double now_s) {
  sv2_ = true;
  last_line_s_ = now_s;
  if (BanReason r = guard_.OnLine(now_s); r != BanReason::kNone) return Ban(r, now_s);
  // A message that does not decode counts toward the junk ban; the connection stays until then.
  auto junk = [&] {
    core_.stats().junk_lines.fetch_add(1);
    if (BanReason r = guard_.OnJunk(); r != BanReason::kNone) return Ban(r, now_s);
    return true;
  };
  const uint8_t type = frame.header.msg_type;
  // Protocol extensions (extension_type != 0) are not offered here; their messages are ignored.
  if ((frame.header.extension_type & ~sv2::kChannelMsgBit) != 0) return true;
  if (!sv2_setup_) {
    if (type != sv2::kSetupConnection) {
      close_reason_ = "SV2: a message before SetupConnection";
      return false;
    }
    auto setup = sv2::DecodeSetupConnection(frame.payload);
    if (!setup.ok()) return OnBadSv2Frame(now_s);
    if (setup->protocol != 0 || setup->min_version > 2 || setup->max_version < 2) {
      SendSv2(sv2::EncodeFrame(sv2::SetupConnectionError{
          0, setup->protocol != 0 ? "unsupported-protocol" : "protocol-version-mismatch"}));
      close_reason_ = "SV2: unsupported protocol or version";
      return false;
    }
    sv2_setup_ = true;
    // Only standard channels are offered, so REQUIRES_STANDARD_JOBS is what we say we do.
    SendSv2(sv2::EncodeFrame(sv2::SetupConnectionSuccess{2, sv2::kRequiresStandardJobs}));
    return true;
  }
  switch (type) {
    case sv2::kOpenStandardMiningChannel: {
      auto open = sv2::DecodeOpenStandardMiningChannel(frame.payload);
      if (!open.ok()) return junk();
      std::string account;
      if (sv2_channel_ != 0 || !Authorize(open->user_identity, &account)) {
        SendSv2(sv2::EncodeFrame(sv2::OpenMiningChannelError{
            open->request_id, sv2_channel_ != 0 ? "max-channels-reached" : "unknown-user"}));
        return true;
      }
      workers_[open->user_identity] = account;
      sv2_channel_ = kSv2Channel;
      state_.extranonce1 = core_.jobs().NextExtranonce1();
      state_.subscribed = state_.authorized = true;
      state_.version_mask = kBip320Mask;
      // The first job must follow the Success directly (no SetTarget in between): cap the
      // difficulty at the network's now, as OnJob would.
      if (auto current = core_.jobs().Current()) {
        if (auto capped = vardiff_.Cap(current->network_difficulty)) ApplyDifficulty(*capped, now_s);
      }
      sv2::OpenStandardMiningChannelSuccess ok;
      ok.request_id = open->request_id;
      ok.channel_id = sv2_channel_;
      ok.target = ToU256(TargetFromDifficulty(state_.difficulty));
      ok.extranonce_prefix = state_.extranonce1;
      SendSv2(sv2::EncodeFrame(ok));
      sv2_sent_difficulty_ = state_.difficulty;
      if (!mining_) StartMining(now_s);
      return true;
    }
    case sv2::kSubmitSharesStandard: {
      auto sub = sv2::DecodeSubmitSharesStandard(frame.payload);
      return sub.ok() ? HandleSv2Submit(*sub, now_s) : junk();
    }
    default:
      // Messages of channel kinds this pool does not offer (extended, group, custom jobs) and
      // UpdateChannel/CloseChannel are ignored; they are not abuse.
      return true;
  }
}

bool Session::HandleSv2Submit(const sv2::SubmitSharesStandard& sub, double now_s) {
  auto reject = [&](std::string_view code, ShareError e) {
    core_.OnReject(e);
    if (e != ShareError::kJobNotFound) {
      if (BanReason r = guard_.OnShare(false); r != BanReason::kNone) return Ban(r, now_s);
    }
    SendSv2(sv2::EncodeFrame(sv2::SubmitSharesError{sub.channel_id, sub.sequence_number, std::string(code)}));
    return true;
  };
  if (sub.channel_id != sv2_channel_ || sv2_channel_ == 0) {
    return reject("invalid-channel-id", ShareError::kOther);
  }
  auto it = std::find_if(sv2_jobs_.begin(), sv2_jobs_.end(),
                         [&](const auto& e) { return e.first == sub.job_id; });
  if (it == sv2_jobs_.end()) {
    // Older than the jobs we keep (a new block replaced them) or never sent.
    return reject(sub.job_id < sv2_next_job_ ? "stale-share" : "invalid-job-id",
                  sub.job_id < sv2_next_job_ ? ShareError::kJobNotFound : ShareError::kOther);
  }
  const Sv2Job& job = it->second;
  // The full version: only the BIP320 bits may differ from the job's.
  if (((sub.version ^ job.version) & ~kBip320Mask) != 0) {
    return reject("invalid-version", ShareError::kOther);
  }
  const std::string ntime_hex = st::U32Hex(sub.ntime);
  const std::string nonce_hex = st::U32Hex(sub.nonce);
  const std::string bits_hex = st::U32Hex(sub.version & kBip320Mask);
  std::optional<std::string_view> version_bits;
  if (sub.version != job.version) version_bits = bits_hex;
  const ShareSubmit s{job.pool_job_id, job.extranonce2_hex, ntime_hex, nonce_hex, version_bits};
  const ShareOutcome out = SubmitShare(s, worker_, now_s);  // the channel's user identity
  if (!out.ok()) {
    // SubmitShare already counted the rejection and scored the ban.
    SendSv2(sv2::EncodeFrame(sv2::SubmitSharesError{sub.channel_id, sub.sequence_number,
                                                    std::string(Sv2ErrorCode(out.error))}));
    return close_reason_.empty();
  }
  // new_shares_sum: the work credited, in expected hashes (difficulty x 2^32), since lab
  // difficulties are fractional.
  const auto work = uint64_t(std::llround(out.credited_difficulty * 4294967296.0));
  SendSv2(sv2::EncodeFrame(sv2::SubmitSharesSuccess{sub.channel_id, sub.sequence_number, 1, work}));
  return true;
}

void Session::PushSv2Job(const PoolJob& job, bool clean) {
  if (sv2_channel_ == 0) return;
  if (sv2_sent_difficulty_ != state_.difficulty) {
    SendSv2(sv2::EncodeFrame(sv2::SetTarget{sv2_channel_, ToU256(TargetFromDifficulty(state_.difficulty))}));
    sv2_sent_difficulty_ = state_.difficulty;
  }
  std::string extranonce2_hex;
  const st::Header80 header = NextPoolHeader(job, &extranonce2_hex);
  const uint32_t id = sv2_next_job_++;
  sv2::NewMiningJob nj;
  nj.channel_id = sv2_channel_;
  nj.job_id = id;
  nj.version = job.v1.version;
  std::memcpy(nj.merkle_root.data(), header.data() + 36, 32);  // as it sits in the header
  // A new block: the job waits for its SetNewPrevHash (a "future" job), and every older job
  // is void. Otherwise the job is active at once, on the prev-hash already sent.
  if (!clean) nj.min_ntime = job.v1.ntime;
  SendSv2(sv2::EncodeFrame(nj));
  if (clean) {
    sv2_jobs_.clear();
    sv2::SetNewPrevHash ph;
    ph.channel_id = sv2_channel_;
    ph.job_id = id;
    std::memcpy(ph.prev_hash.data(), header.data() + 4, 32);
    ph.min_ntime = job.v1.ntime;
    ph.nbits = job.v1.nbits;
    SendSv2(sv2::EncodeFrame(ph));
  }
  sv2_jobs_.emplace_back(id, Sv2Job{job.id, std::move(extranonce2_hex), job.ntime_hex, job.v1.version});
  while (sv2_jobs_.size() > kMaxSv2Jobs) sv2_jobs_.pop_front();
}

}  // namespace mw::pool
