// Pool core without sockets: jobs from templates, the share check (every error code, V3/V4
// vectors), vardiff, PPLNS and the ban policy.
#include <gtest/gtest.h>

#include "chain/block.h"
#include "chain/transaction.h"
#include "core/target.h"
#include "lab/pool/ban_policy.h"
#include "lab/pool/job_manager.h"
#include "lab/pool/pplns.h"
#include "lab/pool/share_check.h"
#include "lab/pool/vardiff.h"
#include "proto/stratum/v1_job_vectors.h"

namespace mw::pool {
namespace {

PoolJob JobFromV1(stratum::V1Job v1, uint64_t serial) {
  PoolJob job;
  job.id = v1.job_id;
  job.serial = serial;
  job.network_target = *TargetFromCompact(v1.nbits);
  job.tmpl.min_time = v1.ntime;
  job.v1 = std::move(v1);
  job.extranonce1_size = 4;
  job.extranonce2_size = 4;
  return job;
}

PoolJob V3Job() {
  auto v1 = stratum::vectors::JobV3(true);
  EXPECT_TRUE(v1.ok()) << v1.status().ToString();
  return JobFromV1(*v1, 3);
}

PoolJob V4Job() {
  auto v1 = stratum::vectors::JobV4();
  EXPECT_TRUE(v1.ok()) << v1.status().ToString();
  return JobFromV1(*v1, 4);
}

ShareMinerState Ready(const std::string& en1_hex, double difficulty) {
  ShareMinerState s;
  s.subscribed = true;
  s.authorized = true;
  s.extranonce1 = *FromHex(en1_hex);
  s.extranonce2_size = 4;
  s.difficulty = difficulty;
  return s;
}

TEST(ShareCheck, RealJobV3MeetsItsDifficultyAndNotMore) {
  PoolJob job = V3Job();
  ShareSubmit submit{"v3", "00000000", "647025b5", "0a029ed1", std::nullopt};
  ShareMinerState ok_state = Ready("01000000", 683);
  ShareOutcome ok = CheckShare(&job, submit, ok_state, 0x647025b5);
  ASSERT_TRUE(ok.ok()) << ok.reason;
  EXPECT_EQ(ToDisplayHex(ok.hash),
            "00000000005fe144efbc66241c0094b8fdc2702b7729226fdfed70ca8094c0b5");
  EXPECT_EQ(int(ok.share_difficulty), 683);
  EXPECT_DOUBLE_EQ(ok.credited_difficulty, 683);
  EXPECT_FALSE(ok.meets_network);

  ShareMinerState hard = Ready("01000000", 684);
  EXPECT_EQ(CheckShare(&job, submit, hard, 0x647025b5).error, ShareError::kLowDifficulty);
}

TEST(ShareCheck, GenesisJobV4IsABlock) {
  PoolJob job = V4Job();
  ShareMinerState state = Ready("ffff001d", 1);
  ShareSubmit submit{"genesis", "01044554", "495fab29", "7c2bac1d", std::nullopt};
  ShareOutcome out = CheckShare(&job, submit, state, 0x495fab29);
  ASSERT_TRUE(out.ok()) << out.reason;
  EXPECT_TRUE(out.meets_network);
  EXPECT_EQ(ToDisplayHex(out.hash),
            "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
  EXPECT_EQ(out.coinbase.size(), 204u);
  // The same share again is a duplicate.
  EXPECT_EQ(CheckShare(&job, submit, state, 0x495fab29).error, ShareError::kDuplicate);
}

TEST(ShareCheck, EveryRejectionCode) {
  PoolJob job = V4Job();
  ShareSubmit submit{"genesis", "01044554", "495fab29", "7c2bac1d", std::nullopt};
  const int64_t now = 0x495fab29;

  ShareMinerState fresh;
  EXPECT_EQ(CheckShare(&job, submit, fresh, now).error, ShareError::kNotSubscribed);
  fresh.subscribed = true;
  EXPECT_EQ(CheckShare(&job, submit, fresh, now).error, ShareError::kUnauthorized);

  ShareMinerState s = Ready("ffff001d", 1);
  EXPECT_EQ(CheckShare(nullptr, submit, s, now).error, ShareError::kJobNotFound);

  ShareSubmit short_en2 = submit;
  short_en2.extranonce2 = "0104";
  EXPECT_EQ(CheckShare(&job, short_en2, s, now).error, ShareError::kOther);

  ShareSubmit late = submit;
  late.ntime = "59000000";
  ShareOutcome o = CheckShare(&job, late, s, now);
  EXPECT_EQ(o.error, ShareError::kOther);
  EXPECT_EQ(o.reason, "ntime out of range");
  ShareSubmit early = submit;
  early.ntime = "495fab28";
  EXPECT_EQ(CheckShare(&job, early, s, now).error, ShareError::kOther);

  ShareSubmit rolled = submit;
  rolled.version_bits = "00002000";
  EXPECT_EQ(CheckShare(&job, rolled, s, now).reason, "version rolling not negotiated");
  s.version_mask = 0x1fffe000;
  rolled.version_bits = "e0000000";
  EXPECT_EQ(CheckShare(&job, rolled, s, now).reason, "version bits outside the mask");

  ShareSubmit wrong_nonce = submit;
  wrong_nonce.nonce = "7c2bac1e";
  EXPECT_EQ(CheckShare(&job, wrong_nonce, s, now).error, ShareError::kLowDifficulty);

  EXPECT_TRUE(CheckShare(&job, submit, s, now).ok());
  EXPECT_EQ(CheckShare(&job, submit, s, now).error, ShareError::kDuplicate);
}

TEST(ShareCheck, VersionRollingChangesTheHeaderVersion) {
  PoolJob job = V4Job();
  ShareMinerState s = Ready("ffff001d", 1e-12);
  s.version_mask = 0x1fffe000;
  ShareSubmit rolled{"genesis", "01044554", "495fab29", "7c2bac1d", std::string_view("00002000")};
  ShareOutcome o = CheckShare(&job, rolled, s, 0x495fab29);
  ASSERT_TRUE(o.ok()) << o.reason;
  EXPECT_EQ(ReadLE32(o.header.data()), 0x00002001u);
  EXPECT_FALSE(o.meets_network);  // a different header than genesis
}

TEST(ShareCheck, OldDifficultyAcceptedOnlyDuringGrace) {
  PoolJob job = V3Job();
  ShareSubmit submit{"v3", "00000000", "647025b5", "0a029ed1", std::nullopt};
  ShareMinerState s = Ready("01000000", 1000);
  s.previous_difficulty = 600;
  s.previous_valid_until = 0x647025b5 + 10;
  ShareMinerState late = s;
  ShareOutcome o = CheckShare(&job, submit, s, 0x647025b5);
  ASSERT_TRUE(o.ok());
  EXPECT_DOUBLE_EQ(o.credited_difficulty, 600);
  EXPECT_EQ(CheckShare(&job, submit, late, 0x647025b5 + 11).error, ShareError::kLowDifficulty);
}

chain::BlockTemplate Template(uint8_t prev, uint32_t time) {
  chain::BlockTemplate t;
  t.version = 1;
  t.height = 7;
  t.prev_hash[0] = prev;
  t.bits = 0x207fffff;
  t.target = *TargetFromCompact(t.bits);
  t.time = time;
  t.min_time = time - 10;
  t.max_time = time + 60;
  t.coinbase_value = 50;
  return t;
}

TEST(JobManager, CleanJobsOnNewBlockAndAssembledBlockMatchesShare) {
  JobManagerOptions opt;
  auto key = chain::KeyPair::Generate();
  ASSERT_TRUE(key.ok());
  opt.payout = key->pubkey();
  JobManager jobs(opt);
  auto a = jobs.AddTemplate(Template(1, 1000));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE((*a)->v1.clean_jobs);
  auto b = jobs.AddTemplate(Template(1, 1001));
  EXPECT_FALSE((*b)->v1.clean_jobs);
  EXPECT_NE(jobs.Find((*a)->id), nullptr);
  auto c = jobs.AddTemplate(Template(2, 1002));
  EXPECT_TRUE((*c)->v1.clean_jobs);
  EXPECT_EQ(jobs.Find((*a)->id), nullptr);
  EXPECT_EQ(jobs.Current()->id, (*c)->id);

  Bytes en1 = jobs.NextExtranonce1();
  EXPECT_NE(en1, jobs.NextExtranonce1());
  ShareMinerState s = Ready(ToHex(en1), 1e-12);
  // Regtest-easy bits: about one nonce in two meets the network target.
  for (uint32_t nonce = 0; nonce < 64; ++nonce) {
    std::string nonce_hex = stratum::U32Hex(nonce);
    ShareOutcome o = CheckShare(c->get(), {(*c)->id, "00000001", "000003ea", nonce_hex, {}}, s, 1002);
    ASSERT_TRUE(o.ok()) << o.reason;
    if (!o.meets_network) continue;
    auto coinbase = chain::ParseCoinbase(o.coinbase);
    ASSERT_TRUE(coinbase.ok()) << coinbase.status().ToString();
    EXPECT_EQ(coinbase->payee, key->pubkey());
    chain::Block block = (*c)->tmpl.Assemble(*coinbase, 1002, nonce);
    EXPECT_EQ(block.header.Encode(), o.header);
    EXPECT_EQ(block.Hash(), o.hash);
    return;
  }
  FAIL() << "no nonce met the regtest target";
}

TEST(Vardiff, SettlesTowardTheTargetInterval) {
  VardiffOptions opt;
  opt.target_interval_s = 5;
  Vardiff v(opt, 1, 0);
  // A miner that finds a share at difficulty d every d*0.5 seconds (rate 2 diff/s).
  double now = 0;
  for (int i = 0; i < 200; ++i) {
    now += v.difficulty() * 0.5;
    v.OnShare(now);
  }
  const double interval = v.difficulty() * 0.5;
  EXPECT_GT(interval, 5 / 1.5);
  EXPECT_LT(interval, 5 * 1.5);
  // A silent miner gets an easier difficulty.
  const double before = v.difficulty();
  ASSERT_TRUE(v.OnTick(now + 100).has_value());
  EXPECT_LT(v.difficulty(), before);
  const double half = v.difficulty() / 2;
  EXPECT_EQ(v.Cap(half), half);
  EXPECT_DOUBLE_EQ(v.difficulty(), half);
  EXPECT_FALSE(v.Cap(half * 4).has_value());
}

TEST(Pplns, SplitFollowsWeightsOverTheWindow) {
  PplnsWindow w(4);
  w.Add("b", 100);  // falls out of the window
  w.Add("a", 1);
  w.Add("a", 1);
  w.Add("b", 1);
  w.Add("c", 2);
  auto weights = w.Weights();
  EXPECT_DOUBLE_EQ(weights["a"], 2);
  EXPECT_DOUBLE_EQ(weights["b"], 1);
  auto split = SplitReward(1001, weights);
  EXPECT_EQ(split["a"], 400u);
  EXPECT_EQ(split["b"], 200u);
  EXPECT_EQ(split["c"], 400u);

  PayoutBook book;
  FoundBlock block;
  block.hash[0] = 9;
  block.split = split;
  book.AddBlock(block);
  std::optional<uint32_t> conf = 3;
  EXPECT_EQ(book.Mature(10, [&](const Hash256&) { return conf; }), 0);
  conf = 10;
  EXPECT_EQ(book.Mature(10, [&](const Hash256&) { return conf; }), 1);
  auto plan = book.Plan(300, 1, 10'000);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].amount, 399u);  // the fee comes out of the balance
  EXPECT_EQ(plan[0].fee, 1u);
  EXPECT_EQ(book.Plan(300, 1, 500).size(), 1u);
  book.MarkPaid(plan[0]);
  EXPECT_EQ(book.balances().at(plan[0].account), 0u);
  EXPECT_EQ(book.paid().at(plan[0].account), 399u);
}

TEST(BanPolicy, JunkFloodAndInvalidShares) {
  BanOptions opt;
  opt.max_junk_lines = 3;
  opt.line_burst = 10;
  opt.lines_per_s = 1;
  ConnectionGuard g(opt);
  EXPECT_EQ(g.OnJunk(), BanReason::kNone);
  EXPECT_EQ(g.OnJunk(), BanReason::kNone);
  EXPECT_EQ(g.OnJunk(), BanReason::kJunk);
  ConnectionGuard f(opt);
  BanReason r = BanReason::kNone;
  for (int i = 0; i < 20 && r == BanReason::kNone; ++i) r = f.OnLine(0.001 * i);
  EXPECT_EQ(r, BanReason::kFlood);
  ConnectionGuard s(opt);
  for (int i = 0; i < 19; ++i) EXPECT_EQ(s.OnShare(i % 3 == 0), BanReason::kNone);
  EXPECT_EQ(s.OnShare(false), BanReason::kInvalidShares);

  BanList bans;
  bans.Ban("127.0.0.9", 100);
  EXPECT_TRUE(bans.IsBanned("127.0.0.9", 99));
  EXPECT_FALSE(bans.IsBanned("127.0.0.9", 100));
}

}  // namespace
}  // namespace mw::pool
