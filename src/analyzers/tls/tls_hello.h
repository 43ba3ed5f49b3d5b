// TLS ClientHello / ServerHello bodies (RFC 5246, RFC 8446) parsed from a byte span, and the
// fingerprints computed from them (JA3, JA3S, JA4).
//
// Pure functions, no state. Input is the handshake message *body* (after the 4-byte handshake
// header). Every length field is checked against its container; lists are capped (see limits) so
// a hostile hello costs bounded memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/inline_vector.h"

namespace mw::analyzers::tls {

inline constexpr uint16_t kExtServerName = 0x0000;
inline constexpr uint16_t kExtSupportedGroups = 0x000a;
inline constexpr uint16_t kExtEcPointFormats = 0x000b;
inline constexpr uint16_t kExtSignatureAlgorithms = 0x000d;
inline constexpr uint16_t kExtAlpn = 0x0010;
inline constexpr uint16_t kExtSupportedVersions = 0x002b;

inline constexpr size_t kMaxListEntries = 512;  // ciphers, extensions, groups ... each
inline constexpr size_t kMaxAlpnEntries = 16;

// GREASE values (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa.
constexpr bool IsGrease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

// The lists hold a browser's hello inline (a sensor parses one per TLS flow: allocations were
// most of the parse); longer ones go to the heap.
using U16List = InlineVector<uint16_t, 24>;

// (ResetClientHello must empty every field: keep the two in step.)
struct ClientHello {
  bool operator==(const ClientHello&) const = default;
  uint16_t legacy_version = 0;
  InlineVector<uint16_t, 32> cipher_suites;   // wire order, GREASE included
  U16List extensions;                         // extension types, wire order, GREASE included
  std::string sni;                            // host_name of server_name, "" if absent
  bool has_sni = false;
  std::vector<std::string> alpn;              // protocol names, wire order
  InlineVector<uint16_t, 8> supported_groups; // wire order, GREASE included
  InlineVector<uint8_t, 8> ec_point_formats;
  InlineVector<uint16_t, 16> signature_algorithms;  // wire order
  InlineVector<uint16_t, 8> supported_versions;     // wire order, GREASE included
};

struct ServerHello {
  uint16_t legacy_version = 0;
  uint16_t selected_version = 0;  // supported_versions if present, else legacy_version
  uint16_t cipher_suite = 0;
  InlineVector<uint16_t, 8> extensions;
  std::string alpn;               // the protocol the server chose, "" if none
};

// Why a hello was rejected; names are used as counter names.
enum class HelloError : uint8_t { kOk = 0, kTruncated, kBadLength, kTooManyEntries };
std::string_view HelloErrorName(HelloError e);

// Empties every field of `hello`, as a fresh ClientHello, but keeps the storage of its lists and
// strings: a parser fed flow after flow reuses it.
void ResetClientHello(ClientHello& hello);

// `out` is reset first (ResetClientHello); on failure it holds what was read before the error.
HelloError ParseClientHello(ByteSpan body, ClientHello& out);
HelloError ParseServerHello(ByteSpan body, ServerHello& out);

// The highest non-GREASE version the client offers (supported_versions, else legacy_version).
uint16_t ClientMaxVersion(const ClientHello& ch);

// JA3 (Salesforce): "SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats",
// decimal values joined by '-', GREASE removed. JA3S: "SSLVersion,Cipher,Extensions".
std::string Ja3String(const ClientHello& ch);
std::string Ja3sString(const ServerHello& sh);
// Lower-case hex MD5 of a JA3/JA3S string (OpenSSL EVP).
std::string Md5Hex(std::string_view s);

// JA4 (FoxIO) for TLS over TCP ("t"). See README.md for the rules and what is uncertain.
std::string Ja4(const ClientHello& ch);
// The unhashed form ("JA4_r"): section a, sorted ciphers, sorted extensions_sigalgs.
std::string Ja4Raw(const ClientHello& ch);
// Both, sharing the work.
void Ja4Both(const ClientHello& ch, std::string& ja4, std::string& ja4_raw);

}  // namespace mw::analyzers::tls
