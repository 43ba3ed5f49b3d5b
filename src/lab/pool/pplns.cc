#include "lab/pool/pplns.h"

#include <algorithm>
#include <cmath>

namespace mw::pool {

void PplnsWindow::Add(const std::string& account, double difficulty) {
  if (!(difficulty > 0)) return;
  shares_.emplace_back(account, difficulty);
  while (shares_.size() > window_) shares_.pop_front();
}

std::map<std::string, double> PplnsWindow::Weights() const {
  std::map<std::string, double> w;
  for (const auto& [account, d] : shares_) w[account] += d;
  return w;
}

std::map<std::string, uint64_t> SplitReward(uint64_t reward,
                                            const std::map<std::string, double>& weights) {
  std::map<std::string, uint64_t> out;
  long double total = 0;
  for (const auto& [a, w] : weights) total += w;
  if (!(total > 0)) return out;
  uint64_t given = 0;
  for (const auto& [a, w] : weights) {
    uint64_t share = uint64_t(std::floor(static_cast<long double>(reward) * w / total));
    share = std::min(share, reward - given);
    if (share == 0) continue;
    out[a] = share;
    given += share;
  }
  return out;
}

int PayoutBook::Mature(uint32_t maturity,
                       const std::function<std::optional<uint32_t>(const Hash256&)>& confirmations) {
  constexpr int kOrphanAfterChecks = 30;
  int credited = 0;
  for (FoundBlock& b : blocks_) {
    if (b.state != FoundBlock::State::kImmature) continue;
    std::optional<uint32_t> conf = confirmations(b.hash);
    if (!conf) {
      if (++missing_checks_[b.hash] > kOrphanAfterChecks) b.state = FoundBlock::State::kOrphaned;
      continue;
    }
    missing_checks_.erase(b.hash);
    if (*conf < maturity) continue;
    for (const auto& [account, amount] : b.split) balances_[account] += amount;
    b.state = FoundBlock::State::kCredited;
    ++credited;
  }
  return credited;
}

std::vector<PlannedPayout> PayoutBook::Plan(uint64_t min_payout, uint64_t tx_fee,
                                            uint64_t spendable) const {
  std::vector<PlannedPayout> out;
  for (const auto& [account, balance] : balances_) {
    if (balance >= std::max<uint64_t>(min_payout, 1) && balance > tx_fee) {
      out.push_back({account, balance - tx_fee, tx_fee});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const PlannedPayout& a, const PlannedPayout& b) { return a.amount > b.amount; });
  std::vector<PlannedPayout> fitting;
  uint64_t left = spendable;
  for (const PlannedPayout& p : out) {
    if (p.amount + p.fee > left) continue;
    left -= p.amount + p.fee;
    fitting.push_back(p);
  }
  return fitting;
}

void PayoutBook::MarkPaid(const PlannedPayout& p) {
  uint64_t& bal = balances_[p.account];
  bal -= std::min(bal, p.amount + p.fee);
  paid_[p.account] += p.amount;
}

}  // namespace mw::pool
