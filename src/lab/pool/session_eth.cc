// Session: the two Ethereum dialects (EthereumStratum/1.0.0 and eth-proxy). The mapping of our
// SHA-256d header onto Ethash's fields is described in README.md ("Eth dialects").
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/bytes.h"
#include "core/target.h"
#include "lab/pool/session.h"
#include "proto/stratum/stratum_codec.h"
#include "proto/stratum/v1_job.h"

namespace mw::pool {

namespace st = mw::stratum;

namespace {

constexpr size_t kMaxEthJobs = 16;
constexpr size_t kEthExtranonceBytes = 3;  // NiceHash: at most 3 bytes of the 8-byte nonce
constexpr size_t kEthNonceHexChars = 16;
constexpr const char* kEthProtocol = "EthereumStratum/1.0.0";

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

std::string StripHexPrefix(const std::string& s) {
  return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? s.substr(2) : s;
}

bool HasId(const st::RpcId& id) {
  return !std::holds_alternative<std::monostate>(id) && !std::holds_alternative<std::nullptr_t>(id);
}

}  // namespace

bool Session::AcceptsKind(const st::Message& m) const {
  if (m.dialect == dialect_) return true;
  if (dialect_ != st::Dialect::kEthStratum) return false;
  // EthereumStratum reuses V1's handshake methods; ethminer sends eth_submitHashrate in it too.
  return m.kind == st::Kind::kV1Subscribe || m.kind == st::Kind::kV1Authorize ||
         m.kind == st::Kind::kV1ExtranonceSubscribe || m.kind == st::Kind::kEthSubmitHashrate;
}

void Session::PushEthJob(const PoolJob& job, bool clean, const st::RpcId& reply_id) {
  EthJob ej;
  const st::Header80 header = NextPoolHeader(job, &ej.extranonce2_hex);
  // Seed hash = previous block hash, header hash = merkle root, both exactly as they sit in the
  // header (bytes 4..35 and 36..67); ntime and nbits travel as V1 prints them (big-endian hex).
  const std::string seed_hex = ToHex(ByteSpan(header.data() + 4, 32));
  const std::string header_hex = ToHex(ByteSpan(header.data() + 36, 32));

  ej.pool_job_id = job.id;
  ej.ntime_hex = job.ntime_hex;
  ej.difficulty = state_.difficulty;
  std::string key;
  if (dialect_ == st::Dialect::kEthStratum) {
    if (!difficulty_sent_ || sent_difficulty_ != state_.difficulty) {
      Send(st::MakeMessage(st::Kind::kV1SetDifficulty, nullptr, st::Difficulty{state_.difficulty}));
      difficulty_sent_ = true;
      sent_difficulty_ = state_.difficulty;
    }
    char seq[5];
    std::snprintf(seq, sizeof seq, "%04x", unsigned(eth_job_seq_++ & 0xffffu));
    key = job.ntime_hex + job.nbits_hex + seq;
    Send(st::MakeMessage(st::Kind::kEthNotify, nullptr,
                         st::EthNotify{key, seed_hex, header_hex, clean}));
  } else {
    key = "0x" + header_hex;
    st::EthWork w;
    w.header_hash = key;
    w.seed_hash = "0x" + seed_hex;
    w.target = "0x" + ToDisplayHex(TargetFromDifficulty(state_.difficulty));
    w.block_number = "0x" + job.ntime_hex + job.nbits_hex;
    // A reply to eth_getWork carries its id; a push is a reply with id 0.
    const st::RpcId id = HasId(reply_id) ? reply_id : st::RpcId(int64_t{0});
    Send(st::MakeMessage(st::Kind::kEthWork, id, std::move(w)));
  }
  eth_jobs_.emplace_back(std::move(key), std::move(ej));
  while (eth_jobs_.size() > kMaxEthJobs) eth_jobs_.pop_front();
}

ShareOutcome Session::EthShare(const std::string& key, const std::string& nonce64_hex,
                               const std::string& worker, double now_s) {
  ShareOutcome out;
  auto it = std::find_if(eth_jobs_.begin(), eth_jobs_.end(),
                         [&](const auto& e) { return e.first == key; });
  if (it == eth_jobs_.end() || nonce64_hex.size() != kEthNonceHexChars || !IsHex(nonce64_hex)) {
    out.error = it == eth_jobs_.end() ? ShareError::kJobNotFound : ShareError::kOther;
    out.reason = it == eth_jobs_.end() ? "unknown or stale job" : "nonce is not 8 bytes";
    core_.OnReject(out.error);
    if (out.error != ShareError::kJobNotFound) {  // stale: not held against the miner
      if (BanReason r = guard_.OnShare(false); r != BanReason::kNone) Ban(r, now_s);
    }
    return out;
  }
  // 64-bit nonce = header version (top half) ‖ header nonce (bottom half), big-endian hex each;
  // the session's version mask is all ones, so CheckShare takes the version as sent.
  const std::string version_hex = Lower(nonce64_hex.substr(0, 8));
  const std::string nonce_hex = Lower(nonce64_hex.substr(8));
  const double saved = state_.difficulty;
  state_.difficulty = it->second.difficulty;
  const ShareSubmit sub{it->second.pool_job_id, it->second.extranonce2_hex, it->second.ntime_hex,
                        nonce_hex, std::string_view(version_hex)};
  out = SubmitShare(sub, worker, now_s);
  if (state_.difficulty == it->second.difficulty) state_.difficulty = saved;
  return out;
}

bool Session::HandleEth(const st::Message& m, double now_s) {
  const bool proxy = dialect_ == st::Dialect::kEthProxy;
  auto reply_error = [&](ShareError e) {
    SendRaw(proxy ? st::EncodeJsonRpcError(m.id, int(e), ShareErrorMessage(e))
                  : st::EncodeV1Error(m.id, int(e), ShareErrorMessage(e)));
  };
  auto reject = [&](ShareError e) {
    core_.OnReject(e);
    if (BanReason r = guard_.OnShare(false); r != BanReason::kNone) Ban(r, now_s);
    reply_error(e);
  };
  switch (m.kind) {
    // ---- EthereumStratum/1.0.0 ----
    case st::Kind::kV1Subscribe: {
      if (!state_.subscribed) {
        state_.extranonce1 = core_.jobs().NextExtranonce1();
        state_.subscribed = true;
        const size_t k = std::min(kEthExtranonceBytes, state_.extranonce1.size());
        eth_extranonce_hex_ = ToHex(ByteSpan(state_.extranonce1.data() +
                                             state_.extranonce1.size() - k, k));
      }
      char ms[17];
      std::snprintf(ms, sizeof ms, "%016llx", static_cast<unsigned long long>(created_s_ * 1000));
      const std::string sub_id = ms + ToHex(state_.extranonce1);
      st::SubscribeResult r;
      r.subscriptions = {{"mining.notify", sub_id}};
      r.extranonce1 = eth_extranonce_hex_;
      r.protocol = kEthProtocol;
      Send(st::MakeMessage(st::Kind::kV1SubscribeResult, m.id, std::move(r)));
      return true;
    }
    case st::Kind::kV1ExtranonceSubscribe:
      SendRaw(st::EncodeV1True(m.id));
      return true;
    case st::Kind::kV1Authorize:
      return HandleV1Authorize(m, now_s);
    case st::Kind::kEthSubmit: {
      const auto& s = std::get<st::EthSubmit>(m.body);
      if (!state_.subscribed) {
        reject(ShareError::kNotSubscribed);
      } else if (!state_.authorized || workers_.find(s.worker) == workers_.end()) {
        reject(ShareError::kUnauthorized);
      } else {
        // The full nonce is extranonce ‖ minernonce (8 bytes).
        const ShareOutcome out =
            s.miner_nonce.size() + eth_extranonce_hex_.size() == kEthNonceHexChars
                ? EthShare(s.job_id, eth_extranonce_hex_ + s.miner_nonce, s.worker, now_s)
                : EthShare(s.job_id, std::string(), s.worker, now_s);
        if (out.ok()) {
          SendRaw(st::EncodeV1True(m.id));
        } else {
          reply_error(out.error);
        }
      }
      return close_reason_.empty();
    }
    // ---- eth-proxy (eth_submitHashrate also in EthereumStratum) ----
    case st::Kind::kEthSubmitLogin: {
      const auto& l = std::get<st::EthSubmitLogin>(m.body);
      std::string user = l.login;
      if (user.find('.') == std::string::npos && !l.worker.empty()) user += "." + l.worker;
      std::string account;
      if (!mining_) {
        if (!Authorize(user, &account)) {
          SendRaw(st::EncodeJsonRpcError(m.id, -1, "Invalid login"));
          return true;
        }
        workers_[user] = account;
        state_.extranonce1 = core_.jobs().NextExtranonce1();
        state_.subscribed = state_.authorized = true;
        mining_ = true;  // work goes out as the reply to eth_getWork, later jobs are pushed
      }
      SendRaw(st::EncodeJsonRpcTrue(m.id));
      return true;
    }
    case st::Kind::kEthGetWork: {
      if (!mining_) {
        SendRaw(st::EncodeJsonRpcError(m.id, int(ShareError::kNotSubscribed),
                                       ShareErrorMessage(ShareError::kNotSubscribed)));
        return true;
      }
      auto job = last_job_ ? last_job_ : core_.jobs().Current();
      if (!job) {
        SendRaw(st::EncodeJsonRpcError(m.id, -1, "No work available"));
        return true;
      }
      if (!last_job_) {
        last_job_ = job;
        last_clean_serial_ = job->serial;
        if (auto capped = vardiff_.Cap(job->network_difficulty)) ApplyDifficulty(*capped, now_s);
      }
      PushEthJob(*job, false, m.id);
      return true;
    }
    case st::Kind::kEthSubmitWork: {
      const auto& w = std::get<st::EthSubmitWork>(m.body);
      if (!mining_) {
        reject(ShareError::kNotSubscribed);
        return close_reason_.empty();
      }
      const ShareOutcome out =
          EthShare("0x" + Lower(StripHexPrefix(w.header_hash)), StripHexPrefix(w.nonce), worker_,
                   now_s);
      if (out.ok()) {
        SendRaw(st::EncodeJsonRpcTrue(m.id));
      } else {
        reply_error(out.error);
      }
      return close_reason_.empty();
    }
    case st::Kind::kEthSubmitHashrate:
      SendRaw(m.jsonrpc2 ? st::EncodeJsonRpcTrue(m.id) : st::EncodeV1True(m.id));
      return true;
    default:
      core_.stats().junk_lines.fetch_add(1);
      if (BanReason r = guard_.OnJunk(); r != BanReason::kNone) return Ban(r, now_s);
      reply_error(ShareError::kOther);
      return true;
  }
}

}  // namespace mw::pool
