// Requests and notifications of Stratum V1 / EthereumStratum, XMRig and eth-proxy.
#include <limits>

#include "proto/stratum/decode_fields.h"

namespace mw::stratum::detail {

// ---- Stratum V1 / EthereumStratum requests and notifications ----


Result<Decoded> DecodeMining(const Json& obj, std::string_view method) {
  if (method == "mining.configure") {
    MW_ASSIGN_OR_RETURN(const Json* p, Params(obj, 1, 2));
    Configure c;
    MW_ASSIGN_OR_RETURN(c.extensions, StrList(At(*p, 0), "extensions", kMaxParams, 64));
    if (const Json* opts = At(*p, 1)) {
      if (!opts->is_object()) return Bad("configure options must be an object");
      if (const Json* m = Find(*opts, "version-rolling.mask")) {
        MW_ASSIGN_OR_RETURN(c.version_rolling_mask, U32Hex(m, "version-rolling.mask"));
      }
      if (const Json* b = Find(*opts, "version-rolling.min-bit-count")) {
        MW_ASSIGN_OR_RETURN(int64_t bits, Int(b, "min-bit-count", 0, 32));
        c.version_rolling_min_bits = static_cast<uint32_t>(bits);
      }
      if (const Json* d = Find(*opts, "minimum-difficulty.value")) {
        MW_ASSIGN_OR_RETURN(c.minimum_difficulty, PositiveNumber(d, "minimum-difficulty.value"));
      }
    }
    return Decoded{Kind::kV1Configure, Dialect::kV1, std::move(c)};
  }
  if (method == "mining.subscribe") {
    MW_ASSIGN_OR_RETURN(const Json* p, Params(obj, 0, 4));
    Subscribe s;
    if (!p->empty()) {
      MW_ASSIGN_OR_RETURN(s.agent, Str(At(*p, 0), "agent", kMaxNameChars));
    }
    for (size_t i = 1; i < p->size(); ++i) {
      MW_ASSIGN_OR_RETURN(std::string e, Str(At(*p, i), "subscribe param", kMaxNameChars));
      s.extra.push_back(std::move(e));
    }
    const bool eth = !s.extra.empty() && s.extra[0].starts_with("EthereumStratum/");
    return Decoded{Kind::kV1Subscribe, eth ? Dialect::kEthStratum : Dialect::kV1, std::move(s)};
  }
  if (method == "mining.authorize") {
    MW_ASSIGN_OR_RETURN(const Json* p, Params(obj, 1, 2));
    Authorize a;
    MW_ASSIGN_OR_RETURN(a.user, Str(At(*p, 0), "user", kMaxNameChars));
    if (const Json* pw = At(*p, 1); pw != nullptr && !pw->is_null()) {
      MW_ASSIGN_OR_RETURN(a.password, Str(pw, "password", kMaxNameChars));
    }
    return Decoded{Kind::kV1Authorize, Dialect::kV1, std::move(a)};
  }
  if (method == "mining.extranonce.subscribe") {
    MW_RETURN_IF_ERROR(Params(obj, 0, 0).status());
    return Decoded{Kind::kV1ExtranonceSubscribe, Dialect::kV1, NoParams{}};
  }
  if (method == "mining.ping") {
    MW_RETURN_IF_ERROR(Params(obj, 0, 0).status());
    return Decoded{Kind::kV1Ping, Dialect::kV1, NoParams{}};
  }
  if (method == "mining.suggest_difficulty" || method == "mining.set_difficulty") {
    MW_ASSIGN_OR_RETURN(const Json* p, Params(obj, 1, 1));
    MW_ASSIGN_OR_RETURN(double d, PositiveNumber(At(*p, 0), "difficulty"));
    const Kind k = method == "mining.set_difficulty" ? Kind::kV1SetDifficulty
                                                     : Kind::kV1SuggestDifficulty;
    return Decoded{k, Dialect::kV1, Difficulty{d}};
  }
  if (method == "mining.notify") {
    MW_ASSIGN_OR_RETURN(const Json* p, Params(obj, 4, 9));
    if (p->size() == 4) {
      EthNotify n;
      MW_ASSIGN_OR_RETURN(n.job_id, Str(At(*p, 0), "job_id", kMaxJobIdChars));
      MW_ASSIGN_OR_RETURN(n.seed_hash, HexExact(At(*p, 1), "seed_hash", 64));
      MW_ASSIGN_OR_RETURN(n.header_hash, HexExact(At(*p, 2), "header_hash", 64));
      if (!At(*p, 3)->is_boolean()) return Bad("clean_jobs must be a boolean");
      n.clean_jobs = At(*p, 3)->get<bool>();
      return Decoded{Kind::kEthNotify, Dialect::kEthStratum, std::move(n)};
    }
    if (p->size() != 9) return Bad("mining.notify takes 9 params (or 4 for EthereumStratum)");
    V1Notify n;
    MW_ASSIGN_OR_RETURN(n.job_id, Str(At(*p, 0), "job_id", kMaxJobIdChars));
    MW_ASSIGN_OR_RETURN(n.prevhash, HexExact(At(*p, 1), "prevhash", 64));
    MW_ASSIGN_OR_RETURN(n.coinb1, Hex(At(*p, 2), "coinb1", 0, kMaxCoinbasePartHexChars));
    MW_ASSIGN_OR_RETURN(n.coinb2, Hex(At(*p, 3), "coinb2", 0, kMaxCoinbasePartHexChars));
    const Json* branch = At(*p, 4);
    if (!branch->is_array() || branch->size() > kMaxMerkleBranch) {
      return Bad("merkle_branch must be an array of at most 32 hashes");
    }
    for (const Json& h : *branch) {
      MW_ASSIGN_OR_RETURN(std::string s, HexExact(&h, "merkle_branch entry", 64));
      n.merkle_branch.push_back(std::move(s));
    }
    MW_ASSIGN_OR_RETURN(n.version, HexExact(At(*p, 5), "version", 8));
    MW_ASSIGN_OR_RETURN(n.nbits, HexExact(At(*p, 6), "nbits", 8));
    MW_ASSIGN_OR_RETURN(n.ntime, HexExact(At(*p, 7), "ntime", 8));
    if (!At(*p, 8)->is_boolean()) return Bad("clean_jobs must be a boolean");
    n.clean_jobs = At(*p, 8)->get<bool>();
    return Decoded{Kind::kV1Notify, Dialect::kV1, std::move(n)};
  }
  if (method == "mining.submit") {
    MW_ASSIGN_OR_RETURN(const Json* p, Params(obj, 3, 6));
    if (p->size() == 3) {
      EthSubmit s;
      MW_ASSIGN_OR_RETURN(s.worker, Str(At(*p, 0), "worker", kMaxNameChars));
      MW_ASSIGN_OR_RETURN(s.job_id, Str(At(*p, 1), "job_id", kMaxJobIdChars));
      MW_ASSIGN_OR_RETURN(s.miner_nonce, Hex(At(*p, 2), "miner_nonce", 2, 16));
      return Decoded{Kind::kEthSubmit, Dialect::kEthStratum, std::move(s)};
    }
    if (p->size() < 5) return Bad("mining.submit takes 5 or 6 params (3 for EthereumStratum)");
    V1Submit s;
    MW_ASSIGN_OR_RETURN(s.worker, Str(At(*p, 0), "worker", kMaxNameChars));
    MW_ASSIGN_OR_RETURN(s.job_id, Str(At(*p, 1), "job_id", kMaxJobIdChars));
    MW_ASSIGN_OR_RETURN(s.extranonce2,
                        Hex(At(*p, 2), "extranonce2", 2, 2 * kMaxExtranonce2Bytes));
    MW_ASSIGN_OR_RETURN(s.ntime, HexExact(At(*p, 3), "ntime", 8));
    MW_ASSIGN_OR_RETURN(s.nonce, HexExact(At(*p, 4), "nonce", 8));
    if (p->size() == 6) {
      MW_ASSIGN_OR_RETURN(s.version_bits, HexExact(At(*p, 5), "version_bits", 8));
    }
    return Decoded{Kind::kV1Submit, Dialect::kV1, std::move(s)};
  }
  if (method == "mining.set_extranonce") {
    MW_ASSIGN_OR_RETURN(const Json* p, Params(obj, 1, 2));
    SetExtranonce e;
    MW_ASSIGN_OR_RETURN(e.extranonce1,
                        Hex(At(*p, 0), "extranonce1", 0, 2 * kMaxExtranonce1Bytes));
    if (const Json* n = At(*p, 1)) {
      MW_ASSIGN_OR_RETURN(int64_t size, Int(n, "extranonce2_size", 0, kMaxExtranonce2Bytes));
      e.extranonce2_size = static_cast<int>(size);
    }
    return Decoded{Kind::kV1SetExtranonce, Dialect::kV1, std::move(e)};
  }
  if (method == "mining.set_version_mask") {
    MW_ASSIGN_OR_RETURN(const Json* p, Params(obj, 1, 1));
    MW_ASSIGN_OR_RETURN(uint32_t mask, U32Hex(At(*p, 0), "version mask"));
    return Decoded{Kind::kV1SetVersionMask, Dialect::kV1, SetVersionMask{mask}};
  }
  if (method == "client.reconnect") {
    MW_ASSIGN_OR_RETURN(const Json* p, Params(obj, 0, 3));
    Reconnect r;
    if (const Json* h = At(*p, 0)) {
      MW_ASSIGN_OR_RETURN(r.host, Str(h, "host", kMaxNameChars));
    }
    if (const Json* port = At(*p, 1)) {
      if (port->is_string()) {  // some pools send the port as a string
        MW_ASSIGN_OR_RETURN(std::string s, Str(port, "port", 5));
        if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) {
          return Bad("port must be a number");
        }
        r.port = std::stoi(s);
        if (*r.port > 65535) return Bad("port out of range");
      } else {
        MW_ASSIGN_OR_RETURN(int64_t v, Int(port, "port", 0, 65535));
        r.port = static_cast<int>(v);
      }
    }
    if (const Json* w = At(*p, 2)) {
      MW_ASSIGN_OR_RETURN(int64_t v, Int(w, "wait", 0, 86400));
      r.wait_seconds = static_cast<int>(v);
    }
    return Decoded{Kind::kV1Reconnect, Dialect::kV1, std::move(r)};
  }
  return Status::NotFound("unknown method " + std::string(method));
}

// ---- XMRig ----

Result<Decoded> DecodeXmrig(const Json& obj, std::string_view method) {
  if (method == "login") {
    MW_ASSIGN_OR_RETURN(const Json* p, ParamsObject(obj));
    XmrLogin l;
    MW_ASSIGN_OR_RETURN(l.login, Str(Find(*p, "login"), "login", kMaxNameChars));
    MW_ASSIGN_OR_RETURN(l.pass, OptStr(*p, "pass", kMaxNameChars));
    MW_ASSIGN_OR_RETURN(l.agent, OptStr(*p, "agent", kMaxNameChars));
    if (const Json* a = Find(*p, "algo"); a != nullptr && !a->is_null()) {
      MW_ASSIGN_OR_RETURN(l.algo, StrList(a, "algo", kMaxAlgos, 32));
    }
    MW_ASSIGN_OR_RETURN(l.rigid, OptStr(*p, "rigid", kMaxNameChars));
    return Decoded{Kind::kXmrLogin, Dialect::kXmrig, std::move(l)};
  }
  if (method == "job") {
    MW_ASSIGN_OR_RETURN(const Json* p, ParamsObject(obj));
    MW_ASSIGN_OR_RETURN(MinerJob job, ParseMinerJob(*p));
    return Decoded{Kind::kXmrJob, Dialect::kXmrig, std::move(job)};
  }
  if (method == "submit") {
    MW_ASSIGN_OR_RETURN(const Json* p, ParamsObject(obj));
    XmrSubmit s;
    MW_ASSIGN_OR_RETURN(s.session_id, Str(Find(*p, "id"), "id", kMaxNameChars));
    MW_ASSIGN_OR_RETURN(s.job_id, Str(Find(*p, "job_id"), "job_id", kMaxJobIdChars));
    MW_ASSIGN_OR_RETURN(s.nonce, HexExact(Find(*p, "nonce"), "nonce", 8));
    MW_ASSIGN_OR_RETURN(s.result, HexExact(Find(*p, "result"), "result", 64));
    MW_ASSIGN_OR_RETURN(s.algo, OptStr(*p, "algo", 32));
    return Decoded{Kind::kXmrSubmit, Dialect::kXmrig, std::move(s)};
  }
  if (method == "keepalived" || method == "getjob") {
    MW_ASSIGN_OR_RETURN(const Json* p, ParamsObject(obj));
    XmrSession s;
    MW_ASSIGN_OR_RETURN(s.session_id, Str(Find(*p, "id"), "id", kMaxNameChars));
    return Decoded{method == "getjob" ? Kind::kXmrGetJob : Kind::kXmrKeepalived, Dialect::kXmrig,
                   std::move(s)};
  }
  return Status::NotFound("unknown method " + std::string(method));
}

// ---- eth-proxy ----

namespace {
Result<std::string> Worker(const Json& obj) { return OptStr(obj, "worker", kMaxNameChars); }
}  // namespace

Result<Decoded> DecodeEthProxy(const Json& obj, std::string_view method) {
  if (method == "eth_submitLogin") {
    MW_ASSIGN_OR_RETURN(const Json* p, Params(obj, 1, 2));
    EthSubmitLogin l;
    MW_ASSIGN_OR_RETURN(l.login, Str(At(*p, 0), "login", kMaxNameChars));
    if (const Json* pw = At(*p, 1); pw != nullptr && !pw->is_null()) {
      MW_ASSIGN_OR_RETURN(l.password, Str(pw, "password", kMaxNameChars));
    }
    MW_ASSIGN_OR_RETURN(l.worker, Worker(obj));
    return Decoded{Kind::kEthSubmitLogin, Dialect::kEthProxy, std::move(l)};
  }
  if (method == "eth_getWork") {
    MW_RETURN_IF_ERROR(Params(obj, 0, 0).status());
    return Decoded{Kind::kEthGetWork, Dialect::kEthProxy, NoParams{}};
  }
  if (method == "eth_submitWork") {
    MW_ASSIGN_OR_RETURN(const Json* p, Params(obj, 3, 3));
    EthSubmitWork w;
    MW_ASSIGN_OR_RETURN(w.nonce, Hex0x(At(*p, 0), "nonce", 16, 16));
    MW_ASSIGN_OR_RETURN(w.header_hash, Hex0x(At(*p, 1), "header_hash", 64, 64));
    MW_ASSIGN_OR_RETURN(w.mix_hash, Hex0x(At(*p, 2), "mix_hash", 64, 64));
    MW_ASSIGN_OR_RETURN(w.worker, Worker(obj));
    return Decoded{Kind::kEthSubmitWork, Dialect::kEthProxy, std::move(w)};
  }
  if (method == "eth_submitHashrate") {
    MW_ASSIGN_OR_RETURN(const Json* p, Params(obj, 2, 2));
    EthSubmitHashrate h;
    MW_ASSIGN_OR_RETURN(h.rate, Hex0x(At(*p, 0), "rate", 1, 64));
    MW_ASSIGN_OR_RETURN(h.id, Hex0x(At(*p, 1), "id", 1, 64));
    return Decoded{Kind::kEthSubmitHashrate, Dialect::kEthProxy, std::move(h)};
  }
  return Status::NotFound("unknown method " + std::string(method));
}


}  // namespace mw::stratum::detail
