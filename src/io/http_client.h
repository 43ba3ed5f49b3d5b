// Blocking HTTP/1.1 client with a deadline, and a JSON-RPC client on top of it. One connection
// per request ("Connection: close"): simple and plenty for loopback CLIs, miners and tests.
// Each call uses its own io_context, so objects are thread-compatible: one call at a time per
// object, any number of objects on different threads.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "io/host_port.h"
#include "io/http_message.h"

namespace mw::io {

struct HttpCallOptions {
  std::chrono::milliseconds timeout{10000};  // whole exchange: connect, send, receive
  size_t max_response_bytes = 32 * 1024 * 1024;
  // When set and it becomes true, the call gives up within ~50 ms (kUnavailable, "cancelled").
  // Not owned; must outlive the call.
  const std::atomic<bool>* cancel = nullptr;
};

// Sends one request and returns the response (any status code). Fails with kUnavailable when
// the server cannot be reached or the deadline passes, kCorruption on a malformed response,
// kOutOfRange when the response exceeds the size limit.
Result<HttpResponse> HttpFetch(const HostPort& server, std::string_view method,
                               std::string_view target, std::string_view body,
                               std::string_view content_type, const HttpCallOptions& options);

class JsonRpcClient {
 public:
  explicit JsonRpcClient(HttpUrl url) : url_(std::move(url)) {}

  // Calls `method`; returns "result". An RPC error comes back as a failed Status whose message
  // is "METHOD: MESSAGE (code N)"; its code is also stored for last_rpc_error_code().
  Result<nlohmann::json> Call(std::string_view method, const nlohmann::json& params,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // The JSON-RPC error code of the last failed call (0 when it was not an RPC error).
  int last_rpc_error_code() const { return last_code_; }
  const HttpUrl& url() const { return url_; }
  // Makes every later call abandon its wait when *cancel becomes true (see HttpCallOptions).
  void set_cancel(const std::atomic<bool>* cancel) { cancel_ = cancel; }

 private:
  HttpUrl url_;
  int next_id_ = 1;
  int last_code_ = 0;
  const std::atomic<bool>* cancel_ = nullptr;
};

}  // namespace mw::io
