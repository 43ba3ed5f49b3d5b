// Replies (recognised by the shape of "result") and the browser dialects.
#include <cmath>
#include <limits>

#include "proto/stratum/decode_fields.h"

namespace mw::stratum::detail {

// ---- replies: the shape of "result" says what they answer ----

namespace {

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

}  // namespace

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


}  // namespace mw::stratum::detail
