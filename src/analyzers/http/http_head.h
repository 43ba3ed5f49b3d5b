// HTTP/1.x message heads (RFC 9112): request line or status line, then header fields.
//
// Pure functions over a complete head (everything before the empty line, without it). Bare LF
// line ends are accepted, obsolete line folding is not. Header names keep their spelling; look-ups
// are case-insensitive.
//
// Header fields are views into the head's text: they are valid while that text is, and copying
// one out is the caller's choice (a head has a dozen fields, and most are never looked at).
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

// One header field: views into the head's text.
struct Header {
  std::string_view name;
  std::string_view value;  // leading/trailing spaces and tabs removed
};

struct RequestHead {
  std::string method;  // as sent ("GET", "POST", ...)
  std::string uri;     // request-target as sent
  int version_minor = 1;  // HTTP/1.<minor>
};

struct ResponseHead {
  int version_minor = 1;
  int status = 0;
  std::string reason;
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

// Parse the start line into `out` and the header fields into `headers` (emptied first; views into
// `head`, which must outlive them). A reused `headers` keeps its allocation.
HeadError ParseRequestHead(std::string_view head, RequestHead& out, std::vector<Header>& headers);
HeadError ParseResponseHead(std::string_view head, ResponseHead& out,
                            std::vector<Header>& headers);

// The value of the first header called `name` (ASCII case-insensitive), or null.
const std::string_view* FindHeader(const std::vector<Header>& headers, std::string_view name);
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
