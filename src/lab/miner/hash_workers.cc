#include "lab/miner/hash_workers.h"

#include <algorithm>

#include "core/header_hasher.h"

namespace mw::lab::miner {

HashWorkers::HashWorkers(int threads, OnFound on_found, OnExhausted on_exhausted)
    : count_(std::max(1, threads)),
      on_found_(std::move(on_found)),
      on_exhausted_(std::move(on_exhausted)) {
  for (int i = 0; i < count_; ++i) threads_.emplace_back([this, i] { Loop(i); });
}

HashWorkers::~HashWorkers() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    ++generation_;
    live_generation_ = generation_;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void HashWorkers::SetWork(const WorkUnit& work) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    work_ = work;
    if (work_.nonce_count == 0 || work_.nonce_count > (1ull << 32)) work_.nonce_count = 1ull << 32;
    has_work_ = true;
    finished_ = 0;
    ++generation_;
    live_generation_ = generation_;
  }
  cv_.notify_all();
}

void HashWorkers::Clear() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    has_work_ = false;
    ++generation_;
    live_generation_ = generation_;
  }
  cv_.notify_all();
}

void HashWorkers::Loop(int index) {
  uint64_t done_generation = 0;
  for (;;) {
    WorkUnit work;
    uint64_t generation = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || (has_work_ && generation_ != done_generation); });
      if (stopping_) return;
      work = work_;
      generation = generation_;
    }
    const uint64_t count = uint64_t(count_);
    const uint64_t per = work.nonce_count / count;
    const uint64_t begin = per * uint64_t(index);
    const uint64_t slice = uint64_t(index) + 1 == count ? work.nonce_count - begin : per;
    auto hasher = HeaderHasher::Create(ByteSpan(work.header.data(), work.header.size()));
    std::vector<HeaderHasher::Found> found;
    uint64_t scanned = 0;
    while (hasher.ok() && scanned < slice &&
           live_generation_.load(std::memory_order_relaxed) == generation) {
      const uint32_t batch = uint32_t(std::min<uint64_t>(kBatch, slice - scanned));
      const uint32_t first = uint32_t(work.nonce_start + begin + scanned);
      found.clear();
      hashes_.fetch_add(hasher->Scan(first, batch, work.target, found),
                        std::memory_order_relaxed);
      scanned += batch;
      for (const auto& f : found) {
        if (live_generation_.load() != generation) break;
        on_found_(FoundNonce{work.job_id, f.nonce, f.hash});
      }
    }
    done_generation = generation;
    bool exhausted = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (generation_ == generation && scanned >= slice) {
        exhausted = ++finished_ == int(count);
      }
    }
    if (exhausted && on_exhausted_) on_exhausted_(work.job_id);
  }
}

}  // namespace mw::lab::miner
