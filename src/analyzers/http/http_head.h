// HTTP/1.x message heads (RFC 9112): request line or status line, then header fields.
//
// Pure functions over a complete head (everything before the empty line, without it). Bare LF
// line ends are accepted, obsolete line folding is not. Header names keep their spelling; look-ups
// are case-insensitive.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mw::analyzers::http {

inline constexpr size_t kMaxHeadBytes = 16 * 1024;
inline constexpr size_t kMaxHeaders = 100;
inline constexpr size_t kMaxMethodChars = 20;

struct Header {
  std::string name;
  std::string value;  // leading/trailing spaces and tabs removed
};

struct RequestHead {
  std::string method;  // as sent ("GET", "POST", ...)
  std::string uri;     // request-target as sent
  int version_minor = 1;  // HTTP/1.<minor>
  std::vector<Header> headers;
};

struct ResponseHead {
  int version_minor = 1;
  int status = 0;
  std::string reason;
  std::vector<Header> headers;
};

enum class HeadError : uint8_t {
  kOk = 0,
  kBadRequestLine,
  kBadStatusLine,
  kBadVersion,
  kBadHeaderLine,
  kTooManyHeaders,
};
std::string_view HeadErrorName(HeadError e);

HeadError ParseRequestHead(std::string_view head, RequestHead& out);
HeadError ParseResponseHead(std::string_view head, ResponseHead& out);

// The first header called `name` (ASCII case-insensitive), or null.
const std::string* FindHeader(const std::vector<Header>& headers, std::string_view name);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// True when the comma-separated list `value` has `token` (case-insensitive), e.g. Connection.
bool HasToken(std::string_view value, std::string_view token);
// Content-Length as a number; nullopt when absent, negative, not a number, or conflicting.
std::optional<uint64_t> ContentLength(const std::vector<Header>& headers, bool* invalid);
// True when Transfer-Encoding ends in "chunked".
bool IsChunked(const std::vector<Header>& headers);

// Could `prefix` (the first bytes of a direction) start a request / a response? Used to give up
// quickly on flows that are not HTTP. An empty prefix could.
bool CouldStartRequest(std::string_view prefix);
bool CouldStartResponse(std::string_view prefix);

}  // namespace mw::analyzers::http
