// The miner's ClientProtocol against the pool's Session, in process: every dialect connects,
// gets work, finds shares with the real mining path and has them accepted.
#include "lab/stratum_miner/client_protocol.h"

#include <gtest/gtest.h>

#include "chain/keys.h"
#include "core/header_hasher.h"
#include "core/target.h"
#include "lab/pool/session.h"
#include "lab/stratum_miner/stratum_miner.h"

namespace mw::lab::stratum_miner {
namespace {

namespace st = mw::stratum;

chain::BlockTemplate Template() {
  chain::BlockTemplate t;
  t.height = 9;
  t.prev_hash[3] = 7;
  t.bits = 0x1f00ffff;
  t.target = *TargetFromCompact(t.bits);
  t.time = 1'700'000'000;
  t.min_time = t.time - 10;
  t.max_time = t.time + 60;
  t.coinbase_value = 100;
  return t;
}

class Loop : public ::testing::TestWithParam<st::Dialect> {};

TEST_P(Loop, MinerAndPoolAgreeOnShares) {
  pool::PoolOptions o;
  o.jobs.payout = chain::KeyPair::Generate()->pubkey();
  o.start_difficulty = 1e-6;
  pool::PoolCore core(o);
  ASSERT_TRUE(core.jobs().AddTemplate(Template()).ok());
  std::vector<std::string> to_client;
  const double now = 1'700'000'000;
  pool::Session session(core, "127.0.0.1", [&](std::string l) { to_client.push_back(l); }, now);

  ClientOptions co;
  co.dialect = GetParam();
  co.user = chain::KeyPair::Generate()->address() + ".t";
  co.version_rolling = GetParam() == st::Dialect::kV1;
  ClientProtocol client(co);
  int accepted = 0, rejected = 0;
  bool work = false;
  auto pump = [&] {
    while (!to_client.empty()) {
      std::vector<std::string> lines;
      lines.swap(to_client);
      for (auto& l : lines) {
        ClientEvents ev = client.OnLine(l);
        EXPECT_FALSE(ev.fatal) << ev.fatal_reason;
        accepted += ev.accepted;
        rejected += ev.rejected;
        work = work || ev.new_work;
      }
    }
  };
  for (auto& line : client.Hello()) {
    ASSERT_TRUE(session.OnLine(std::string_view(line).substr(0, line.size() - 1), now)) << line;
  }
  pump();
  ASSERT_TRUE(work);
  for (int share = 0; share < 3; ++share) {
    auto unit = client.NextWork();
    ASSERT_TRUE(unit.has_value());
    auto hasher = HeaderHasher::Create(unit->header);
    ASSERT_TRUE(hasher.ok());
    std::vector<HeaderHasher::Found> found;
    for (uint32_t start = unit->nonce_start; found.empty() && start - unit->nonce_start < (1u << 24);
         start += 1u << 16) {
      hasher->Scan(start, 1u << 16, unit->target, found);
    }
    ASSERT_FALSE(found.empty());
    auto line = client.Submit({unit->job_id, found[0].nonce, found[0].hash});
    ASSERT_TRUE(line.has_value());
    ASSERT_TRUE(session.OnLine(std::string_view(*line).substr(0, line->size() - 1), now));
    pump();
  }
  EXPECT_EQ(accepted, 3);
  EXPECT_EQ(rejected, 0);
  EXPECT_EQ(core.stats().shares_accepted.load(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Dialects, Loop,
                         ::testing::Values(st::Dialect::kV1, st::Dialect::kXmrig,
                                           st::Dialect::kCoinhive, st::Dialect::kWebminerpool));

TEST(PoolUrl, SchemesAndErrors) {
  auto a = ParsePoolUrl("stratum+ssl://127.0.0.1:3334", false, false);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->port, 3334);
  auto b = ParsePoolUrl("ws://127.0.0.1:8080/proxy", false, false);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->websocket);
  EXPECT_EQ(b->path, "/proxy");
  auto c = ParsePoolUrl("127.0.0.1:3333", true, false);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->tls);
  EXPECT_FALSE(ParsePoolUrl("http://127.0.0.1:1", false, false).ok());
  EXPECT_FALSE(ParsePoolUrl("127.0.0.1:99999", false, false).ok());
  EXPECT_FALSE(ParsePoolUrl("127.0.0.1", false, false).ok());
}

}  // namespace
}  // namespace mw::lab::stratum_miner
