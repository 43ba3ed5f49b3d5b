#include "io/http_message.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mw::io {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool ContainsTokenIgnoreCase(std::string_view list, std::string_view token) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(start, comma - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (EqualsIgnoreCase(item, token)) return true;
    start = comma + 1;
  }
  return false;
}

bool IsTokenChar(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  if (u <= 32 || u >= 127) return false;
  return std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits the head into lines (accepting CRLF or bare LF). Stops at the first empty line.
std::vector<std::string_view> SplitHeadLines(std::string_view head) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < head.size()) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos) nl = head.size();
    std::string_view line = head.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    lines.push_back(line);
    pos = nl + 1;
  }
  return lines;
}

bool ParseHeaderLines(const std::vector<std::string_view>& lines, const HttpLimits& limits,
                      HttpHeaders* headers, HttpParseError* error) {
  if (lines.size() - 1 > limits.max_headers) {
    *error = {431, "too many header fields"};
    return false;
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') {
      *error = {400, "obsolete header line folding"};
      return false;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      *error = {400, "header line without a name"};
      return false;
    }
    std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), IsTokenChar)) {
      *error = {400, "invalid header name"};
      return false;
    }
    std::string_view value = Trim(line.substr(colon + 1));
    for (char c : value) {
      if (c == '\0' || c == '\r' || c == '\n') {
        *error = {400, "control character in header value"};
        return false;
      }
    }
    headers->emplace_back(std::string(name), std::string(value));
  }
  return true;
}

bool ParseContentLength(const HttpHeaders& headers, long long* out, HttpParseError* error) {
  *out = -1;
  for (const auto& [name, value] : headers) {
    if (!EqualsIgnoreCase(name, "Content-Length")) continue;
    unsigned long long n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() ||
        n > (1ull << 40)) {
      *error = {400, "invalid Content-Length"};
      return false;
    }
    if (*out >= 0 && static_cast<unsigned long long>(*out) != n) {
      *error = {400, "conflicting Content-Length headers"};
      return false;
    }
    *out = static_cast<long long>(n);
  }
  return true;
}

}  // namespace

std::string_view FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return {};
}

std::string_view HttpRequest::Path() const {
  std::string_view t = target;
  const size_t q = t.find('?');
  return q == std::string_view::npos ? t : t.substr(0, q);
}

size_t FindHeadEnd(std::string_view buffer) {
  const size_t crlf = buffer.find("\r\n\r\n");
  const size_t lf = buffer.find("\n\n");
  size_t end = std::string_view::npos;
  if (crlf != std::string_view::npos) end = crlf + 4;
  if (lf != std::string_view::npos && (end == std::string_view::npos || lf + 2 < end)) {
    end = lf + 2;
  }
  return end;
}

bool ParseRequestHead(std::string_view head, const HttpLimits& limits, HttpRequest* out,
                      HttpParseError* error) {
  *out = HttpRequest();
  if (head.size() > limits.max_head_bytes) {
    *error = {431, "request head too large"};
    return false;
  }
  if (head.find('\0') != std::string_view::npos) {
    *error = {400, "NUL byte in request head"};
    return false;
  }
  const std::vector<std::string_view> lines = SplitHeadLines(head);
  if (lines.empty()) {
    *error = {400, "empty request"};
    return false;
  }
  // Request line: METHOD SP TARGET SP VERSION
  std::string_view rl = lines[0];
  const size_t sp1 = rl.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : rl.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos ||
      rl.find(' ', sp2 + 1) != std::string_view::npos) {
    *error = {400, "malformed request line"};
    return false;
  }
  std::string_view method = rl.substr(0, sp1);
  std::string_view target = rl.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = rl.substr(sp2 + 1);
  if (method.empty() || !std::all_of(method.begin(), method.end(), IsTokenChar)) {
    *error = {400, "invalid method"};
    return false;
  }
  if (target.empty() || target.front() != '/') {
    *error = {400, "request target must start with '/'"};
    return false;
  }
  for (char c : target) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127) {
      *error = {400, "invalid character in request target"};
      return false;
    }
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    *error = {version.rfind("HTTP/", 0) == 0 ? 505 : 400, "unsupported HTTP version"};
    return false;
  }
  out->method = std::string(method);
  out->target = std::string(target);
  out->version = std::string(version);
  if (!ParseHeaderLines(lines, limits, &out->headers, error)) return false;

  if (!FindHeader(out->headers, "Transfer-Encoding").empty()) {
    *error = {501, "Transfer-Encoding is not supported; send Content-Length"};
    return false;
  }
  long long length = -1;
  if (!ParseContentLength(out->headers, &length, error)) return false;
  if (length > 0 && static_cast<unsigned long long>(length) > limits.max_body_bytes) {
    *error = {413, "request body too large"};
    return false;
  }
  out->content_length = length > 0 ? static_cast<size_t>(length) : 0;
  std::string_view connection = FindHeader(out->headers, "Connection");
  if (version == "HTTP/1.1") {
    out->keep_alive = !ContainsTokenIgnoreCase(connection, "close");
  } else {
    out->keep_alive = ContainsTokenIgnoreCase(connection, "keep-alive");
  }
  return true;
}

std::string_view StatusReason(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string SerializeResponse(const HttpResponse& response, bool keep_alive) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                    std::string(StatusReason(response.status)) + "\r\n";
  if (!response.content_type.empty()) out += "Content-Type: " + response.content_type + "\r\n";
  for (const auto& [n, v] : response.headers) out += n + ": " + v + "\r\n";
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  out += "\r\n";
  out += response.body;
  return out;
}

Result<HttpResponseHead> ParseResponseHead(std::string_view head, const HttpLimits& limits) {
  if (head.size() > limits.max_head_bytes) return Status::OutOfRange("response head too large");
  const std::vector<std::string_view> lines = SplitHeadLines(head);
  if (lines.empty()) return Status::Corruption("empty HTTP response");
  std::string_view sl = lines[0];
  if (sl.size() < 12 || sl.substr(0, 5) != "HTTP/" || sl[8] != ' ') {
    return Status::Corruption("malformed HTTP status line");
  }
  HttpResponseHead out;
  int status = 0;
  auto [end, ec] = std::from_chars(sl.data() + 9, sl.data() + 12, status);
  if (ec != std::errc() || end != sl.data() + 12 || status < 100) {
    return Status::Corruption("malformed HTTP status code");
  }
  out.status = status;
  HttpParseError error;
  if (!ParseHeaderLines(lines, limits, &out.headers, &error)) {
    return Status::Corruption("bad response header: " + error.reason);
  }
  if (!ParseContentLength(out.headers, &out.content_length, &error)) {
    return Status::Corruption(error.reason);
  }
  return out;
}

}  // namespace mw::io
