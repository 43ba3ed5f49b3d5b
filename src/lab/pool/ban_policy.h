// Abuse policy: per-connection behaviour scoring (junk lines, floods, invalid shares) and the
// pool-wide ban list keyed by peer address.
//
// ConnectionGuard (one per connection, not thread-safe) answers "ban this peer now?" after each
// event. BanList is thread-safe (one mutex) and shared by all listeners.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace mw::pool {

struct BanOptions {
  double max_invalid_ratio = 0.5;   // rejected / all shares, checked after min_shares
  int min_shares = 20;
  int max_junk_lines = 5;           // undecodable or oversized lines per connection
  double lines_per_s = 200;         // token bucket: sustained rate
  double line_burst = 400;          //   and burst
  int64_t ban_seconds = 600;
};

enum class BanReason { kNone, kInvalidShares, kJunk, kFlood };
const char* BanReasonName(BanReason r);  // "invalid_shares", "junk", "flood"

class ConnectionGuard {
 public:
  explicit ConnectionGuard(const BanOptions& options) : options_(options), tokens_(options.line_burst) {}
  // A line arrived at `now_s`.
  BanReason OnLine(double now_s);
  // A line could not be decoded or was too long.
  BanReason OnJunk();
  // A share was answered.
  BanReason OnShare(bool accepted);

  uint64_t accepted() const { return accepted_; }
  uint64_t rejected() const { return rejected_; }

 private:
  BanOptions options_;
  double tokens_;
  double last_s_ = -1;
  int junk_ = 0;
  uint64_t accepted_ = 0;
  uint64_t rejected_ = 0;
};

class BanList {
 public:
  void Ban(const std::string& peer, int64_t until_s);
  bool IsBanned(const std::string& peer, int64_t now_s);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, int64_t> until_;
};

}  // namespace mw::pool
