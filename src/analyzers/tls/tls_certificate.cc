#include "analyzers/tls/tls_certificate.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>

namespace mw::analyzers::tls {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
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

CertError ParseCertificateDer(ByteSpan der, CertificateInfo& out) {
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

CertError ParseCertificateMessage(ByteSpan body, CertificateInfo& out) {
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
  CertError e = ParseCertificateDer(leaf, out);
  out.chain_length = chain;
  return e;
}

}  // namespace mw::analyzers::tls
