#include "core/counters.h"

#include <gtest/gtest.h>

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
