// Test-only, header-only builders shared by the TLS tests (and the TLS fuzz seeds): hello bodies, handshake messages, records, certificates.
#pragma once

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>
#include <vector>

#include "core/bytes.h"

namespace mw::analyzers::tls::testing {

inline void Put8(Bytes& b, size_t v) { b.push_back(uint8_t(v)); }
inline void Put16(Bytes& b, size_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
inline void Put24(Bytes& b, size_t v) {
  b.push_back(uint8_t(v >> 16));
  Put16(b, v);
}
inline void PutExt(Bytes& b, uint16_t type, const Bytes& data) {
  Put16(b, type);
  Put16(b, data.size());
  Append(b, data);
}
inline Bytes U16List(const std::vector<uint16_t>& v, int len_bytes = 2) {
  Bytes b;
  if (len_bytes == 1) {
    Put8(b, v.size() * 2);
  } else {
    Put16(b, v.size() * 2);
  }
  for (uint16_t x : v) Put16(b, x);
  return b;
}
inline Bytes Handshake(uint8_t type, const Bytes& body) {
  Bytes b;
  Put8(b, type);
  Put24(b, body.size());
  Append(b, body);
  return b;
}
inline Bytes Record(uint8_t type, const Bytes& body, uint16_t version = 0x0301) {
  Bytes b;
  Put8(b, type);
  Put16(b, version);
  Put16(b, body.size());
  Append(b, body);
  return b;
}




struct KeyAndCert {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  KeyAndCert() = default;
  KeyAndCert(const KeyAndCert&) = delete;
  KeyAndCert& operator=(const KeyAndCert&) = delete;
  ~KeyAndCert();
};



// A ClientHello shaped like Chrome's (the one behind the published fingerprints in
// tls_test.cc): GREASE values in ciphers, extensions, groups and versions; h2 + http/1.1 ALPN.
inline Bytes ChromeLikeClientHelloBody(const std::string& sni) {
  Bytes b;
  Put16(b, 0x0303);
  b.insert(b.end(), 32, 0x11);  // random
  Put8(b, 32);
  b.insert(b.end(), 32, 0x22);  // session id
  const std::vector<uint16_t> ciphers = {0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                         0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
                                         0x009c, 0x009d, 0x002f, 0x0035};
  Append(b, U16List(ciphers));
  Put8(b, 1);
  Put8(b, 0);  // null compression
  Bytes ext;
  PutExt(ext, 0x5a5a, {});
  PutExt(ext, 45, {0x01, 0x01});                 // psk_key_exchange_modes
  Bytes key_share;
  Put16(key_share, 36);
  Put16(key_share, 29);
  Put16(key_share, 32);
  key_share.insert(key_share.end(), 32, 0x33);
  PutExt(ext, 51, key_share);
  Bytes alpn;
  Put16(alpn, 12);
  Put8(alpn, 2);
  alpn.insert(alpn.end(), {'h', '2'});
  Put8(alpn, 8);
  for (char c : std::string("http/1.1")) alpn.push_back(uint8_t(c));
  PutExt(ext, 16, alpn);
  PutExt(ext, 65037, Bytes(40, 0x44));           // encrypted_client_hello (opaque here)
  PutExt(ext, 23, {});                            // extended_master_secret
  PutExt(ext, 17613, {0x00, 0x03, 0x02, 'h', '2'});  // application_settings
  Bytes sni_ext;
  Put16(sni_ext, sni.size() + 3);
  Put8(sni_ext, 0);
  Put16(sni_ext, sni.size());
  for (char c : sni) sni_ext.push_back(uint8_t(c));
  PutExt(ext, 0, sni_ext);
  PutExt(ext, 11, {0x01, 0x00});                  // ec_point_formats: uncompressed
  PutExt(ext, 10, U16List({0x2a2a, 4588, 29, 23, 24}));
  PutExt(ext, 43, U16List({0x7a7a, 0x0304, 0x0303}, 1));
  PutExt(ext, 65281, {0x00});                     // renegotiation_info
  PutExt(ext, 35, {});                            // session_ticket
  PutExt(ext, 18, {});                            // signed_certificate_timestamp
  PutExt(ext, 5, {0x01, 0x00, 0x00, 0x00, 0x00}); // status_request
  PutExt(ext, 13, U16List({0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}));
  PutExt(ext, 27, {0x02, 0x00, 0x02});            // compress_certificate
  PutExt(ext, 0xbaba, {0x00});
  Put16(b, ext.size());
  Append(b, ext);
  return b;
}

// A TLS 1.2 ServerHello choosing `cipher`, with ALPN "h2" and renegotiation_info.
inline Bytes ServerHello12Body(uint16_t cipher) {
  Bytes b;
  Put16(b, 0x0303);
  b.insert(b.end(), 32, 0x55);
  Put8(b, 0);
  Put16(b, cipher);
  Put8(b, 0);
  Bytes ext;
  PutExt(ext, 65281, {0x00});
  Bytes alpn;
  Put16(alpn, 3);
  Put8(alpn, 2);
  alpn.insert(alpn.end(), {'h', '2'});
  PutExt(ext, 16, alpn);
  Put16(b, ext.size());
  Append(b, ext);
  return b;
}

inline KeyAndCert::~KeyAndCert() {
  X509_free(cert);
  EVP_PKEY_free(key);
}

// A fresh P-256 key and a certificate for `cn`. With `issuer` null the certificate is
// self-signed; otherwise it is issued and signed by `issuer`. `sign_with` (optional) overrides the
// signing key, to make a certificate whose names match but whose signature does not.
inline void MakeCert(const std::string& cn, const KeyAndCert* issuer, KeyAndCert& out,
              EVP_PKEY* sign_with = nullptr) {
  out.key = EVP_EC_gen("P-256");
  out.cert = X509_new();
  X509_set_version(out.cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(out.cert), 7);
  X509_gmtime_adj(X509_getm_notBefore(out.cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(out.cert), 86400L * 30);
  X509_set_pubkey(out.cert, out.key);
  X509_NAME* name = X509_get_subject_name(out.cert);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Minewatch Test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(out.cert, issuer ? X509_get_subject_name(issuer->cert) : name);
  EVP_PKEY* signer = sign_with ? sign_with : (issuer ? issuer->key : out.key);
  X509_sign(out.cert, signer, EVP_sha256());
}

inline Bytes CertDer(const KeyAndCert& kc) {
  unsigned char* der = nullptr;
  const int n = i2d_X509(kc.cert, &der);
  Bytes out(der, der + (n > 0 ? n : 0));
  OPENSSL_free(der);
  return out;
}

}  // namespace mw::analyzers::tls::testing
