// crypto_p2p: cryptocurrency full-node peer traffic (Bitcoin and its test networks, Monero's
// Levin protocol). It is cryptocurrency activity, not mining: reported with category
// "Crypto Currency" and severity 3, never counted as mining.
#pragma once

#include "detectors/common/detector.h"

namespace mw::detectors {

class CryptoP2pDetector : public Detector {
 public:
  std::string_view name() const override { return "crypto_p2p"; }
  void Inspect(const FlowRecord& flow, std::vector<Finding>& out) override;
};

}  // namespace mw::detectors
