#include "proto/websocket/handshake.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

namespace mw::websocket {

namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string Base64(const uint8_t* data, size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data,
                                  static_cast<int>(n));
  out.resize(static_cast<size_t>(len));
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// True when the comma-separated list `value` holds `token` (case-insensitive).
bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    const std::string_view item = Trim(value.substr(0, comma));
    if (Lower(item) == token) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

bool IsBase64Char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
}

struct ParsedHttp {
  std::string start_line;
  std::map<std::string, std::string> headers;  // lower-case name -> first value
};

Result<ParsedHttp> ParseHttp(std::string_view bytes) {
  if (bytes.size() > kMaxHandshakeBytes) return Status::OutOfRange("handshake too large");
  const size_t end = HandshakeLength(bytes);
  if (end == 0) return Status::InvalidArgument("incomplete handshake");
  std::string_view rest = bytes.substr(0, end);
  ParsedHttp out;
  bool first = true;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (first) {
      out.start_line = std::string(line);
      first = false;
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Status::InvalidArgument("malformed header line");
    }
    out.headers.emplace(Lower(Trim(line.substr(0, colon))), std::string(Trim(line.substr(colon + 1))));
  }
  if (out.start_line.empty()) return Status::InvalidArgument("empty handshake");
  return out;
}

std::string Header(const ParsedHttp& h, const std::string& name) {
  auto it = h.headers.find(name);
  return it == h.headers.end() ? std::string() : it->second;
}

}  // namespace

std::string AcceptKeyFor(std::string_view client_key) {
  std::string input(client_key);
  input.append(kGuid);
  std::array<uint8_t, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  EVP_Digest(input.data(), input.size(), md.data(), &md_len, EVP_sha1(), nullptr);
  return Base64(md.data(), md_len);
}

std::string GenerateClientKey() {
  std::array<uint8_t, 16> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    // RAND_bytes only fails when the RNG cannot be seeded; a key need not be secret, only fresh.
    raw.fill(0x5a);
  }
  return Base64(raw.data(), raw.size());
}

size_t HandshakeLength(std::string_view bytes) {
  const size_t crlf = bytes.find("\r\n\r\n");
  if (crlf != std::string_view::npos) return crlf + 4;
  const size_t lf = bytes.find("\n\n");
  if (lf != std::string_view::npos) return lf + 2;
  return 0;
}

std::string BuildClientHandshake(const HandshakeRequest& r) {
  std::string out = "GET " + (r.path.empty() ? std::string("/") : r.path) + " HTTP/1.1\r\n";
  out += "Host: " + r.host + "\r\n";
  out += "Upgrade: websocket\r\nConnection: Upgrade\r\n";
  out += "Sec-WebSocket-Key: " + r.key + "\r\n";
  out += "Sec-WebSocket-Version: 13\r\n";
  if (!r.origin.empty()) out += "Origin: " + r.origin + "\r\n";
  if (!r.user_agent.empty()) out += "User-Agent: " + r.user_agent + "\r\n";
  if (!r.protocol.empty()) out += "Sec-WebSocket-Protocol: " + r.protocol + "\r\n";
  out += "\r\n";
  return out;
}

Result<HandshakeRequest> ParseClientHandshake(std::string_view bytes) {
  MW_ASSIGN_OR_RETURN(ParsedHttp http, ParseHttp(bytes));
  const std::string_view line = http.start_line;
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return Status::InvalidArgument("malformed request line");
  if (line.substr(0, sp1) != "GET") return Status::InvalidArgument("method is not GET");
  if (line.substr(sp2 + 1) != "HTTP/1.1") return Status::InvalidArgument("not HTTP/1.1");
  HandshakeRequest r;
  r.path = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  if (r.path.empty()) return Status::InvalidArgument("empty request target");
  if (Lower(Header(http, "upgrade")) != "websocket") {
    return Status::InvalidArgument("Upgrade is not websocket");
  }
  if (!HasToken(Header(http, "connection"), "upgrade")) {
    return Status::InvalidArgument("Connection lacks upgrade");
  }
  if (Header(http, "sec-websocket-version") != "13") {
    return Status::InvalidArgument("Sec-WebSocket-Version is not 13");
  }
  r.key = Header(http, "sec-websocket-key");
  // base64 of 16 bytes: 22 alphabet characters and "==".
  if (r.key.size() != 24 || r.key[22] != '=' || r.key[23] != '=' ||
      !std::all_of(r.key.begin(), r.key.begin() + 22, IsBase64Char)) {
    return Status::InvalidArgument("Sec-WebSocket-Key is not base64 of 16 bytes");
  }
  r.host = Header(http, "host");
  r.origin = Header(http, "origin");
  r.user_agent = Header(http, "user-agent");
  r.protocol = Header(http, "sec-websocket-protocol");
  return r;
}

std::string BuildServerHandshake(std::string_view client_key) {
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Accept: " +
         AcceptKeyFor(client_key) + "\r\n\r\n";
}

Status CheckServerHandshake(std::string_view bytes, std::string_view client_key) {
  MW_ASSIGN_OR_RETURN(ParsedHttp http, ParseHttp(bytes));
  const std::string_view line = http.start_line;
  if (!line.starts_with("HTTP/1.1 101")) {
    return Status::FailedPrecondition("server did not switch protocols: " +
                                      std::string(line.substr(0, 64)));
  }
  if (Lower(Header(http, "upgrade")) != "websocket") {
    return Status::InvalidArgument("Upgrade is not websocket");
  }
  if (Header(http, "sec-websocket-accept") != AcceptKeyFor(client_key)) {
    return Status::InvalidArgument("Sec-WebSocket-Accept does not match the key");
  }
  return Status::Ok();
}

}  // namespace mw::websocket
