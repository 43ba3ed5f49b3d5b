// Network endpoint parsing: "127.0.0.1:8332", "[::1]:8332", "localhost:8332", "8332" and
// "http://127.0.0.1:8332/path". Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mw::io {

inline constexpr std::string_view kDefaultBindHost = "127.0.0.1";

struct HostPort {
  std::string host;  // an IP literal (no brackets) or "localhost"
  uint16_t port = 0;

  // "127.0.0.1:8332", "[::1]:8332".
  std::string ToString() const;
  bool operator==(const HostPort&) const = default;
};

// Parses "HOST:PORT", "[V6]:PORT" or a bare "PORT" (host 127.0.0.1). Port 0 is accepted only
// when `allow_port_zero` (binding an ephemeral port). Errors say what is wrong with which part.
Result<HostPort> ParseHostPort(std::string_view text, bool allow_port_zero = false);

// True when `host` is "localhost" (any case) or an IP literal in 127.0.0.0/8, ::1, or
// ::ffff:127.0.0.0/104. Never resolves a name: every other name is false.
bool IsLoopbackHost(std::string_view host);

struct HttpUrl {
  HostPort endpoint;
  std::string path = "/";  // always starts with '/'
};

// Parses "http://HOST:PORT[/path]" or a plain "HOST:PORT[/path]" (http is assumed). https and
// other schemes are refused.
Result<HttpUrl> ParseHttpUrl(std::string_view text);

}  // namespace mw::io
