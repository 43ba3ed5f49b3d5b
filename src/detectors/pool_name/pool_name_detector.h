// pool_name: a name or address from threat intelligence, seen on the wire: a DNS query for a pool
// name, a TLS SNI, an HTTP Host, or a connection to a listed pool address (and port, where the
// feed gives one). Lists go stale and hit shared infrastructure, so these are weaker than a
// decoded session: severity 2 (names) or 3 (bare addresses), confidence 0.4-0.6, and the
// allowlist (CDN and cloud front ends) wins. Entries of the "crypto-general" category (exchanges,
// wallets) are reported as "Crypto Currency", never as mining.
#pragma once

#include "detectors/common/detector.h"
#include "intel/snapshot.h"

namespace mw::detectors {

class PoolNameDetector : public Detector {
 public:
  // `intel` may be null (the detector then never fires); it must outlive the detector, or its
  // replacement by SetIntel().
  explicit PoolNameDetector(const intel::Snapshot* intel) : intel_(intel) {}
  std::string_view name() const override { return "pool_name"; }
  void Inspect(const FlowRecord& flow, std::vector<Finding>& out) override;
  // Matches against `intel` (may be null) from now on; the previous snapshot is no longer read
  // once this returns. Flows already inspected are matched again at their next inspection
  // (their memo is of the old snapshot): a pool connection open before an intel update is
  // reported after it. Signatures a flow already raised are not raised again.
  void SetIntel(const intel::Snapshot* intel) {
    intel_ = intel;
    ++generation_;
  }

 private:
  void Report(const intel::MatchResult& m, uint32_t sid, const std::string& where,
              const std::string& what, std::vector<Finding>& out) const;
  const intel::Snapshot* intel_;
  uint32_t generation_ = 0;  // SetIntel() calls so far; a memo of another one is stale
};

}  // namespace mw::detectors
