// The server certificate of a TLS <= 1.2 handshake (TLS 1.3 encrypts it), parsed with OpenSSL.
//
// Pure functions. Only the first (leaf) certificate of a Certificate message is decoded; the
// rest of the chain is counted. Strings are bounded (kMaxNameChars).
//
// Speed: OpenSSL 3 decodes a certificate's public key through its provider decoders, which
// costs about 100 us per certificate (measured on this project's build machine: 103 us for a
// P-256 leaf, 25 times what the sensor spends on a whole TLS flow otherwise). A sensor cannot
// pay that for every TLS 1.2 connection. So ParseCertificateDer locates the outer fields
// itself and has OpenSSL decode only the names and the validity times; the whole certificate
// is decoded (DecodeCertificateFully) only when its subject equals its issuer, where the key is
// needed to tell self-signed. The price: a certificate that is not self-issued and is broken
// only in its key, extensions or signature is accepted, where OpenSSL would refuse it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace mw::analyzers::tls {

inline constexpr size_t kMaxNameChars = 512;

struct CertificateInfo {
  std::string subject;     // RFC 2253 form, e.g. "CN=pool.test,O=Example"
  std::string subject_cn;  // the last commonName, "" if none
  std::string issuer;      // RFC 2253 form
  bool self_issued = false;  // subject == issuer (and OpenSSL's X509_check_issued agrees)
  bool self_signed = false;  // self-issued and the signature verifies with the cert's own key
  // Subject equals issuer, but the whole decode that checks it was skipped (SelfIssued::kAssume):
  // self_issued and self_signed are then assumed true, not checked.
  bool self_signed_assumed = false;
  int64_t not_before = 0;    // Unix seconds
  int64_t not_after = 0;
  size_t chain_length = 0;   // certificates in the message
  size_t der_size = 0;       // bytes of the leaf certificate
};

enum class CertError : uint8_t { kOk = 0, kTruncated, kBadLength, kEmptyChain, kBadDer };
std::string_view CertErrorName(CertError e);

// What ParseCertificateDer does with a certificate whose subject equals its issuer: decode it
// whole to check issuer and signature (about 190 us), or assume it self-signed (a caller
// bounding that cost; see CertificateCache).
enum class SelfIssued : uint8_t { kCheck, kAssume };

// Decodes one DER certificate (the fast way above). `decoded_whole` (optional) tells whether
// it took the whole decode.
CertError ParseCertificateDer(ByteSpan der, CertificateInfo& out,
                              SelfIssued self_issued = SelfIssued::kCheck,
                              bool* decoded_whole = nullptr);
// Decodes one DER certificate wholly with OpenSSL (d2i_X509): the slow reference the fast way
// is tested against, and what it falls back to for self-issued certificates.
CertError DecodeCertificateFully(ByteSpan der, CertificateInfo& out);
class CertificateCache;  // certificate_cache.h

// Decodes a TLS 1.0-1.2 Certificate handshake body: U24 list length, then U24-prefixed DER
// certificates; the leaf is decoded (through `cache` when given), the rest counted.
CertError ParseCertificateMessage(ByteSpan body, CertificateInfo& out,
                                  CertificateCache* cache = nullptr);

}  // namespace mw::analyzers::tls
