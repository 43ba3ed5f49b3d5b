// TLS record/handshake reassembly, hello parsing, fingerprints and certificate decoding on
// arbitrary bytes fed in arbitrary chunks (input layout: chunked_input.h).
#include <cstdint>

#include "analyzers/tls/tls_analyzer.h"
#include "analyzers/tls/tls_certificate.h"
#include "analyzers/tls/tls_hello.h"
#include "common/chunked_input.h"

using namespace mw::analyzers;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mw::ByteSpan all(data, size);
  tls::ClientHello ch;
  if (tls::ParseClientHello(all, ch) == tls::HelloError::kOk) {
    if (tls::Ja4(ch).size() < 36) __builtin_trap();  // section a (10) + 2 x (1 + 12)
    (void)tls::Md5Hex(tls::Ja3String(ch));
  }
  tls::ServerHello sh;
  if (tls::ParseServerHello(all, sh) == tls::HelloError::kOk) (void)tls::Ja3sString(sh);
  tls::CertificateInfo cert;
  (void)tls::ParseCertificateMessage(all, cert);
  // The input as one DER certificate: where both the hand-read path and OpenSSL's whole decode
  // accept it, they must report the same names, times and self-issued flag.
  tls::CertificateInfo fast, full;
  if (tls::ParseCertificateDer(all, fast) == tls::CertError::kOk &&
      tls::DecodeCertificateFully(all, full) == tls::CertError::kOk) {
    if (fast.subject != full.subject || fast.issuer != full.issuer ||
        fast.subject_cn != full.subject_cn || fast.self_issued != full.self_issued ||
        fast.not_before != full.not_before || fast.not_after != full.not_after) {
      __builtin_trap();
    }
  }

  tls::TlsAnalyzer analyzer;
  mw_fuzz::ForEachChunk(data, size, [&](bool client, mw::ByteSpan chunk, size_t) {
    analyzer.Feed(client ? Direction::kToServer : Direction::kToClient, chunk);
    for (const tls::TlsEvent& e : analyzer.TakeEvents()) {
      if (const auto* c = std::get_if<tls::CertificateInfo>(&e.what)) {
        if (c->subject.size() > tls::kMaxNameChars) __builtin_trap();
      }
    }
  });
  return 0;
}
