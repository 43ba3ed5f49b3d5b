#include "analyzers/tls/tls_certificate.h"

#include "analyzers/tls/certificate_cache.h"
#include "analyzers/tls/x509_text.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <optional>
#include <utility>

namespace mw::analyzers::tls {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct NameFree {
  void operator()(X509_NAME* n) const { X509_NAME_free(n); }
};
struct TimeFree {
  void operator()(ASN1_TIME* t) const { ASN1_TIME_free(t); }
};

uint32_t ReadBE24(const uint8_t* p) { return uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2]; }

std::string NameToString(const X509_NAME* name) {
  if (name == nullptr) return "";
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio) return "";
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return "";
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  if (n <= 0 || data == nullptr) return "";
  return std::string(data, std::min<size_t>(size_t(n), kMaxNameChars));
}

std::string CommonName(const X509_NAME* name) {
  if (name == nullptr) return "";
  int idx = -1, last = -1;
  while ((idx = X509_NAME_get_index_by_NID(name, NID_commonName, idx)) >= 0) last = idx;
  if (last < 0) return "";
  const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, last);
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(e);
  if (s == nullptr) return "";
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, s);
  if (n < 0 || utf8 == nullptr) return "";
  std::string out(reinterpret_cast<char*>(utf8), std::min<size_t>(size_t(n), kMaxNameChars));
  OPENSSL_free(utf8);
  return out;
}

int64_t ToUnix(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return int64_t(timegm(&tm));
}

using der::kBitString, der::kGeneralizedTime, der::kInteger, der::kSequence, der::kUtcTime;
constexpr uint8_t kVersionTag = der::kContext0;  // tbsCertificate's [0] EXPLICIT version

// The outer fields of a certificate (RFC 5280 section 4.1), located without decoding them.
struct CertificateFields {
  DerElement certificate, issuer, subject, not_before, not_after;
};

bool LocateFields(ByteSpan der, CertificateFields& f) {
  ByteSpan in = der;
  if (!ReadDerElement(in, kSequence, f.certificate)) return false;
  ByteSpan cert = f.certificate.contents;
  DerElement tbs, e;
  if (!ReadDerElement(cert, kSequence, tbs)) return false;
  if (!ReadDerElement(cert, kSequence, e) || !ReadDerElement(cert, kBitString, e)) return false;
  ByteSpan t = tbs.contents;
  if (!ReadDerElement(t, e)) return false;
  if (e.tag == kVersionTag && !ReadDerElement(t, e)) return false;
  if (e.tag != kInteger) return false;  // serialNumber
  DerElement validity;
  if (!ReadDerElement(t, kSequence, e) || !ReadDerElement(t, kSequence, f.issuer) ||
      !ReadDerElement(t, kSequence, validity) || !ReadDerElement(t, kSequence, f.subject)) {
    return false;
  }
  ByteSpan v = validity.contents;
  auto time = [&](DerElement& out) {
    return ReadDerElement(v, out) && (out.tag == kUtcTime || out.tag == kGeneralizedTime);
  };
  return time(f.not_before) && time(f.not_after);
}

std::unique_ptr<X509_NAME, NameFree> DecodeName(const DerElement& e) {
  const unsigned char* p = e.whole.data();
  return std::unique_ptr<X509_NAME, NameFree>(d2i_X509_NAME(nullptr, &p, long(e.whole.size())));
}

std::unique_ptr<ASN1_TIME, TimeFree> DecodeTime(const DerElement& e) {
  const unsigned char* p = e.whole.data();
  return std::unique_ptr<ASN1_TIME, TimeFree>(d2i_ASN1_TIME(nullptr, &p, long(e.whole.size())));
}

}  // namespace

std::string_view CertErrorName(CertError e) {
  switch (e) {
    case CertError::kOk: return "ok";
    case CertError::kTruncated: return "certificate_truncated";
    case CertError::kBadLength: return "certificate_bad_length";
    case CertError::kEmptyChain: return "certificate_empty_chain";
    case CertError::kBadDer: return "certificate_bad_der";
  }
  return "unknown";
}

CertError DecodeCertificateFully(ByteSpan der, CertificateInfo& out) {
  out = CertificateInfo{};
  const unsigned char* p = der.data();
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, long(der.size())));
  if (!cert) return CertError::kBadDer;
  out.der_size = der.size();
  const X509_NAME* subject = X509_get_subject_name(cert.get());
  const X509_NAME* issuer = X509_get_issuer_name(cert.get());
  out.subject = NameToString(subject);
  out.issuer = NameToString(issuer);
  out.subject_cn = CommonName(subject);
  out.self_issued = X509_NAME_cmp(subject, issuer) == 0 &&
                    X509_check_issued(cert.get(), cert.get()) == X509_V_OK;
  if (out.self_issued) {
    EVP_PKEY* key = X509_get0_pubkey(cert.get());  // owned by the certificate
    out.self_signed = key != nullptr && X509_verify(cert.get(), key) == 1;
  }
  out.not_before = ToUnix(X509_get0_notBefore(cert.get()));
  out.not_after = ToUnix(X509_get0_notAfter(cert.get()));
  return CertError::kOk;
}

CertError ParseCertificateDer(ByteSpan der, CertificateInfo& out, SelfIssued self_issued,
                              bool* decoded_whole) {
  out = CertificateInfo{};
  if (decoded_whole != nullptr) *decoded_whole = false;
  CertificateFields f;
  if (!LocateFields(der, f)) return CertError::kBadDer;
  // The common case read by hand (x509_text.h); anything else decoded by OpenSSL.
  const std::optional<SimpleName> subject = SimpleName::Read(f.subject.whole);
  const std::optional<SimpleName> issuer = SimpleName::Read(f.issuer.whole);
  // Comparing a hand-read name with one OpenSSL decoded needs both decoded by OpenSSL.
  const bool both_simple = subject && issuer;
  std::unique_ptr<X509_NAME, NameFree> subject_obj, issuer_obj;
  if (!both_simple) {
    subject_obj = DecodeName(f.subject);
    issuer_obj = DecodeName(f.issuer);
    if (!subject_obj || !issuer_obj) return CertError::kBadDer;
  }
  const bool names_equal = both_simple
                               ? subject->CanonicallyEqual(*issuer)
                               : X509_NAME_cmp(subject_obj.get(), issuer_obj.get()) == 0;
  // Subject equal to issuer: a candidate for self-signed, decided on the whole certificate
  // (issuer checks and the signature need its key). Rare on the web, common at pools.
  if (names_equal && self_issued == SelfIssued::kCheck) {
    if (decoded_whole != nullptr) *decoded_whole = true;
    return DecodeCertificateFully(der, out);
  }
  out.self_issued = out.self_signed = out.self_signed_assumed = names_equal;
  for (auto [element, field] : {std::pair{&f.not_before, &out.not_before},
                                std::pair{&f.not_after, &out.not_after}}) {
    if (const std::optional<int64_t> t = ReadDerTime(element->whole)) {
      *field = *t;
    } else {
      const auto time = DecodeTime(*element);
      if (!time) return CertError::kBadDer;
      *field = ToUnix(time.get());
    }
  }
  out.der_size = der.size();
  out.subject = subject ? subject->Rfc2253() : NameToString(subject_obj.get());
  out.issuer = issuer ? issuer->Rfc2253() : NameToString(issuer_obj.get());
  out.subject_cn = subject ? subject->CommonName() : CommonName(subject_obj.get());
  return CertError::kOk;
}

CertError ParseCertificateMessage(ByteSpan body, CertificateInfo& out, CertificateCache* cache) {
  out = CertificateInfo{};
  if (body.size() < 3) return CertError::kTruncated;
  const size_t list_len = ReadBE24(body.data());
  if (list_len != body.size() - 3) return CertError::kBadLength;
  if (list_len == 0) return CertError::kEmptyChain;
  ByteSpan list = body.subspan(3);
  ByteSpan leaf;
  size_t pos = 0;
  while (pos < list.size()) {
    if (list.size() - pos < 3) return CertError::kBadLength;
    const size_t n = ReadBE24(list.data() + pos);
    if (n > list.size() - pos - 3) return CertError::kBadLength;
    if (out.chain_length == 0) leaf = list.subspan(pos + 3, n);
    ++out.chain_length;
    pos += 3 + n;
  }
  const size_t chain = out.chain_length;
  CertError e = cache != nullptr ? cache->Parse(leaf, out) : ParseCertificateDer(leaf, out);
  out.chain_length = chain;
  return e;
}

}  // namespace mw::analyzers::tls
