#include "intel/normalize.h"

#include <arpa/inet.h>

#include <cstring>

#include "intel/punycode.h"

namespace mw::intel {
namespace {

bool IsLabelChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

// Lower case for the capitals of Latin-1, Greek and Cyrillic (the scripts seen in pool and
// phishing names); other scripts are left as written (no full Unicode case folding).
char32_t LowerCommonScripts(char32_t c) {
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3AB && c != 0x3A2) ||
      (c >= 0x410 && c <= 0x42F)) {
    return c + 0x20;
  }
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}

// Appends one label (ASCII lower-cased, or punycode when it holds non-ASCII bytes).
const char* AppendLabel(std::string_view label, DomainBuffer* out) {
  if (label.empty()) return "empty label";
  bool ascii = true;
  for (char c : label) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    if (label.size() > kMaxLabelLength) return "label longer than 63 bytes";
    if (out->size + label.size() > kMaxDomainLength) return "name longer than 253 bytes";
    for (char c : label) {
      const char l = LowerAscii(c);
      if (!IsLabelChar(l)) return "character not allowed in a name";
      out->data[out->size++] = l;
    }
    return nullptr;
  }
  std::array<char32_t, kMaxDomainLength> cps;
  auto count = DecodeUtf8(label, cps);
  if (!count) return "label is not valid UTF-8";
  for (size_t i = 0; i < *count; ++i) {
    if (cps[i] < 0x80) {
      const char l = LowerAscii(static_cast<char>(cps[i]));
      if (!IsLabelChar(l)) return "character not allowed in a name";
      cps[i] = static_cast<char32_t>(l);
    } else if (cps[i] == 0x3002 || cps[i] == 0xFF0E || cps[i] == 0xFF61) {
      return "ideographic full stop inside a label";
    } else {
      cps[i] = LowerCommonScripts(cps[i]);
    }
  }
  std::array<char, kMaxLabelLength + 1> encoded;
  auto len = EncodePunycode(std::span<const char32_t>(cps.data(), *count), encoded);
  if (!len || *len + 4 > kMaxLabelLength) return "label longer than 63 bytes";
  if (out->size + 4 + *len > kMaxDomainLength) return "name longer than 253 bytes";
  std::memcpy(out->data.data() + out->size, "xn--", 4);
  std::memcpy(out->data.data() + out->size + 4, encoded.data(), *len);
  out->size += 4 + *len;
  return nullptr;
}

}  // namespace

const char* NormalizeDomainInto(std::string_view in, DomainBuffer* out) {
  out->size = 0;
  if (!in.empty() && in.back() == '.') in.remove_suffix(1);
  if (in.empty()) return "empty name";
  if (in.size() > 4 * kMaxDomainLength) return "name longer than 253 bytes";
  size_t start = 0;
  while (true) {
    size_t dot = in.find('.', start);
    std::string_view label = in.substr(start, dot == std::string_view::npos ? in.npos : dot - start);
    if (const char* err = AppendLabel(label, out)) return err;
    if (dot == std::string_view::npos) break;
    if (out->size + 1 > kMaxDomainLength) return "name longer than 253 bytes";
    out->data[out->size++] = '.';
    start = dot + 1;
  }
  return nullptr;
}

Result<std::string> NormalizeDomain(std::string_view in) {
  DomainBuffer buf;
  if (const char* err = NormalizeDomainInto(in, &buf)) return Status::InvalidArgument(err);
  return std::string(buf.view());
}

size_t LabelCount(std::string_view normalized) {
  if (normalized.empty()) return 0;
  size_t n = 1;
  for (char c : normalized) n += c == '.';
  return n;
}

bool IpAddress::is_v4() const {
  static constexpr std::array<uint8_t, 12> kPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(bytes.data(), kPrefix.data(), kPrefix.size()) == 0;
}

IpAddress IpAddress::FromV4(uint32_t host_order) {
  IpAddress ip;
  ip.bytes[10] = 0xff;
  ip.bytes[11] = 0xff;
  ip.bytes[12] = uint8_t(host_order >> 24);
  ip.bytes[13] = uint8_t(host_order >> 16);
  ip.bytes[14] = uint8_t(host_order >> 8);
  ip.bytes[15] = uint8_t(host_order);
  return ip;
}

std::optional<IpAddress> ParseIp(std::string_view text) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof(buf)) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress ip;
  if (text.find(':') == std::string_view::npos) {
    // inet_pton accepts only the strict dotted-quad form; that is what feeds use.
    uint8_t v4[4];
    if (inet_pton(AF_INET, buf, v4) != 1) return std::nullopt;
    ip.bytes[10] = ip.bytes[11] = 0xff;
    std::memcpy(ip.bytes.data() + 12, v4, 4);
    return ip;
  }
  if (inet_pton(AF_INET6, buf, ip.bytes.data()) != 1) return std::nullopt;
  return ip;
}

std::string FormatIp(const IpAddress& ip) {
  char buf[INET6_ADDRSTRLEN];
  if (ip.is_v4()) {
    inet_ntop(AF_INET, ip.bytes.data() + 12, buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET6, ip.bytes.data(), buf, sizeof(buf));
  }
  return buf;
}

std::optional<IpRange> ParseCidr(std::string_view text) {
  size_t slash = text.find('/');
  auto ip = ParseIp(text.substr(0, slash));
  if (!ip) return std::nullopt;
  unsigned bits = 128;
  if (slash != std::string_view::npos) {
    std::string_view len = text.substr(slash + 1);
    if (len.empty() || len.size() > 3) return std::nullopt;
    unsigned v = 0;
    for (char c : len) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + unsigned(c - '0');
    }
    const bool v4 = text.find(':') == std::string_view::npos;
    if (v > (v4 ? 32u : 128u)) return std::nullopt;
    bits = v4 ? v + 96 : v;
  }
  IpRange r{*ip, *ip};
  for (unsigned i = bits; i < 128; ++i) {
    const uint8_t mask = uint8_t(0x80u >> (i % 8));
    r.first.bytes[i / 8] &= uint8_t(~mask);
    r.last.bytes[i / 8] |= mask;
  }
  return r;
}

bool RangeContains(const IpRange& r, const IpAddress& ip) { return r.first <= ip && ip <= r.last; }

bool RangeCovers(const IpRange& outer, const IpRange& inner) {
  return outer.first <= inner.first && inner.last <= outer.last;
}

std::optional<uint16_t> ParsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  uint32_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + uint32_t(c - '0');
  }
  if (v == 0 || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

Result<Endpoint> ParseEndpoint(std::string_view text) {
  Endpoint ep;
  std::string_view host = text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("missing ']' in address");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Status::InvalidArgument("expected ':PORT' after ']'");
      auto port = ParsePort(rest.substr(1));
      if (!port) return Status::InvalidArgument("port must be 1..65535");
      ep.port = *port;
    }
    ep.ip = ParseIp(host);
    if (!ep.ip) return Status::InvalidArgument("not an IPv6 address inside [...]");
    return ep;
  }
  const size_t first_colon = text.find(':');
  if (first_colon != std::string_view::npos && text.find(':', first_colon + 1) == text.npos) {
    auto port = ParsePort(text.substr(first_colon + 1));
    if (!port) return Status::InvalidArgument("port must be 1..65535");
    ep.port = *port;
    host = text.substr(0, first_colon);
  }
  ep.ip = ParseIp(host);
  if (ep.ip) return ep;
  if (host.find(':') != std::string_view::npos) return Status::InvalidArgument("bad IPv6 address");
  MW_ASSIGN_OR_RETURN(ep.host, NormalizeDomain(host));
  return ep;
}

}  // namespace mw::intel
