// HashWorkers: N threads scanning the nonces of one work unit with core's HeaderHasher.
//
// SetWork() replaces the current unit; threads move to it after their current batch (at most
// kBatch nonces, well under a millisecond). The nonce range is split evenly across threads.
// Every nonce whose hash is <= target is reported through on_found; when every thread has
// finished its slice, on_exhausted fires once for that unit (roll extranonce or time then).
//
// Threading: callbacks run on worker threads and must be quick and thread-safe. SetWork, Clear
// and the accessors may be called from any thread. The destructor stops and joins the threads.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/sha256.h"

namespace mw::lab::miner {

struct WorkUnit {
  uint64_t job_id = 0;                 // the caller's id, echoed in callbacks
  std::array<uint8_t, 80> header{};    // nonce field ignored
  Hash256 target{};                    // internal (little-endian) order
  uint32_t nonce_start = 0;
  uint64_t nonce_count = 1ull << 32;   // 1 .. 2^32
};

struct FoundNonce {
  uint64_t job_id = 0;
  uint32_t nonce = 0;
  Hash256 hash{};  // internal order
};

class HashWorkers {
 public:
  static constexpr uint32_t kBatch = 1u << 14;

  using OnFound = std::function<void(const FoundNonce&)>;
  using OnExhausted = std::function<void(uint64_t job_id)>;

  HashWorkers(int threads, OnFound on_found, OnExhausted on_exhausted);
  ~HashWorkers();
  HashWorkers(const HashWorkers&) = delete;
  HashWorkers& operator=(const HashWorkers&) = delete;

  void SetWork(const WorkUnit& work);
  void Clear();  // idle until the next SetWork

  uint64_t total_hashes() const { return hashes_.load(std::memory_order_relaxed); }
  int threads() const { return count_; }

 private:
  void Loop(int index);

  const int count_;  // set before any thread starts
  OnFound on_found_;
  OnExhausted on_exhausted_;
  std::mutex mu_;
  std::condition_variable cv_;
  WorkUnit work_;
  bool has_work_ = false;
  bool stopping_ = false;
  uint64_t generation_ = 0;                 // bumps on every SetWork/Clear
  std::atomic<uint64_t> live_generation_{0};
  int finished_ = 0;                        // threads done with the current generation
  std::atomic<uint64_t> hashes_{0};
  std::vector<std::thread> threads_;
};

}  // namespace mw::lab::miner
