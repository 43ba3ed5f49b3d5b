#include "io/json_rpc.h"

#include <string>
#include <utility>

#include "core/json_depth.h"

namespace mw::io {

std::variant<RpcRequest, RpcError> ParseRpcRequest(std::string_view body) {
  if (JsonNestsDeeperThan(body, kMaxJsonRpcDepth)) {
    return RpcError{rpc::kInvalidRequest, "invalid request: nested deeper than " +
                                              std::to_string(kMaxJsonRpcDepth) + " levels"};
  }
  Json doc = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return RpcError{rpc::kParseError, "parse error: body is not JSON"};
  if (doc.is_array()) {
    return RpcError{rpc::kInvalidRequest, "invalid request: batches are not supported"};
  }
  if (!doc.is_object()) {
    return RpcError{rpc::kInvalidRequest, "invalid request: want a JSON object"};
  }
  RpcRequest req;
  auto version = doc.find("jsonrpc");
  if (version != doc.end()) {
    if (!version->is_string() || (*version != "2.0" && *version != "1.0")) {
      return RpcError{rpc::kInvalidRequest, "invalid request: \"jsonrpc\" must be \"2.0\""};
    }
    req.v2 = *version == "2.0";
  }
  auto id = doc.find("id");
  if (id != doc.end()) {
    if (!(id->is_null() || id->is_string() || id->is_number())) {
      return RpcError{rpc::kInvalidRequest, "invalid request: id must be a string or number"};
    }
    req.id = *id;
  }
  auto method = doc.find("method");
  if (method == doc.end() || !method->is_string()) {
    return RpcError{rpc::kInvalidRequest, "invalid request: \"method\" must be a string"};
  }
  req.method = method->get<std::string>();
  auto params = doc.find("params");
  if (params != doc.end() && !params->is_null()) {
    if (!params->is_array() && !params->is_object()) {
      return RpcError{rpc::kInvalidRequest, "invalid request: params must be an array or object"};
    }
    req.params = *params;
  }
  return req;
}

std::string RpcResultBody(const Json& id, const Json& result, bool v2) {
  Json out = Json::object();
  if (v2) out["jsonrpc"] = "2.0";
  out["result"] = result;
  if (!v2) out["error"] = nullptr;
  out["id"] = id;
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string RpcErrorBody(const Json& id, const RpcError& error, bool v2) {
  Json out = Json::object();
  if (v2) out["jsonrpc"] = "2.0";
  if (!v2) out["result"] = nullptr;
  out["error"] = {{"code", error.code}, {"message", error.message}};
  out["id"] = id;
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

const Json* ParamAt(const Json& params, size_t index, std::string_view name) {
  if (params.is_array()) {
    return index < params.size() ? &params[index] : nullptr;
  }
  if (params.is_object()) {
    auto it = params.find(name);
    return it == params.end() ? nullptr : &*it;
  }
  return nullptr;
}

RpcDispatcher::RpcDispatcher()
    : methods_(std::make_shared<std::map<std::string, AsyncMethod, std::less<>>>()) {}

void RpcDispatcher::Add(std::string name, SyncMethod method) {
  (*methods_)[std::move(name)] = [method = std::move(method)](const Json& params, Done done) {
    done(method(params));
  };
}

void RpcDispatcher::AddAsync(std::string name, AsyncMethod method) {
  (*methods_)[std::move(name)] = std::move(method);
}

HttpServer::Handler RpcDispatcher::AsHttpHandler() const {
  auto methods = methods_;
  return [methods](const HttpRequest& request, HttpServer::Reply reply) {
    auto send = [reply](std::string body) {
      HttpResponse r;
      r.body = std::move(body);
      reply(std::move(r));
    };
    if (request.method != "POST") {
      HttpResponse r;
      r.status = 405;
      r.headers.emplace_back("Allow", "POST");
      r.body = RpcErrorBody(nullptr, {rpc::kInvalidRequest, "JSON-RPC wants POST"}, true);
      reply(std::move(r));
      return;
    }
    auto parsed = ParseRpcRequest(request.body);
    if (auto* error = std::get_if<RpcError>(&parsed)) {
      send(RpcErrorBody(nullptr, *error, true));
      return;
    }
    RpcRequest req = std::get<RpcRequest>(std::move(parsed));
    auto it = methods->find(req.method);
    if (it == methods->end()) {
      send(RpcErrorBody(req.id, {rpc::kMethodNotFound, "method not found: " + req.method},
                        req.v2));
      return;
    }
    Json id = req.id;
    const bool v2 = req.v2;
    it->second(req.params, [send, id, v2](RpcOutcome outcome) {
      if (auto* error = std::get_if<RpcError>(&outcome)) {
        send(RpcErrorBody(id, *error, v2));
      } else {
        send(RpcResultBody(id, std::get<Json>(outcome), v2));
      }
    });
  };
}

}  // namespace mw::io
