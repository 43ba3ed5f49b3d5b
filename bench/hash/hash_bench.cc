// bench/hash: hashes per second per thread of the mining path (midstate, SHA-NI two nonces at a
// time) against a naive path (two OpenSSL SHA-256 calls over the full 80-byte header per nonce),
// measured in the same run, and their ratio.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <thread>
#include <map>
#include <string>

#include "core/bytes.h"
#include "core/hash_selftest.h"
#include "core/header_hasher.h"
#include "core/sha256_compress.h"
#include "lab/miner/hash_workers.h"

namespace {

mw::Bytes Header() {
  return mw::FromHex(
             "0100000081cd02ab7e569e8bcd9317e2fe99f2de44d49ab2b8851ba4a308000000000000e320b6c2ff"
             "fc8d750423db8b1eb942ae710e951ed797f7affc8892b0f1fc122bc7f5d74df2b9441a42a14695")
      .value();
}

constexpr uint32_t kBatch = 4096;

void BM_Naive_OpenSSL(benchmark::State& state) {
  mw::Bytes header = Header();
  uint8_t first[32], second[32];
  uint32_t nonce = 0;
  uint32_t hits = 0;
  for (auto _ : state) {
    for (uint32_t i = 0; i < kBatch; ++i) {
      mw::WriteLE32(header.data() + 76, nonce++);
      SHA256(header.data(), header.size(), first);
      SHA256(first, sizeof(first), second);
      hits += second[31] == 0;
    }
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(int64_t(state.iterations()) * kBatch);
}

// A stronger naive baseline: the same two full SHA-256 passes per nonce, but with the digest
// fetched once and one EVP context reused, so per-call provider look-ups are not counted.
void BM_Naive_OpenSSL_ReusedContext(benchmark::State& state) {
  mw::Bytes header = Header();
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  uint8_t first[32], second[32];
  unsigned int len = 0;
  uint32_t nonce = 0;
  uint32_t hits = 0;
  for (auto _ : state) {
    for (uint32_t i = 0; i < kBatch; ++i) {
      mw::WriteLE32(header.data() + 76, nonce++);
      EVP_DigestInit_ex(ctx, md, nullptr);
      EVP_DigestUpdate(ctx, header.data(), header.size());
      EVP_DigestFinal_ex(ctx, first, &len);
      EVP_DigestInit_ex(ctx, md, nullptr);
      EVP_DigestUpdate(ctx, first, sizeof(first));
      EVP_DigestFinal_ex(ctx, second, &len);
      hits += second[31] == 0;
    }
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(int64_t(state.iterations()) * kBatch);
}

void RunMiningPath(benchmark::State& state, mw::HashImpl impl) {
  auto hasher = mw::HeaderHasher::Create(Header(), impl).value();
  if (impl == mw::HashImpl::kShaNi && hasher.impl() != mw::HashImpl::kShaNi) {
    state.SkipWithError("this CPU has no SHA-NI");
    return;
  }
  mw::Hash256 target{};  // only a zero hash meets it: measures the search loop itself
  std::vector<mw::HeaderHasher::Found> found;
  uint32_t nonce = 0;
  for (auto _ : state) {
    hasher.Scan(nonce, kBatch, target, found);
    nonce += kBatch;
  }
  benchmark::DoNotOptimize(found.size());
  state.SetItemsProcessed(int64_t(state.iterations()) * kBatch);
}

void BM_MiningPath_Auto(benchmark::State& s) { RunMiningPath(s, mw::HashImpl::kAuto); }
void BM_MiningPath_Portable(benchmark::State& s) { RunMiningPath(s, mw::HashImpl::kPortable); }

BENCHMARK(BM_Naive_OpenSSL)->MinTime(1.0);
BENCHMARK(BM_Naive_OpenSSL_ReusedContext)->MinTime(1.0);
BENCHMARK(BM_MiningPath_Auto)->MinTime(1.0);
BENCHMARK(BM_MiningPath_Portable)->MinTime(1.0);

// Keeps each benchmark's items/s so the ratio can be printed after the run.
class RateReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      auto it = r.counters.find("items_per_second");
      if (it != r.counters.end()) rates[r.benchmark_name()] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> rates;
};

// The miner's end-to-end rate: minelab's HashWorkers (the engine behind `minelab miner`, with its
// batching, job switching and accounting) on one thread for a wall-clock window. Google Benchmark
// reports items per CPU second of the benchmark thread, so the comparable figure here is hashes per
// CPU second of this process (the main thread only sleeps meanwhile); the wall-clock rate is
// printed too, and is lower whenever other work shares the cores.
struct MinerRate {
  double per_cpu_second = 0;
  double per_wall_second = 0;
};

double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

MinerRate MinerEndToEndRate(double seconds) {
  mw::lab::miner::HashWorkers workers(1, [](const mw::lab::miner::FoundNonce&) {},
                                      [](uint64_t) {});
  mw::lab::miner::WorkUnit work;
  const mw::Bytes header = Header();
  std::copy(header.begin(), header.end(), work.header.begin());
  work.target = mw::Hash256{};  // nothing is ever found: the loop runs flat out
  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = ProcessCpuSeconds();
  workers.SetWork(work);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const uint64_t hashes = workers.total_hashes();
  const double cpu = ProcessCpuSeconds() - cpu0;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  workers.Clear();
  return {cpu > 0 ? double(hashes) / cpu : 0.0, double(hashes) / elapsed};
}

}  // namespace

int main(int argc, char** argv) {
  mw::Status self = mw::RunHashSelfTest();
  if (!self.ok()) {
    std::fprintf(stderr, "bench-hash: %s\n", self.ToString().c_str());
    return 3;
  }
  benchmark::Initialize(&argc, argv);
  RateReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const double naive = reporter.rates["BM_Naive_OpenSSL/min_time:1.000"];
  const double naive_ctx = reporter.rates["BM_Naive_OpenSSL_ReusedContext/min_time:1.000"];
  const double mining = reporter.rates["BM_MiningPath_Auto/min_time:1.000"];
  const double portable = reporter.rates["BM_MiningPath_Portable/min_time:1.000"];
  std::printf("\nCPU SHA extensions: %s; mining path implementation: %s\n",
              mw::sha256::CpuHasShaNi() ? "yes" : "no",
              std::string(mw::HashImplName(mw::BestHashImpl())).c_str());
  std::printf("naive OpenSSL (2 x SHA256() over 80 B): %8.2f MH/s per thread\n", naive / 1e6);
  std::printf("naive OpenSSL, reused EVP context:     %8.2f MH/s per thread\n", naive_ctx / 1e6);
  std::printf("mining path (%s):                 %8.2f MH/s per thread\n",
              std::string(mw::HashImplName(mw::BestHashImpl())).c_str(), mining / 1e6);
  std::printf("mining path (portable):               %8.2f MH/s per thread\n", portable / 1e6);
  const MinerRate miner = MinerEndToEndRate(2.0);
  std::printf("miner end to end (HashWorkers, 1 thread): %8.2f MH/s per CPU second (%.2f per wall "
              "second); ratio to the bare mining path %.2fx (target >= 0.9x)\n",
              miner.per_cpu_second / 1e6, miner.per_wall_second / 1e6,
              mining > 0 ? miner.per_cpu_second / mining : 0.0);
  if (naive > 0 && naive_ctx > 0) {
    std::printf("ratio mining/naive: %.2fx against SHA256() calls, %.2fx against the reused EVP "
                "context (target >= 1.5x with SHA-NI)\n",
                mining / naive, mining / naive_ctx);
  }
  return 0;
}
