// PPLNS accounting ("pay per last N shares") and the payout plan.
//
// PplnsWindow keeps the last N accepted shares with their difficulty; when a block is found its
// reward is split over the accounts in proportion to the summed difficulty of their shares in the
// window (solo mode: all of it to the finder). PayoutBook holds those splits until the block
// matures on the chain (or drops them when it leaves the best chain), credits balances, and plans
// payouts of at least `min_payout` base units; the caller signs and sends them and reports back.
//
// Amounts are integer base units: each account gets floor(reward * weight / total); the
// remainder stays with the pool. Not thread-safe: the pool serialises access.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/sha256.h"

namespace mw::pool {

class PplnsWindow {
 public:
  explicit PplnsWindow(size_t window_shares) : window_(window_shares ? window_shares : 1) {}
  void Add(const std::string& account, double difficulty);
  // Summed difficulty per account over the window.
  std::map<std::string, double> Weights() const;
  size_t size() const { return shares_.size(); }

 private:
  size_t window_;
  std::deque<std::pair<std::string, double>> shares_;
};

// Splits `reward` by weight (floor); the sum never exceeds the reward.
std::map<std::string, uint64_t> SplitReward(uint64_t reward,
                                            const std::map<std::string, double>& weights);

struct FoundBlock {
  Hash256 hash{};
  uint32_t height = 0;
  uint64_t reward = 0;
  std::string finder;
  std::map<std::string, uint64_t> split;  // account -> base units
  enum class State { kImmature, kCredited, kOrphaned } state = State::kImmature;
};

struct PlannedPayout {
  std::string account;
  uint64_t amount = 0;  // what the account receives: its balance minus the transaction fee
  uint64_t fee = 0;     // paid from the account's balance too
};

class PayoutBook {
 public:
  void AddBlock(FoundBlock block) { blocks_.push_back(std::move(block)); }

  // For every immature block: `confirmations(hash)` gives its confirmations on the best chain or
  // nullopt when it is not on it. Blocks with >= maturity confirmations are credited; blocks
  // absent for more than `orphan_after` checks are dropped. Returns how many were credited.
  int Mature(uint32_t maturity, const std::function<std::optional<uint32_t>(const Hash256&)>&
                                    confirmations);

  // Accounts whose balance is >= min_payout (and > tx_fee), largest first, limited so that the
  // balances fit in `spendable`. Each pays its own transaction fee.
  std::vector<PlannedPayout> Plan(uint64_t min_payout, uint64_t tx_fee, uint64_t spendable) const;
  void MarkPaid(const PlannedPayout& payout);

  const std::map<std::string, uint64_t>& balances() const { return balances_; }
  const std::map<std::string, uint64_t>& paid() const { return paid_; }
  const std::vector<FoundBlock>& blocks() const { return blocks_; }

 private:
  std::vector<FoundBlock> blocks_;
  std::map<Hash256, int> missing_checks_;
  std::map<std::string, uint64_t> balances_;
  std::map<std::string, uint64_t> paid_;
};

}  // namespace mw::pool
