// StratumMiner: connects to a pool (TCP, TLS and/or WebSocket), speaks one dialect through
// ClientProtocol and hashes with lab::miner::HashWorkers (the same mining path as the solo
// miner). Reconnects with exponential backoff and fails over through the pool list; prints a
// hash-rate line every report interval; --cpu-limit duty-cycles the hashing threads.
//
// Threading: Run() blocks on the calling thread (which runs the io loop) until `stop` is set or
// max_accepted shares were accepted. Counters may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "lab/stratum_miner/client_protocol.h"

namespace mw::lab::stratum_miner {

struct PoolEndpoint {
  std::string host;
  uint16_t port = 0;
  bool tls = false;
  bool websocket = false;
  bool sv2 = false;  // stratum2+tcp:// (plaintext frames)
  std::string path = "/";
  std::string ToString() const;
};

// "stratum+tcp://H:P", "stratum+ssl://H:P" / "stratum+tls://", "ws://H:P/path", "wss://...",
// "stratum2+tcp://H:P" (Stratum V2, plaintext), or "H:P" (then `tls`/`websocket` decide).
Result<PoolEndpoint> ParsePoolUrl(std::string_view url, bool tls, bool websocket);

struct StratumMinerOptions {
  std::vector<PoolEndpoint> pools;
  ClientOptions client;
  int threads = 1;
  double cpu_limit_percent = 100;   // 1..100
  std::chrono::milliseconds report_interval{10000};
  std::chrono::milliseconds keepalive_interval{30000};
  std::chrono::milliseconds max_backoff{30000};
  uint64_t max_accepted = 0;        // stop after this many accepted shares (0: never)
};

class StratumMiner {
 public:
  using Output = std::function<void(const std::string& line)>;
  StratumMiner(StratumMinerOptions options, Output output);

  Status Run(const std::atomic<bool>& stop);

  uint64_t accepted() const { return accepted_.load(); }
  uint64_t rejected() const { return rejected_.load(); }
  uint64_t hashes() const { return hashes_.load(); }

 private:
  StratumMinerOptions options_;
  Output output_;
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> hashes_{0};
};

}  // namespace mw::lab::stratum_miner
