// DecodeLine: one JSON object -> a typed Message. Parsing never throws: nlohmann::json is used
// with allow_exceptions=false and every value's type is checked before it is read.
//
// Internally, NotFound means "unknown method or shape" and any other failure "bad params".
#include <cmath>
#include <limits>
#include <string>

#include "proto/stratum/stratum_codec.h"

namespace mw::stratum {

namespace {

using Json = nlohmann::ordered_json;

Status Bad(std::string what) { return Status::InvalidArgument(std::move(what)); }

const Json* Find(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

Result<std::string> Str(const Json* j, std::string_view what, size_t max_chars) {
  if (j == nullptr || !j->is_string()) return Bad(std::string(what) + " must be a string");
  const auto& s = j->get_ref<const std::string&>();
  if (s.size() > max_chars) {
    return Bad(std::string(what) + " longer than " + std::to_string(max_chars));
  }
  return s;
}

// A string field that may be absent (then empty).
Result<std::string> OptStr(const Json& obj, std::string_view key, size_t max_chars) {
  const Json* j = Find(obj, key);
  if (j == nullptr || j->is_null()) return std::string();
  return Str(j, key, max_chars);
}

// Hex of min..max digits (even count when `even`).
Result<std::string> Hex(const Json* j, std::string_view what, size_t min_digits,
                        size_t max_digits, bool even = true) {
  MW_ASSIGN_OR_RETURN(std::string s, Str(j, what, max_digits));
  if (s.size() < min_digits) return Bad(std::string(what) + " too short");
  if (even && s.size() % 2 != 0) return Bad(std::string(what) + " has an odd number of digits");
  if (!IsHex(s)) return Bad(std::string(what) + " is not hex");
  return s;
}
Result<std::string> HexExact(const Json* j, std::string_view what, size_t digits) {
  return Hex(j, what, digits, digits);
}
// "0x" followed by min..max hex digits (any count: quantities are not padded).
Result<std::string> Hex0x(const Json* j, std::string_view what, size_t min_digits,
                          size_t max_digits) {
  MW_ASSIGN_OR_RETURN(std::string s, Str(j, what, max_digits + 2));
  if (s.size() < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
    return Bad(std::string(what) + " lacks the 0x prefix");
  }
  const std::string_view digits = std::string_view(s).substr(2);
  if (digits.size() < min_digits || !IsHex(digits)) {
    return Bad(std::string(what) + " is not 0x-hex of the expected size");
  }
  return s;
}

Result<int64_t> Int(const Json* j, std::string_view what, int64_t lo, int64_t hi) {
  if (j == nullptr) return Bad(std::string(what) + " missing");
  int64_t v = 0;
  if (j->is_number_unsigned()) {
    const uint64_t u = j->get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Bad(std::string(what) + " out of range");
    }
    v = static_cast<int64_t>(u);
  } else if (j->is_number_integer()) {
    v = j->get<int64_t>();
  } else {
    return Bad(std::string(what) + " must be an integer");
  }
  if (v < lo || v > hi) return Bad(std::string(what) + " out of range");
  return v;
}

Result<double> PositiveNumber(const Json* j, std::string_view what) {
  if (j == nullptr || !j->is_number()) return Bad(std::string(what) + " must be a number");
  const double d = j->get<double>();
  if (!std::isfinite(d) || d <= 0) return Bad(std::string(what) + " must be positive");
  return d;
}

Result<uint32_t> U32Hex(const Json* j, std::string_view what) {
  MW_ASSIGN_OR_RETURN(std::string s, HexExact(j, what, 8));
  return static_cast<uint32_t>(std::stoul(s, nullptr, 16));
}

// The params array with min..max entries; absent params count as [].
Result<const Json*> Params(const Json& obj, size_t min, size_t max) {
  static const Json kEmpty = Json::array();
  const Json* p = Find(obj, "params");
  if (p == nullptr || p->is_null()) p = &kEmpty;
  if (!p->is_array()) return Bad("params must be an array");
  if (p->size() < min || p->size() > max) {
    return Bad("expected " + std::to_string(min) + ".." + std::to_string(max) + " params, got " +
               std::to_string(p->size()));
  }
  return p;
}
Result<const Json*> ParamsObject(const Json& obj) {
  const Json* p = Find(obj, "params");
  if (p == nullptr || !p->is_object()) return Bad("params must be an object");
  return p;
}
const Json* At(const Json& arr, size_t i) { return i < arr.size() ? &arr[i] : nullptr; }

Result<std::vector<std::string>> StrList(const Json* j, std::string_view what, size_t max_items,
                                         size_t max_chars) {
  if (j == nullptr || !j->is_array()) return Bad(std::string(what) + " must be an array");
  if (j->size() > max_items) return Bad(std::string(what) + " has too many entries");
  std::vector<std::string> out;
  for (const Json& e : *j) {
    MW_ASSIGN_OR_RETURN(std::string s, Str(&e, what, max_chars));
    out.push_back(std::move(s));
  }
  return out;
}

Result<RpcId> ParseId(const Json& obj) {
  const Json* j = Find(obj, "id");
  if (j == nullptr) return RpcId{};
  if (j->is_null()) return RpcId{nullptr};
  if (j->is_string()) {
    MW_ASSIGN_OR_RETURN(std::string s, Str(j, "id", kMaxNameChars));
    return RpcId{std::move(s)};
  }
  MW_ASSIGN_OR_RETURN(int64_t v, Int(j, "id", std::numeric_limits<int64_t>::min(),
                                     std::numeric_limits<int64_t>::max()));
  return RpcId{v};
}

// ---- shared bodies ----

// XMRig / Coinhive / webminerpool job fields, read from `obj`.
Result<MinerJob> ParseMinerJob(const Json& obj) {
  MinerJob job;
  MW_ASSIGN_OR_RETURN(job.job_id, Str(Find(obj, "job_id"), "job_id", kMaxJobIdChars));
  MW_ASSIGN_OR_RETURN(job.blob, Hex(Find(obj, "blob"), "blob", kMinBlobHexChars,
                                    kMaxBlobHexChars));
  MW_ASSIGN_OR_RETURN(job.target, Hex(Find(obj, "target"), "target", 8, 16));
  if (job.target.size() != 8 && job.target.size() != 16) return Bad("target must be 8 or 16 hex");
  MW_ASSIGN_OR_RETURN(job.algo, OptStr(obj, "algo", 32));
  if (const Json* h = Find(obj, "height"); h != nullptr && !h->is_null()) {
    MW_ASSIGN_OR_RETURN(int64_t height, Int(h, "height", 0, std::numeric_limits<int64_t>::max()));
    job.height = static_cast<uint64_t>(height);
  }
  if (const Json* s = Find(obj, "seed_hash"); s != nullptr && !s->is_null()) {
    MW_ASSIGN_OR_RETURN(job.seed_hash, HexExact(s, "seed_hash", 64));
  }
  if (const Json* v = Find(obj, "variant"); v != nullptr && !v->is_null()) {
    MW_ASSIGN_OR_RETURN(int64_t variant, Int(v, "variant", -1000000, 1000000));
    job.variant = variant;
  }
  return job;
}

Result<ShareSolution> ParseSolution(const Json& obj) {
  ShareSolution s;
  MW_ASSIGN_OR_RETURN(s.job_id, Str(Find(obj, "job_id"), "job_id", kMaxJobIdChars));
  MW_ASSIGN_OR_RETURN(s.nonce, HexExact(Find(obj, "nonce"), "nonce", 8));
  MW_ASSIGN_OR_RETURN(s.result, HexExact(Find(obj, "result"), "result", 64));
  return s;
}

// ---- Stratum V1 / EthereumStratum requests and notifications ----

struct Decoded {
  Kind kind;
  Dialect dialect;
  Body body;
};

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

Result<std::string> Worker(const Json& obj) { return OptStr(obj, "worker", kMaxNameChars); }

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

// ---- replies: the shape of "result" says what they answer ----

Result<RpcError> ParseError(const Json& e) {
  RpcError err;
  if (e.is_array()) {  // [code, "message", traceback]
    if (e.size() < 2 || e.size() > 3) return Bad("error array must have 2 or 3 entries");
    MW_ASSIGN_OR_RETURN(err.code, Int(&e[0], "error code", -1000000, 1000000));
    MW_ASSIGN_OR_RETURN(err.message, Str(&e[1], "error message", kMaxNameChars));
    return err;
  }
  if (e.is_object()) {
    MW_ASSIGN_OR_RETURN(err.code, Int(Find(e, "code"), "error code", -1000000, 1000000));
    MW_ASSIGN_OR_RETURN(err.message, Str(Find(e, "message"), "error message", kMaxNameChars));
    return err;
  }
  return Bad("error must be null, an array or an object");
}

// A reply value kept as JSON: nesting at most kMaxReplyDepth, numbers finite (a number too large
// for a double parses as infinity, which JSON cannot carry back).
constexpr int kMaxReplyDepth = 16;
Status CheckGenericValue(const Json& v, int depth) {
  if (depth > kMaxReplyDepth) return Bad("reply nested too deeply");
  if (v.is_number_float() && !std::isfinite(v.get<double>())) return Bad("non-finite number");
  if (v.is_array() || v.is_object()) {
    if (v.size() > 256) return Bad("reply value with too many members");
    for (const Json& e : v) MW_RETURN_IF_ERROR(CheckGenericValue(e, depth + 1));
  }
  return Status::Ok();
}

Result<Decoded> DecodeReply(const Json& obj, bool jsonrpc2) {
  const Json* result = Find(obj, "result");
  const Json* error = Find(obj, "error");
  if (error != nullptr && !error->is_null()) {
    Response r;
    MW_ASSIGN_OR_RETURN(r.error, ParseError(*error));
    if (result != nullptr) {
      MW_RETURN_IF_ERROR(CheckGenericValue(*result, 0));
      r.result = *result;
    }
    Dialect d = error->is_array() ? Dialect::kV1 : Dialect::kXmrig;
    return Decoded{Kind::kResponse, d, std::move(r)};
  }
  static const Json kNull;
  if (result == nullptr) result = &kNull;

  if (result->is_object()) {
    if (const Json* vr = Find(*result, "version-rolling")) {
      ConfigureResult c;
      if (!vr->is_boolean()) return Bad("version-rolling must be a boolean");
      c.version_rolling = vr->get<bool>();
      if (const Json* m = Find(*result, "version-rolling.mask")) {
        MW_ASSIGN_OR_RETURN(c.version_rolling_mask, U32Hex(m, "version-rolling.mask"));
      }
      return Decoded{Kind::kV1ConfigureResult, Dialect::kV1, std::move(c)};
    }
    if (Find(*result, "job") != nullptr || Find(*result, "id") != nullptr) {
      XmrLoginResult l;
      MW_ASSIGN_OR_RETURN(l.session_id, Str(Find(*result, "id"), "id", kMaxNameChars));
      if (const Json* j = Find(*result, "job"); j != nullptr && !j->is_null()) {
        if (!j->is_object()) return Bad("job must be an object");
        MW_ASSIGN_OR_RETURN(MinerJob job, ParseMinerJob(*j));
        l.job = std::move(job);
      }
      if (const Json* ext = Find(*result, "extensions"); ext != nullptr && !ext->is_null()) {
        MW_ASSIGN_OR_RETURN(l.extensions, StrList(ext, "extensions", kMaxParams, 32));
      }
      MW_ASSIGN_OR_RETURN(l.status, OptStr(*result, "status", 32));
      return Decoded{Kind::kXmrLoginResult, Dialect::kXmrig, std::move(l)};
    }
    if (const Json* st = Find(*result, "status"); st != nullptr && result->size() == 1) {
      XmrStatus s;
      MW_ASSIGN_OR_RETURN(s.status, Str(st, "status", 32));
      return Decoded{Kind::kXmrStatus, Dialect::kXmrig, std::move(s)};
    }
  }
  if (result->is_array() && !result->empty()) {
    const Json& first = (*result)[0];
    if (first.is_array() && (result->size() == 2 || result->size() == 3)) {
      // V1 [[[m,id],...],en1,n2] or EthereumStratum [["mining.notify",id,proto],en1]
      SubscribeResult s;
      Dialect d = Dialect::kV1;
      if (!first.empty() && first[0].is_string()) {
        if (first.size() != 3 || result->size() != 2) return Bad("bad EthereumStratum result");
        MW_ASSIGN_OR_RETURN(std::string m, Str(&first[0], "method", 64));
        MW_ASSIGN_OR_RETURN(std::string id, Str(&first[1], "subscription id", kMaxNameChars));
        MW_ASSIGN_OR_RETURN(s.protocol, Str(&first[2], "protocol", 64));
        s.subscriptions.emplace_back(std::move(m), std::move(id));
        d = Dialect::kEthStratum;
      } else {
        if (first.size() > kMaxParams) return Bad("too many subscriptions");
        for (const Json& sub : first) {
          if (!sub.is_array() || sub.size() != 2) return Bad("subscription must be [method,id]");
          MW_ASSIGN_OR_RETURN(std::string m, Str(&sub[0], "method", 64));
          MW_ASSIGN_OR_RETURN(std::string id, Str(&sub[1], "subscription id", kMaxNameChars));
          s.subscriptions.emplace_back(std::move(m), std::move(id));
        }
        if (result->size() != 3) return Bad("V1 subscribe result needs extranonce2_size");
      }
      MW_ASSIGN_OR_RETURN(s.extranonce1,
                          Hex(&(*result)[1], "extranonce1", 0, 2 * kMaxExtranonce1Bytes));
      if (result->size() == 3) {
        MW_ASSIGN_OR_RETURN(int64_t n2, Int(&(*result)[2], "extranonce2_size", 0,
                                            kMaxExtranonce2Bytes));
        s.extranonce2_size = static_cast<int>(n2);
      }
      return Decoded{Kind::kV1SubscribeResult, d, std::move(s)};
    }
    if (first.is_string() && (result->size() == 3 || result->size() == 4) &&
        first.get_ref<const std::string&>().starts_with("0x")) {
      EthWork w;
      MW_ASSIGN_OR_RETURN(w.header_hash, Hex0x(&(*result)[0], "header_hash", 64, 64));
      MW_ASSIGN_OR_RETURN(w.seed_hash, Hex0x(&(*result)[1], "seed_hash", 64, 64));
      MW_ASSIGN_OR_RETURN(w.target, Hex0x(&(*result)[2], "target", 1, 64));
      if (result->size() == 4) {
        MW_ASSIGN_OR_RETURN(w.block_number, Hex0x(&(*result)[3], "block_number", 1, 16));
      }
      return Decoded{Kind::kEthWork, Dialect::kEthProxy, std::move(w)};
    }
  }
  MW_RETURN_IF_ERROR(CheckGenericValue(*result, 0));
  Response r;
  r.result = *result;
  // Without "jsonrpc" a reply is V1-style; DecodeLine settles JSON-RPC 2.0 ones.
  return Decoded{Kind::kResponse, jsonrpc2 ? Dialect::kUnknown : Dialect::kV1, std::move(r)};
}

// ---- browser dialects ----

Result<Decoded> DecodeCoinhive(const Json& obj, std::string_view type) {
  const Json* p = Find(obj, "params");
  static const Json kEmpty = Json::object();
  if (p == nullptr || p->is_null()) p = &kEmpty;
  if (!p->is_object()) return Bad("params must be an object");
  if (type == "auth") {
    CoinhiveAuth a;
    MW_ASSIGN_OR_RETURN(a.site_key, Str(Find(*p, "site_key"), "site_key", kMaxNameChars));
    MW_ASSIGN_OR_RETURN(a.type, OptStr(*p, "type", 32));
    if (const Json* u = Find(*p, "user"); u != nullptr && !u->is_null()) {
      MW_ASSIGN_OR_RETURN(a.user, Str(u, "user", kMaxNameChars));
    }
    if (const Json* g = Find(*p, "goal"); g != nullptr && !g->is_null()) {
      MW_ASSIGN_OR_RETURN(a.goal, Int(g, "goal", 0, std::numeric_limits<int64_t>::max()));
    }
    return Decoded{Kind::kCoinhiveAuth, Dialect::kCoinhive, std::move(a)};
  }
  if (type == "authed") {
    CoinhiveAuthed a;
    MW_ASSIGN_OR_RETURN(a.token, OptStr(*p, "token", kMaxNameChars));
    if (const Json* h = Find(*p, "hashes"); h != nullptr && !h->is_null()) {
      MW_ASSIGN_OR_RETURN(a.hashes, Int(h, "hashes", 0, std::numeric_limits<int64_t>::max()));
    }
    return Decoded{Kind::kCoinhiveAuthed, Dialect::kCoinhive, std::move(a)};
  }
  if (type == "job") {
    MW_ASSIGN_OR_RETURN(MinerJob job, ParseMinerJob(*p));
    return Decoded{Kind::kCoinhiveJob, Dialect::kCoinhive, std::move(job)};
  }
  if (type == "submit") {
    MW_ASSIGN_OR_RETURN(ShareSolution s, ParseSolution(*p));
    return Decoded{Kind::kCoinhiveSubmit, Dialect::kCoinhive, std::move(s)};
  }
  if (type == "hash_accepted") {
    HashAccepted h;
    MW_ASSIGN_OR_RETURN(h.hashes, Int(Find(*p, "hashes"), "hashes", 0,
                                      std::numeric_limits<int64_t>::max()));
    return Decoded{Kind::kCoinhiveHashAccepted, Dialect::kCoinhive, h};
  }
  if (type == "error") {
    TextError e;
    MW_ASSIGN_OR_RETURN(e.text, Str(Find(*p, "error"), "error", kMaxNameChars));
    return Decoded{Kind::kCoinhiveError, Dialect::kCoinhive, std::move(e)};
  }
  return Status::NotFound("unknown type " + std::string(type));
}

Result<Decoded> DecodeWebminerpool(const Json& obj, std::string_view identifier) {
  if (identifier == "handshake") {
    WmpHandshake h;
    MW_ASSIGN_OR_RETURN(h.pool, OptStr(obj, "pool", kMaxNameChars));
    MW_ASSIGN_OR_RETURN(h.login, Str(Find(obj, "login"), "login", kMaxNameChars));
    MW_ASSIGN_OR_RETURN(h.password, OptStr(obj, "password", kMaxNameChars));
    MW_ASSIGN_OR_RETURN(h.userid, OptStr(obj, "userid", kMaxNameChars));
    if (const Json* v = Find(obj, "version"); v != nullptr && !v->is_null()) {
      MW_ASSIGN_OR_RETURN(h.version, Int(v, "version", 0, 1000000));
    }
    return Decoded{Kind::kWmpHandshake, Dialect::kWebminerpool, std::move(h)};
  }
  if (identifier == "job") {
    MW_ASSIGN_OR_RETURN(MinerJob job, ParseMinerJob(obj));
    return Decoded{Kind::kWmpJob, Dialect::kWebminerpool, std::move(job)};
  }
  if (identifier == "solved") {
    MW_ASSIGN_OR_RETURN(ShareSolution s, ParseSolution(obj));
    return Decoded{Kind::kWmpSolved, Dialect::kWebminerpool, std::move(s)};
  }
  if (identifier == "hashsolved") {
    return Decoded{Kind::kWmpHashSolved, Dialect::kWebminerpool, NoParams{}};
  }
  if (identifier == "error") {
    TextError e;
    MW_ASSIGN_OR_RETURN(e.text, OptStr(obj, "param", kMaxNameChars));
    return Decoded{Kind::kWmpError, Dialect::kWebminerpool, std::move(e)};
  }
  return Status::NotFound("unknown identifier " + std::string(identifier));
}

bool IsXmrigMethod(std::string_view m) {
  return m == "login" || m == "job" || m == "submit" || m == "keepalived" || m == "getjob";
}

Dialect GuessFromMethod(std::string_view m) {
  if (m.starts_with("mining.") || m.starts_with("client.")) return Dialect::kV1;
  if (m.starts_with("eth_")) return Dialect::kEthProxy;
  if (IsXmrigMethod(m)) return Dialect::kXmrig;
  return Dialect::kUnknown;
}

Result<Message> Fail(DecodeFailure why, std::string detail, DecodeFailure* failure) {
  if (failure != nullptr) *failure = why;
  std::string msg(DecodeFailureName(why));
  msg += ": ";
  msg += detail;
  if (why == DecodeFailure::kOversize) return Status::OutOfRange(std::move(msg));
  if (why == DecodeFailure::kUnknownMethod) return Status::NotFound(std::move(msg));
  return Status::InvalidArgument(std::move(msg));
}

}  // namespace

std::string_view DecodeFailureName(DecodeFailure f) {
  switch (f) {
    case DecodeFailure::kNone: return "none";
    case DecodeFailure::kOversize: return "oversize";
    case DecodeFailure::kMalformedJson: return "malformed_json";
    case DecodeFailure::kUnknownMethod: return "unknown_method";
    case DecodeFailure::kBadParams: return "bad_params";
  }
  return "unknown";
}

Result<Message> DecodeLine(std::string_view line, DecodeFailure* failure,
                           Dialect* dialect_guess) {
  if (failure != nullptr) *failure = DecodeFailure::kNone;
  if (dialect_guess != nullptr) *dialect_guess = Dialect::kUnknown;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.size() > kMaxLineBytes) {
    return Fail(DecodeFailure::kOversize, std::to_string(line.size()) + " bytes", failure);
  }
  Json obj = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded() || !obj.is_object()) {
    return Fail(DecodeFailure::kMalformedJson, "not one JSON object", failure);
  }

  Result<RpcId> id = ParseId(obj);
  const Json* jsonrpc = Find(obj, "jsonrpc");
  const bool jsonrpc2 = jsonrpc != nullptr && jsonrpc->is_string() &&
                        jsonrpc->get_ref<const std::string&>() == "2.0";
  const Json* method = Find(obj, "method");
  const Json* type = Find(obj, "type");
  const Json* identifier = Find(obj, "identifier");

  Dialect guess = Dialect::kUnknown;
  Result<Decoded> decoded = Status::NotFound("no method, type, identifier or result");
  if (method != nullptr && method->is_string()) {
    const std::string& m = method->get_ref<const std::string&>();
    guess = GuessFromMethod(m);
    if (guess == Dialect::kV1) {
      decoded = DecodeMining(obj, m);
    } else if (guess == Dialect::kEthProxy) {
      decoded = DecodeEthProxy(obj, m);
    } else if (guess == Dialect::kXmrig) {
      decoded = DecodeXmrig(obj, m);
    } else {
      decoded = Status::NotFound("unknown method " + m.substr(0, 64));
    }
  } else if (identifier != nullptr && identifier->is_string()) {
    guess = Dialect::kWebminerpool;
    decoded = DecodeWebminerpool(obj, identifier->get_ref<const std::string&>());
  } else if (type != nullptr && type->is_string() && method == nullptr) {
    guess = Dialect::kCoinhive;
    decoded = DecodeCoinhive(obj, type->get_ref<const std::string&>());
  } else if (method == nullptr && (Find(obj, "result") != nullptr ||
                                   Find(obj, "error") != nullptr)) {
    decoded = DecodeReply(obj, jsonrpc2);
    if (!decoded.ok()) guess = jsonrpc2 ? Dialect::kXmrig : Dialect::kV1;
  } else if (method != nullptr) {
    decoded = Status::InvalidArgument("method must be a string");
  }
  if (decoded.ok()) guess = decoded->dialect;
  if (dialect_guess != nullptr) *dialect_guess = guess;

  if (!decoded.ok()) {
    const Status& s = decoded.status();
    return Fail(s.code() == StatusCode::kNotFound ? DecodeFailure::kUnknownMethod
                                                  : DecodeFailure::kBadParams,
                s.message(), failure);
  }
  Message out;
  out.kind = decoded->kind;
  out.dialect = decoded->dialect;
  const bool browser =
      out.dialect == Dialect::kCoinhive || out.dialect == Dialect::kWebminerpool;
  if (browser) {  // these dialects have no id and no "jsonrpc": anything there is ignored
    out.body = std::move(decoded->body);
    return out;
  }
  if (!id.ok()) return Fail(DecodeFailure::kBadParams, id.status().message(), failure);
  // A bare JSON-RPC 2.0 reply with no specific shape: eth-proxy answers true, XMRig objects.
  if (out.kind == Kind::kResponse && out.dialect == Dialect::kUnknown && jsonrpc2) {
    out.dialect = Find(obj, "error") != nullptr ? Dialect::kXmrig : Dialect::kEthProxy;
  }
  out.id = std::move(id).value();
  out.jsonrpc2 = jsonrpc2;
  out.body = std::move(decoded->body);
  return out;
}

}  // namespace mw::stratum
