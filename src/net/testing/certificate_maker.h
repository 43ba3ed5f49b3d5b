// Real X.509 certificates for generated captures: a server's chain (its leaf, then an
// intermediate CA), made with OpenSSL. Keys are Ed25519 from the caller's seed bytes and Ed25519
// signs deterministically, so the same seed and names give the same DER bytes, run after run.
// Names belong under reserved domains (.example); nothing here is a real CA or site.
//
// Not thread-safe. Test and benchmark support only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace mw::net::testing {

class CertificateMaker {
 public:
  // `seed` picks the keys and serial numbers; `not_before_s`: the start of every certificate's
  // validity (Unix seconds; leaves are valid 90 days from it, the intermediate 5 years).
  CertificateMaker(uint64_t seed, int64_t not_before_s);
  ~CertificateMaker();
  CertificateMaker(const CertificateMaker&) = delete;
  CertificateMaker& operator=(const CertificateMaker&) = delete;

  // The DER of a leaf for `host` (subject CN=host, SANs host and *.<its parent>), issued by the
  // intermediate; made once per host, then reused.
  const std::string& LeafDer(const std::string& host);
  // The DER of the intermediate CA (issued by a root that is not in any chain).
  const std::string& IntermediateDer() const { return intermediate_der_; }

 private:
  struct Keys;
  std::unique_ptr<Keys> keys_;
  int64_t not_before_s_;
  uint64_t next_serial_;
  std::string intermediate_der_;
  std::map<std::string, std::string> leaves_;
};

}  // namespace mw::net::testing
