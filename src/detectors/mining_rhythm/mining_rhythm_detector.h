// mining_rhythm: mining whose content is hidden (TLS, Stratum V2, unknown encodings), recognised
// by the shape of the conversation a miner and a pool hold: a long-lived flow where the client
// sends small records at share cadence that the server answers at once, and the server pushes
// jobs on its own; plus Stratum V2's fixed 64/234-byte Noise handshake and 62-byte share
// records. Not for web traffic: TLS that offers HTTP ALPNs on a web port with a CA-issued
// certificate is left alone. See README.md for the false-positive analysis.
#pragma once

#include "detectors/common/detector.h"
#include "detectors/mining_rhythm/rhythm_features.h"

namespace mw::detectors {

struct RhythmThresholds {
  double min_duration_s = 20;
  uint32_t min_client_records = 6;
  double max_client_median_bytes = 400;
  uint32_t min_server_pushes = 2;
  double min_reply_ratio = 0.5;   // of client records answered at once
  double min_interval_s = 0.2;    // share cadence bounds
  double max_interval_s = 300;
  // A timer drives the client (telemetry, keep-alives), not share finding, when more than this
  // share of its intervals sit at their median; judged once there are min_client_intervals.
  uint32_t min_client_intervals = 5;
  double max_periodic_share = 0.6;
};

class MiningRhythmDetector : public Detector {
 public:
  explicit MiningRhythmDetector(RhythmThresholds t = {}) : t_(t) {}
  std::string_view name() const override { return "mining_rhythm"; }
  void Inspect(const FlowRecord& flow, std::vector<Finding>& out) override;

 private:
  void InspectSv2(const FlowRecord& flow, std::vector<Finding>& out) const;
  RhythmThresholds t_;
};

}  // namespace mw::detectors
