// Session without sockets: the V1 handshake and every answer a submit can get, bans, and the
// XMRig dialect mining the same headers.
#include "lab/pool/session.h"
#include "lab/pool/session_test_fixture.h"

#include <gtest/gtest.h>

#include "chain/keys.h"
#include "core/header_hasher.h"
#include "core/target.h"
#include "proto/stratum/cryptonote_target.h"
#include "proto/stratum/stratum_codec.h"
#include "proto/stratum/v1_job.h"

namespace mw::pool {
namespace {

namespace st = mw::stratum;

using testing::Body;
using testing::EasyTemplate;
using testing::ErrCode;
// Bans after 3 junk lines, so the ban tests stay short.
struct Fixture : testing::SessionFixture {
  Fixture() : SessionFixture(3) {}
};

// Finds a nonce for notify `n` meeting `difficulty` (and returns its submit params).
std::string FindShare(const st::V1Notify& n, const std::string& en1, const std::string& en2,
                      double difficulty, bool want_block_miss = false) {
  auto job = st::V1JobFromHex(n.job_id, n.prevhash, n.coinb1, n.coinb2, n.merkle_branch, n.version,
                              n.nbits, n.ntime, n.clean_jobs);
  EXPECT_TRUE(job.ok());
  Bytes cb = st::BuildCoinbase(*job, *FromHex(en1), *FromHex(en2));
  Hash256 root = st::MerkleRootFromBranch(Sha256d(cb), job->merkle_branch);
  const Hash256 target = TargetFromDifficulty(difficulty);
  const Hash256 net = *TargetFromCompact(job->nbits);
  for (uint32_t nonce = 0; nonce < 1'000'000; ++nonce) {
    Hash256 h = Sha256d(st::BuildHeader(*job, root, job->version, job->ntime, nonce));
    if (!HashMeetsTarget(h, target)) continue;
    if (want_block_miss && HashMeetsTarget(h, net)) continue;
    return st::U32Hex(nonce);
  }
  return "";
}

TEST(Session, V1HandshakeSharesAndEveryAnswer) {
  Fixture f;
  auto s = f.Open();
  // Submit before subscribe: 25.
  ASSERT_TRUE(s->OnLine(R"({"id":1,"method":"mining.submit","params":["x","1","00000000","6553f100","00000000"]})", f.now));
  auto m = f.Drain();
  ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(ErrCode(m[0]), 25);

  ASSERT_TRUE(s->OnLine(R"({"id":2,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"ffffffff","version-rolling.min-bit-count":2}]})", f.now));
  ASSERT_TRUE(s->OnLine(R"({"id":3,"method":"mining.subscribe","params":["cgminer/4.10.0"]})", f.now));
  m = f.Drain();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].kind, st::Kind::kV1ConfigureResult);
  EXPECT_EQ(Body<st::ConfigureResult>(m[0]).version_rolling_mask.value_or(0), 0x1fffe000u);
  ASSERT_EQ(m[1].kind, st::Kind::kV1SubscribeResult);
  const std::string en1 = Body<st::SubscribeResult>(m[1]).extranonce1;
  EXPECT_EQ(en1.size(), 8u);
  EXPECT_EQ(Body<st::SubscribeResult>(m[1]).extranonce2_size.value_or(0), 4);

  // Submit before authorize: 24. Bad address: 24.
  ASSERT_TRUE(s->OnLine(R"({"id":4,"method":"mining.submit","params":["x","1","00000000","6553f100","00000000"]})", f.now));
  ASSERT_TRUE(s->OnLine(R"({"id":5,"method":"mining.authorize","params":["notanaddress.w","x"]})", f.now));
  m = f.Drain();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(ErrCode(m[0]), 24);
  EXPECT_EQ(ErrCode(m[1]), 24);

  ASSERT_TRUE(s->OnLine(R"({"id":6,"method":"mining.authorize","params":[")" + f.user + R"(","x"]})", f.now));
  m = f.Drain();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(Body<st::Response>(m[0]).result, true);
  ASSERT_EQ(m[1].kind, st::Kind::kV1SetDifficulty);
  EXPECT_DOUBLE_EQ(Body<st::Difficulty>(m[1]).difficulty, 1e-6);
  ASSERT_EQ(m[2].kind, st::Kind::kV1Notify);
  const st::V1Notify notify = Body<st::V1Notify>(m[2]);
  EXPECT_TRUE(notify.clean_jobs);

  // A share below the network target: accepted, no block.
  const std::string nonce = FindShare(notify, en1, "00000001", 1e-6, true);
  ASSERT_FALSE(nonce.empty());
  auto submit = [&](int id, const std::string& job, const std::string& en2, const std::string& ntime,
                    const std::string& n, const std::string& worker) {
    std::string line = R"({"id":)" + std::to_string(id) + R"(,"method":"mining.submit","params":[")" +
                       worker + R"(",")" + job + R"(",")" + en2 + R"(",")" + ntime + R"(",")" + n +
                       R"("]})";
    EXPECT_TRUE(s->OnLine(line, f.now));
    auto r = f.Drain();
    EXPECT_FALSE(r.empty());
    return r.empty() ? st::Message{} : r[0];
  };
  auto code = [](const st::Message& msg) { return ErrCode(msg); };
  EXPECT_EQ(code(submit(7, notify.job_id, "00000001", notify.ntime, nonce, f.user)), 0);
  EXPECT_EQ(code(submit(8, notify.job_id, "00000001", notify.ntime, nonce, f.user)), 22);
  EXPECT_EQ(code(submit(9, "ffff", "00000001", notify.ntime, nonce, f.user)), 21);
  EXPECT_EQ(code(submit(10, notify.job_id, "00000001", "00000001", nonce, f.user)), 20);
  EXPECT_EQ(code(submit(11, notify.job_id, "00000001", notify.ntime, nonce, "someone.else")), 24);
  EXPECT_EQ(f.core->stats().shares_accepted.load(), 1u);

  // A block: a share that meets the network target goes to the sink as a full block.
  const std::string block_nonce = FindShare(notify, en1, "00000003", 1.6e-5);
  ASSERT_FALSE(block_nonce.empty());
  EXPECT_EQ(code(submit(12, notify.job_id, "00000003", notify.ntime, block_nonce, f.user)), 0);
  ASSERT_EQ(f.blocks.size(), 1u);
  EXPECT_EQ(f.blocks[0].txs.size(), 1u);
  EXPECT_TRUE(HashMeetsTarget(f.blocks[0].Hash(), *TargetFromCompact(0x1f00ffff)));

  // A new block: clean job; the old job id is now stale (21).
  auto job2 = f.core->jobs().AddTemplate(EasyTemplate(2));
  ASSERT_TRUE(job2.ok());
  s->OnJob(*job2, f.now);
  m = f.Drain();
  ASSERT_FALSE(m.empty());
  EXPECT_TRUE(Body<st::V1Notify>(m.back()).clean_jobs);
  EXPECT_EQ(code(submit(13, notify.job_id, "00000004", notify.ntime, nonce, f.user)), 21);
}

// Shares far faster than the target interval raise the difficulty. The miner reads the share's
// answer first, then set_difficulty and the current job again (not clean) that it applies to.
TEST(Session, VardiffRetargetFollowsTheShareAnswer) {
  Fixture f;
  auto s = f.Open();
  ASSERT_TRUE(s->OnLine(R"({"id":1,"method":"mining.subscribe","params":["cgminer/4.10.0"]})", f.now));
  ASSERT_TRUE(s->OnLine(R"({"id":2,"method":"mining.authorize","params":[")" + f.user + R"(","x"]})", f.now));
  auto m = f.Drain();
  ASSERT_EQ(m.size(), 4u);
  const std::string en1 = Body<st::SubscribeResult>(m[0]).extranonce1;
  const st::V1Notify notify = Body<st::V1Notify>(m[3]);
  std::vector<st::Message> after;
  for (int i = 1; i <= 12 && after.size() < 3; ++i) {
    char en2[9];
    std::snprintf(en2, sizeof(en2), "%08x", unsigned(i));
    const std::string nonce = FindShare(notify, en1, en2, 1e-6, true);
    ASSERT_FALSE(nonce.empty());
    f.now += 0.1;
    ASSERT_TRUE(s->OnLine(R"({"id":)" + std::to_string(10 + i) + R"(,"method":"mining.submit","params":[")" +
                              f.user + R"(",")" + notify.job_id + R"(",")" + en2 + R"(",")" + notify.ntime +
                              R"(",")" + nonce + R"("]})", f.now));
    after = f.Drain();
    ASSERT_FALSE(after.empty());
    EXPECT_EQ(Body<st::Response>(after[0]).result, true) << i;
  }
  ASSERT_EQ(after.size(), 3u) << "no retarget after 12 fast shares";
  ASSERT_EQ(after[1].kind, st::Kind::kV1SetDifficulty);
  EXPECT_GT(Body<st::Difficulty>(after[1]).difficulty, 1e-6);
  EXPECT_DOUBLE_EQ(Body<st::Difficulty>(after[1]).difficulty, s->difficulty());
  ASSERT_EQ(after[2].kind, st::Kind::kV1Notify);
  EXPECT_FALSE(Body<st::V1Notify>(after[2]).clean_jobs);
}

TEST(Session, LowDifficultyShareGets23) {
  Fixture f;
  PoolOptions o = f.core->options();
  o.start_difficulty = 1e-3;
  f.core = std::make_unique<PoolCore>(o);
  ASSERT_TRUE(f.core->jobs().AddTemplate(EasyTemplate(1)).ok());
  auto s = f.Open();
  ASSERT_TRUE(s->OnLine(R"({"id":1,"method":"mining.subscribe","params":[]})", f.now));
  ASSERT_TRUE(s->OnLine(R"({"id":2,"method":"mining.authorize","params":[")" + f.user + R"(",""]})", f.now));
  auto m = f.Drain();
  const st::V1Notify n = Body<st::V1Notify>(m.back());
  // Network difficulty caps the share difficulty at ~1.5e-5; find a hash that misses it.
  const Hash256 target = TargetFromDifficulty(s->difficulty());
  auto job = st::V1JobFromHex(n.job_id, n.prevhash, n.coinb1, n.coinb2, n.merkle_branch, n.version,
                              n.nbits, n.ntime, true);
  Bytes cb = st::BuildCoinbase(*job, *FromHex(Body<st::SubscribeResult>(m[0]).extranonce1),
                               *FromHex("00000009"));
  Hash256 root = st::MerkleRootFromBranch(Sha256d(cb), job->merkle_branch);
  uint32_t nonce = 0;
  while (HashMeetsTarget(Sha256d(st::BuildHeader(*job, root, job->version, job->ntime, nonce)), target)) ++nonce;
  ASSERT_TRUE(s->OnLine(R"({"id":3,"method":"mining.submit","params":[")" + f.user + R"(",")" + n.job_id +
                            R"(","00000009",")" + n.ntime + R"(",")" + st::U32Hex(nonce) + R"("]})", f.now));
  m = f.Drain();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(ErrCode(m[0]), 23);
}

TEST(Session, JunkAndFloodBanThePeer) {
  Fixture f;
  auto s = f.Open("127.0.0.7");
  EXPECT_TRUE(s->OnLine("GET / HTTP/1.1", f.now));
  EXPECT_TRUE(s->OnLine("{not json", f.now));
  EXPECT_FALSE(s->OnOversizeLine(f.now));
  EXPECT_EQ(s->close_reason(), "banned: junk");
  EXPECT_TRUE(f.core->bans().IsBanned("127.0.0.7", int64_t(f.now)));

  auto flood = f.Open("127.0.0.8");
  bool open = true;
  for (int i = 0; i < 1000 && open; ++i) {
    open = flood->OnLine(R"({"id":1,"method":"mining.subscribe","params":[]})", f.now);
  }
  EXPECT_FALSE(open);
  EXPECT_EQ(flood->close_reason(), "banned: flood");
}

TEST(Session, StaleSharesAreAnsweredButNeverBan) {
  Fixture f;
  auto s = f.Open("127.0.0.9");
  ASSERT_TRUE(s->OnLine(R"({"id":1,"method":"mining.subscribe","params":[]})", f.now));
  ASSERT_TRUE(s->OnLine(R"({"id":2,"method":"mining.authorize","params":[")" + f.user + R"(",""]})", f.now));
  f.Drain();
  // Many shares for a job the pool no longer has (a new block replaced it): each gets 21, and
  // the connection stays open, as it would for a miner that was just slow to switch jobs.
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(s->OnLine(R"({"id":)" + std::to_string(10 + i) +
                              R"(,"method":"mining.submit","params":[")" + f.user +
                              R"(","gone","00000001","495fab29","00000000"]})",
                          f.now))
        << "closed after " << i << " stale shares: " << s->close_reason();
    auto m = f.Drain();
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(ErrCode(m[0]), 21);
  }
  EXPECT_FALSE(f.core->bans().IsBanned("127.0.0.9", int64_t(f.now)));
}

TEST(Session, XmrigDialectMinesHeaderBlobs) {
  Fixture f;
  auto s = f.Open();
  ASSERT_TRUE(s->OnLine(R"({"id":1,"jsonrpc":"2.0","method":"login","params":{"login":")" + f.user +
                            R"(","pass":"x","agent":"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0","algo":["sha256d"],"rigid":""}})", f.now));
  auto m = f.Drain();
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].kind, st::Kind::kXmrLoginResult);
  const st::XmrLoginResult r = Body<st::XmrLoginResult>(m[0]);
  ASSERT_TRUE(r.job.has_value());
  const st::MinerJob job = r.job.value_or(st::MinerJob{});
  ASSERT_EQ(job.blob.size(), 160u);
  auto t64 = st::CryptonoteTarget64(job.target);
  ASSERT_TRUE(t64.ok());
  Bytes header = *FromHex(job.blob);
  uint32_t nonce = 0;
  Hash256 h;
  for (;; ++nonce) {
    WriteLE32(header.data() + 76, nonce);
    h = Sha256d(header);
    if (st::CryptonoteHashMeetsTarget(h, *t64)) break;
  }
  std::string nonce_hex = ToHex(ByteSpan(header.data() + 76, 4));
  std::string submit = R"({"id":2,"jsonrpc":"2.0","method":"submit","params":{"id":")" + r.session_id +
                       R"(","job_id":")" + job.job_id + R"(","nonce":")" + nonce_hex +
                       R"(","result":")" + ToHex(h) + R"(","algo":"sha256d"}})";
  ASSERT_TRUE(s->OnLine(submit, f.now));
  ASSERT_TRUE(s->OnLine(submit, f.now));
  m = f.Drain();
  ASSERT_GE(m.size(), 2u);
  EXPECT_EQ(Body<st::XmrStatus>(m[0]).status, "OK");
  const st::Response dup = Body<st::Response>(m.back());
  EXPECT_EQ(dup.error.value_or(st::RpcError{}).message, "Duplicate share");
  EXPECT_EQ(f.core->stats().shares_accepted.load(), 1u);
}

}  // namespace
}  // namespace mw::pool
