// The detector interface. A detector inspects a flow's record whenever the pipeline learnt
// something new about it, and once more when the flow ends, and reports findings. The pipeline
// turns each finding into at most one alert per flow and signature. Detectors are used by one
// pipeline thread; they keep no per-flow state (everything they need is in the record).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/common/flow_record.h"
#include "proto/events/event.h"

namespace mw::detectors {

struct Finding {
  uint32_t signature_id = 0;
  std::string signature;
  std::string category{events::kCategoryMining};
  int severity = 2;
  double confidence = 0.5;
  std::vector<std::string> evidence;
  std::string dialect, pool, login, agent_string;
};

class Detector {
 public:
  virtual ~Detector() = default;
  // Short stable name, e.g. "stratum_session" (the folder's name).
  virtual std::string_view name() const = 0;
  // Appends findings for `flow` to `out`. Called often: must be cheap when nothing changed.
  virtual void Inspect(const FlowRecord& flow, std::vector<Finding>& out) = 0;
};

// Signature ids, one range per detector (documented in docs/detectors.md).
namespace sid {
inline constexpr uint32_t kStratumV1 = 9100001;
inline constexpr uint32_t kStratumXmrig = 9100002;
inline constexpr uint32_t kStratumEthStratum = 9100003;
inline constexpr uint32_t kStratumEthProxy = 9100004;
inline constexpr uint32_t kStratumCoinhive = 9100005;
inline constexpr uint32_t kStratumWebminerpool = 9100006;
inline constexpr uint32_t kStratumV2Plaintext = 9100010;
inline constexpr uint32_t kStratumV2Encrypted = 9100011;
inline constexpr uint32_t kHttpMiningRpc = 9100020;
inline constexpr uint32_t kHttpMiningHeaders = 9100021;
inline constexpr uint32_t kHttpMinerAgent = 9100022;
inline constexpr uint32_t kPoolNameDns = 9100100;
inline constexpr uint32_t kPoolNameTls = 9100101;
inline constexpr uint32_t kPoolNameHttp = 9100102;
inline constexpr uint32_t kPoolAddress = 9100103;
inline constexpr uint32_t kWebMinerScript = 9100200;
inline constexpr uint32_t kWebMinerEndpoint = 9100201;
inline constexpr uint32_t kMiningRhythm = 9100300;
inline constexpr uint32_t kBitcoinP2p = 9100400;
inline constexpr uint32_t kMoneroP2p = 9100401;
}  // namespace sid

}  // namespace mw::detectors
