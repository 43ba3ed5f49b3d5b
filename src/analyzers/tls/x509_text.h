// Certificate names and times read by hand, for the common cases only, giving exactly what
// OpenSSL gives for them (tls_certificate.cc falls back to OpenSSL for everything else).
//
// Why: OpenSSL decodes a name into objects, canonicalises it, and prints it through a BIO; for a
// sensor that reads every TLS 1.2 server's certificate, that was most of the cost of a flow.
// Tested against OpenSSL on many names and times (tls_test.cc), and fuzzed against it.
//
// Pure functions, no allocation beyond the output strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.h"

namespace mw::analyzers::tls {

// The DER tags certificates are read by.
namespace der {
inline constexpr uint8_t kInteger = 0x02, kBitString = 0x03, kOid = 0x06, kUtf8String = 0x0c,
                         kPrintableString = 0x13, kIa5String = 0x16, kUtcTime = 0x17,
                         kGeneralizedTime = 0x18, kVisibleString = 0x1a, kSequence = 0x30,
                         kSet = 0x31, kContext0 = 0xa0;
}  // namespace der

// One DER element: its tag, its contents, and its whole encoding (tag and length included).
struct DerElement {
  uint8_t tag = 0;
  ByteSpan contents;
  ByteSpan whole;
};

// Reads the element at the start of `in` and moves `in` past it: single-byte tags, definite
// lengths of at most four length bytes (all a certificate's outer fields and names need).
// False, `in` unchanged, when `in` does not start with such an element.
bool ReadDerElement(ByteSpan& in, DerElement& out);
// The same, and the element must have `tag`.
bool ReadDerElement(ByteSpan& in, uint8_t tag, DerElement& out);

// A Name (RFC 5280 4.1.2.4) whose every RDN holds one attribute of a well-known type (CN, O,
// OU, C, L, ST, emailAddress, DC, ...) with an ASCII UTF8String, PrintableString, IA5String or
// VisibleString value: the common case. Up to kMaxRdns RDNs.
class SimpleName {
 public:
  static constexpr size_t kMaxRdns = 16;

  // `der`: the whole Name (its SEQUENCE). nullopt when the name is not simple (or not DER).
  static std::optional<SimpleName> Read(ByteSpan der);

  // As X509_NAME_print_ex(..., XN_FLAG_RFC2253) prints it: last RDN first, "type=value"
  // joined by commas, RFC 2253 escapes, control characters as \XX.
  std::string Rfc2253() const;
  // The value of the last commonName ("" if none), as ASN1_STRING_to_UTF8 gives it.
  std::string CommonName() const;
  // Equal as X509_NAME_cmp sees names: types equal, values equal once spaces at the ends are
  // dropped, inner runs of white space made one space, and ASCII letters lower-cased.
  bool CanonicallyEqual(const SimpleName& other) const;

 private:
  struct Attribute {
    const char* short_name = nullptr;  // OpenSSL's short name of the type
    ByteSpan oid;
    ByteSpan value;
  };
  Attribute rdns_[kMaxRdns];
  size_t count_ = 0;
};

// A DER UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ) element, as Unix seconds;
// nullopt for any other form or an impossible date (left to OpenSSL).
std::optional<int64_t> ReadDerTime(ByteSpan der);

}  // namespace mw::analyzers::tls
