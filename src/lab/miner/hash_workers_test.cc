#include "lab/miner/hash_workers.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>

#include "core/header_hasher.h"

namespace mw::lab::miner {
namespace {

TEST(HashWorkersTest, ScansTheWholeRangeAcrossThreadsAndReportsEveryHit) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<FoundNonce> found;
  bool exhausted = false;
  HashWorkers workers(
      3,
      [&](const FoundNonce& f) {
        std::lock_guard<std::mutex> lock(mu);
        found.push_back(f);
      },
      [&](uint64_t job) {
        std::lock_guard<std::mutex> lock(mu);
        EXPECT_EQ(job, 7u);
        exhausted = true;
        cv.notify_all();
      });
  WorkUnit work;
  work.job_id = 7;
  for (size_t i = 0; i < work.header.size(); ++i) work.header[i] = uint8_t(i * 13);
  work.target.fill(0xff);
  work.target[31] = 0x0f;  // little-endian: the top 4 bits zero, one hit per ~16 nonces
  work.nonce_start = 1000;
  work.nonce_count = 50'000;
  workers.SetWork(work);
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return exhausted; }));
  }
  // The same search on one thread, directly.
  auto hasher = HeaderHasher::Create(ByteSpan(work.header.data(), work.header.size()));
  ASSERT_TRUE(hasher.ok());
  std::vector<HeaderHasher::Found> expected;
  hasher->Scan(work.nonce_start, uint32_t(work.nonce_count), work.target, expected);
  std::set<uint32_t> want, got;
  for (const auto& f : expected) want.insert(f.nonce);
  std::lock_guard<std::mutex> lock(mu);
  for (const auto& f : found) {
    got.insert(f.nonce);
    EXPECT_EQ(f.hash, hasher->Hash(f.nonce));
    EXPECT_EQ(f.job_id, 7u);
  }
  EXPECT_FALSE(want.empty());
  EXPECT_EQ(got, want);
  EXPECT_EQ(workers.total_hashes(), work.nonce_count);
}

TEST(HashWorkersTest, NewWorkReplacesOldWork) {
  std::mutex mu;
  std::set<uint64_t> jobs_found;
  HashWorkers workers(
      2,
      [&](const FoundNonce& f) {
        std::lock_guard<std::mutex> lock(mu);
        jobs_found.insert(f.job_id);
      },
      nullptr);
  WorkUnit impossible;
  impossible.job_id = 1;  // target zero: never a hit, would run for the whole 2^32 range
  workers.SetWork(impossible);
  WorkUnit easy;
  easy.job_id = 2;
  easy.target.fill(0xff);  // every nonce is a hit
  easy.nonce_count = 10;
  workers.SetWork(easy);
  for (int i = 0; i < 3000; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (jobs_found.count(2)) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(jobs_found, std::set<uint64_t>{2});
}

}  // namespace
}  // namespace mw::lab::miner
