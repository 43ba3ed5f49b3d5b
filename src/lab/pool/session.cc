#include "lab/pool/session.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/bytes.h"
#include "core/target.h"
#include "proto/stratum/cryptonote_target.h"
#include "proto/stratum/stratum_codec.h"
#include "proto/stratum/v1_job.h"

namespace mw::pool {

namespace st = mw::stratum;

namespace {

// 2^64-1 / the top 64 bits of the diff-1 target: one V1 difficulty in CryptoNote units.
constexpr double kCnPerV1Difficulty = 18446744073709551615.0 / 4294901760.0;
constexpr size_t kMaxBlobJobs = 16;
const char* kXmrAlgo = "sha256d";

bool IsClientKind(st::Kind k) { return st::SenderOf(k) == st::Role::kClient; }

std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

Session::Session(PoolCore& core, std::string peer, Sink sink, double now_s)
    : core_(core),
      peer_(std::move(peer)),
      sink_(std::move(sink)),
      guard_(core.options().bans),
      vardiff_(core.options().vardiff, core.options().start_difficulty, now_s),
      created_s_(now_s),
      last_line_s_(now_s) {
  state_.difficulty = vardiff_.difficulty();
  state_.extranonce2_size = core.options().jobs.extranonce2_size;
}

bool Session::Ban(BanReason reason, double now_s) {
  core_.bans().Ban(peer_, int64_t(now_s) + core_.options().bans.ban_seconds);
  core_.stats().bans.fetch_add(1);
  close_reason_ = std::string("banned: ") + BanReasonName(reason);
  return false;
}

void Session::Send(const st::Message& m) {
  auto line = st::Encode(m);
  if (line.ok()) SendRaw(std::move(*line));
}

bool Session::OnOversizeLine(double now_s) {
  core_.stats().junk_lines.fetch_add(1);
  if (BanReason r = guard_.OnJunk(); r != BanReason::kNone) return Ban(r, now_s);
  return true;
}

bool Session::OnLine(std::string_view line, double now_s) {
  const bool keep = HandleLine(line, now_s);
  if (keep) FlushRetarget();
  return keep;
}

void Session::FlushRetarget() {
  if (!retarget_pending_) return;
  retarget_pending_ = false;
  // The new difficulty applies to the next job: resend the current one (not clean).
  if (last_job_) PushJob(*last_job_, false);
}

bool Session::HandleLine(std::string_view line, double now_s) {
  last_line_s_ = now_s;
  if (BanReason r = guard_.OnLine(now_s); r != BanReason::kNone) return Ban(r, now_s);
  st::DecodeFailure failure = st::DecodeFailure::kNone;
  auto msg = st::DecodeLine(line, &failure);
  if (!msg.ok() || !IsClientKind(msg->kind)) {
    if (msg.ok() && msg->kind == st::Kind::kResponse) return true;  // e.g. a reply to a ping
    core_.stats().junk_lines.fetch_add(1);
    if (BanReason r = guard_.OnJunk(); r != BanReason::kNone) return Ban(r, now_s);
    // Answer what has an id so that honest clients see why.
    if (msg.ok()) {
      if (dialect_ == st::Dialect::kV1 || dialect_ == st::Dialect::kUnknown) {
        SendRaw(st::EncodeV1Error(msg->id, 20, "Unsupported method"));
      }
    } else if (failure == st::DecodeFailure::kUnknownMethod && dialect_ == st::Dialect::kV1) {
      SendRaw(st::EncodeV1Error(nullptr, 20, "Unknown method"));
    }
    return true;
  }
  if (dialect_ == st::Dialect::kUnknown) {
    dialect_ = msg->dialect;
    // Eth sessions never negotiate BIP310: the whole version is the top half of the nonce.
    if (dialect_ == st::Dialect::kEthStratum || dialect_ == st::Dialect::kEthProxy) {
      state_.version_mask = 0xffffffffu;
    }
  }
  if (!AcceptsKind(*msg)) {
    core_.stats().junk_lines.fetch_add(1);
    if (BanReason r = guard_.OnJunk(); r != BanReason::kNone) return Ban(r, now_s);
    return true;
  }
  if (dialect_ == st::Dialect::kV1) return HandleV1(*msg, now_s);
  if (dialect_ == st::Dialect::kEthStratum || dialect_ == st::Dialect::kEthProxy) {
    return HandleEth(*msg, now_s);
  }
  return HandleBlobDialect(*msg, now_s);
}

bool Session::Authorize(const std::string& user, std::string* account_out) {
  std::string account = core_.AccountFor(user);
  if (account.empty()) return false;
  *account_out = account;
  if (account_.empty()) {
    account_ = account;
    worker_ = user;
  }
  return true;
}

// ---------------------------------------------------------------- Stratum V1

// mining.authorize, answered the same in V1 and EthereumStratum/1.0.0.
bool Session::HandleV1Authorize(const st::Message& m, double now_s) {
  const auto& a = std::get<st::Authorize>(m.body);
  std::string account;
  if (workers_.size() >= kMaxWorkersPerConnection || !Authorize(a.user, &account)) {
    SendRaw(st::EncodeV1Error(m.id, 24, "Unauthorized worker"));
    return true;
  }
  workers_[a.user] = account;
  state_.authorized = true;
  SendRaw(st::EncodeV1True(m.id));
  if (state_.subscribed && !mining_) StartMining(now_s);
  return true;
}

bool Session::HandleV1(const st::Message& m, double now_s) {
  switch (m.kind) {
    case st::Kind::kV1Configure: {
      const auto& c = std::get<st::Configure>(m.body);
      st::ConfigureResult r;
      if (std::find(c.extensions.begin(), c.extensions.end(), "version-rolling") !=
          c.extensions.end()) {
        const uint32_t mask = core_.options().version_mask & c.version_rolling_mask.value_or(0xffffffffu);
        r.version_rolling = mask != 0;
        r.version_rolling_mask = mask;
        state_.version_mask = mask;
      }
      Send(st::MakeMessage(st::Kind::kV1ConfigureResult, m.id, r));
      return true;
    }
    case st::Kind::kV1Subscribe: {
      if (!state_.subscribed) {
        state_.extranonce1 = core_.jobs().NextExtranonce1();
        state_.subscribed = true;
      }
      st::SubscribeResult r;
      const std::string sub = ToHex(state_.extranonce1);
      r.subscriptions = {{"mining.set_difficulty", sub}, {"mining.notify", sub}};
      r.extranonce1 = sub;
      r.extranonce2_size = int(state_.extranonce2_size);
      Send(st::MakeMessage(st::Kind::kV1SubscribeResult, m.id, r));
      return true;
    }
    case st::Kind::kV1Authorize:
      return HandleV1Authorize(m, now_s);
    case st::Kind::kV1SuggestDifficulty: {
      const double d = std::get<st::Difficulty>(m.body).difficulty;
      if (!mining_ && std::isfinite(d) && d > 0) {
        const auto& o = core_.options().vardiff;
        vardiff_ = Vardiff(o, std::clamp(d, o.min_difficulty, o.max_difficulty), now_s);
        state_.difficulty = vardiff_.difficulty();
      }
      if (!std::holds_alternative<std::monostate>(m.id) &&
          !std::holds_alternative<std::nullptr_t>(m.id)) {
        SendRaw(st::EncodeV1True(m.id));
      }
      return true;
    }
    case st::Kind::kV1ExtranonceSubscribe:
      SendRaw(st::EncodeV1True(m.id));
      return true;
    case st::Kind::kV1Submit: {
      const auto& s = std::get<st::V1Submit>(m.body);
      auto w = workers_.find(s.worker);
      ShareOutcome out;
      if (state_.subscribed && state_.authorized && w == workers_.end()) {
        out.error = ShareError::kUnauthorized;
        core_.OnReject(out.error);
        guard_.OnShare(false);
      } else {
        ShareSubmit sub{s.job_id, s.extranonce2, s.ntime, s.nonce, std::nullopt};
        if (s.version_bits) sub.version_bits = *s.version_bits;
        out = SubmitShare(sub, s.worker, now_s);
      }
      if (out.ok()) {
        SendRaw(st::EncodeV1True(m.id));
      } else {
        SendRaw(st::EncodeV1Error(m.id, int(out.error), ShareErrorMessage(out.error)));
      }
      if (!close_reason_.empty()) return false;
      return true;
    }
    default:
      SendRaw(st::EncodeV1Error(m.id, 20, "Unsupported method"));
      return true;
  }
}

void Session::StartMining(double now_s) {
  mining_ = true;
  auto job = core_.jobs().Current();
  if (job) OnJob(job, now_s);
}

void Session::PushV1Job(const PoolJob& job, bool clean) {
  if (!difficulty_sent_ || sent_difficulty_ != state_.difficulty) {
    Send(st::MakeMessage(st::Kind::kV1SetDifficulty, nullptr, st::Difficulty{state_.difficulty}));
    difficulty_sent_ = true;
    sent_difficulty_ = state_.difficulty;
  }
  st::V1Notify n;
  n.job_id = job.id;
  n.prevhash = job.prevhash_hex;
  n.coinb1 = job.coinb1_hex;
  n.coinb2 = job.coinb2_hex;
  n.merkle_branch = job.branch_hex;
  n.version = job.version_hex;
  n.nbits = job.nbits_hex;
  n.ntime = job.ntime_hex;
  n.clean_jobs = clean;
  Send(st::MakeMessage(st::Kind::kV1Notify, nullptr, std::move(n)));
}

void Session::OnJob(const std::shared_ptr<const PoolJob>& job, double now_s) {
  if (!mining_ || !job) return;
  const bool first = last_job_ == nullptr;
  const bool clean = first || job->v1.clean_jobs;
  if (clean && job->serial != last_clean_serial_) {
    state_.seen.clear();
    last_clean_serial_ = job->serial;
  }
  last_job_ = job;
  // Shares harder than a block make no sense: cap at the network difficulty.
  if (auto capped = vardiff_.Cap(job->network_difficulty)) ApplyDifficulty(*capped, now_s);
  PushJob(*job, clean);
}

void Session::PushJob(const PoolJob& job, bool clean) {
  if (sv2_) return PushSv2Job(job, clean);
  switch (dialect_) {
    case st::Dialect::kV1: PushV1Job(job, clean); break;
    case st::Dialect::kEthStratum:
    case st::Dialect::kEthProxy: PushEthJob(job, clean, std::monostate{}); break;
    default: PushBlobJob(job, false, nullptr); break;
  }
}

void Session::ApplyDifficulty(double next, double now_s) {
  if (next == state_.difficulty) return;
  state_.previous_difficulty = state_.difficulty;
  state_.previous_valid_until = int64_t(now_s) + core_.options().difficulty_grace_s;
  state_.difficulty = next;
}

ShareOutcome Session::SubmitShare(const ShareSubmit& submit, const std::string& worker,
                                  double now_s) {
  auto job = core_.jobs().Find(submit.job_id);
  ShareOutcome out = CheckShare(job.get(), submit, state_, int64_t(now_s));
  if (!out.ok()) {
    core_.OnReject(out.error);
    // A stale share (its job was replaced by a new block) is normal near block changes and
    // says nothing about the miner's honesty: it does not count toward the invalid-share ban.
    if (out.error != ShareError::kJobNotFound) {
      if (BanReason r = guard_.OnShare(false); r != BanReason::kNone) Ban(r, now_s);
    }
    return out;
  }
  guard_.OnShare(true);
  auto w = workers_.find(worker);
  const std::string& account = w != workers_.end() ? w->second : account_;
  core_.OnShare(account, worker, *job, out, now_s);
  hashes_credited_ += uint64_t(out.credited_difficulty * 4294967296.0);
  if (auto next = vardiff_.OnShare(now_s)) {
    double capped = std::min(*next, last_job_ ? last_job_->network_difficulty : *next);
    ApplyDifficulty(capped, now_s);
    // Sent after the share's answer (FlushRetarget), as pools do: the miner reads its result
    // first, then the new difficulty and the job it applies to.
    retarget_pending_ = true;
  }
  return out;
}

bool Session::OnTick(double now_s) {
  const auto& o = core_.options();
  if (!mining_ && now_s - created_s_ > double(o.handshake_timeout_s)) {
    close_reason_ = "no login within the handshake timeout";
    return false;
  }
  if (now_s - last_line_s_ > double(o.idle_timeout_s)) {
    close_reason_ = "idle";
    return false;
  }
  if (mining_) {
    if (auto next = vardiff_.OnTick(now_s)) {
      ApplyDifficulty(*next, now_s);
      if (last_job_) OnJob(last_job_, now_s);
    }
  }
  return true;
}

// ------------------------------------------------- XMRig, Coinhive, webminerpool (blob jobs)

st::Header80 Session::NextPoolHeader(const PoolJob& job, std::string* extranonce2_hex) {
  const uint64_t n = next_extranonce2_++;
  Bytes en2(state_.extranonce2_size);  // n big-endian in the last (at most 8) bytes
  for (size_t i = 0; i < en2.size() && i < 8; ++i) en2[en2.size() - 1 - i] = uint8_t(n >> (8 * i));
  *extranonce2_hex = ToHex(en2);
  const Bytes coinbase = st::BuildCoinbase(job.v1, state_.extranonce1, en2);
  const Hash256 root = st::MerkleRootFromBranch(Sha256d(coinbase), job.v1.merkle_branch);
  return st::BuildHeader(job.v1, root, job.v1.version, job.v1.ntime, 0);
}

st::MinerJob Session::MakeBlobJob(const PoolJob& job) {
  BlobJob bj;
  const st::Header80 header = NextPoolHeader(job, &bj.extranonce2_hex);
  bj.pool_job_id = job.id;
  bj.ntime_hex = job.ntime_hex;
  // CryptoNote target for this difficulty; the session credits exactly what the target says.
  const uint64_t cn = uint64_t(std::max(1.0, std::round(state_.difficulty * kCnPerV1Difficulty)));
  st::MinerJob mj;
  mj.target = st::CryptonoteTargetHex(cn);
  auto t64 = st::CryptonoteTarget64(mj.target);
  bj.difficulty = t64.ok() ? double(st::CryptonoteDifficulty(*t64)) / kCnPerV1Difficulty
                           : state_.difficulty;
  mj.job_id = job.id + "-" + bj.extranonce2_hex;
  mj.blob = ToHex(header);
  mj.height = job.tmpl.height;
  if (dialect_ == st::Dialect::kXmrig) {
    mj.algo = kXmrAlgo;
    mj.seed_hash = ToHex(job.tmpl.prev_hash);
  } else if (dialect_ == st::Dialect::kWebminerpool) {
    mj.algo = "sha256d";
    mj.variant = 0;
    mj.height.reset();
  } else {
    mj.height.reset();
  }
  blob_jobs_.emplace_back(mj.job_id, bj);
  while (blob_jobs_.size() > kMaxBlobJobs) blob_jobs_.pop_front();
  return mj;
}

void Session::PushBlobJob(const PoolJob& job, bool reply_to_login, const st::RpcId& id) {
  st::MinerJob mj = MakeBlobJob(job);
  switch (dialect_) {
    case st::Dialect::kXmrig:
      if (reply_to_login) {
        st::XmrLoginResult r;
        r.session_id = session_id_;
        r.job = std::move(mj);
        r.extensions = {"algo", "nicehash", "connect", "tls", "keepalive"};
        r.status = "OK";
        Send(st::MakeMessage(st::Kind::kXmrLoginResult, id, std::move(r)));
      } else {
        Send(st::MakeMessage(st::Kind::kXmrJob, std::monostate{}, std::move(mj)));
      }
      break;
    case st::Dialect::kCoinhive:
      Send(st::MakeMessage(st::Kind::kCoinhiveJob, std::monostate{}, std::move(mj)));
      break;
    case st::Dialect::kWebminerpool:
      Send(st::MakeMessage(st::Kind::kWmpJob, std::monostate{}, std::move(mj)));
      break;
    default:
      break;
  }
}

bool Session::HandleBlobDialect(const st::Message& m, double now_s) {
  auto login = [&](const std::string& user) -> bool {
    std::string account;
    if (mining_) return true;
    if (!Authorize(user, &account)) return false;
    workers_[worker_] = account;
    state_.extranonce1 = core_.jobs().NextExtranonce1();
    state_.subscribed = state_.authorized = true;
    session_id_ = Hex64(uint64_t(created_s_ * 1000)) + ToHex(state_.extranonce1);
    mining_ = true;
    return true;
  };
  auto solution = [&](const std::string& job_id, const std::string& nonce_hex,
                      const std::string& result_hex) -> ShareOutcome {
    ShareOutcome out;
    auto it = std::find_if(blob_jobs_.begin(), blob_jobs_.end(),
                           [&](const auto& e) { return e.first == job_id; });
    auto nonce = FromHexExact(nonce_hex, 4);
    if (it == blob_jobs_.end() || !nonce.ok()) {
      out.error = it == blob_jobs_.end() ? ShareError::kJobNotFound : ShareError::kOther;
      core_.OnReject(out.error);
      if (out.error != ShareError::kJobNotFound) {  // stale: not held against the miner
        if (BanReason r = guard_.OnShare(false); r != BanReason::kNone) Ban(r, now_s);
      }
      return out;
    }
    // The job's own difficulty (what its target said), with the session's as the grace one.
    const double saved = state_.difficulty;
    state_.difficulty = it->second.difficulty;
    const std::string nonce_be = st::U32Hex(ReadLE32(nonce->data()));
    ShareSubmit sub{it->second.pool_job_id, it->second.extranonce2_hex, it->second.ntime_hex,
                    nonce_be, std::nullopt};
    out = SubmitShare(sub, worker_, now_s);
    if (state_.difficulty == it->second.difficulty) state_.difficulty = saved;
    if (out.ok() && ToHex(out.hash) != result_hex) {
      // The hash is valid but the miner reported another one: count it, as pools do.
      out.reason = "result mismatch";
    }
    return out;
  };

  switch (m.kind) {
    case st::Kind::kXmrLogin: {
      const auto& l = std::get<st::XmrLogin>(m.body);
      std::string user = l.login;
      if (user.find('.') == std::string::npos && !l.rigid.empty()) user += "." + l.rigid;
      if (!login(user)) {
        SendRaw(st::EncodeJsonRpcError(m.id, -1, "Invalid payment address provided"));
        return true;
      }
      auto job = core_.jobs().Current();
      if (!job) {
        SendRaw(st::EncodeJsonRpcError(m.id, -1, "No job available"));
        return true;
      }
      last_job_ = job;
      last_clean_serial_ = job->serial;
      PushBlobJob(*job, true, m.id);
      return true;
    }
    case st::Kind::kXmrSubmit: {
      const auto& s = std::get<st::XmrSubmit>(m.body);
      if (!mining_ || s.session_id != session_id_) {
        core_.OnReject(ShareError::kUnauthorized);
        SendRaw(st::EncodeJsonRpcError(m.id, -1, "Unauthenticated"));
        return true;
      }
      ShareOutcome out = solution(s.job_id, s.nonce, s.result);
      if (out.ok()) {
        Send(st::MakeMessage(st::Kind::kXmrStatus, m.id, st::XmrStatus{"OK"}));
      } else {
        const char* msg = out.error == ShareError::kJobNotFound    ? "Invalid job id"
                          : out.error == ShareError::kDuplicate     ? "Duplicate share"
                          : out.error == ShareError::kLowDifficulty ? "Low difficulty share"
                                                                    : "Invalid share";
        SendRaw(st::EncodeJsonRpcError(m.id, -1, msg));
      }
      return close_reason_.empty();
    }
    case st::Kind::kXmrKeepalived:
      Send(st::MakeMessage(st::Kind::kXmrStatus, m.id, st::XmrStatus{"KEEPALIVED"}));
      return true;
    case st::Kind::kXmrGetJob:
      if (last_job_) PushBlobJob(*last_job_, false, nullptr);
      return true;
    case st::Kind::kCoinhiveAuth: {
      const auto& a = std::get<st::CoinhiveAuth>(m.body);
      std::string user = a.site_key;
      if (a.user && !a.user->empty()) user += "." + *a.user;
      if (!login(user)) {
        Send(st::MakeMessage(st::Kind::kCoinhiveError, std::monostate{},
                             st::TextError{"invalid_site_key"}));
        return true;
      }
      Send(st::MakeMessage(st::Kind::kCoinhiveAuthed, std::monostate{},
                           st::CoinhiveAuthed{"", 0}));
      StartMining(now_s);
      return true;
    }
    case st::Kind::kWmpHandshake: {
      const auto& h = std::get<st::WmpHandshake>(m.body);
      std::string user = h.login;
      if (!h.userid.empty()) user += "." + h.userid;
      if (!login(user)) {
        Send(st::MakeMessage(st::Kind::kWmpError, std::monostate{},
                             st::TextError{"invalid wallet address"}));
        return true;
      }
      StartMining(now_s);
      return true;
    }
    case st::Kind::kCoinhiveSubmit:
    case st::Kind::kWmpSolved: {
      const bool coinhive = m.kind == st::Kind::kCoinhiveSubmit;
      const auto& s = std::get<st::ShareSolution>(m.body);
      ShareOutcome out;
      if (!mining_) {
        out.error = ShareError::kNotSubscribed;
        core_.OnReject(out.error);
      } else {
        out = solution(s.job_id, s.nonce, s.result);
      }
      if (out.ok()) {
        if (coinhive) {
          Send(st::MakeMessage(st::Kind::kCoinhiveHashAccepted, std::monostate{},
                               st::HashAccepted{int64_t(hashes_credited_)}));
        } else {
          Send(st::MakeMessage(st::Kind::kWmpHashSolved, std::monostate{}, st::NoParams{}));
        }
      } else {
        std::string text(ShareErrorMessage(out.error));
        Send(st::MakeMessage(coinhive ? st::Kind::kCoinhiveError : st::Kind::kWmpError,
                             std::monostate{}, st::TextError{text}));
      }
      return close_reason_.empty();
    }
    default:
      core_.stats().junk_lines.fetch_add(1);
      if (BanReason r = guard_.OnJunk(); r != BanReason::kNone) return Ban(r, now_s);
      return true;
  }
}

}  // namespace mw::pool
