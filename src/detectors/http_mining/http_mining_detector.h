// http_mining: mining seen in HTTP: getwork / getblocktemplate / submitblock JSON-RPC bodies
// (the pre-Stratum and solo-mining protocols), X-Mining-Extensions / X-Stratum headers (miners
// and pools announcing Stratum), miner user-agents, and fetches of in-browser miner scripts
// (coinhive.min.js, cryptonight.wasm, ...). Generic script names (worker.js) alone never fire.
#pragma once

#include "detectors/common/detector.h"

namespace mw::detectors {

class HttpMiningDetector : public Detector {
 public:
  std::string_view name() const override { return "http_mining"; }
  void Inspect(const FlowRecord& flow, std::vector<Finding>& out) override;
};

}  // namespace mw::detectors
