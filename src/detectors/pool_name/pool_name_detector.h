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
  // `intel` may be null (the detector then never fires); it must outlive the detector.
  explicit PoolNameDetector(const intel::Snapshot* intel) : intel_(intel) {}
  std::string_view name() const override { return "pool_name"; }
  void Inspect(const FlowRecord& flow, std::vector<Finding>& out) override;

 private:
  void Report(const intel::MatchResult& m, uint32_t sid, const std::string& where,
              const std::string& what, std::vector<Finding>& out) const;
  const intel::Snapshot* intel_;
};

}  // namespace mw::detectors
