#include "net/capture/reopening_live_source.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "net/capture/frame_batch.h"

namespace mw::net {
namespace {

// A live handle that plays a script: packets and timeouts, then a failure (or runs dry into
// timeouts). Its counts are its own, as a pcap handle's are.
class ScriptedHandle final : public PacketSource {
 public:
  enum class Step { kPacket, kTimeout, kFail };
  ScriptedHandle(std::string name, int link_type, std::deque<Step> steps, uint64_t dropped = 0)
      : name_(std::move(name)), link_type_(link_type), steps_(std::move(steps)) {
    stats_.kernel_dropped = dropped;
  }
  NextResult Next(RawPacket& out) override {
    if (!status_.ok()) return NextResult::kError;
    if (steps_.empty()) return NextResult::kTimeout;
    const Step step = steps_.front();
    steps_.pop_front();
    if (step == Step::kTimeout) return NextResult::kTimeout;
    if (step == Step::kFail) {
      ++stats_.read_errors;
      status_ = Status::Corruption(name_ + ": read error after " +
                                   std::to_string(stats_.packets) +
                                   " packet(s): The interface disappeared");
      return NextResult::kError;
    }
    ++stats_.packets;
    stats_.bytes += sizeof frame_;
    out = RawPacket{int64_t(stats_.packets), sizeof frame_, sizeof frame_, link_type_, frame_};
    return NextResult::kPacket;
  }
  const Status& status() const override { return status_; }
  int link_type() const override { return link_type_; }
  const CaptureStats& stats() override { return stats_; }
  std::string name() const override { return name_; }

 private:
  std::string name_;
  int link_type_;
  std::deque<Step> steps_;
  Status status_;
  CaptureStats stats_;
  uint8_t frame_[20] = {};
};

using Step = ScriptedHandle::Step;

struct Recorder : CaptureLossListener {
  std::vector<std::string> said;
  void OnCaptureLost(const Status& why) override { said.push_back("lost: " + why.message()); }
  void OnCaptureBack(int64_t down_us) override {
    said.push_back("back after " + std::to_string(down_us) + " us");
  }
};

// An opener that answers from a list: each entry a handle, or the error of one attempt.
struct ScriptedOpener {
  explicit ScriptedOpener(FakeEnv* clock) : env(clock) {}
  std::deque<Result<std::unique_ptr<PacketSource>>> answers;
  std::vector<int64_t> attempts_at_us;
  FakeEnv* env;
  Result<std::unique_ptr<PacketSource>> operator()() {
    attempts_at_us.push_back(env->MonotonicMicros());
    if (answers.empty()) return Status::Unavailable("interface va: No such device exists");
    auto r = std::move(answers.front());
    answers.pop_front();
    return r;
  }
};

constexpr int64_t kWaitUs = 200'000;
constexpr int64_t kRetryUs = 1'000'000;

std::unique_ptr<PacketSource> Handle(std::deque<Step> steps, int link_type = 1,
                                     uint64_t dropped = 0) {
  return std::make_unique<ScriptedHandle>("interface va", link_type, std::move(steps), dropped);
}

TEST(ReopeningLiveSourceTest, WaitsForTheInterfaceAndReadsOnWhenItIsBack) {
  FakeEnv env;
  Recorder heard;
  ScriptedOpener opener(&env);
  opener.answers.push_back(Status::Unavailable("interface va: No such device exists"));
  opener.answers.push_back(Status::Unavailable("interface va: That device is not up"));
  opener.answers.push_back(Handle({Step::kPacket, Step::kPacket}, /*link_type=*/113, 7));
  ReopeningLiveSource src(Handle({Step::kPacket, Step::kFail}, 1, 5),
                          [&opener] { return opener(); }, &env, &heard, kWaitUs, kRetryUs);
  RawPacket p;
  ASSERT_EQ(src.Next(p), NextResult::kPacket);
  const int64_t t0 = env.MonotonicMicros();
  // The handle fails: a timeout to the caller, not an error; the listener hears why.
  EXPECT_EQ(src.Next(p), NextResult::kTimeout);
  EXPECT_TRUE(src.down());
  EXPECT_TRUE(src.status().ok());
  ASSERT_EQ(heard.said.size(), 1u);
  EXPECT_EQ(heard.said[0],
            "lost: interface va: read error after 1 packet(s): The interface disappeared");
  // NextReady never waits nor tries while the interface is away.
  EXPECT_EQ(src.NextReady(p), NextResult::kTimeout);
  EXPECT_TRUE(opener.attempts_at_us.empty());
  // Each Next() waits at most the read timeout; attempts come at once, then a second apart.
  int calls = 0;
  NextResult r;
  while ((r = src.Next(p)) == NextResult::kTimeout) ASSERT_LT(++calls, 100);
  ASSERT_EQ(r, NextResult::kPacket);
  EXPECT_FALSE(src.down());
  EXPECT_EQ(src.link_type(), 113);
  ASSERT_EQ(opener.attempts_at_us.size(), 3u);
  EXPECT_EQ(opener.attempts_at_us[0], t0);
  EXPECT_EQ(opener.attempts_at_us[1], t0 + kRetryUs);
  EXPECT_EQ(opener.attempts_at_us[2], t0 + 2 * kRetryUs);
  // The first call tried at once; every other one waited the read timeout (no busy loop).
  EXPECT_EQ(calls, 2 * (kRetryUs / kWaitUs));
  ASSERT_EQ(heard.said.size(), 2u);
  EXPECT_EQ(heard.said[1], "back after 2000000 us");
  ASSERT_EQ(src.Next(p), NextResult::kPacket);
  // Counts of both handles, the lost one's read error and drops included.
  const CaptureStats& s = src.stats();
  EXPECT_EQ(s.packets, 3u);
  EXPECT_EQ(s.read_errors, 1u);
  EXPECT_EQ(s.kernel_dropped, 12u);
  EXPECT_EQ(s.interface_lost, 1u);
  EXPECT_EQ(s.interface_reopened, 1u);
}

TEST(ReopeningLiveSourceTest, ALastingErrorOnReopenEndsTheSource) {
  FakeEnv env;
  Recorder heard;
  ScriptedOpener opener(&env);
  opener.answers.push_back(Status::Unavailable("interface va: No such device exists"));
  opener.answers.push_back(Status::FailedPrecondition(
      "interface va: cannot capture: You don't have permission to perform this capture"));
  ReopeningLiveSource src(Handle({Step::kFail}), [&opener] { return opener(); }, &env, &heard,
                          kWaitUs, kRetryUs);
  RawPacket p;
  int calls = 0;
  NextResult r;
  while ((r = src.Next(p)) == NextResult::kTimeout) ASSERT_LT(++calls, 100);
  EXPECT_EQ(r, NextResult::kError);
  EXPECT_FALSE(src.down());
  EXPECT_EQ(src.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(src.status().message(),
            "interface va: read error after 0 packet(s): The interface disappeared; cannot open "
            "it again: interface va: cannot capture: You don't have permission to perform this "
            "capture");
  EXPECT_EQ(src.Next(p), NextResult::kError);  // and stays ended
  EXPECT_EQ(opener.attempts_at_us.size(), 2u);
  EXPECT_EQ(heard.said.size(), 1u);  // lost, never back
  EXPECT_EQ(src.stats().interface_lost, 1u);
  EXPECT_EQ(src.stats().interface_reopened, 0u);
}

TEST(ReopeningLiveSourceTest, LosesAndFindsTheInterfaceAgainAndAgain) {
  FakeEnv env;
  Recorder heard;
  ScriptedOpener opener(&env);
  for (int i = 0; i < 3; ++i) opener.answers.push_back(Handle({Step::kPacket, Step::kFail}));
  ReopeningLiveSource src(Handle({Step::kFail}), [&opener] { return opener(); }, &env, &heard,
                          kWaitUs, kRetryUs);
  RawPacket p;
  int packets = 0;
  for (int i = 0; i < 200 && packets < 3; ++i) {
    if (src.Next(p) == NextResult::kPacket) ++packets;
  }
  EXPECT_EQ(packets, 3);
  EXPECT_EQ(src.stats().interface_lost, 3u);  // the fourth loss is still ahead
  EXPECT_EQ(src.stats().interface_reopened, 3u);
  EXPECT_EQ(heard.said.size(), 6u);
}

TEST(ReopeningLiveSourceTest, FrameBatchReadsThroughALossWithoutLosingFrames) {
  FakeEnv env;
  ScriptedOpener opener(&env);
  opener.answers.push_back(Handle({Step::kPacket, Step::kPacket, Step::kPacket}));
  ReopeningLiveSource src(Handle({Step::kPacket, Step::kPacket, Step::kFail}),
                          [&opener] { return opener(); }, &env, nullptr, kWaitUs, kRetryUs);
  FrameBatch batch;
  size_t frames = 0;
  for (int i = 0; i < 20; ++i) {
    const NextResult r = batch.Fill(src);
    frames += batch.size();
    ASSERT_NE(r, NextResult::kError);
    ASSERT_NE(r, NextResult::kEnd);
  }
  EXPECT_EQ(frames, 5u);
  EXPECT_EQ(src.stats().packets, 5u);
}

}  // namespace
}  // namespace mw::net
