// RFC 6455 opening handshake: the HTTP/1.1 Upgrade request a client sends and the 101 response a
// server returns, built and parsed. Used by minelab's WebSocket pool listener and browser-dialect
// miners, and by minewatch's sensor to recognise an upgrade and learn its path and host.
//
// Pure functions; GenerateClientKey draws from OpenSSL's RAND_bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mw::websocket {

// Upper bound on a handshake (request or response, headers included).
inline constexpr size_t kMaxHandshakeBytes = 8 * 1024;

// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), RFC 6455 section 4.2.2.
std::string AcceptKeyFor(std::string_view client_key);
// A fresh Sec-WebSocket-Key: base64 of 16 random bytes.
std::string GenerateClientKey();

// Length of the header block including the final "\r\n\r\n", or 0 when it is not complete yet.
size_t HandshakeLength(std::string_view bytes);

struct HandshakeRequest {
  std::string path;        // request target, e.g. "/proxy"
  std::string host;
  std::string key;         // Sec-WebSocket-Key
  std::string origin;      // may be empty
  std::string user_agent;  // may be empty
  std::string protocol;    // Sec-WebSocket-Protocol, may be empty
};

// "GET path HTTP/1.1" with Host, Upgrade, Connection, Sec-WebSocket-Key/-Version 13 (+ Origin,
// User-Agent, Sec-WebSocket-Protocol when non-empty), ending in "\r\n\r\n".
std::string BuildClientHandshake(const HandshakeRequest& request);
// Parses a complete request (as delimited by HandshakeLength). Checks the method (GET), version
// (HTTP/1.1), Upgrade: websocket, Connection containing "upgrade", Sec-WebSocket-Version 13 and a
// key that is base64 of 16 bytes. Header names and the Upgrade/Connection tokens are
// case-insensitive.
Result<HandshakeRequest> ParseClientHandshake(std::string_view bytes);

// "HTTP/1.1 101 Switching Protocols" with Upgrade, Connection and Sec-WebSocket-Accept.
std::string BuildServerHandshake(std::string_view client_key);
// Checks a complete response: status 101, Upgrade: websocket, and the Accept value for the key.
Status CheckServerHandshake(std::string_view bytes, std::string_view client_key);

}  // namespace mw::websocket
