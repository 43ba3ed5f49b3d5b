// Per-connection variable difficulty: steers a miner toward one share every `target_interval_s`.
//
// After every `retarget_shares` accepted shares, or when `retarget_after_s` passes without
// enough shares, the observed mean interval is compared with the target; outside
// [target/(1+tolerance), target*(1+tolerance)] the difficulty is scaled by target/observed,
// limited to a factor `max_step` per step and to [min_difficulty, max_difficulty]. Fractional
// difficulties are normal (Stratum sends them as JSON numbers).
//
// Pure arithmetic over times the caller passes in (seconds, any epoch). Not thread-safe: one
// Vardiff per connection.
#pragma once

#include <optional>

namespace mw::pool {

struct VardiffOptions {
  double target_interval_s = 5;
  double tolerance = 0.3;
  int retarget_shares = 6;
  double retarget_after_s = 20;
  double max_step = 4;
  double min_difficulty = 1e-6;
  double max_difficulty = 1e12;
};

class Vardiff {
 public:
  Vardiff(VardiffOptions options, double start_difficulty, double now_s);

  // An accepted share at `now_s`. Returns the new difficulty when it should change.
  std::optional<double> OnShare(double now_s);
  // Periodic check without a share (slow miners). Returns a lower difficulty when the miner has
  // been silent for retarget_after_s.
  std::optional<double> OnTick(double now_s);

  double difficulty() const { return difficulty_; }
  // Caps the difficulty (e.g. at the network difficulty); returns the new one when it changed.
  std::optional<double> Cap(double max_difficulty);

 private:
  std::optional<double> Retarget(double now_s, int shares);

  VardiffOptions options_;
  double difficulty_;
  double window_start_s_;
  int shares_in_window_ = 0;
};

}  // namespace mw::pool
