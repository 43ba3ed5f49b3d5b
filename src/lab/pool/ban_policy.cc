#include "lab/pool/ban_policy.h"

#include <algorithm>

namespace mw::pool {

const char* BanReasonName(BanReason r) {
  switch (r) {
    case BanReason::kNone: return "none";
    case BanReason::kInvalidShares: return "invalid_shares";
    case BanReason::kJunk: return "junk";
    case BanReason::kFlood: return "flood";
  }
  return "none";
}

BanReason ConnectionGuard::OnLine(double now_s) {
  if (last_s_ >= 0) {
    tokens_ = std::min(options_.line_burst, tokens_ + (now_s - last_s_) * options_.lines_per_s);
  }
  last_s_ = now_s;
  tokens_ -= 1;
  return tokens_ < 0 ? BanReason::kFlood : BanReason::kNone;
}

BanReason ConnectionGuard::OnJunk() {
  return ++junk_ >= options_.max_junk_lines ? BanReason::kJunk : BanReason::kNone;
}

BanReason ConnectionGuard::OnShare(bool accepted) {
  (accepted ? accepted_ : rejected_) += 1;
  const uint64_t total = accepted_ + rejected_;
  if (total < uint64_t(options_.min_shares)) return BanReason::kNone;
  return double(rejected_) / double(total) > options_.max_invalid_ratio ? BanReason::kInvalidShares
                                                                         : BanReason::kNone;
}

void BanList::Ban(const std::string& peer, int64_t until_s) {
  std::lock_guard lock(mu_);
  int64_t& u = until_[peer];
  u = std::max(u, until_s);
}

bool BanList::IsBanned(const std::string& peer, int64_t now_s) {
  std::lock_guard lock(mu_);
  auto it = until_.find(peer);
  if (it == until_.end()) return false;
  if (it->second <= now_s) {
    until_.erase(it);
    return false;
  }
  return true;
}

size_t BanList::size() const {
  std::lock_guard lock(mu_);
  return until_.size();
}

}  // namespace mw::pool
