#include "core/counters.h"

#include <gtest/gtest.h>

#include <string>

#include <cstdio>
#include <thread>
#include <vector>

#include "core/env.h"

namespace mw {
namespace {

TEST(Counters, ConcurrentIncrementsAreAllCounted) {
  CounterSet set("sensor");
  Counter& c = set.Get("packets");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] { for (int i = 0; i < 10000; ++i) c.Inc(); });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(set.Value("packets"), 40000u);
  EXPECT_EQ(set.Value("missing"), 0u);
  auto snap = set.Snapshot();
  EXPECT_EQ(snap.at("sensor.packets"), 40000u);
  EXPECT_EQ(&set.Get("packets"), &c);
}

// Get() remembers names by the address of their text: a buffer reused for other names (same
// address, other text, or the same text shorter) must still reach the right counters.
TEST(Counters, NamesFromAReusedBufferReachTheirOwnCounters) {
  CounterSet set;
  char buf[32];
  const char* names[] = {"tls.not_tls", "tls.client_hello", "tls.not_ssl", "tls.not", "tls.not_tls"};
  for (int round = 0; round < 3; ++round) {
    for (const char* n : names) {
      std::snprintf(buf, sizeof(buf), "%s", n);
      set.Get(std::string_view(buf)).Inc();
      set.Get(n).Inc();  // the same name from a literal's address
    }
  }
  EXPECT_EQ(set.Value("tls.not_tls"), 12u);
  EXPECT_EQ(set.Value("tls.not_ssl"), 6u);  // as long as "tls.not_tls", from the same buffer
  EXPECT_EQ(set.Value("tls.client_hello"), 6u);
  EXPECT_EQ(set.Value("tls.not"), 6u);
  EXPECT_EQ(set.Snapshot().size(), 4u);
  // A prefix of a remembered name, from the same address, is another counter.
  const std::string_view literal = "abc.def";
  set.Get(literal).Inc();
  set.Get(literal.substr(0, 3)).Inc(5);
  EXPECT_EQ(set.Value("abc.def"), 1u);
  EXPECT_EQ(set.Value("abc"), 5u);
  // Names too long to be cached, differing only at their end, from one buffer.
  char long_buf[96];
  for (int round = 0; round < 4; ++round) {
    for (char last : {'x', 'y'}) {
      std::snprintf(long_buf, sizeof(long_buf), "%s%c", std::string(70, 'n').c_str(), last);
      set.Get(std::string_view(long_buf)).Inc();
    }
  }
  EXPECT_EQ(set.Value(std::string(70, 'n') + "x"), 4u);
  EXPECT_EQ(set.Value(std::string(70, 'n') + "y"), 4u);
}

// Past the cache's entry limit (many names from one buffer) names still reach their counters;
// threads creating and bumping the same and different names at once lose no increment.
TEST(Counters, ManyNamesAndThreadsStillReachTheirCounters) {
  CounterSet set;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&set, t] {
      char buf[32];
      for (int i = 0; i < 3000; ++i) {
        std::snprintf(buf, sizeof(buf), "name.%d", i % 1500);
        set.Get(std::string_view(buf)).Inc();
        set.Get("shared").Inc();
        if (i % 100 == 0) set.Get(t % 2 == 0 ? "even" : "odd").Inc();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(set.Value("shared"), 12000u);
  EXPECT_EQ(set.Value("even"), 60u);
  EXPECT_EQ(set.Value("odd"), 60u);
  for (int i = 0; i < 1500; i += 37) {
    EXPECT_EQ(set.Value("name." + std::to_string(i)), 8u) << i;
  }
  EXPECT_EQ(set.Snapshot().size(), 1503u);
}

TEST(Counters, PrefixAndNameNameTheSameCounterAsTheWholeName) {
  CounterSet set;
  Counter& whole = set.Get("malformed.bad_length");
  EXPECT_EQ(&set.Get("malformed.", "bad_length"), &whole);
  set.Get("malformed.", "bad_length").Inc();
  set.Get("malformed.", "other").Inc(2);
  EXPECT_EQ(set.Value("malformed.bad_length"), 1u);
  EXPECT_EQ(set.Value("malformed.other"), 2u);
  // Longer than the stack buffer: still one counter.
  const std::string tail(200, 'x');
  set.Get("weird.", tail).Inc();
  EXPECT_EQ(set.Value("weird." + tail), 1u);
  // Snapshot is sorted by name whatever the set's own order.
  const auto snap = set.Snapshot();
  ASSERT_EQ(snap.size(), 3u);
  EXPECT_EQ(snap.begin()->first, "malformed.bad_length");
  EXPECT_EQ(snap.rbegin()->first, "weird." + tail);
}

TEST(FakeEnvTest, FilesAndClock) {
  FakeEnv env;
  EXPECT_FALSE(env.FileExists("/x"));
  ASSERT_TRUE(env.WriteFileAtomic("/x", "hello", 0600).ok());
  EXPECT_EQ(env.ReadFile("/x").value(), "hello");
  int64_t t0 = env.NowMicros();
  env.AdvanceMicros(5);
  EXPECT_EQ(env.NowMicros(), t0 + 5);
  EXPECT_FALSE(env.ReadFile("/y").ok());
}

TEST(PosixEnvTest, AtomicWriteAndRead) {
  Env* env = Env::Default();
  std::string path = ::testing::TempDir() + "/mw_env_test.txt";
  ASSERT_TRUE(env->WriteFileAtomic(path, "abc", 0600).ok());
  EXPECT_EQ(env->ReadFile(path).value(), "abc");
  EXPECT_FALSE(env->ReadFile(path + ".missing").ok());
}

}  // namespace
}  // namespace mw
