// Encode: a typed Message -> one compact JSON line with '\n', keys in the order of the
// protocols.md examples (nlohmann::ordered_json keeps insertion order).
#include <cmath>
#include <string>

#include "proto/stratum/stratum_codec.h"
#include "proto/stratum/v1_job.h"

namespace mw::stratum {

namespace {

using Json = nlohmann::ordered_json;

Json IdJson(const RpcId& id) {
  if (const auto* n = std::get_if<int64_t>(&id)) return *n;
  if (const auto* s = std::get_if<std::string>(&id)) return *s;
  return nullptr;
}

// Whole numbers below 2^53 print as integers ("1024"); others keep their fraction ("0.5").
Json NumberJson(double d) {
  if (std::isfinite(d) && std::fabs(d) < 9007199254740992.0 && d == std::floor(d)) {
    return static_cast<int64_t>(d);
  }
  return d;
}

std::string Dump(const Json& j) {
  std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  s.push_back('\n');
  return s;
}

Json MinerJobFields(const MinerJob& job, Json out) {
  out["job_id"] = job.job_id;
  if (!job.algo.empty()) out["algo"] = job.algo;
  if (job.variant) out["variant"] = *job.variant;
  out["blob"] = job.blob;
  out["target"] = job.target;
  if (job.height) out["height"] = *job.height;
  if (!job.seed_hash.empty()) out["seed_hash"] = job.seed_hash;
  return out;
}
// XMRig order: blob, job_id, target, algo, height, seed_hash.
Json XmrJobObject(const MinerJob& job) {
  Json out = Json::object();
  out["blob"] = job.blob;
  out["job_id"] = job.job_id;
  out["target"] = job.target;
  if (!job.algo.empty()) out["algo"] = job.algo;
  if (job.height) out["height"] = *job.height;
  if (!job.seed_hash.empty()) out["seed_hash"] = job.seed_hash;
  if (job.variant) out["variant"] = *job.variant;
  return out;
}

// The JSON value of the "params" member (or, for replies, of "result") for each kind.
Result<Json> Payload(const Message& m) {
  const Body& b = m.body;
  switch (m.kind) {
    case Kind::kV1Configure: {
      const auto& c = std::get<Configure>(b);
      Json opts = Json::object();
      if (c.version_rolling_mask) opts["version-rolling.mask"] = U32Hex(*c.version_rolling_mask);
      if (c.version_rolling_min_bits) {
        opts["version-rolling.min-bit-count"] = *c.version_rolling_min_bits;
      }
      if (c.minimum_difficulty) {
        opts["minimum-difficulty.value"] = NumberJson(*c.minimum_difficulty);
      }
      return Json::array({Json(c.extensions), opts});
    }
    case Kind::kV1ConfigureResult: {
      const auto& c = std::get<ConfigureResult>(b);
      Json r = Json::object();
      r["version-rolling"] = c.version_rolling;
      if (c.version_rolling_mask) r["version-rolling.mask"] = U32Hex(*c.version_rolling_mask);
      return r;
    }
    case Kind::kV1Subscribe: {
      const auto& s = std::get<Subscribe>(b);
      Json p = Json::array();
      if (!s.agent.empty() || !s.extra.empty()) p.push_back(s.agent);
      for (const auto& e : s.extra) p.push_back(e);
      return p;
    }
    case Kind::kV1SubscribeResult: {
      const auto& s = std::get<SubscribeResult>(b);
      Json subs = Json::array();
      if (!s.protocol.empty()) {  // EthereumStratum: one flat [method, id, protocol]
        if (s.subscriptions.size() != 1) {
          return Status::InvalidArgument("EthereumStratum subscribe result has one subscription");
        }
        subs = Json::array({s.subscriptions[0].first, s.subscriptions[0].second, s.protocol});
      } else {
        for (const auto& [method, id] : s.subscriptions) subs.push_back(Json::array({method, id}));
      }
      Json r = Json::array({subs, s.extranonce1});
      if (s.extranonce2_size) r.push_back(*s.extranonce2_size);
      return r;
    }
    case Kind::kV1Authorize: {
      const auto& a = std::get<Authorize>(b);
      Json p = Json::array({a.user});
      if (a.password) p.push_back(*a.password);
      return p;
    }
    case Kind::kV1ExtranonceSubscribe:
    case Kind::kV1Ping:
      return Json::array();
    case Kind::kV1SuggestDifficulty:
    case Kind::kV1SetDifficulty: {
      const double d = std::get<Difficulty>(b).difficulty;
      if (!std::isfinite(d) || d <= 0) return Status::InvalidArgument("difficulty must be > 0");
      return Json::array({NumberJson(d)});
    }
    case Kind::kV1Notify: {
      const auto& n = std::get<V1Notify>(b);
      return Json::array({n.job_id, n.prevhash, n.coinb1, n.coinb2, Json(n.merkle_branch),
                          n.version, n.nbits, n.ntime, n.clean_jobs});
    }
    case Kind::kV1Submit: {
      const auto& s = std::get<V1Submit>(b);
      Json p = Json::array({s.worker, s.job_id, s.extranonce2, s.ntime, s.nonce});
      if (s.version_bits) p.push_back(*s.version_bits);
      return p;
    }
    case Kind::kV1SetExtranonce: {
      const auto& e = std::get<SetExtranonce>(b);
      Json p = Json::array({e.extranonce1});
      if (e.extranonce2_size) p.push_back(*e.extranonce2_size);
      return p;
    }
    case Kind::kV1SetVersionMask:
      return Json::array({U32Hex(std::get<SetVersionMask>(b).mask)});
    case Kind::kV1Reconnect: {
      const auto& r = std::get<Reconnect>(b);
      Json p = Json::array();
      if (r.host || r.port || r.wait_seconds) p.push_back(r.host.value_or(""));
      if (r.port || r.wait_seconds) p.push_back(r.port.value_or(0));
      if (r.wait_seconds) p.push_back(*r.wait_seconds);
      return p;
    }
    case Kind::kEthNotify: {
      const auto& n = std::get<EthNotify>(b);
      return Json::array({n.job_id, n.seed_hash, n.header_hash, n.clean_jobs});
    }
    case Kind::kEthSubmit: {
      const auto& s = std::get<EthSubmit>(b);
      return Json::array({s.worker, s.job_id, s.miner_nonce});
    }
    case Kind::kXmrLogin: {
      const auto& l = std::get<XmrLogin>(b);
      Json p = Json::object();
      p["login"] = l.login;
      p["pass"] = l.pass;
      if (!l.agent.empty()) p["agent"] = l.agent;
      if (!l.algo.empty()) p["algo"] = l.algo;
      if (!l.rigid.empty()) p["rigid"] = l.rigid;
      return p;
    }
    case Kind::kXmrLoginResult: {
      const auto& l = std::get<XmrLoginResult>(b);
      Json r = Json::object();
      r["id"] = l.session_id;
      if (l.job) r["job"] = XmrJobObject(*l.job);
      if (!l.extensions.empty()) r["extensions"] = l.extensions;
      if (!l.status.empty()) r["status"] = l.status;
      return r;
    }
    case Kind::kXmrJob:
      return XmrJobObject(std::get<MinerJob>(b));
    case Kind::kXmrSubmit: {
      const auto& s = std::get<XmrSubmit>(b);
      Json p = Json::object();
      p["id"] = s.session_id;
      p["job_id"] = s.job_id;
      p["nonce"] = s.nonce;
      p["result"] = s.result;
      if (!s.algo.empty()) p["algo"] = s.algo;
      return p;
    }
    case Kind::kXmrKeepalived:
    case Kind::kXmrGetJob: {
      Json p = Json::object();
      p["id"] = std::get<XmrSession>(b).session_id;
      return p;
    }
    case Kind::kXmrStatus: {
      Json r = Json::object();
      r["status"] = std::get<XmrStatus>(b).status;
      return r;
    }
    case Kind::kEthSubmitLogin: {
      const auto& l = std::get<EthSubmitLogin>(b);
      Json p = Json::array({l.login});
      if (l.password) p.push_back(*l.password);
      return p;
    }
    case Kind::kEthGetWork:
      return Json();  // no params member
    case Kind::kEthWork: {
      const auto& w = std::get<EthWork>(b);
      Json r = Json::array({w.header_hash, w.seed_hash, w.target});
      if (w.block_number) r.push_back(*w.block_number);
      return r;
    }
    case Kind::kEthSubmitWork: {
      const auto& w = std::get<EthSubmitWork>(b);
      return Json::array({w.nonce, w.header_hash, w.mix_hash});
    }
    case Kind::kEthSubmitHashrate: {
      const auto& h = std::get<EthSubmitHashrate>(b);
      return Json::array({h.rate, h.id});
    }
    case Kind::kCoinhiveAuth: {
      const auto& a = std::get<CoinhiveAuth>(b);
      Json p = Json::object();
      p["site_key"] = a.site_key;
      p["type"] = a.type;
      p["user"] = a.user ? Json(*a.user) : Json(nullptr);
      p["goal"] = a.goal;
      return p;
    }
    case Kind::kCoinhiveAuthed: {
      const auto& a = std::get<CoinhiveAuthed>(b);
      Json p = Json::object();
      p["token"] = a.token;
      p["hashes"] = a.hashes;
      return p;
    }
    case Kind::kCoinhiveJob: {
      const auto& job = std::get<MinerJob>(b);
      Json p = Json::object();
      p["job_id"] = job.job_id;
      p["blob"] = job.blob;
      p["target"] = job.target;
      if (!job.algo.empty()) p["algo"] = job.algo;
      if (job.height) p["height"] = *job.height;
      if (!job.seed_hash.empty()) p["seed_hash"] = job.seed_hash;
      if (job.variant) p["variant"] = *job.variant;
      return p;
    }
    case Kind::kCoinhiveSubmit:
    case Kind::kWmpSolved: {
      const auto& s = std::get<ShareSolution>(b);
      Json p = Json::object();
      p["job_id"] = s.job_id;
      p["nonce"] = s.nonce;
      p["result"] = s.result;
      return p;
    }
    case Kind::kCoinhiveHashAccepted: {
      Json p = Json::object();
      p["hashes"] = std::get<HashAccepted>(b).hashes;
      return p;
    }
    case Kind::kCoinhiveError: {
      Json p = Json::object();
      p["error"] = std::get<TextError>(b).text;
      return p;
    }
    case Kind::kWmpHandshake: {
      const auto& h = std::get<WmpHandshake>(b);
      Json p = Json::object();
      p["pool"] = h.pool;
      p["login"] = h.login;
      p["password"] = h.password;
      p["userid"] = h.userid;
      p["version"] = h.version;
      return p;
    }
    case Kind::kWmpJob:
      return MinerJobFields(std::get<MinerJob>(b), Json::object());
    case Kind::kWmpHashSolved:
      return Json::object();
    case Kind::kWmpError: {
      Json p = Json::object();
      p["param"] = std::get<TextError>(b).text;
      return p;
    }
    case Kind::kResponse:
      return std::get<Response>(b).result;
  }
  return Status::InvalidArgument("unknown kind");
}

bool IsReply(Kind k) {
  return k == Kind::kResponse || k == Kind::kV1ConfigureResult ||
         k == Kind::kV1SubscribeResult || k == Kind::kXmrLoginResult || k == Kind::kXmrStatus ||
         k == Kind::kEthWork;
}

Json ErrorJson(const RpcError& e, bool as_object) {
  if (as_object) {
    Json o = Json::object();
    o["code"] = e.code;
    o["message"] = e.message;
    return o;
  }
  return Json::array({e.code, e.message, nullptr});
}

}  // namespace

Result<std::string> Encode(const Message& m) {
  if (m.body.index() != BodyIndexFor(m.kind)) {
    return Status::InvalidArgument("body does not match kind " + std::string(KindName(m.kind)));
  }
  MW_ASSIGN_OR_RETURN(Json payload, Payload(m));
  Json out = Json::object();

  if (m.dialect == Dialect::kCoinhive && !IsReply(m.kind)) {
    out["type"] = WireMethod(m.kind);
    out["params"] = std::move(payload);
    return Dump(out);
  }
  if (m.dialect == Dialect::kWebminerpool && !IsReply(m.kind)) {
    out["identifier"] = WireMethod(m.kind);
    for (auto& [key, value] : payload.items()) out[key] = value;
    return Dump(out);
  }

  if (!std::holds_alternative<std::monostate>(m.id)) out["id"] = IdJson(m.id);
  if (m.jsonrpc2) out["jsonrpc"] = "2.0";
  if (!IsReply(m.kind)) {
    out["method"] = WireMethod(m.kind);
    if (!payload.is_null()) out["params"] = std::move(payload);
    if (m.kind == Kind::kEthSubmitLogin) {
      const auto& w = std::get<EthSubmitLogin>(m.body).worker;
      if (!w.empty()) out["worker"] = w;
    } else if (m.kind == Kind::kEthSubmitWork) {
      const auto& w = std::get<EthSubmitWork>(m.body).worker;
      if (!w.empty()) out["worker"] = w;
    }
    return Dump(out);
  }

  const RpcError* error = nullptr;
  if (const auto* r = std::get_if<Response>(&m.body); r != nullptr && r->error) error = &*r->error;
  if (m.jsonrpc2) {
    // XMRig: "error" before "result"; eth-proxy: no "error" member unless there is one.
    if (error != nullptr) {
      out["error"] = ErrorJson(*error, /*as_object=*/m.dialect != Dialect::kV1);
      if (!payload.is_null()) out["result"] = std::move(payload);
    } else {
      if (m.dialect != Dialect::kEthProxy) out["error"] = nullptr;
      out["result"] = std::move(payload);
    }
    return Dump(out);
  }
  out["result"] = std::move(payload);
  out["error"] =
      error != nullptr ? ErrorJson(*error, /*as_object=*/m.dialect != Dialect::kV1) : Json(nullptr);
  return Dump(out);
}

std::string EncodeV1Error(const RpcId& id, int64_t code, std::string_view message) {
  Json out = Json::object();
  out["id"] = IdJson(id);
  out["result"] = nullptr;
  out["error"] = ErrorJson(RpcError{code, std::string(message)}, false);
  return Dump(out);
}

std::string EncodeJsonRpcError(const RpcId& id, int64_t code, std::string_view message) {
  Json out = Json::object();
  out["id"] = IdJson(id);
  out["jsonrpc"] = "2.0";
  out["error"] = ErrorJson(RpcError{code, std::string(message)}, true);
  return Dump(out);
}

std::string EncodeV1True(const RpcId& id) {
  Json out = Json::object();
  out["id"] = IdJson(id);
  out["result"] = true;
  out["error"] = nullptr;
  return Dump(out);
}

std::string EncodeJsonRpcTrue(const RpcId& id) {
  Json out = Json::object();
  out["id"] = IdJson(id);
  out["jsonrpc"] = "2.0";
  out["result"] = true;
  return Dump(out);
}

}  // namespace mw::stratum
