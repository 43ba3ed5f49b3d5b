// ClientProtocol: EthereumStratum/1.0.0 and eth-proxy. The pool sends every header byte but the
// version and the nonce: seed hash = previous block hash and header hash = merkle root as they
// sit in the header; ntime and nbits as big-endian hex in the job id (EthereumStratum, its first
// 16 digits) or in the 4th eth_getWork element (eth-proxy). The 64-bit nonce submitted is
// version ‖ nonce, big-endian hex each (src/lab/pool/README.md, "Eth dialects").
#include <cmath>
#include <cstdio>

#include "core/bytes.h"
#include "core/target.h"
#include "lab/stratum_miner/client_protocol.h"
#include "proto/stratum/stratum_codec.h"

namespace mw::lab::stratum_miner {

namespace st = mw::stratum;

namespace {

constexpr size_t kMaxEthExtranonceBytes = 3;

std::string Line(const st::Message& m) {
  auto s = st::Encode(m);
  return s.ok() ? *s : std::string();
}

std::string_view Strip0x(std::string_view s) {
  return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? s.substr(2) : s;
}

// Header bytes 4..67 from the two hashes, bytes 68..75 from 16 hex digits of ntime ‖ nbits.
bool FillEthHeader(std::string_view seed_hex, std::string_view header_hex,
                   std::string_view time_bits_hex, std::array<uint8_t, 80>& header) {
  auto prev = FromHexExact(Strip0x(seed_hex), 32);
  auto root = FromHexExact(Strip0x(header_hex), 32);
  if (!prev.ok() || !root.ok() || time_bits_hex.size() < 16) return false;
  auto ntime = st::ParseU32Hex(time_bits_hex.substr(0, 8));
  auto nbits = st::ParseU32Hex(time_bits_hex.substr(8, 8));
  if (!ntime.ok() || !nbits.ok()) return false;
  header.fill(0);
  std::copy(prev->begin(), prev->end(), header.begin() + 4);
  std::copy(root->begin(), root->end(), header.begin() + 36);
  WriteLE32(header.data() + 68, *ntime);
  WriteLE32(header.data() + 72, *nbits);
  return true;
}

}  // namespace

std::string ClientProtocol::TakePending(const st::Message& m) {
  const auto* id = std::get_if<int64_t>(&m.id);
  if (id == nullptr) return {};
  auto it = pending_.find(*id);
  if (it == pending_.end()) return {};
  std::string method = std::move(it->second);
  pending_.erase(it);
  return method;
}

ClientEvents ClientProtocol::OnEth(const st::Message& m) {
  ClientEvents ev;
  const std::string method = TakePending(m);
  switch (m.kind) {
    case st::Kind::kV1SubscribeResult: {
      const auto& r = std::get<st::SubscribeResult>(m.body);
      if (r.protocol.empty() || r.extranonce1.size() > 2 * kMaxEthExtranonceBytes ||
          r.extranonce1.size() % 2 != 0 || !IsHex(r.extranonce1)) {
        ev.fatal = true;
        ev.fatal_reason = "pool does not speak EthereumStratum/1.0.0";
        return ev;
      }
      eth_extranonce_hex_ = r.extranonce1;
      return ev;
    }
    case st::Kind::kV1SetExtranonce: {
      const auto& s = std::get<st::SetExtranonce>(m.body);
      if (s.extranonce1.size() <= 2 * kMaxEthExtranonceBytes) eth_extranonce_hex_ = s.extranonce1;
      return ev;
    }
    case st::Kind::kV1SetDifficulty: {
      const double d = std::get<st::Difficulty>(m.body).difficulty;
      if (std::isfinite(d) && d > 0) pending_difficulty_ = d;
      return ev;
    }
    case st::Kind::kEthNotify: {
      const auto& n = std::get<st::EthNotify>(m.body);
      EthJob job;
      job.key = n.job_id;
      if (!FillEthHeader(n.seed_hash, n.header_hash, n.job_id, job.header)) return ev;
      if (pending_difficulty_ > 0) difficulty_ = pending_difficulty_;
      job.target = TargetFromDifficulty(difficulty_);
      eth_job_ = std::move(job);
      has_job_ = true;
      ev.new_work = ev.clean = true;
      FirstReport(ev);
      return ev;
    }
    case st::Kind::kEthWork: {
      const auto& w = std::get<st::EthWork>(m.body);
      EthJob job;
      job.key = w.header_hash;
      auto target = FromDisplayHex(Strip0x(w.target));
      if (!w.block_number || !target.ok() ||
          !FillEthHeader(w.seed_hash, w.header_hash, Strip0x(*w.block_number), job.header)) {
        return ev;
      }
      job.target = *target;
      difficulty_ = DifficultyFromTarget(job.target);
      eth_job_ = std::move(job);
      has_job_ = true;
      ev.new_work = ev.clean = true;
      FirstReport(ev);
      return ev;
    }
    case st::Kind::kV1Reconnect:
      ev.fatal = true;
      ev.fatal_reason = "pool asked to reconnect";
      return ev;
    case st::Kind::kResponse: {
      ev.RecordAnswer(std::get<st::Response>(m.body), method,
                      method == "mining.submit" || method == "eth_submitWork",
                      method == "mining.authorize" || method == "eth_submitLogin" ||
                          method == "mining.subscribe" || method == "eth_getWork");
      return ev;
    }
    default:
      return ev;
  }
}

void ClientProtocol::FirstReport(ClientEvents& ev) {
  // The first hash-rate report goes out with the first work (0: nothing measured yet), so even a
  // short session shows the keep-alive; later ones come every keep-alive interval.
  if (eth_reported_) return;
  eth_reported_ = true;
  if (auto line = EthHashrate(0)) ev.send.push_back(std::move(*line));
}

std::optional<miner::WorkUnit> ClientProtocol::NextEthWork() {
  if (!eth_job_) return std::nullopt;
  const bool proxy = options_.dialect == st::Dialect::kEthProxy;
  if (!proxy && eth_extranonce_hex_.size() % 2 != 0) return std::nullopt;
  // Each unit gets its own version (the top half of the 64-bit nonce); in EthereumStratum its
  // top bytes are the pool's extranonce.
  uint32_t version = ++eth_version_counter_;
  if (!proxy) {
    auto en = FromHex(eth_extranonce_hex_);
    if (!en.ok()) return std::nullopt;
    const size_t en_bytes = en->size();
    uint32_t prefix = 0;
    for (uint8_t b : *en) prefix = (prefix << 8) | b;
    const unsigned free_bits = 32 - 8 * unsigned(en_bytes);
    const uint32_t low = free_bits == 32 ? version : version & ((1u << free_bits) - 1);
    version = en_bytes == 0 ? version : (prefix << free_bits) | low;
  }
  miner::WorkUnit w;
  std::copy(eth_job_->header.begin(), eth_job_->header.end(), w.header.begin());
  WriteLE32(w.header.data(), version);
  w.target = eth_job_->target;
  UnitInfo info;
  info.job_id = eth_job_->key;
  info.version = version;
  w.job_id = AddUnit(std::move(info));
  return w;
}

std::optional<std::string> ClientProtocol::EthSubmit(const UnitInfo& unit,
                                                     const miner::FoundNonce& found) {
  const std::string nonce64 = st::U32Hex(unit.version) + st::U32Hex(found.nonce);
  const size_t dot = options_.user.find('.');
  const std::string worker = dot == std::string::npos ? "" : options_.user.substr(dot + 1);
  if (options_.dialect == st::Dialect::kEthStratum) {
    // minernonce = the nonce without the extranonce prefix (8 - len(extranonce) bytes).
    st::EthSubmit s{options_.user, unit.job_id, nonce64.substr(eth_extranonce_hex_.size())};
    pending_[next_id_] = "mining.submit";
    return Line(st::MakeMessage(st::Kind::kEthSubmit, next_id_++, std::move(s)));
  }
  st::EthSubmitWork s{"0x" + nonce64, unit.job_id, "0x" + ToHex(found.hash), worker};
  pending_[next_id_] = "eth_submitWork";
  return Line(st::MakeMessage(st::Kind::kEthSubmitWork, next_id_++, std::move(s)));
}

std::optional<std::string> ClientProtocol::EthHashrate(double hashes_per_second) {
  if (!has_job_) return std::nullopt;
  // ethminer: the rate as a 32-byte 0x quantity and a random 32-byte client id; ours is derived
  // from the login so that reconnects report under the same id.
  const double r = std::isfinite(hashes_per_second) && hashes_per_second > 0 ? hashes_per_second : 0;
  char rate[65];
  std::snprintf(rate, sizeof rate, "%064llx", static_cast<unsigned long long>(std::llround(r)));
  const std::string id = ToHex(Sha256(AsBytes(options_.user + "/" + options_.agent)));
  pending_[next_id_] = "eth_submitHashrate";
  return Line(st::MakeMessage(st::Kind::kEthSubmitHashrate, next_id_++,
                              st::EthSubmitHashrate{std::string("0x") + rate, "0x" + id}));
}

}  // namespace mw::lab::stratum_miner
