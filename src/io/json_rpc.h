// JSON-RPC 1.0 / 2.0 over HTTP POST: request parsing, response bodies, standard error codes, and
// a dispatcher that serves registered methods as an HttpServer route.
//
// A request is answered in the dialect it was sent in: with "jsonrpc":"2.0" the reply has
// either "result" or "error"; without it (1.0, bitcoind style) both keys are present, one null.
// Batches (JSON arrays) are refused with -32600. Every malformed body gets an error reply, never
// an exception: the parser runs with exceptions off and checks types before reading values.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "io/http_server.h"

namespace mw::io {

using Json = nlohmann::json;

namespace rpc {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
// Application errors (bitcoind's numbering where one exists).
inline constexpr int kMiscError = -1;
inline constexpr int kInvalidAddress = -5;    // also "not found" for blocks/txs
inline constexpr int kVerifyRejected = -26;   // transaction or block refused by validation
inline constexpr int kInWarmup = -28;
}  // namespace rpc

struct RpcError {
  int code = rpc::kInternalError;
  std::string message;
};

struct RpcRequest {
  Json id;              // null for notifications and 1.0 requests without id
  std::string method;
  Json params;          // an array, an object, or null when absent
  bool v2 = false;      // "jsonrpc":"2.0" was given
};

// Parses an HTTP body as one JSON-RPC request.
std::variant<RpcRequest, RpcError> ParseRpcRequest(std::string_view body);

std::string RpcResultBody(const Json& id, const Json& result, bool v2);
std::string RpcErrorBody(const Json& id, const RpcError& error, bool v2);

using RpcOutcome = std::variant<Json, RpcError>;

// Param helpers: positional (array) or named (object) parameters, type-checked.
// ParamAt returns nullptr when absent (index past the end / key missing / params null).
const Json* ParamAt(const Json& params, size_t index, std::string_view name);

// Holds the methods and serves them. Register methods before the server runs; the dispatcher
// itself is then read-only and safe to use from the io thread.
class RpcDispatcher {
 public:
  using Done = std::function<void(RpcOutcome)>;
  // An asynchronous method calls `done` exactly once, from any thread, possibly later.
  using AsyncMethod = std::function<void(const Json& params, Done done)>;
  using SyncMethod = std::function<RpcOutcome(const Json& params)>;

  RpcDispatcher();

  void Add(std::string name, SyncMethod method);
  void AddAsync(std::string name, AsyncMethod method);

  // The HTTP route: POST only (405 otherwise); always a JSON body in reply.
  HttpServer::Handler AsHttpHandler() const;

 private:
  std::shared_ptr<std::map<std::string, AsyncMethod, std::less<>>> methods_;
};

}  // namespace mw::io
