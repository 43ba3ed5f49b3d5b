#include "net/testing/certificate_maker.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <ctime>
#include <random>
#include <stdexcept>
#include <utility>

namespace mw::net::testing {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

KeyPtr Ed25519Key(std::mt19937_64& rng) {
  std::array<unsigned char, 32> seed{};
  for (auto& b : seed) b = static_cast<unsigned char>(rng());
  KeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!key) throw std::runtime_error("CertificateMaker: no Ed25519 key");
  return key;
}

void AddName(X509_NAME* name, const char* field, const std::string& value) {
  X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0);
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) throw std::runtime_error("CertificateMaker: bad extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

std::string Der(X509* cert) {
  unsigned char* der = nullptr;
  const int n = i2d_X509(cert, &der);
  if (n <= 0) throw std::runtime_error("CertificateMaker: cannot encode");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

}  // namespace

struct CertificateMaker::Keys {
  KeyPtr root, intermediate, leaf;
  CertPtr intermediate_cert;
};

CertificateMaker::CertificateMaker(uint64_t seed, int64_t not_before_s)
    : keys_(std::make_unique<Keys>()), not_before_s_(not_before_s), next_serial_(seed % 100000 + 1) {
  std::mt19937_64 rng(seed ^ 0x63657274ULL);  // "cert"
  keys_->root = Ed25519Key(rng);
  keys_->intermediate = Ed25519Key(rng);
  keys_->leaf = Ed25519Key(rng);  // one key for every leaf: keys are not what is measured

  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), next_serial_++);
  time_t start = static_cast<time_t>(not_before_s_);
  X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, 0, &start);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), 5 * 365, 0, &start);
  X509_set_pubkey(cert.get(), keys_->intermediate.get());
  X509_NAME* subject = X509_get_subject_name(cert.get());
  AddName(subject, "C", "US");
  AddName(subject, "O", "Example Trust Services");
  AddName(subject, "CN", "Example TLS Issuing CA 1");
  X509_NAME* issuer = X509_get_issuer_name(cert.get());
  AddName(issuer, "C", "US");
  AddName(issuer, "O", "Example Trust Services");
  AddName(issuer, "CN", "Example Root CA");
  AddExtension(cert.get(), nullptr, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  AddExtension(cert.get(), nullptr, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(cert.get(), keys_->root.get(), nullptr) <= 0) {
    throw std::runtime_error("CertificateMaker: cannot sign");
  }
  intermediate_der_ = Der(cert.get());
  keys_->intermediate_cert = std::move(cert);
}

CertificateMaker::~CertificateMaker() = default;

const std::string& CertificateMaker::LeafDer(const std::string& host) {
  auto it = leaves_.find(host);
  if (it != leaves_.end()) return it->second;
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), next_serial_++);
  time_t start = static_cast<time_t>(not_before_s_);
  X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, 0, &start);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), 90, 0, &start);
  X509_set_pubkey(cert.get(), keys_->leaf.get());
  AddName(X509_get_subject_name(cert.get()), "CN", host);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(keys_->intermediate_cert.get()));
  const size_t dot = host.find('.');
  const std::string san = "DNS:" + host +
                          (dot == std::string::npos ? "" : ",DNS:*" + host.substr(dot));
  AddExtension(cert.get(), nullptr, NID_subject_alt_name, san.c_str());
  AddExtension(cert.get(), nullptr, NID_basic_constraints, "CA:FALSE");
  AddExtension(cert.get(), nullptr, NID_key_usage, "critical,digitalSignature");
  AddExtension(cert.get(), nullptr, NID_ext_key_usage, "serverAuth,clientAuth");
  AddExtension(cert.get(), keys_->intermediate_cert.get(), NID_authority_key_identifier,
               "keyid:always");
  if (X509_sign(cert.get(), keys_->intermediate.get(), nullptr) <= 0) {
    throw std::runtime_error("CertificateMaker: cannot sign");
  }
  return leaves_.emplace(host, Der(cert.get())).first->second;
}

}  // namespace mw::net::testing
