#include "io/host_port.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace mw::io {
namespace {

Result<uint16_t> ParsePort(std::string_view s, bool allow_zero, std::string_view whole) {
  if (s.empty()) return Status::InvalidArgument("missing port in '" + std::string(whole) + "'");
  unsigned value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) {
    return Status::InvalidArgument("port '" + std::string(s) + "' is not a number");
  }
  if (value > 65535) {
    return Status::InvalidArgument("port " + std::string(s) + " is out of range (0-65535)");
  }
  if (value == 0 && !allow_zero) return Status::InvalidArgument("port 0 is not allowed here");
  return uint16_t(value);
}

bool ValidHostChars(std::string_view host) {
  for (char c : host) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '.' || c == '-' || c == ':' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  if (host.size() > 64) return false;
  std::string h(host);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::string lower = h;
  for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
  if (lower == "localhost" || lower == "localhost.") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) != 1) return false;
  static constexpr uint8_t kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(v6.s6_addr, kLoopback6, 16) == 0) return true;
  return std::memcmp(v6.s6_addr, kMappedPrefix, 12) == 0 && v6.s6_addr[12] == 127;
}

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<HostPort> ParseHostPort(std::string_view text, bool allow_port_zero) {
  if (text.empty()) return Status::InvalidArgument("empty address (want HOST:PORT)");
  if (text.size() > 300) return Status::InvalidArgument("address is too long");
  HostPort out;
  std::string_view port_text;
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("unclosed '[' in '" + std::string(text) + "'");
    }
    out.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') {
      return Status::InvalidArgument("missing ':PORT' after ']' in '" + std::string(text) + "'");
    }
    port_text = rest.substr(1);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      out.host = std::string(kDefaultBindHost);
      port_text = text;
    } else {
      if (text.find(':') != colon) {
        return Status::InvalidArgument("IPv6 addresses need brackets: '[" +
                                       std::string(text.substr(0, colon)) + "]:PORT'");
      }
      out.host = std::string(text.substr(0, colon));
      if (out.host.empty()) out.host = std::string(kDefaultBindHost);
      port_text = text.substr(colon + 1);
    }
  }
  if (out.host.empty()) return Status::InvalidArgument("empty host in '" + std::string(text) + "'");
  if (!ValidHostChars(out.host)) {
    return Status::InvalidArgument("host '" + out.host + "' has characters a host cannot have");
  }
  MW_ASSIGN_OR_RETURN(out.port, ParsePort(port_text, allow_port_zero, text));
  return out;
}

Result<HttpUrl> ParseHttpUrl(std::string_view text) {
  std::string_view rest = text;
  const size_t scheme_end = rest.find("://");
  if (scheme_end != std::string_view::npos) {
    std::string_view scheme = rest.substr(0, scheme_end);
    if (scheme != "http") {
      return Status::InvalidArgument("unsupported URL scheme '" + std::string(scheme) +
                                     "' (only http:// on loopback)");
    }
    rest = rest.substr(scheme_end + 3);
  }
  HttpUrl url;
  const size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    url.path = std::string(rest.substr(slash));
    rest = rest.substr(0, slash);
  }
  MW_ASSIGN_OR_RETURN(url.endpoint, ParseHostPort(rest));
  return url;
}

}  // namespace mw::io
