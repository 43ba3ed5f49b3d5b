// Leaf certificates parsed before, by their exact DER bytes. A server sends the same
// certificate to every client, so on a real link most certificates are repeats; and a
// self-issued one (the usual kind at a mining pool) costs OpenSSL's whole decode and a
// signature check, about 190 us, each time it is parsed.
//
// It also bounds what self-issued certificates can cost: a stream of distinct ones (crafted to
// slow the sensor down, 190 us each) gets the whole decode for the first kFreeWholeDecodes and
// then for one in kWholeDecodeShare of the certificates parsed; the others are assumed
// self-signed (CertificateInfo::self_signed_assumed, counted in `assumed()`) and not kept.
//
// Entries are replaced oldest first once `capacity` are held. A hit is decided on the whole DER
// (the key only narrows the search), so no input can be given another certificate's answer.
// Not thread-safe: one per sensor pipeline, shared by its flows' TLS analyzers; it must outlive
// them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "analyzers/tls/tls_certificate.h"
#include "core/bytes.h"
#include "core/flat_index.h"

namespace mw::analyzers::tls {

class CertificateCache {
 public:
  static constexpr size_t kDefaultCapacity = 1024;
  static constexpr uint64_t kFreeWholeDecodes = 64;
  static constexpr uint64_t kWholeDecodeShare = 64;

  explicit CertificateCache(size_t capacity = kDefaultCapacity);

  // As ParseCertificateDer(der, out); a certificate parsed successfully before is answered from
  // the cache.
  CertError Parse(ByteSpan der, CertificateInfo& out);

  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t whole_decodes() const { return whole_decodes_; }
  uint64_t assumed() const { return assumed_; }
  size_t size() const { return index_.size(); }

  // The lookup key: the length and the last bytes (a certificate ends in its signature, which
  // differs between any two certificates). Exposed for tests.
  static uint64_t KeyOf(ByteSpan der);

 private:
  struct Slot {
    uint64_t key = 0;
    std::string der;
    CertificateInfo info;
  };
  size_t capacity_;
  std::vector<Slot> slots_;                    // ring, replaced in order
  size_t next_ = 0;                            // the slot replaced next once full
  FlatIndex index_;                            // key -> slot (one slot per key)
  uint64_t hits_ = 0, misses_ = 0, whole_decodes_ = 0, assumed_ = 0;
};

}  // namespace mw::analyzers::tls
