// The HTTP server's request-head parser and the JSON-RPC request parser on arbitrary bytes:
// what a hostile client can send to the node's RPC port.
#include <cstdint>
#include <string_view>

#include "io/http_message.h"
#include "io/json_rpc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  mw::io::HttpLimits limits;
  limits.max_head_bytes = 4096;
  limits.max_headers = 16;
  limits.max_body_bytes = 1 << 16;
  const size_t end = mw::io::FindHeadEnd(text);
  std::string_view head = end == std::string_view::npos ? text : text.substr(0, end);
  mw::io::HttpRequest request;
  mw::io::HttpParseError error;
  if (mw::io::ParseRequestHead(head, limits, &request, &error)) {
    if (request.content_length > limits.max_body_bytes) __builtin_trap();
    if (request.target.empty() || request.target[0] != '/') __builtin_trap();
    if (request.headers.size() > limits.max_headers) __builtin_trap();
    std::string_view body = end == std::string_view::npos ? std::string_view() : text.substr(end);
    (void)mw::io::ParseRpcRequest(body);
  } else if (error.status < 400 || error.status > 599 || error.reason.empty()) {
    __builtin_trap();
  }
  (void)mw::io::ParseResponseHead(head, limits);
  return 0;
}
