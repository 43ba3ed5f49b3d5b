// ClientProtocol: Stratum V2, plaintext, one standard channel (a header-only device). The pool
// sends the finished merkle root, so a unit is the header of the active job with the next
// BIP320 version bits; nonce, version and ntime go back in SubmitSharesStandard.
#include <algorithm>
#include <cstring>

#include "core/bytes.h"
#include "core/target.h"
#include "lab/stratum_miner/client_protocol.h"
#include "proto/sv2/sv2_mining.h"

namespace mw::lab::stratum_miner {

namespace {

constexpr uint32_t kBip320Shift = 13;     // the general-purpose bits are 0x1fffe000
constexpr uint32_t kBip320Values = 1u << 16;
constexpr size_t kMaxSv2Jobs = 16;

std::string AsLine(const Result<Bytes>& frame) {
  return frame.ok() ? std::string(AsString(*frame)) : std::string();
}

}  // namespace

std::vector<std::string> ClientProtocol::Sv2Hello() {
  sv2::SetupConnection s;
  s.protocol = 0;
  s.flags = sv2::kRequiresStandardJobs;
  s.endpoint_host = "";
  s.vendor = "minelab";
  s.hardware_version = "cpu";
  s.firmware = options_.agent.substr(0, 255);  // kSv2Firmware unless --agent
  // The worker name (after the address's '.') identifies the device, as on a farm's dashboard.
  const size_t dot = options_.user.rfind('.');
  s.device_id = dot == std::string::npos ? "cpu0" : options_.user.substr(dot + 1, 255);
  return {AsLine(sv2::EncodeFrame(s))};
}

ClientEvents ClientProtocol::OnFrame(const sv2::Frame& frame) {
  ClientEvents ev;
  const ByteSpan p = frame.payload;
  auto fatal = [&](std::string why) {
    ev.fatal = true;
    ev.fatal_reason = std::move(why);
    return ev;
  };
  switch (frame.header.msg_type) {
    case sv2::kSetupConnectionSuccess: {
      sv2::OpenStandardMiningChannel open;
      open.request_id = 1;
      open.user_identity = options_.user.substr(0, 255);
      open.nominal_hash_rate = float(options_.nominal_hash_rate);
      open.max_target.fill(0xff);
      ev.send.push_back(AsLine(sv2::EncodeFrame(open)));
      return ev;
    }
    case sv2::kSetupConnectionError: {
      auto e = sv2::DecodeSetupConnectionError(p);
      return fatal("pool refused SetupConnection: " + (e.ok() ? e->error_code : "?"));
    }
    case sv2::kOpenStandardMiningChannelSuccess: {
      auto ok = sv2::DecodeOpenStandardMiningChannelSuccess(p);
      if (!ok.ok()) return fatal("bad OpenStandardMiningChannel.Success");
      sv2_channel_ = ok->channel_id;
      std::copy(ok->target.begin(), ok->target.end(), sv2_target_.begin());
      difficulty_ = DifficultyFromTarget(sv2_target_);
      return ev;
    }
    case sv2::kOpenMiningChannelError: {
      auto e = sv2::DecodeOpenMiningChannelError(p);
      return fatal("pool refused the channel: " + (e.ok() ? e->error_code : "?"));
    }
    case sv2::kNewMiningJob: {
      auto j = sv2::DecodeNewMiningJob(p);
      if (!j.ok() || j->channel_id != sv2_channel_) return ev;
      sv2_jobs_[j->job_id] = Sv2Job{j->version, j->merkle_root};
      while (sv2_jobs_.size() > kMaxSv2Jobs) sv2_jobs_.erase(sv2_jobs_.begin());
      if (j->min_ntime && sv2_has_prev_) {  // active now, on the prev-hash we have
        sv2_active_ = j->job_id;
        sv2_ntime_ = std::max(sv2_ntime_, *j->min_ntime);
        has_job_ = true;
        ev.new_work = true;
      }
      return ev;
    }
    case sv2::kSetNewPrevHash: {
      auto ph = sv2::DecodeSetNewPrevHash(p);
      if (!ph.ok() || ph->channel_id != sv2_channel_) return ev;
      auto job = sv2_jobs_.find(ph->job_id);
      if (job == sv2_jobs_.end()) return ev;
      // Only the named job is valid from now on.
      const Sv2Job keep = job->second;
      sv2_jobs_.clear();
      sv2_jobs_[ph->job_id] = keep;
      sv2_prev_hash_ = ph->prev_hash;
      sv2_nbits_ = ph->nbits;
      sv2_ntime_ = ph->min_ntime;
      sv2_has_prev_ = true;
      sv2_active_ = ph->job_id;
      has_job_ = true;
      ev.new_work = true;
      ev.clean = true;
      return ev;
    }
    case sv2::kSetTarget: {
      auto t = sv2::DecodeSetTarget(p);
      if (!t.ok() || t->channel_id != sv2_channel_) return ev;
      std::copy(t->maximum_target.begin(), t->maximum_target.end(), sv2_target_.begin());
      difficulty_ = DifficultyFromTarget(sv2_target_);
      return ev;
    }
    case sv2::kSubmitSharesSuccess: {
      auto ok = sv2::DecodeSubmitSharesSuccess(p);
      if (ok.ok()) ev.accepted = int(ok->new_submits_accepted_count);
      return ev;
    }
    case sv2::kSubmitSharesError: {
      auto e = sv2::DecodeSubmitSharesError(p);
      ev.rejected = 1;
      ev.reject_reason = e.ok() ? e->error_code : "SubmitShares.Error";
      return ev;
    }
    default:
      return ev;  // messages of features we do not use
  }
}

std::optional<miner::WorkUnit> ClientProtocol::NextSv2Work() {
  if (!sv2_active_ || !sv2_has_prev_) return std::nullopt;
  auto job = sv2_jobs_.find(*sv2_active_);
  if (job == sv2_jobs_.end()) return std::nullopt;
  const uint32_t version = job->second.version | ((sv2_roll_++ % kBip320Values) << kBip320Shift);
  miner::WorkUnit w;
  WriteLE32(w.header.data(), version);
  std::copy(sv2_prev_hash_.begin(), sv2_prev_hash_.end(), w.header.begin() + 4);
  std::copy(job->second.merkle_root.begin(), job->second.merkle_root.end(), w.header.begin() + 36);
  WriteLE32(w.header.data() + 68, sv2_ntime_);
  WriteLE32(w.header.data() + 72, sv2_nbits_);
  w.target = sv2_target_;
  UnitInfo info;
  info.job_id = std::to_string(*sv2_active_);
  info.ntime_hex = stratum::U32Hex(sv2_ntime_);
  info.version = version;
  w.job_id = AddUnit(std::move(info));
  return w;
}

std::optional<std::string> ClientProtocol::Sv2Submit(const UnitInfo& unit, const miner::FoundNonce& found) {
  sv2::SubmitSharesStandard s;
  s.channel_id = sv2_channel_;
  s.sequence_number = ++sv2_sequence_;
  s.job_id = uint32_t(std::stoul(unit.job_id));
  s.nonce = found.nonce;
  s.ntime = *stratum::ParseU32Hex(unit.ntime_hex);
  s.version = unit.version;
  return AsLine(sv2::EncodeFrame(s));
}

}  // namespace mw::lab::stratum_miner
