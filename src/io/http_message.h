// HTTP/1.1 messages: the request-head parser the server uses (a pure function, fuzzed by
// fuzz/http_server_request), the response-head parser the client uses, and serialisation.
// Only what loopback RPC needs: Content-Length bodies (no chunked encoding), no pipelining
// guarantees beyond in-order keep-alive. Thread-safe (pure functions and values).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace mw::io {

struct HttpLimits {
  size_t max_head_bytes = 8 * 1024;     // request line + headers, including the blank line
  size_t max_headers = 64;
  size_t max_body_bytes = 1024 * 1024;  // Content-Length above this is refused (413)
};

// Nesting limit of a JSON-RPC body, a request the server parses or a reply the client parses
// (see core/json_depth.h: a megabyte body of brackets would overflow the stack when copied).
// JSON-RPC between our programs nests a few levels.
inline constexpr size_t kMaxJsonRpcDepth = 64;

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive header lookup; empty when absent.
std::string_view FindHeader(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  std::string method;   // "GET", "POST", ...
  std::string target;   // "/path?query"
  std::string version;  // "HTTP/1.1" or "HTTP/1.0"
  HttpHeaders headers;
  size_t content_length = 0;
  bool keep_alive = true;  // HTTP/1.1 default unless "Connection: close"; 1.0 needs keep-alive
  std::string body;

  // The target without its query string.
  std::string_view Path() const;
};

// Where the head ends: the offset just past the first "\r\n\r\n" (or "\n\n"), or npos when
// the buffer does not yet hold a complete head.
size_t FindHeadEnd(std::string_view buffer);

// The reason a head was refused, with the HTTP status the server should answer.
struct HttpParseError {
  int status = 400;  // 400 bad request, 413 too large, 431 headers too large, 501, 505
  std::string reason;
};

// Parses a complete request head (request line, headers, blank line). The body is not read.
// Refuses: malformed request lines and headers, unsupported versions, Transfer-Encoding,
// invalid or conflicting Content-Length, bodies over the limit, too many or too large headers.
// On failure returns false and fills `error`.
bool ParseRequestHead(std::string_view head, const HttpLimits& limits, HttpRequest* out,
                      HttpParseError* error);

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  HttpHeaders headers;  // extra headers
  std::string body;
};

std::string_view StatusReason(int status);

// "HTTP/1.1 200 OK\r\n..." with Content-Length and Connection headers.
std::string SerializeResponse(const HttpResponse& response, bool keep_alive);

// Parses a response head ("HTTP/1.1 200 OK" + headers). `content_length` is -1 when the
// response has no Content-Length (the body then runs to connection close).
struct HttpResponseHead {
  int status = 0;
  HttpHeaders headers;
  long long content_length = -1;
};
Result<HttpResponseHead> ParseResponseHead(std::string_view head, const HttpLimits& limits);

}  // namespace mw::io
