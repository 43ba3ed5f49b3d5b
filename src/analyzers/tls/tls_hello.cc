#include "analyzers/tls/tls_hello.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>

namespace mw::analyzers::tls {
namespace {

// A bounds-checked cursor over a span; every read reports failure instead of overrunning.
class Reader {
 public:
  explicit Reader(ByteSpan b) : b_(b) {}
  bool U8(uint8_t& v) {
    if (left() < 1) return false;
    v = b_[pos_++];
    return true;
  }
  bool U16(uint16_t& v) {
    if (left() < 2) return false;
    v = ReadBE16(b_.data() + pos_);
    pos_ += 2;
    return true;
  }
  bool Bytes(size_t n, ByteSpan& out) {
    if (left() < n) return false;
    out = b_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool Skip(size_t n) {
    if (left() < n) return false;
    pos_ += n;
    return true;
  }
  size_t left() const { return b_.size() - pos_; }

 private:
  ByteSpan b_;
  size_t pos_ = 0;
};

template <class List>
HelloError ReadU16List(ByteSpan data, size_t len_bytes, List& out) {
  Reader r(data);
  size_t len = 0;
  if (len_bytes == 1) {
    uint8_t l = 0;
    if (!r.U8(l)) return HelloError::kTruncated;
    len = l;
  } else {
    uint16_t l = 0;
    if (!r.U16(l)) return HelloError::kTruncated;
    len = l;
  }
  if (len % 2 != 0 || len > r.left()) return HelloError::kBadLength;
  if (len / 2 > kMaxListEntries) return HelloError::kTooManyEntries;
  out.resize(len / 2);  // one allocation (they were grown entry by entry)
  for (size_t i = 0; i < len / 2; ++i) r.U16(out[i]);
  return HelloError::kOk;
}

// Calls `f` with each protocol name of an ALPN extension's list, in order (at most
// kMaxAlpnEntries of them).
template <class F>
HelloError ForEachAlpnName(ByteSpan data, F&& f) {
  Reader r(data);
  uint16_t len = 0;
  if (!r.U16(len)) return HelloError::kTruncated;
  if (len > r.left()) return HelloError::kBadLength;
  Reader list(data.subspan(2, len));
  size_t count = 0;
  while (list.left() > 0) {
    uint8_t n = 0;
    ByteSpan name;
    if (!list.U8(n) || !list.Bytes(n, name)) return HelloError::kBadLength;
    if (count++ >= kMaxAlpnEntries) return HelloError::kTooManyEntries;
    f(AsString(name));
  }
  return HelloError::kOk;
}

HelloError ParseAlpnList(ByteSpan data, std::vector<std::string>& out) {
  return ForEachAlpnName(data, [&](std::string_view name) { out.emplace_back(name); });
}

HelloError ParseSni(ByteSpan data, ClientHello& out) {
  Reader r(data);
  uint16_t len = 0;
  if (!r.U16(len)) return HelloError::kTruncated;
  if (len > r.left()) return HelloError::kBadLength;
  Reader list(data.subspan(2, len));
  while (list.left() > 0) {
    uint8_t type = 0;
    uint16_t n = 0;
    ByteSpan name;
    if (!list.U8(type) || !list.U16(n) || !list.Bytes(n, name)) return HelloError::kBadLength;
    if (type == 0 && !out.has_sni) {
      out.has_sni = true;
      out.sni.assign(AsString(name).substr(0, 255));
    }
  }
  return HelloError::kOk;
}

// Reads the extensions block (U16 length + entries) and calls `each(type, data)` per entry.
template <typename List, typename Fn>
HelloError ForEachExtension(Reader& r, List& types, Fn each) {
  if (r.left() == 0) return HelloError::kOk;  // extensions are optional before TLS 1.2
  uint16_t total = 0;
  ByteSpan block;
  if (!r.U16(total)) return HelloError::kTruncated;
  if (!r.Bytes(total, block)) return HelloError::kBadLength;
  Reader e(block);
  while (e.left() > 0) {
    uint16_t type = 0, len = 0;
    ByteSpan data;
    if (!e.U16(type) || !e.U16(len) || !e.Bytes(len, data)) return HelloError::kBadLength;
    if (types.size() >= kMaxListEntries) return HelloError::kTooManyEntries;
    types.push_back(type);
    HelloError err = each(type, data);
    if (err != HelloError::kOk) return err;
  }
  return HelloError::kOk;
}

// Fingerprint strings are built for every ClientHello and ServerHello a sensor sees: formatted
// by hand (snprintf and std::to_string were most of their cost).
constexpr char kHexDigits[] = "0123456789abcdef";

void AppendDecimal(std::string& s, unsigned v) {
  char buf[12];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

template <class List>
void AppendDecimalList(std::string& s, const List& v) {
  bool first = true;
  for (uint16_t x : v) {
    if (IsGrease(x)) continue;
    if (!first) s.push_back('-');
    first = false;
    AppendDecimal(s, x);
  }
}

void AppendHex4(std::string& s, uint16_t v) {
  const char buf[4] = {kHexDigits[v >> 12], kHexDigits[(v >> 8) & 0xf], kHexDigits[(v >> 4) & 0xf],
                       kHexDigits[v & 0xf]};
  s.append(buf, 4);
}

template <class List>
void AppendHexList(std::string& s, const List& v) {
  s.reserve(s.size() + v.size() * 5);
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) s.push_back(',');
    AppendHex4(s, v[i]);
  }
}

// One digest with an algorithm fetched once per process (OpenSSL 3 otherwise looks the algorithm
// up on every call). `out` holds EVP_MAX_MD_SIZE bytes; returns the digest's length, 0 on error.
unsigned Digest(const EVP_MD* md, std::string_view s, unsigned char* out) {
  unsigned n = 0;
  if (md == nullptr || EVP_Digest(s.data(), s.size(), out, &n, md, nullptr) != 1) return 0;
  return n;
}

const EVP_MD* Sha256() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

const EVP_MD* Md5() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md;
}

// The first 12 hex digits of the SHA-256 of `s`.
void AppendSha256Hex12(std::string& out, std::string_view s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  if (Digest(Sha256(), s, md) < 6) return;
  for (int i = 0; i < 6; ++i) {
    out.push_back(kHexDigits[md[i] >> 4]);
    out.push_back(kHexDigits[md[i] & 0xf]);
  }
}

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

std::string_view HelloErrorName(HelloError e) {
  switch (e) {
    case HelloError::kOk: return "ok";
    case HelloError::kTruncated: return "hello_truncated";
    case HelloError::kBadLength: return "hello_bad_length";
    case HelloError::kTooManyEntries: return "hello_too_many_entries";
  }
  return "unknown";
}

void ResetClientHello(ClientHello& hello) {
  hello.legacy_version = 0;
  hello.cipher_suites.clear();
  hello.extensions.clear();
  hello.sni.clear();
  hello.has_sni = false;
  hello.alpn.clear();
  hello.supported_groups.clear();
  hello.ec_point_formats.clear();
  hello.signature_algorithms.clear();
  hello.supported_versions.clear();
}

HelloError ParseClientHello(ByteSpan body, ClientHello& out) {
  ResetClientHello(out);
  Reader r(body);
  uint8_t sid_len = 0, comp_len = 0;
  uint16_t cs_len = 0;
  if (!r.U16(out.legacy_version) || !r.Skip(32) || !r.U8(sid_len)) return HelloError::kTruncated;
  if (sid_len > 32 || !r.Skip(sid_len)) return HelloError::kBadLength;
  if (!r.U16(cs_len)) return HelloError::kTruncated;
  if (cs_len % 2 != 0 || cs_len > r.left()) return HelloError::kBadLength;
  if (cs_len / 2 > kMaxListEntries) return HelloError::kTooManyEntries;
  out.cipher_suites.resize(cs_len / 2);
  for (uint16_t& c : out.cipher_suites) r.U16(c);
  if (!r.U8(comp_len)) return HelloError::kTruncated;
  if (!r.Skip(comp_len)) return HelloError::kBadLength;
  return ForEachExtension(r, out.extensions, [&](uint16_t type, ByteSpan data) {
    switch (type) {
      case kExtServerName: return ParseSni(data, out);
      case kExtAlpn: return ParseAlpnList(data, out.alpn);
      case kExtSupportedGroups: return ReadU16List(data, 2, out.supported_groups);
      case kExtSignatureAlgorithms: return ReadU16List(data, 2, out.signature_algorithms);
      case kExtSupportedVersions: return ReadU16List(data, 1, out.supported_versions);
      case kExtEcPointFormats: {
        if (data.empty() || size_t(data[0]) + 1 > data.size()) return HelloError::kBadLength;
        out.ec_point_formats.assign(data.begin() + 1, data.begin() + 1 + data[0]);
        return HelloError::kOk;
      }
      default: return HelloError::kOk;
    }
  });
}

HelloError ParseServerHello(ByteSpan body, ServerHello& out) {
  out = ServerHello{};
  Reader r(body);
  uint8_t sid_len = 0, comp = 0;
  if (!r.U16(out.legacy_version) || !r.Skip(32) || !r.U8(sid_len)) return HelloError::kTruncated;
  if (sid_len > 32 || !r.Skip(sid_len)) return HelloError::kBadLength;
  if (!r.U16(out.cipher_suite) || !r.U8(comp)) return HelloError::kTruncated;
  out.selected_version = out.legacy_version;
  return ForEachExtension(r, out.extensions, [&](uint16_t type, ByteSpan data) {
    if (type == kExtSupportedVersions) {
      if (data.size() != 2) return HelloError::kBadLength;
      out.selected_version = ReadBE16(data.data());
    } else if (type == kExtAlpn) {
      bool first = true;  // the server's choice: the first name (there should be one)
      return ForEachAlpnName(data, [&](std::string_view name) {
        if (first) out.alpn.assign(name);
        first = false;
      });
    }
    return HelloError::kOk;
  });
}

uint16_t ClientMaxVersion(const ClientHello& ch) {
  uint16_t best = 0;
  for (uint16_t v : ch.supported_versions) {
    if (!IsGrease(v)) best = std::max(best, v);
  }
  return best ? best : ch.legacy_version;
}

std::string Ja3String(const ClientHello& ch) {
  std::string s;
  s.reserve(160);
  AppendDecimal(s, ch.legacy_version);
  s.push_back(',');
  AppendDecimalList(s, ch.cipher_suites);
  s.push_back(',');
  AppendDecimalList(s, ch.extensions);
  s.push_back(',');
  AppendDecimalList(s, ch.supported_groups);
  s.push_back(',');
  for (size_t i = 0; i < ch.ec_point_formats.size(); ++i) {
    if (i) s.push_back('-');
    AppendDecimal(s, ch.ec_point_formats[i]);
  }
  return s;
}

std::string Ja3sString(const ServerHello& sh) {
  std::string s;
  AppendDecimal(s, sh.legacy_version);
  s.push_back(',');
  AppendDecimal(s, sh.cipher_suite);
  s.push_back(',');
  AppendDecimalList(s, sh.extensions);
  return s;
}

std::string Md5Hex(std::string_view s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  const unsigned n = Digest(Md5(), s, md);
  return ToHex(ByteSpan(md, n));
}

namespace {

struct Ja4Parts {
  std::string a, ciphers, exts_sigs;
};

Ja4Parts MakeJa4Parts(const ClientHello& ch) {
  Ja4Parts p;
  std::vector<uint16_t> ciphers, exts;
  for (uint16_t c : ch.cipher_suites) {
    if (!IsGrease(c)) ciphers.push_back(c);
  }
  size_t ext_count = 0;
  for (uint16_t e : ch.extensions) {
    if (IsGrease(e)) continue;
    ++ext_count;
    if (e != kExtServerName && e != kExtAlpn) exts.push_back(e);
  }
  std::sort(ciphers.begin(), ciphers.end());
  std::sort(exts.begin(), exts.end());

  const char* version = "00";
  switch (ClientMaxVersion(ch)) {
    case 0x0304: version = "13"; break;
    case 0x0303: version = "12"; break;
    case 0x0302: version = "11"; break;
    case 0x0301: version = "10"; break;
    case 0x0300: version = "s3"; break;
    case 0x0002: version = "s2"; break;
    default: break;
  }
  char alpn[2] = {'0', '0'};
  if (!ch.alpn.empty() && !ch.alpn.front().empty()) {
    const std::string& v = ch.alpn.front();
    if (IsAlnum(v.front()) && IsAlnum(v.back())) {
      alpn[0] = v.front();
      alpn[1] = v.back();
    } else {
      const std::string hex = ToHex(AsBytes(v));
      alpn[0] = hex.front();
      alpn[1] = hex.back();
    }
  }
  std::string& a = p.a;
  a.push_back('t');
  a += version;
  a.push_back(ch.has_sni ? 'd' : 'i');
  for (const size_t n : {std::min<size_t>(ciphers.size(), 99), std::min<size_t>(ext_count, 99)}) {
    a.push_back(char('0' + n / 10));
    a.push_back(char('0' + n % 10));
  }
  a.push_back(alpn[0]);
  a.push_back(alpn[1]);
  AppendHexList(p.ciphers, ciphers);
  AppendHexList(p.exts_sigs, exts);
  std::vector<uint16_t> sigs;
  for (uint16_t s : ch.signature_algorithms) {
    if (!IsGrease(s)) sigs.push_back(s);
  }
  if (!sigs.empty()) {
    p.exts_sigs.push_back('_');
    AppendHexList(p.exts_sigs, sigs);
  }
  return p;
}

std::string Ja4FromParts(const Ja4Parts& p) {
  std::string s = p.a;
  s.push_back('_');
  if (p.ciphers.empty()) s += "000000000000"; else AppendSha256Hex12(s, p.ciphers);
  s.push_back('_');
  if (p.exts_sigs.empty()) s += "000000000000"; else AppendSha256Hex12(s, p.exts_sigs);
  return s;
}

std::string Ja4RawFromParts(const Ja4Parts& p) {
  std::string s = p.a;
  s.push_back('_');
  s += p.ciphers;
  s.push_back('_');
  s += p.exts_sigs;
  return s;
}

}  // namespace

std::string Ja4(const ClientHello& ch) { return Ja4FromParts(MakeJa4Parts(ch)); }

std::string Ja4Raw(const ClientHello& ch) { return Ja4RawFromParts(MakeJa4Parts(ch)); }

void Ja4Both(const ClientHello& ch, std::string& ja4, std::string& ja4_raw) {
  const Ja4Parts p = MakeJa4Parts(ch);
  ja4 = Ja4FromParts(p);
  ja4_raw = Ja4RawFromParts(p);
}

}  // namespace mw::analyzers::tls
