#include "detectors/mining_rhythm/rhythm_features.h"

#include <algorithm>
#include <cstdio>

namespace mw::detectors {
namespace {

constexpr int64_t kReplyWindowUs = 500'000;  // a pool answers a share within this

double Median(std::vector<uint32_t> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (double(v[n / 2 - 1]) + v[n / 2]) / 2;
}

}  // namespace

RhythmFeatures ComputeRhythm(const FlowRecord& flow, uint32_t skip_records) {
  RhythmFeatures f;
  f.duration_s = flow.duration_s();
  const uint16_t p = flow.destination_port();
  f.web_port = p == 80 || p == 443 || p == 8080 || p == 8443;
  const auto& c = flow.seg[0].samples;
  const auto& s = flow.seg[1].samples;
  std::vector<uint32_t> csize, ssize;
  std::vector<int64_t> ctimes;
  for (size_t i = skip_records; i < c.size(); ++i) {
    csize.push_back(c[i].first);
    ctimes.push_back(c[i].second);
  }
  for (size_t i = skip_records; i < s.size(); ++i) ssize.push_back(s[i].first);
  f.client_records = uint32_t(csize.size());
  f.server_records = uint32_t(ssize.size());
  f.client_median_bytes = Median(csize);
  f.server_median_bytes = Median(ssize);
  if (ctimes.size() >= 2) {
    f.client_mean_interval_s = double(ctimes.back() - ctimes.front()) / 1e6 / double(ctimes.size() - 1);
  }
  // Walk both directions in time order: a server segment within the reply window after a
  // client segment answers it; any other server segment is a push.
  size_t ci = 0;
  int64_t last_client_ts = -1;
  bool last_client_answered = true;
  std::vector<int64_t> push_times;
  for (size_t si = skip_records; si < s.size(); ++si) {
    const int64_t ts = s[si].second;
    while (ci < c.size() && c[ci].second <= ts) {
      if (ci >= skip_records) {
        last_client_ts = c[ci].second;
        last_client_answered = false;
      }
      ++ci;
    }
    if (last_client_ts >= 0 && !last_client_answered && ts - last_client_ts <= kReplyWindowUs) {
      last_client_answered = true;
      ++f.replied_client_records;
    } else {
      ++f.server_pushes;
      push_times.push_back(ts);
    }
  }
  // The client's own records (not answers to a push), then their intervals.
  std::vector<int64_t> own;
  size_t pi = 0;
  for (int64_t t : ctimes) {
    while (pi < push_times.size() && push_times[pi] + kPushAnswerUs < t) ++pi;
    const bool answers_push = pi < push_times.size() && push_times[pi] <= t;
    if (!answers_push) own.push_back(t);
  }
  std::vector<int64_t> intervals;
  for (size_t i = 1; i < own.size(); ++i) {
    if (own[i] - own[i - 1] >= kMinIntervalUs) intervals.push_back(own[i] - own[i - 1]);
  }
  f.client_intervals = uint32_t(intervals.size());
  if (!intervals.empty()) {
    std::vector<int64_t> sorted = intervals;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const int64_t median = sorted[sorted.size() / 2];
    const int64_t tolerance = std::max<int64_t>(median / 10, 25'000);
    size_t near = 0;
    for (int64_t v : intervals) near += (v >= median - tolerance && v <= median + tolerance);
    f.client_periodic_share = double(near) / double(intervals.size());
  }
  return f;
}

std::vector<std::string> RhythmFeatures::Describe() const {
  char buf[256];
  std::vector<std::string> out;
  std::snprintf(buf, sizeof(buf), "flow lasted %.0f s", duration_s);
  out.emplace_back(buf);
  std::snprintf(buf, sizeof(buf),
                "%u small client records (median %.0f B, one every %.1f s), %u answered at once",
                client_records, client_median_bytes, client_mean_interval_s, replied_client_records);
  out.emplace_back(buf);
  std::snprintf(buf, sizeof(buf), "%u unsolicited server pushes (median %.0f B)", server_pushes,
                server_median_bytes);
  out.emplace_back(buf);
  std::snprintf(buf, sizeof(buf),
                "client records at random times, as shares are found: %.0f %% of %u intervals near "
                "their median (a timer gives nearly all)",
                100 * client_periodic_share, client_intervals);
  out.emplace_back(buf);
  return out;
}

}  // namespace mw::detectors
