#include "lab/stratum_miner/client_protocol.h"

#include <cmath>

#include "core/bytes.h"
#include "core/target.h"
#include "proto/stratum/cryptonote_target.h"
#include "proto/stratum/stratum_codec.h"

namespace mw::lab::stratum_miner {

namespace st = mw::stratum;

namespace {
constexpr double kCnPerV1Difficulty = 18446744073709551615.0 / 4294901760.0;
constexpr size_t kMaxUnits = 64;

std::string Line(const st::Message& m) {
  auto s = st::Encode(m);
  return s.ok() ? *s : std::string();
}

std::pair<std::string, std::string> SplitUser(const std::string& user) {
  const size_t dot = user.find('.');
  if (dot == std::string::npos) return {user, ""};
  return {user.substr(0, dot), user.substr(dot + 1)};
}

// hash < t64 << 192  <=>  hash <= (t64 << 192) - 1
Hash256 TargetFromT64(uint64_t t64) {
  Hash256 t;
  t.fill(0xff);
  if (t64 == 0) {
    t.fill(0);
    return t;
  }
  WriteLE64(t.data() + 24, t64 - 1);
  return t;
}
}  // namespace

void ClientEvents::RecordAnswer(const st::Response& r, const std::string& method, bool is_share,
                                bool refusal_is_fatal) {
  const bool ok = !r.error && r.result.is_boolean() && r.result.get<bool>();
  if (ok) {
    if (is_share) accepted = 1;
    return;
  }
  const std::string why = r.error ? r.error->message : std::string("false");
  if (is_share) {
    rejected = 1;
    reject_reason = why;
  } else if (refusal_is_fatal) {
    fatal = true;
    fatal_reason = method + " refused: " + why;
  }
}

std::string DefaultAgent(st::Dialect d) {
  switch (d) {
    case st::Dialect::kXmrig: return "XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0";
    case st::Dialect::kEthStratum:
    case st::Dialect::kEthProxy: return "ethminer/0.19.0";
    default: return "cgminer/4.10.0";
  }
}

ClientProtocol::ClientProtocol(ClientOptions options) : options_(std::move(options)) {
  if (options_.agent.empty()) {
    options_.agent = options_.sv2 ? std::string(kSv2Firmware) : DefaultAgent(options_.dialect);
  }
}

std::vector<std::string> ClientProtocol::Hello() {
  if (options_.sv2) return Sv2Hello();
  std::vector<std::string> out;
  const auto [address, worker] = SplitUser(options_.user);
  switch (options_.dialect) {
    case st::Dialect::kV1: {
      if (options_.version_rolling) {
        st::Configure c;
        c.extensions = {"version-rolling"};
        c.version_rolling_mask = 0x1fffe000;
        c.version_rolling_min_bits = 2;
        pending_[next_id_] = "mining.configure";
        out.push_back(Line(st::MakeMessage(st::Kind::kV1Configure, next_id_++, c)));
      }
      pending_[next_id_] = "mining.subscribe";
      out.push_back(Line(st::MakeMessage(st::Kind::kV1Subscribe, next_id_++,
                                         st::Subscribe{options_.agent, {}})));
      pending_[next_id_] = "mining.authorize";
      out.push_back(Line(st::MakeMessage(st::Kind::kV1Authorize, next_id_++,
                                         st::Authorize{options_.user, options_.password})));
      break;
    }
    case st::Dialect::kXmrig: {
      st::XmrLogin l{address, options_.password, options_.agent, {"sha256d"}, worker};
      pending_[next_id_] = "login";
      out.push_back(Line(st::MakeMessage(st::Kind::kXmrLogin, next_id_++, l)));
      break;
    }
    case st::Dialect::kCoinhive: {
      st::CoinhiveAuth a{address, "anonymous", std::nullopt, 0};
      if (!worker.empty()) a.user = worker;
      out.push_back(Line(st::MakeMessage(st::Kind::kCoinhiveAuth, std::monostate{}, a)));
      break;
    }
    case st::Dialect::kWebminerpool: {
      st::WmpHandshake h{"minelab", address, "", worker, 8};
      out.push_back(Line(st::MakeMessage(st::Kind::kWmpHandshake, std::monostate{}, h)));
      break;
    }
    case st::Dialect::kEthStratum: {
      pending_[next_id_] = "mining.subscribe";
      out.push_back(Line(st::MakeMessage(st::Kind::kV1Subscribe, next_id_++,
                                         st::Subscribe{options_.agent, {"EthereumStratum/1.0.0"}})));
      pending_[next_id_] = "mining.extranonce.subscribe";
      out.push_back(Line(st::MakeMessage(st::Kind::kV1ExtranonceSubscribe, next_id_++,
                                         st::NoParams{})));
      pending_[next_id_] = "mining.authorize";
      out.push_back(Line(st::MakeMessage(st::Kind::kV1Authorize, next_id_++,
                                         st::Authorize{options_.user, options_.password})));
      break;
    }
    case st::Dialect::kEthProxy: {
      pending_[next_id_] = "eth_submitLogin";
      out.push_back(Line(st::MakeMessage(st::Kind::kEthSubmitLogin, next_id_++,
                                         st::EthSubmitLogin{address, std::nullopt, worker})));
      pending_[next_id_] = "eth_getWork";
      out.push_back(Line(st::MakeMessage(st::Kind::kEthGetWork, next_id_++, st::NoParams{})));
      break;
    }
    default:
      break;
  }
  return out;
}

ClientEvents ClientProtocol::OnLine(std::string_view line) {
  auto m = st::DecodeLine(line);
  if (!m.ok()) return {};
  if (options_.dialect == st::Dialect::kV1) return OnV1(*m);
  if (options_.dialect == st::Dialect::kEthStratum || options_.dialect == st::Dialect::kEthProxy) {
    return OnEth(*m);
  }
  return OnBlob(*m);
}

ClientEvents ClientProtocol::OnV1(const st::Message& m) {
  ClientEvents ev;
  std::string method;
  if (const auto* id = std::get_if<int64_t>(&m.id)) {
    auto it = pending_.find(*id);
    if (it != pending_.end()) {
      method = it->second;
      pending_.erase(it);
    }
  }
  switch (m.kind) {
    case st::Kind::kV1SubscribeResult: {
      const auto& r = std::get<st::SubscribeResult>(m.body);
      auto en1 = FromHex(r.extranonce1);
      if (!en1.ok() || !r.extranonce2_size || *r.extranonce2_size < 1 || *r.extranonce2_size > 16) {
        ev.fatal = true;
        ev.fatal_reason = "bad subscribe result";
        return ev;
      }
      extranonce1_ = *en1;
      extranonce1_hex_ = r.extranonce1;
      extranonce2_size_ = size_t(*r.extranonce2_size);
      return ev;
    }
    case st::Kind::kV1SetDifficulty: {
      const double d = std::get<st::Difficulty>(m.body).difficulty;
      if (std::isfinite(d) && d > 0) pending_difficulty_ = d;
      if (!has_job_ && pending_difficulty_ > 0) difficulty_ = pending_difficulty_;
      return ev;
    }
    case st::Kind::kV1SetExtranonce: {
      const auto& s = std::get<st::SetExtranonce>(m.body);
      auto en1 = FromHex(s.extranonce1);
      if (en1.ok()) {
        extranonce1_ = *en1;
        extranonce1_hex_ = s.extranonce1;
        if (s.extranonce2_size) extranonce2_size_ = size_t(*s.extranonce2_size);
      }
      return ev;
    }
    case st::Kind::kV1Notify: {
      const auto& n = std::get<st::V1Notify>(m.body);
      auto job = st::V1JobFromHex(n.job_id, n.prevhash, n.coinb1, n.coinb2, n.merkle_branch,
                                  n.version, n.nbits, n.ntime, n.clean_jobs);
      if (!job.ok()) return ev;
      job_ = std::move(*job);
      if (pending_difficulty_ > 0) difficulty_ = pending_difficulty_;
      has_job_ = true;
      ev.new_work = true;
      ev.clean = true;  // always move to the newest job at once
      return ev;
    }
    case st::Kind::kV1Reconnect:
      ev.fatal = true;
      ev.fatal_reason = "pool asked to reconnect";
      return ev;
    case st::Kind::kResponse: {
      ev.RecordAnswer(std::get<st::Response>(m.body), method, method == "mining.submit",
                      method == "mining.authorize");
      return ev;
    }
    default:
      return ev;
  }
}

void ClientProtocol::SetBlobJob(const st::MinerJob& job) {
  auto t64 = st::CryptonoteTarget64(job.target);
  if (job.blob.size() != 160 || !IsHex(job.blob) || !t64.ok()) return;
  blob_job_ = job;
  blob_target_ = TargetFromT64(*t64);
  difficulty_ = double(st::CryptonoteDifficulty(*t64)) / kCnPerV1Difficulty;
  blob_unit_given_ = false;
  has_job_ = true;
}

ClientEvents ClientProtocol::OnBlob(const st::Message& m) {
  ClientEvents ev;
  std::string method;
  if (const auto* id = std::get_if<int64_t>(&m.id)) {
    auto it = pending_.find(*id);
    if (it != pending_.end()) {
      method = it->second;
      pending_.erase(it);
    }
  }
  switch (m.kind) {
    case st::Kind::kXmrLoginResult: {
      const auto& r = std::get<st::XmrLoginResult>(m.body);
      session_id_ = r.session_id;
      if (r.job) {
        SetBlobJob(*r.job);
        ev.new_work = ev.clean = has_job_;
      }
      return ev;
    }
    case st::Kind::kXmrJob:
    case st::Kind::kCoinhiveJob:
    case st::Kind::kWmpJob:
      SetBlobJob(std::get<st::MinerJob>(m.body));
      ev.new_work = ev.clean = has_job_;
      return ev;
    case st::Kind::kXmrStatus:
      if (method == "submit") ev.accepted = 1;
      return ev;
    case st::Kind::kCoinhiveHashAccepted:
    case st::Kind::kWmpHashSolved:
      ev.accepted = 1;
      return ev;
    case st::Kind::kCoinhiveError:
    case st::Kind::kWmpError: {
      const std::string text = std::get<st::TextError>(m.body).text;
      if (!has_job_) {
        ev.fatal = true;
        ev.fatal_reason = text;
      } else {
        ev.rejected = 1;
        ev.reject_reason = text;
      }
      return ev;
    }
    case st::Kind::kResponse: {
      const auto& r = std::get<st::Response>(m.body);
      if (method == "login" && r.error) {
        ev.fatal = true;
        ev.fatal_reason = r.error->message;
      } else if (method == "submit") {
        if (r.error) {
          ev.rejected = 1;
          ev.reject_reason = r.error->message;
        } else {
          ev.accepted = 1;
        }
      }
      return ev;
    }
    default:
      return ev;
  }
}

uint64_t ClientProtocol::AddUnit(UnitInfo info) {
  const uint64_t id = next_unit_++;
  units_[id] = std::move(info);
  while (units_.size() > kMaxUnits) units_.erase(units_.begin());
  return id;
}

std::optional<miner::WorkUnit> ClientProtocol::NextWork() {
  if (options_.sv2) return NextSv2Work();
  if (options_.dialect == st::Dialect::kEthStratum || options_.dialect == st::Dialect::kEthProxy) {
    return NextEthWork();
  }
  miner::WorkUnit w;
  if (options_.dialect == st::Dialect::kV1) {
    if (!job_ || extranonce1_.empty()) return std::nullopt;
    const uint64_t n = extranonce2_++;
    Bytes en2(extranonce2_size_);
    for (size_t i = 0; i < en2.size() && i < 8; ++i) en2[en2.size() - 1 - i] = uint8_t(n >> (8 * i));
    const Bytes coinbase = st::BuildCoinbase(*job_, extranonce1_, en2);
    const Hash256 root = st::MerkleRootFromBranch(Sha256d(coinbase), job_->merkle_branch);
    w.header = st::BuildHeader(*job_, root, job_->version, job_->ntime, 0);
    w.target = TargetFromDifficulty(difficulty_);
    w.job_id = AddUnit({job_->job_id, ToHex(en2), st::U32Hex(job_->ntime)});
    return w;
  }
  if (!blob_job_) return std::nullopt;
  auto header = FromHexExact(blob_job_->blob, 80);
  if (!header.ok()) return std::nullopt;
  std::copy(header->begin(), header->end(), w.header.begin());
  w.target = blob_target_;
  // A resumed or exhausted unit continues at a fresh point of the nonce space.
  w.nonce_start = blob_unit_given_ ? uint32_t(next_unit_ * 0x9e3779b9u) : 0;
  blob_unit_given_ = true;
  w.job_id = AddUnit({blob_job_->job_id, "", ""});
  return w;
}

std::optional<std::string> ClientProtocol::Submit(const miner::FoundNonce& found) {
  auto it = units_.find(found.job_id);
  if (it == units_.end()) return std::nullopt;
  const UnitInfo& u = it->second;
  ++submitted_;
  if (options_.sv2) return Sv2Submit(u, found);
  uint8_t nonce_le[4];
  WriteLE32(nonce_le, found.nonce);
  const std::string nonce_hex = ToHex(ByteSpan(nonce_le, 4));
  const std::string result = ToHex(found.hash);
  switch (options_.dialect) {
    case st::Dialect::kV1: {
      st::V1Submit s{options_.user, u.job_id, u.extranonce2_hex, u.ntime_hex,
                     st::U32Hex(found.nonce), std::nullopt};
      pending_[next_id_] = "mining.submit";
      return Line(st::MakeMessage(st::Kind::kV1Submit, next_id_++, s));
    }
    case st::Dialect::kXmrig: {
      st::XmrSubmit s{session_id_, u.job_id, nonce_hex, result, "sha256d"};
      pending_[next_id_] = "submit";
      return Line(st::MakeMessage(st::Kind::kXmrSubmit, next_id_++, s));
    }
    case st::Dialect::kCoinhive:
      return Line(st::MakeMessage(st::Kind::kCoinhiveSubmit, std::monostate{},
                                  st::ShareSolution{u.job_id, nonce_hex, result}));
    case st::Dialect::kWebminerpool:
      return Line(st::MakeMessage(st::Kind::kWmpSolved, std::monostate{},
                                  st::ShareSolution{u.job_id, nonce_hex, result}));
    case st::Dialect::kEthStratum:
    case st::Dialect::kEthProxy:
      return EthSubmit(u, found);
    default:
      return std::nullopt;
  }
}

std::optional<std::string> ClientProtocol::KeepAlive(double hashes_per_second) {
  if (options_.sv2) return std::nullopt;  // SV2 has no keep-alive message; shares are enough
  if (options_.dialect == st::Dialect::kEthStratum || options_.dialect == st::Dialect::kEthProxy) {
    return EthHashrate(hashes_per_second);
  }
  if (options_.dialect != st::Dialect::kXmrig || session_id_.empty()) return std::nullopt;
  pending_[next_id_] = "keepalived";
  return Line(st::MakeMessage(st::Kind::kXmrKeepalived, next_id_++, st::XmrSession{session_id_}));
}

}  // namespace mw::lab::stratum_miner
