#include "analyzers/http/http_head.h"

#include <algorithm>
#include <charconv>

namespace mw::analyzers::http {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsMethodChar(char c) { return (c >= 'A' && c <= 'Z') || c == '-' || c == '_'; }

// Splits off the next line (without CR/LF); false when none is left.
bool NextLine(std::string_view& rest, std::string_view& line) {
  if (rest.empty()) return false;
  const size_t nl = rest.find('\n');
  line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return true;
}

bool ParseVersion(std::string_view v, int& minor) {
  if (v.size() != 8 || v.substr(0, 7) != "HTTP/1.") return false;
  if (v[7] < '0' || v[7] > '9') return false;
  minor = v[7] - '0';
  return true;
}

HeadError ParseHeaders(std::string_view rest, std::vector<Header>& out) {
  std::string_view line;
  out.clear();
  while (NextLine(rest, line)) {
    if (line.empty()) break;
    if (out.size() >= kMaxHeaders) return HeadError::kTooManyHeaders;
    const size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) return HeadError::kBadHeaderLine;
    const std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), IsTokenChar)) return HeadError::kBadHeaderLine;
    out.push_back({name, Trim(line.substr(colon + 1))});
  }
  return HeadError::kOk;
}

}  // namespace

std::string_view HeadErrorName(HeadError e) {
  switch (e) {
    case HeadError::kOk: return "ok";
    case HeadError::kBadRequestLine: return "bad_request_line";
    case HeadError::kBadStatusLine: return "bad_status_line";
    case HeadError::kBadVersion: return "bad_version";
    case HeadError::kBadHeaderLine: return "bad_header_line";
    case HeadError::kTooManyHeaders: return "too_many_headers";
  }
  return "unknown";
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

const std::string_view* FindHeader(const std::vector<Header>& headers, std::string_view name) {
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return &h.value;
  }
  return nullptr;
}

bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    if (EqualsIgnoreCase(Trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

std::optional<uint64_t> ContentLength(const std::vector<Header>& headers, bool* invalid) {
  std::optional<uint64_t> result;
  if (invalid) *invalid = false;
  for (const Header& h : headers) {
    if (!EqualsIgnoreCase(h.name, "content-length")) continue;
    uint64_t v = 0;
    const char* end = h.value.data() + h.value.size();
    auto [p, ec] = std::from_chars(h.value.data(), end, v);
    if (ec != std::errc() || p != end || h.value.empty() || (result && *result != v)) {
      if (invalid) *invalid = true;
      return std::nullopt;
    }
    result = v;
  }
  return result;
}

bool IsChunked(const std::vector<Header>& headers) {
  const std::string_view* te = FindHeader(headers, "transfer-encoding");
  if (te == nullptr) return false;
  std::string_view v = Trim(*te);
  const size_t comma = v.rfind(',');
  if (comma != std::string_view::npos) v = Trim(v.substr(comma + 1));
  return EqualsIgnoreCase(v, "chunked");
}

HeadError ParseRequestHead(std::string_view head, RequestHead& out, std::vector<Header>& headers) {
  out = RequestHead{};
  headers.clear();
  std::string_view line;
  if (!NextLine(head, line)) return HeadError::kBadRequestLine;
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0 || sp1 > kMaxMethodChars) {
    return HeadError::kBadRequestLine;
  }
  const size_t sp2 = line.rfind(' ');
  if (sp2 == sp1) return HeadError::kBadRequestLine;
  const std::string_view method = line.substr(0, sp1);
  if (!std::all_of(method.begin(), method.end(), IsMethodChar)) return HeadError::kBadRequestLine;
  const std::string_view uri = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (uri.empty() || uri.find(' ') != std::string_view::npos) return HeadError::kBadRequestLine;
  if (!ParseVersion(line.substr(sp2 + 1), out.version_minor)) return HeadError::kBadVersion;
  out.method = std::string(method);
  out.uri = std::string(uri);
  return ParseHeaders(head, headers);
}

HeadError ParseResponseHead(std::string_view head, ResponseHead& out,
                            std::vector<Header>& headers) {
  out = ResponseHead{};
  headers.clear();
  std::string_view line;
  if (!NextLine(head, line)) return HeadError::kBadStatusLine;
  if (line.size() < 12 || !ParseVersion(line.substr(0, 8), out.version_minor)) {
    return HeadError::kBadVersion;
  }
  if (line[8] != ' ') return HeadError::kBadStatusLine;
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return HeadError::kBadStatusLine;
    status = status * 10 + (line[i] - '0');
  }
  if (line.size() > 12 && line[12] != ' ') return HeadError::kBadStatusLine;
  out.status = status;
  out.reason = std::string(line.size() > 13 ? line.substr(13) : std::string_view());
  return ParseHeaders(head, headers);
}

bool CouldStartRequest(std::string_view prefix) {
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] == ' ') return i > 0;
    if (i >= kMaxMethodChars || !IsMethodChar(prefix[i])) return false;
  }
  return true;
}

bool CouldStartResponse(std::string_view prefix) {
  constexpr std::string_view kStart = "HTTP/1.";
  const size_t n = std::min(prefix.size(), kStart.size());
  return prefix.substr(0, n) == kStart.substr(0, n);
}

}  // namespace mw::analyzers::http
