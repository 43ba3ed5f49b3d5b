// stratum_session: a mining protocol session seen in clear text (TCP or WebSocket) in any of the
// line-based dialects, on any port. Fires once the Stratum analyzer has confirmed the flow
// (both sides spoke, or a pool pushed jobs, or a miner submitted shares), or on a login or
// subscribe that names a miner agent. Evidence: dialect, methods, login/wallet, agent, algorithm,
// pool endpoint.
#pragma once

#include "detectors/common/detector.h"

namespace mw::detectors {

// The signature id this detector raises for a session of dialect `d` (kUnknown: the V1 id).
uint32_t StratumSessionSignature(stratum::Dialect d);

class StratumSessionDetector : public Detector {
 public:
  // Without a login seen, the alert waits for this many decoded messages (or the flow's end).
  static constexpr uint32_t kMessagesBeforeAlertWithoutLogin = 6;

  std::string_view name() const override { return "stratum_session"; }
  void Inspect(const FlowRecord& flow, std::vector<Finding>& out) override;
};

}  // namespace mw::detectors
