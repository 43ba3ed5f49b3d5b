// Normal forms that feeds and queries are compared in: domain names (ASCII lower case, no
// trailing dot, Unicode labels as "xn--" punycode) and IP addresses (IPv4 held as IPv4-mapped
// IPv6 so one sorted range list serves both). Pure functions, thread-safe.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mw::intel {

inline constexpr size_t kMaxDomainLength = 253;
inline constexpr size_t kMaxLabelLength = 63;

// A normalised name in a fixed buffer, so that the lookup path does not allocate.
struct DomainBuffer {
  std::array<char, kMaxDomainLength + 1> data;
  size_t size = 0;
  std::string_view view() const { return {data.data(), size}; }
};

// Normalises `in` into `out`: one trailing dot removed, ASCII lower-cased, each non-ASCII label
// (UTF-8) replaced by "xn--" + punycode. Labels must be 1..63 bytes of [a-z0-9_-] (after
// encoding), the whole name 1..253 bytes. Returns nullptr on success, else a static reason.
const char* NormalizeDomainInto(std::string_view in, DomainBuffer* out);
// The same, allocating; the error is kInvalidArgument with the reason.
Result<std::string> NormalizeDomain(std::string_view in);
// Number of labels of a normalised name ("a.b.c" -> 3).
size_t LabelCount(std::string_view normalized);

// An IPv4 or IPv6 address; IPv4 is stored as ::ffff:a.b.c.d. Ordered as a 128-bit number.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool is_v4() const;
  static IpAddress FromV4(uint32_t host_order);
  auto operator<=>(const IpAddress&) const = default;
};

// Parses dotted IPv4 or textual IPv6 (no brackets, no zone, no port).
std::optional<IpAddress> ParseIp(std::string_view text);
// "1.2.3.4" or "2001:db8::1".
std::string FormatIp(const IpAddress& ip);

// An inclusive range of addresses, as written by a CIDR ("10.0.0.0/8") or a single address.
struct IpRange {
  IpAddress first;
  IpAddress last;
  auto operator<=>(const IpRange&) const = default;
};
// Parses "a.b.c.d", "a.b.c.d/len", "v6", "v6/len". Host bits set below the prefix are allowed
// (the range is the network containing the address), as lists are often written that way.
std::optional<IpRange> ParseCidr(std::string_view text);
bool RangeContains(const IpRange& r, const IpAddress& ip);
bool RangeCovers(const IpRange& outer, const IpRange& inner);

// A lookup key as users type it: a name or an address, optionally with a port.
// "pool.example", "pool.example:3333", "1.2.3.4", "1.2.3.4:3333", "[2001:db8::1]:443", "::1".
struct Endpoint {
  std::string host;                // normalised name when !ip
  std::optional<IpAddress> ip;
  uint16_t port = 0;               // 0: not given
};
Result<Endpoint> ParseEndpoint(std::string_view text);

// Parses a decimal port 1..65535.
std::optional<uint16_t> ParsePort(std::string_view text);

}  // namespace mw::intel
