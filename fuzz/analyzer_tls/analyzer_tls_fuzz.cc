// TLS record/handshake reassembly, hello parsing, fingerprints and certificate decoding on
// arbitrary bytes fed in arbitrary chunks (input layout: chunked_input.h).
#include <cstdint>
#include <string>
#include <vector>

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

  // The same bytes through an analyzer with a listener that offers its own ClientHello (as the
  // sensor does): it must hear what the queue holds, in order, and a hello parsed into the
  // reused target must equal the queued one.
  struct Heard final : tls::TlsListener {
    tls::ClientHello target;
    std::vector<std::string> calls;
    tls::ClientHello* ClientHelloTarget() override { return &target; }
    void OnClientHello(Direction, tls::ClientHello& h) override {
      calls.push_back("ch " + tls::Ja4Raw(h) + " " + h.sni);
    }
    void OnServerHello(Direction, tls::ServerHello& h) override {
      calls.push_back("sh " + tls::Ja3sString(h) + " " + h.alpn);
    }
    void OnCertificate(Direction, tls::CertificateInfo& c) override {
      calls.push_back("cert " + c.subject + "/" + c.issuer);
    }
  };
  Heard heard;
  tls::TlsAnalyzer analyzer;
  tls::TlsAnalyzer listened(nullptr, tls::TlsAnalyzer::Fingerprints::kLeaveToCaller, nullptr,
                            &heard);
  std::vector<std::string> queued;
  tls::ClientHello used;  // every chunk's hello parsed into one reused ClientHello
  mw_fuzz::ForEachChunk(data, size, [&](bool client, mw::ByteSpan chunk, size_t) {
    const Direction dir = client ? Direction::kToServer : Direction::kToClient;
    tls::ClientHello fresh;
    const tls::HelloError e1 = tls::ParseClientHello(chunk, fresh);
    if (tls::ParseClientHello(chunk, used) != e1 || !(used == fresh)) __builtin_trap();
    analyzer.Feed(dir, chunk);
    listened.Feed(dir, chunk);
    if (listened.has_events()) __builtin_trap();
    for (const tls::TlsEvent& e : analyzer.TakeEvents()) {
      if (const auto* c = std::get_if<tls::CertificateInfo>(&e.what)) {
        if (c->subject.size() > tls::kMaxNameChars) __builtin_trap();
        queued.push_back("cert " + c->subject + "/" + c->issuer);
      } else if (const auto* ch = std::get_if<tls::ClientHelloRecord>(&e.what)) {
        queued.push_back("ch " + ch->ja4_raw + " " + ch->hello.sni);
      } else if (const auto* sh = std::get_if<tls::ServerHelloRecord>(&e.what)) {
        queued.push_back("sh " + tls::Ja3sString(sh->hello) + " " + sh->hello.alpn);
      }
    }
  });
  if (queued != heard.calls) __builtin_trap();
  return 0;
}
