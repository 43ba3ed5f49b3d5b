// Session in Stratum V2 (plaintext, standard channel), without sockets: the setup and channel
// answers, a job whose merkle root and prev-hash rebuild a header the test mines itself, and
// every answer a share can get.
#include <gtest/gtest.h>

#include "core/header_hasher.h"
#include "core/target.h"
#include "lab/pool/session.h"
#include "lab/pool/session_test_fixture.h"
#include "proto/sv2/sv2_mining.h"

namespace mw::pool {
namespace {

using Fixture = testing::SessionFixture;

sv2::Frame FrameOf(const Result<Bytes>& bytes) {
  EXPECT_TRUE(bytes.ok());
  sv2::FrameSplitter s;
  s.Append(*bytes);
  auto f = s.Next();
  return f.ok() && f->has_value() ? **f : sv2::Frame{};
}

// The frames the session sent since the last call.
std::vector<sv2::Frame> Sent(Fixture& f) {
  sv2::FrameSplitter s;
  for (const auto& chunk : f.out) s.Append(AsBytes(chunk));
  f.out.clear();
  std::vector<sv2::Frame> frames;
  while (true) {
    auto n = s.Next();
    EXPECT_TRUE(n.ok());
    if (!n.ok() || !n->has_value()) break;
    frames.push_back(**n);
  }
  EXPECT_EQ(s.buffered(), 0u);
  return frames;
}

struct Opened {
  std::shared_ptr<Session> session;
  sv2::NewMiningJob job;
  sv2::SetNewPrevHash prev;
  Hash256 target{};
};

Opened OpenChannel(Fixture& f) {
  Opened o;
  o.session = std::shared_ptr<Session>(f.Open());
  sv2::SetupConnection setup;
  setup.flags = sv2::kRequiresStandardJobs;
  setup.vendor = "test";
  EXPECT_TRUE(o.session->OnSv2Frame(FrameOf(sv2::EncodeFrame(setup)), f.now));
  auto frames = Sent(f);
  EXPECT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames.at(0).header.msg_type, sv2::kSetupConnectionSuccess);
  EXPECT_EQ(sv2::DecodeSetupConnectionSuccess(frames.at(0).payload)->used_version, 2);

  sv2::OpenStandardMiningChannel open{7, f.user, 1e6f, {}};
  open.max_target.fill(0xff);
  EXPECT_TRUE(o.session->OnSv2Frame(FrameOf(sv2::EncodeFrame(open)), f.now));
  frames = Sent(f);
  // Success, then the first job as a future job, then the prev-hash that activates it.
  EXPECT_EQ(frames.size(), 3u);
  if (frames.size() != 3) return o;
  EXPECT_EQ(frames[0].header.msg_type, sv2::kOpenStandardMiningChannelSuccess);
  auto ok = sv2::DecodeOpenStandardMiningChannelSuccess(frames[0].payload);
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok->request_id, 7u);
  std::copy(ok->target.begin(), ok->target.end(), o.target.begin());
  EXPECT_EQ(frames[1].header.msg_type, sv2::kNewMiningJob);
  o.job = *sv2::DecodeNewMiningJob(frames[1].payload);
  EXPECT_FALSE(o.job.min_ntime.has_value());
  EXPECT_EQ(o.job.channel_id, ok->channel_id);
  EXPECT_EQ(frames[2].header.msg_type, sv2::kSetNewPrevHash);
  EXPECT_TRUE(frames[2].header.channel_msg());
  o.prev = *sv2::DecodeSetNewPrevHash(frames[2].payload);
  EXPECT_EQ(o.prev.job_id, o.job.job_id);
  return o;
}

// Mines the header the job describes (written here from the message fields, not by the pool's
// code): a nonce whose hash meets `target` (or misses it when `low`).
std::optional<uint32_t> Mine(const Opened& o, uint32_t ntime, bool low) {
  uint8_t h[80];
  WriteLE32(h, o.job.version);
  std::copy(o.prev.prev_hash.begin(), o.prev.prev_hash.end(), h + 4);
  std::copy(o.job.merkle_root.begin(), o.job.merkle_root.end(), h + 36);
  WriteLE32(h + 68, ntime);
  WriteLE32(h + 72, o.prev.nbits);
  const Hash256 net = *TargetFromCompact(o.prev.nbits);
  for (uint32_t nonce = 0; nonce < 2'000'000; ++nonce) {
    WriteLE32(h + 76, nonce);
    const Hash256 hash = Sha256d(ByteSpan(h, 80));
    const bool share = HashMeetsTarget(hash, o.target);
    if (low ? !share : (share && !HashMeetsTarget(hash, net))) return nonce;
  }
  return std::nullopt;
}

sv2::Frame Submit(const Opened& o, uint32_t seq, uint32_t job, uint32_t nonce, uint32_t ntime,
                  uint32_t version) {
  return FrameOf(sv2::EncodeFrame(
      sv2::SubmitSharesStandard{o.job.channel_id, seq, job, nonce, ntime, version}));
}

TEST(SessionSv2, SetupChannelJobsAndEveryShareAnswer) {
  Fixture f;
  Opened o = OpenChannel(f);
  ASSERT_TRUE(o.session);
  const uint32_t ntime = o.prev.min_ntime;
  auto nonce = Mine(o, ntime, false);
  ASSERT_TRUE(nonce);

  ASSERT_TRUE(o.session->OnSv2Frame(Submit(o, 1, o.job.job_id, *nonce, ntime, o.job.version), f.now));
  auto frames = Sent(f);
  ASSERT_GE(frames.size(), 1u);
  ASSERT_EQ(frames[0].header.msg_type, sv2::kSubmitSharesSuccess);
  auto ok = sv2::DecodeSubmitSharesSuccess(frames[0].payload);
  EXPECT_EQ(ok->last_sequence_number, 1u);
  EXPECT_EQ(ok->new_submits_accepted_count, 1u);
  EXPECT_GT(ok->new_shares_sum, 0u);
  EXPECT_EQ(f.core->stats().shares_accepted.load(), 1u);

  auto error_of = [&](const sv2::Frame& submit) {
    EXPECT_TRUE(o.session->OnSv2Frame(submit, f.now));
    auto answer = Sent(f);
    if (answer.empty() || answer[0].header.msg_type != sv2::kSubmitSharesError) return std::string("none");
    return sv2::DecodeSubmitSharesError(answer[0].payload)->error_code;
  };
  EXPECT_EQ(error_of(Submit(o, 2, o.job.job_id, *nonce, ntime, o.job.version)), "duplicate-share");
  EXPECT_EQ(error_of(Submit(o, 3, o.job.job_id + 50, *nonce, ntime, o.job.version)), "invalid-job-id");
  auto low = Mine(o, ntime, true);
  ASSERT_TRUE(low);
  EXPECT_EQ(error_of(Submit(o, 4, o.job.job_id, *low, ntime, o.job.version)), "difficulty-too-low");
  EXPECT_EQ(error_of(Submit(o, 5, o.job.job_id, *nonce, ntime, o.job.version ^ 0x1)), "invalid-version");
  auto bad_channel = sv2::SubmitSharesStandard{o.job.channel_id + 1, 6, o.job.job_id, *nonce, ntime, o.job.version};
  EXPECT_EQ(error_of(FrameOf(sv2::EncodeFrame(bad_channel))), "invalid-channel-id");
  // BIP320 bits may be rolled: a share on a rolled version is checked on that version.
  bool rolled_ok = false;
  for (uint32_t bits = 1; bits < 64 && !rolled_ok; ++bits) {
    Opened r = o;
    r.job.version = o.job.version | (bits << 13);
    auto n = Mine(r, ntime, false);
    ASSERT_TRUE(n);
    ASSERT_TRUE(o.session->OnSv2Frame(Submit(o, 10 + bits, o.job.job_id, *n, ntime, r.job.version), f.now));
    auto answer = Sent(f);
    rolled_ok = !answer.empty() && answer[0].header.msg_type == sv2::kSubmitSharesSuccess;
  }
  EXPECT_TRUE(rolled_ok);
}

TEST(SessionSv2, ANewBlockMakesAFutureJobAndOldJobsStale) {
  Fixture f;
  Opened o = OpenChannel(f);
  ASSERT_TRUE(o.session);
  ASSERT_TRUE(f.core->jobs().AddTemplate(testing::EasyTemplate(2)).ok());
  o.session->OnJob(f.core->jobs().Current(), f.now);
  auto frames = Sent(f);
  ASSERT_EQ(frames.size(), 2u);
  auto job = sv2::DecodeNewMiningJob(frames[0].payload);
  auto prev = sv2::DecodeSetNewPrevHash(frames[1].payload);
  ASSERT_TRUE(job.ok() && prev.ok());
  EXPECT_FALSE(job->min_ntime);
  EXPECT_EQ(prev->job_id, job->job_id);
  EXPECT_NE(prev->prev_hash, o.prev.prev_hash);
  auto nonce = Mine(o, o.prev.min_ntime, false);
  ASSERT_TRUE(nonce);
  ASSERT_TRUE(o.session->OnSv2Frame(Submit(o, 1, o.job.job_id, *nonce, o.prev.min_ntime, o.job.version), f.now));
  frames = Sent(f);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(sv2::DecodeSubmitSharesError(frames[0].payload)->error_code, "stale-share");
  // A refreshed template on the same block: an active job on the prev-hash already sent.
  chain::BlockTemplate refreshed = testing::EasyTemplate(2);
  refreshed.time += 1;
  ASSERT_TRUE(f.core->jobs().AddTemplate(refreshed).ok());
  ASSERT_FALSE(f.core->jobs().Current()->v1.clean_jobs);
  o.session->OnJob(f.core->jobs().Current(), f.now);
  frames = Sent(f);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_TRUE(sv2::DecodeNewMiningJob(frames[0].payload)->min_ntime.has_value());
}

// Shares far faster than the target interval raise the difficulty: SetTarget, then the job again
// as an active job (min_ntime set) so the miner picks the new target up at once. As in V1, the
// retarget follows the answer to the share that caused it.
TEST(SessionSv2, VardiffSendsSetTargetBeforeTheNextJob) {
  Fixture f;
  Opened o = OpenChannel(f);
  ASSERT_TRUE(o.session);
  const double start_difficulty = DifficultyFromTarget(o.target);
  std::vector<sv2::Frame> after;
  for (uint32_t seq = 1; seq <= 12 && after.size() < 3; ++seq) {
    auto nonce = Mine(o, o.prev.min_ntime + seq, false);  // a new ntime: never a duplicate
    ASSERT_TRUE(nonce);
    f.now += 0.1;
    ASSERT_TRUE(o.session->OnSv2Frame(
        Submit(o, seq, o.job.job_id, *nonce, o.prev.min_ntime + seq, o.job.version), f.now));
    after = Sent(f);
    ASSERT_FALSE(after.empty());
    ASSERT_EQ(after.front().header.msg_type, sv2::kSubmitSharesSuccess) << seq;
  }
  ASSERT_EQ(after.size(), 3u) << "no retarget after 12 fast shares";
  EXPECT_EQ(after[1].header.msg_type, sv2::kSetTarget);
  auto target = sv2::DecodeSetTarget(after[1].payload);
  ASSERT_TRUE(target.ok());
  Hash256 t{};
  std::copy(target->maximum_target.begin(), target->maximum_target.end(), t.begin());
  EXPECT_GT(DifficultyFromTarget(t), start_difficulty * 1.5);
  auto job = sv2::DecodeNewMiningJob(after[2].payload);
  ASSERT_TRUE(job.ok());
  EXPECT_TRUE(job->min_ntime.has_value());
}

TEST(SessionSv2, RefusalsAndBadInput) {
  Fixture f;
  auto s = f.Open();
  // Anything before SetupConnection ends the connection.
  EXPECT_FALSE(s->OnSv2Frame(FrameOf(sv2::EncodeFrame(sv2::OpenStandardMiningChannel{1, f.user, 1, {}})), f.now));

  auto t = f.Open();
  sv2::SetupConnection jd;
  jd.protocol = 1;  // job declaration: not offered
  EXPECT_FALSE(t->OnSv2Frame(FrameOf(sv2::EncodeFrame(jd)), f.now));
  auto frames = Sent(f);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(sv2::DecodeSetupConnectionError(frames[0].payload)->error_code, "unsupported-protocol");

  auto u = f.Open();
  ASSERT_TRUE(u->OnSv2Frame(FrameOf(sv2::EncodeFrame(sv2::SetupConnection{})), f.now));
  Sent(f);
  ASSERT_TRUE(u->OnSv2Frame(FrameOf(sv2::EncodeFrame(sv2::OpenStandardMiningChannel{3, "not an address", 1, {}})), f.now));
  frames = Sent(f);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].header.msg_type, sv2::kOpenMiningChannelError);
  EXPECT_EQ(sv2::DecodeOpenMiningChannelError(frames[0].payload)->error_code, "unknown-user");
  // An extension's message is ignored; an OpenStandardMiningChannel that does not decode counts
  // as junk (the connection stays below the ban threshold).
  const uint64_t junk_before = f.core->stats().junk_lines.load();
  ASSERT_TRUE(u->OnSv2Frame(FrameOf(sv2::EncodeFrame(0x0002, 0x00, Bytes{1, 2, 3})), f.now));
  EXPECT_TRUE(Sent(f).empty());
  EXPECT_EQ(f.core->stats().junk_lines.load(), junk_before);
  ASSERT_TRUE(u->OnSv2Frame(FrameOf(sv2::EncodeFrame(0, sv2::kOpenStandardMiningChannel, Bytes{1, 2})), f.now));
  EXPECT_TRUE(Sent(f).empty());
  EXPECT_EQ(f.core->stats().junk_lines.load(), junk_before + 1);
  // A submit without a channel is refused, not crashed on.
  ASSERT_TRUE(u->OnSv2Frame(FrameOf(sv2::EncodeFrame(sv2::SubmitSharesStandard{1, 1, 1, 1, 1, 1})), f.now));
  frames = Sent(f);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(sv2::DecodeSubmitSharesError(frames[0].payload)->error_code, "invalid-channel-id");
}

}  // namespace
}  // namespace mw::pool
