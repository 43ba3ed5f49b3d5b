// Features of a flow's rhythm, computed from the sizes and times of its first segments only, so
// that they work when the content is hidden (TLS, Stratum V2, unknown encodings). Pure functions.
#pragma once

#include <string>
#include <vector>

#include "detectors/common/flow_record.h"

namespace mw::detectors {

struct RhythmFeatures {
  double duration_s = 0;
  uint32_t client_records = 0;        // payload segments from the client, handshake excluded
  uint32_t server_records = 0;
  double client_median_bytes = 0;
  double server_median_bytes = 0;
  uint32_t server_pushes = 0;         // server segments not answering a client segment
  uint32_t replied_client_records = 0;  // client segments answered within kReplyWindow
  double client_mean_interval_s = 0;  // between client records
  // How regular the client's own records are: those that do not answer a server push (none
  // within kPushAnswerUs after one), by their intervals of at least kMinIntervalUs (shorter ones
  // are one burst). `client_intervals` were judged; `client_periodic_share` of them lie within
  // 10 % (at least 25 ms) of their median. A timer (telemetry, keep-alives) gives nearly all of
  // them; shares, found at random times (a Poisson process), about 7 %.
  uint32_t client_intervals = 0;
  double client_periodic_share = 0;
  bool web_port = false;              // 80, 443, 8080, 8443
  // Human-readable, for evidence.
  std::vector<std::string> Describe() const;
};

constexpr int64_t kPushAnswerUs = 250'000;
constexpr int64_t kMinIntervalUs = 100'000;

// Skips the first `skip_records` of each direction (handshakes).
RhythmFeatures ComputeRhythm(const FlowRecord& flow, uint32_t skip_records);

}  // namespace mw::detectors
