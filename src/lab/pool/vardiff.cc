#include "lab/pool/vardiff.h"

#include <algorithm>

namespace mw::pool {

Vardiff::Vardiff(VardiffOptions options, double start_difficulty, double now_s)
    : options_(options),
      difficulty_(std::clamp(start_difficulty, options.min_difficulty, options.max_difficulty)),
      window_start_s_(now_s) {}

std::optional<double> Vardiff::OnShare(double now_s) {
  ++shares_in_window_;
  if (shares_in_window_ < options_.retarget_shares &&
      now_s - window_start_s_ < options_.retarget_after_s) {
    return std::nullopt;
  }
  return Retarget(now_s, shares_in_window_);
}

std::optional<double> Vardiff::OnTick(double now_s) {
  if (now_s - window_start_s_ < options_.retarget_after_s) return std::nullopt;
  // Silence counts as (at most) half a share so the step is bounded by max_step.
  return Retarget(now_s, std::max(shares_in_window_, 0));
}

std::optional<double> Vardiff::Retarget(double now_s, int shares) {
  const double elapsed = std::max(now_s - window_start_s_, 1e-3);
  window_start_s_ = now_s;
  shares_in_window_ = 0;
  const double observed = shares > 0 ? elapsed / shares : elapsed * 2;
  const double target = options_.target_interval_s;
  if (observed >= target / (1 + options_.tolerance) && observed <= target * (1 + options_.tolerance)) {
    return std::nullopt;
  }
  const double factor = std::clamp(target / observed, 1 / options_.max_step, options_.max_step);
  const double next =
      std::clamp(difficulty_ * factor, options_.min_difficulty, options_.max_difficulty);
  if (next == difficulty_) return std::nullopt;
  difficulty_ = next;
  return difficulty_;
}

std::optional<double> Vardiff::Cap(double max_difficulty) {
  if (max_difficulty <= 0 || difficulty_ <= max_difficulty) return std::nullopt;
  difficulty_ = std::max(max_difficulty, options_.min_difficulty);
  return difficulty_;
}

}  // namespace mw::pool
