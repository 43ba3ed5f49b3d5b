#include "analyzers/tls/x509_text.h"

#include <cstring>
#include <string_view>

namespace mw::analyzers::tls {
namespace {

struct KnownType {
  const char* short_name;
  std::string_view oid;  // contents of the OBJECT IDENTIFIER
};

// OpenSSL's short names for the attribute types certificates commonly carry.
constexpr KnownType kKnownTypes[] = {
    {"CN", "\x55\x04\x03"},
    {"C", "\x55\x04\x06"},
    {"L", "\x55\x04\x07"},
    {"ST", "\x55\x04\x08"},
    {"O", "\x55\x04\x0a"},
    {"OU", "\x55\x04\x0b"},
    {"emailAddress", "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x01"},
    {"serialNumber", "\x55\x04\x05"},
    {"street", "\x55\x04\x09"},
    {"DC", "\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x19"},
    {"UID", "\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x01"},
    {"title", "\x55\x04\x0c"},
    {"SN", "\x55\x04\x04"},
    {"GN", "\x55\x04\x2a"},
    {"initials", "\x55\x04\x2b"},
    {"generationQualifier", "\x55\x04\x2c"},
    {"dnQualifier", "\x55\x04\x2e"},
    {"postalCode", "\x55\x04\x11"},
    {"businessCategory", "\x55\x04\x0f"},
    {"pseudonym", "\x55\x04\x41"},
    {"organizationIdentifier", "\x55\x04\x61"},
    {"jurisdictionC", "\x2b\x06\x01\x04\x01\x82\x37\x3c\x02\x01\x03"},
    {"jurisdictionST", "\x2b\x06\x01\x04\x01\x82\x37\x3c\x02\x01\x02"},
    {"jurisdictionL", "\x2b\x06\x01\x04\x01\x82\x37\x3c\x02\x01\x01"},
    {"description", "\x55\x04\x0d"},
};

using namespace der;  // NOLINT: the tags, in this file only
constexpr size_t kMaxTextChars = 512;  // tls_certificate.h's kMaxNameChars

bool ReadElement(ByteSpan& in, uint8_t tag, ByteSpan& contents) {
  DerElement e;
  if (!ReadDerElement(in, tag, e)) return false;
  contents = e.contents;
  return true;
}

const char* ShortNameOf(ByteSpan oid) {
  const std::string_view o(reinterpret_cast<const char*>(oid.data()), oid.size());
  for (const KnownType& t : kKnownTypes) {
    if (t.oid == o) return t.short_name;
  }
  return nullptr;
}

bool IsSpace(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
uint8_t Lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? uint8_t(c + 32) : c; }

// The value as X509_NAME_cmp's canonical form has it, one byte at a time.
class CanonicalReader {
 public:
  explicit CanonicalReader(ByteSpan v) {
    size_t b = 0, e = v.size();
    while (b < e && IsSpace(v[b])) ++b;
    while (e > b && IsSpace(v[e - 1])) --e;
    v_ = v.subspan(b, e - b);
  }
  // Next byte, or -1 at the end.
  int Next() {
    if (i_ >= v_.size()) return -1;
    if (IsSpace(v_[i_])) {
      while (i_ < v_.size() && IsSpace(v_[i_])) ++i_;
      return ' ';
    }
    return Lower(v_[i_++]);
  }

 private:
  ByteSpan v_;
  size_t i_ = 0;
};

bool CanonicalEqual(ByteSpan a, ByteSpan b) {
  CanonicalReader ra(a), rb(b);
  while (true) {
    const int x = ra.Next(), y = rb.Next();
    if (x != y) return false;
    if (x < 0) return true;
  }
}

void AppendEscaped(std::string& out, ByteSpan v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < v.size(); ++i) {
    const uint8_t c = v[i];
    if (c < 0x20 || c == 0x7f) {
      out += '\\';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else if (c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' ||
               c == ';' ||
               // (OpenSSL treats a one-character value as last, not first.)
               (i == 0 && v.size() > 1 && (c == '#' || c == ' ')) ||
               (i + 1 == v.size() && c == ' ')) {
      out += '\\';
      out += char(c);
    } else {
      out += char(c);
    }
  }
}

// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

bool ReadDerElement(ByteSpan& in, DerElement& out) {
  if (in.size() < 2 || (in[0] & 0x1f) == 0x1f) return false;
  size_t len = in[1];
  size_t header = 2;
  if (len & 0x80) {
    const size_t n = len & 0x7f;
    if (n == 0 || n > 4 || in.size() < 2 + n) return false;
    len = 0;
    for (size_t i = 0; i < n; ++i) len = len << 8 | in[2 + i];
    header += n;
  }
  if (len > in.size() - header) return false;
  out.tag = in[0];
  out.contents = in.subspan(header, len);
  out.whole = in.first(header + len);
  in = in.subspan(header + len);
  return true;
}

bool ReadDerElement(ByteSpan& in, uint8_t tag, DerElement& out) {
  if (in.empty() || in[0] != tag) return false;
  return ReadDerElement(in, out);
}

std::optional<SimpleName> SimpleName::Read(ByteSpan der) {
  ByteSpan in = der, rdns;
  if (!ReadElement(in, kSequence, rdns)) return std::nullopt;
  SimpleName name;
  while (!rdns.empty()) {
    ByteSpan set, ava, oid;
    if (name.count_ == kMaxRdns || !ReadElement(rdns, kSet, set) ||
        !ReadElement(set, kSequence, ava) || !set.empty() || !ReadElement(ava, kOid, oid)) {
      return std::nullopt;
    }
    const char* sn = ShortNameOf(oid);
    if (sn == nullptr || ava.empty()) return std::nullopt;
    const uint8_t tag = ava[0];
    if (tag != kUtf8String && tag != kPrintableString && tag != kIa5String &&
        tag != kVisibleString) {
      return std::nullopt;
    }
    ByteSpan value;
    if (!ReadElement(ava, tag, value) || !ava.empty()) return std::nullopt;
    for (uint8_t c : value) {
      if (c >= 0x80) return std::nullopt;
    }
    name.rdns_[name.count_++] = {sn, oid, value};
  }
  return name;
}

std::string SimpleName::Rfc2253() const {
  std::string out;
  for (size_t i = count_; i-- > 0;) {
    if (i + 1 != count_) out += ',';
    out += rdns_[i].short_name;
    out += '=';
    AppendEscaped(out, rdns_[i].value);
  }
  if (out.size() > kMaxTextChars) out.resize(kMaxTextChars);
  return out;
}

std::string SimpleName::CommonName() const {
  for (size_t i = count_; i-- > 0;) {
    if (std::strcmp(rdns_[i].short_name, "CN") == 0) {
      const ByteSpan v = rdns_[i].value;
      return std::string(reinterpret_cast<const char*>(v.data()), std::min(v.size(), kMaxTextChars));
    }
  }
  return "";
}

bool SimpleName::CanonicallyEqual(const SimpleName& other) const {
  if (count_ != other.count_) return false;
  for (size_t i = 0; i < count_; ++i) {
    if (rdns_[i].short_name != other.rdns_[i].short_name ||
        !CanonicalEqual(rdns_[i].value, other.rdns_[i].value)) {
      return false;
    }
  }
  return true;
}

std::optional<int64_t> ReadDerTime(ByteSpan der) {
  if (der.size() < 2) return std::nullopt;
  const uint8_t tag = der[0];
  ByteSpan in = der, t;
  if ((tag != kUtcTime && tag != kGeneralizedTime) || !ReadElement(in, tag, t)) return std::nullopt;
  const size_t year_digits = tag == kUtcTime ? 2 : 4;
  if (t.size() != year_digits + 11 || t.back() != 'Z') return std::nullopt;
  int64_t f[6] = {};  // year, month, day, hour, minute, second
  size_t pos = 0;
  for (int k = 0; k < 6; ++k) {
    const size_t n = k == 0 ? year_digits : 2;
    for (size_t j = 0; j < n; ++j, ++pos) {
      if (t[pos] < '0' || t[pos] > '9') return std::nullopt;
      f[k] = f[k] * 10 + (t[pos] - '0');
    }
  }
  if (tag == kUtcTime) f[0] += f[0] >= 50 ? 1900 : 2000;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (f[0] % 4 == 0 && f[0] % 100 != 0) || f[0] % 400 == 0;
  if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > kDays[f[1] - 1] ||
      (f[1] == 2 && f[2] == 29 && !leap) || f[3] > 23 || f[4] > 59 || f[5] > 59) {
    return std::nullopt;
  }
  return DaysFromCivil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 + f[4] * 60 + f[5];
}

}  // namespace mw::analyzers::tls
