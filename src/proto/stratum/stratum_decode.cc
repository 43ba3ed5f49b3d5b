// DecodeLine: one JSON object -> a typed Message. Parsing never throws: ParseJson (json_parse.h)
// builds the nlohmann value as nlohmann's parser would, without exceptions, and every value's
// type is checked before it is read (decode_fields.h). The per-dialect decoders live in decode_requests.cc and decode_replies.cc.
#include <string>

#include "proto/stratum/decode_fields.h"
#include "proto/stratum/json_parse.h"
#include "proto/stratum/stratum_codec.h"

namespace mw::stratum {

namespace {

using namespace detail;  // NOLINT: the decoder's own helpers

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
  Json obj;
  if (!ParseJson(line, obj) || !obj.is_object()) {
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