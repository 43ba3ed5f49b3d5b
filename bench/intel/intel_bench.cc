// bench/intel: domain lookups per second of a compiled snapshot against a baseline measured in
// the same run (std::unordered_set<std::string> walked suffix by suffix), on 1,000,000 synthetic
// names and on the real feeds in ../shared/intel when present. Also prints load time of the
// snapshot file and bytes per domain.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/env.h"
#include "intel/feed_parser.h"
#include "intel/snapshot.h"
#include "intel/snapshot_builder.h"

namespace {

namespace fs = std::filesystem;
using mw::intel::MatchResult;
using mw::intel::Snapshot;

constexpr size_t kSyntheticNames = 1'000'000;
constexpr size_t kQueries = 1 << 16;

struct Corpus {
  std::string label;
  std::unordered_set<std::string> baseline;
  std::unique_ptr<Snapshot> snapshot;
  std::vector<std::string> queries;  // half hits (below an entry), half misses
  std::vector<std::string_view> query_views;  // the same, for MatchBatch
  double load_ms = 0;
  size_t file_bytes = 0;
  size_t domains = 0;
};

// Suffix walk over a hash set: the straightforward way to match "eu1.pool.example" against
// "pool.example".
bool BaselineMatch(const std::unordered_set<std::string>& set, std::string_view name) {
  while (true) {
    if (set.count(std::string(name))) return true;
    const size_t dot = name.find('.');
    if (dot == std::string_view::npos) return false;
    name.remove_prefix(dot + 1);
  }
}

std::string RandomLabel(std::mt19937_64& rng, size_t min_len, size_t max_len) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<size_t> len(min_len, max_len);
  std::uniform_int_distribution<size_t> ch(0, 35);
  std::string s(len(rng), 'a');
  for (char& c : s) c = kChars[ch(rng)];
  return s;
}

void Finish(Corpus& c, const std::vector<std::string>& names, mw::intel::SnapshotBuilder& builder,
            std::mt19937_64& rng) {
  const std::string path = "/tmp/bench-intel-" + std::to_string(getpid()) + ".mwintel";
  auto bytes = builder.Build();
  if (!bytes.ok() || !mw::intel::WriteSnapshotFile(path, *bytes).ok()) {
    std::fprintf(stderr, "bench-intel: cannot build the %s snapshot\n", c.label.c_str());
    std::exit(3);
  }
  // Load time, cold in the sense that the checksum and every record are walked again.
  const auto t0 = std::chrono::steady_clock::now();
  auto snap = Snapshot::Load(path);
  const auto t1 = std::chrono::steady_clock::now();
  std::remove(path.c_str());
  if (!snap.ok()) {
    std::fprintf(stderr, "bench-intel: %s\n", snap.status().ToString().c_str());
    std::exit(3);
  }
  c.load_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  c.file_bytes = snap->file_bytes();
  c.domains = snap->domain_entry_count();
  c.snapshot = std::make_unique<Snapshot>(std::move(*snap));
  for (const auto& n : names) c.baseline.insert(n);
  std::uniform_int_distribution<size_t> pick(0, names.size() - 1);
  for (size_t i = 0; i < kQueries; ++i) {
    if (i % 2 == 0) {
      c.queries.push_back(RandomLabel(rng, 2, 8) + "." + names[pick(rng)]);
    } else {
      c.queries.push_back(RandomLabel(rng, 3, 10) + "." + RandomLabel(rng, 4, 12) + ".example.net");
    }
  }
  for (const auto& q : c.queries) c.query_views.push_back(q);
}

Corpus& Synthetic() {
  static Corpus c = [] {
    Corpus s;
    s.label = "synthetic 1M";
    std::mt19937_64 rng(42);
    std::string text;
    std::vector<std::string> names;
    names.reserve(kSyntheticNames);
    static constexpr const char* kTlds[] = {"com", "net", "org", "io", "xyz", "top", "ru", "cn"};
    for (size_t i = 0; i < kSyntheticNames; ++i) {
      std::string n = RandomLabel(rng, 5, 12);
      n += '.';
      n += kTlds[i % 8];
      if (i % 4 == 0) n.insert(0, RandomLabel(rng, 2, 5) + ".");
      text += n;
      text += '\n';
      names.push_back(std::move(n));
    }
    mw::intel::SnapshotBuilder b;
    b.AddFeed(mw::intel::ParseFeed(text, {"synthetic", mw::intel::Format::kDomains,
                                          mw::intel::Category::kPool}));
    Finish(s, names, b, rng);
    return s;
  }();
  return c;
}

std::string FeedsDir() {
  if (const char* e = std::getenv("MW_INTEL_FEEDS")) return e;
  return std::string(MW_SOURCE_DIR) + "/../shared/intel";
}

Corpus* RealFeeds() {
  static std::unique_ptr<Corpus> c = []() -> std::unique_ptr<Corpus> {
    const fs::path dir = FeedsDir();
    if (!fs::is_directory(dir)) return nullptr;
    auto s = std::make_unique<Corpus>();
    s->label = "real feeds";
    mw::intel::SnapshotBuilder b;
    std::vector<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file() || e.path().extension() != ".txt") continue;
      auto text = mw::Env::Default()->ReadFile(e.path().string());
      if (!text.ok()) continue;
      auto feed = mw::intel::ParseFeed(*text, {e.path().stem().string(), mw::intel::Format::kAuto,
                                               mw::intel::GuessCategory(e.path().string())});
      for (const auto& en : feed.entries) {
        if (en.kind == mw::intel::EntryKind::kDomain) names.push_back(en.host);
      }
      b.AddFeed(std::move(feed));
    }
    if (names.empty()) return nullptr;
    std::mt19937_64 rng(7);
    Finish(*s, names, b, rng);
    return s;
  }();
  return c.get();
}

void RunSnapshot(benchmark::State& state, Corpus& c) {
  MatchResult m;
  size_t i = 0, hits = 0;
  for (auto _ : state) {
    hits += c.snapshot->Match(c.queries[i], &m);
    i = (i + 1) & (kQueries - 1);
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.counters["hit_rate"] = double(hits) / double(state.iterations());
}

// The same queries, the same order, kBatch at a time through MatchBatch (the sensor-facing
// single-name Match above is the headline number; this shows what overlapping names buys).
void RunSnapshotBatch(benchmark::State& state, Corpus& c) {
  constexpr size_t kBatch = 64;
  MatchResult m[kBatch];
  size_t i = 0, hits = 0;
  for (auto _ : state) {
    hits += c.snapshot->MatchBatch(std::span(c.query_views).subspan(i, kBatch), m);
    i = (i + kBatch) & (kQueries - 1);
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(int64_t(state.iterations() * kBatch));
  state.counters["hit_rate"] = double(hits) / double(state.iterations() * kBatch);
}

void RunBaseline(benchmark::State& state, Corpus& c) {
  size_t i = 0, hits = 0;
  for (auto _ : state) {
    hits += BaselineMatch(c.baseline, c.queries[i]);
    i = (i + 1) & (kQueries - 1);
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.counters["hit_rate"] = double(hits) / double(state.iterations());
}

void BM_Synthetic_Snapshot(benchmark::State& s) { RunSnapshot(s, Synthetic()); }
void BM_Synthetic_SnapshotBatch(benchmark::State& s) { RunSnapshotBatch(s, Synthetic()); }
void BM_Synthetic_UnorderedSet(benchmark::State& s) { RunBaseline(s, Synthetic()); }
void BM_Real_Snapshot(benchmark::State& s) {
  if (!RealFeeds()) return s.SkipWithError("../shared/intel not present");
  RunSnapshot(s, *RealFeeds());
}
void BM_Real_SnapshotBatch(benchmark::State& s) {
  if (!RealFeeds()) return s.SkipWithError("../shared/intel not present");
  RunSnapshotBatch(s, *RealFeeds());
}
void BM_Real_UnorderedSet(benchmark::State& s) {
  if (!RealFeeds()) return s.SkipWithError("../shared/intel not present");
  RunBaseline(s, *RealFeeds());
}

// Three runs of 0.5 s each; the summary takes each benchmark's best run (other tenants of a
// shared machine only ever slow a run down), the baseline's included.
BENCHMARK(BM_Synthetic_Snapshot)->MinTime(0.5)->Repetitions(3);
BENCHMARK(BM_Synthetic_SnapshotBatch)->MinTime(0.5)->Repetitions(3);
BENCHMARK(BM_Synthetic_UnorderedSet)->MinTime(0.5)->Repetitions(3);
BENCHMARK(BM_Real_Snapshot)->MinTime(0.5)->Repetitions(3);
BENCHMARK(BM_Real_SnapshotBatch)->MinTime(0.5)->Repetitions(3);
BENCHMARK(BM_Real_UnorderedSet)->MinTime(0.5)->Repetitions(3);

class RateReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration) continue;  // the mean/median/stddev rows
      auto it = r.counters.find("items_per_second");
      if (it == r.counters.end()) continue;
      double& best = rates[r.run_name.function_name];
      best = std::max(best, double(it->second.value));
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> rates;
};

void Summary(const Corpus& c, double snap_rate, double batch_rate, double base_rate) {
  std::printf("%-13s domains %8zu  snapshot %9zu B  load %7.1f ms  %5.1f B/domain (file)  "
              "%5.1f B/domain (name table)\n",
              c.label.c_str(), c.domains, c.file_bytes, c.load_ms,
              double(c.file_bytes) / double(c.domains),
              double(c.snapshot->domain_bytes()) / double(c.domains));
  std::printf("%-13s lookups/s: snapshot Match %6.2f M, MatchBatch %6.2f M, unordered_set suffix walk "
              "%6.2f M, ratio (Match) %.2fx\n",
              c.label.c_str(), snap_rate / 1e6, batch_rate / 1e6, base_rate / 1e6,
              base_rate > 0 ? snap_rate / base_rate : 0.0);
  // The throughput target is per core: the batched path (what `intel scan` uses) is the one
  // that keeps a core busy when the table does not fit in cache; a single Match waits for memory.
  const bool best_is_batch = batch_rate >= snap_rate;
  const double best = best_is_batch ? batch_rate : snap_rate;
  std::printf("%-13s per core: %.2f M lookups/s (%s): %s; %.1f B/domain: %s; load: %s\n", c.label.c_str(),
              best / 1e6, best_is_batch ? "MatchBatch" : "Match", best >= 10e6 ? "met" : "NOT met",
              double(c.snapshot->domain_bytes()) / double(c.domains),
              double(c.snapshot->domain_bytes()) / double(c.domains) <= 48 ? "met" : "NOT met",
              c.load_ms <= 300 ? "met" : "NOT met");
  // Said as well, so that nobody reads the line above as the one-name-at-a-time rate.
  std::printf("%-13s one name at a time (Match): %.2f M lookups/s: %s\n", c.label.c_str(), snap_rate / 1e6,
              snap_rate >= 10e6 ? "above 10 M"
                                : "below 10 M (each hit waits for its bucket, then its key record)");
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RateReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\ntargets: >= 10 M lookups/s per core, <= 48 B per domain, snapshot load <= 300 ms\n");
  Summary(Synthetic(), reporter.rates["BM_Synthetic_Snapshot"], reporter.rates["BM_Synthetic_SnapshotBatch"],
          reporter.rates["BM_Synthetic_UnorderedSet"]);
  if (RealFeeds()) {
    Summary(*RealFeeds(), reporter.rates["BM_Real_Snapshot"], reporter.rates["BM_Real_SnapshotBatch"],
            reporter.rates["BM_Real_UnorderedSet"]);
  } else {
    std::printf("real feeds: skipped (%s not present)\n", FeedsDir().c_str());
  }
  return 0;
}
