// The record's containers that outlive a flow: Boxed (an optional on the heap whose allocation
// survives reset()) and SizeSamples (inline first samples, then the heap).
#include "detectors/common/flow_record.h"

#include <gtest/gtest.h>

namespace mw::detectors {
namespace {

TEST(Boxed, ResetEmptiesTheBoxAndTheNextValueReusesItsAllocation) {
  Boxed<TlsFacts> box;
  EXPECT_FALSE(box.has_value());
  TlsFacts first;
  first.hello.sni = "a-name-longer-than-the-small-string-buffer.example";
  box = first;
  ASSERT_TRUE(box.has_value());
  const TlsFacts* storage = &*box;
  box.reset();
  EXPECT_FALSE(box.has_value());
  EXPECT_FALSE(static_cast<bool>(box));
  box = TlsFacts{};
  ASSERT_TRUE(box.has_value());
  EXPECT_EQ(&*box, storage);
  EXPECT_TRUE(box->hello.sni.empty());  // the new value, not what the last flow left
}

TEST(Boxed, MovesLeaveTheSourceEmptyAndCopiesAreDeep) {
  Boxed<HttpFacts> a;
  a = HttpFacts{};
  a->host = "pool.test";
  Boxed<HttpFacts> copy(a);
  copy->host = "other.test";
  EXPECT_EQ(a->host, "pool.test");
  Boxed<HttpFacts> moved(std::move(a));
  EXPECT_FALSE(a.has_value());  // NOLINT(bugprone-use-after-move): the contract under test
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(moved->host, "pool.test");
  Boxed<HttpFacts> empty;
  moved = empty;  // copying an empty box empties the target
  EXPECT_FALSE(moved.has_value());
  Boxed<HttpFacts> target;
  target = std::move(copy);
  EXPECT_FALSE(copy.has_value());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(target->host, "other.test");
}

TEST(SizeSamples, KeepsOrderAcrossTheInlinePartAndTheHeap) {
  SizeSamples s;
  EXPECT_TRUE(s.empty());
  constexpr size_t kCount = SizeSamples::kInline * 3 + 1;
  for (size_t i = 0; i < kCount; ++i) s.emplace_back(uint32_t(100 + i), int64_t(1'000'000 * i) - 5);
  ASSERT_EQ(s.size(), kCount);
  for (size_t i = 0; i < kCount; ++i) {
    EXPECT_EQ(s[i].first, 100 + i) << i;
    EXPECT_EQ(s[i].second, int64_t(1'000'000 * i) - 5) << i;
  }
  EXPECT_EQ(s.front().first, 100u);
  EXPECT_EQ(s.back().first, 100 + kCount - 1);
  s.clear();
  EXPECT_TRUE(s.empty());
  s.emplace_back(7, 9);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0], (SizeSamples::Sample{7, 9}));
  EXPECT_EQ(s.back(), s.front());
}

TEST(FlowRecord, DestinationPortIsTheTunnelTargetsThroughAProxy) {
  FlowRecord r;
  r.server.port = 3128;
  EXPECT_EQ(r.destination_port(), 3128);
  r.http = HttpFacts{};
  r.http->uri = "pool.example.test:3333";
  EXPECT_EQ(r.destination_port(), 3128);  // a CONNECT the proxy did not open is no tunnel
  r.http->tunnel = true;
  EXPECT_EQ(r.destination_port(), 3333);
  r.http->uri = "[2001:db8::1]:4444";
  EXPECT_EQ(r.destination_port(), 4444);
  for (const char* bad : {"pool.example.test", "pool:", "pool:99999", "pool:0", "pool:44a4",
                          "pool:1234567"}) {
    r.http->uri = bad;
    EXPECT_EQ(r.destination_port(), 3128) << bad;
  }
}

}  // namespace
}  // namespace mw::detectors
