// The miner's ClientProtocol against the pool's Session, in process: every dialect connects,
// gets work, finds shares with the real mining path and has them accepted.
#include "lab/stratum_miner/client_protocol.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "chain/keys.h"
#include "core/header_hasher.h"
#include "core/target.h"
#include "lab/pool/session.h"
#include "lab/pool/session_test_fixture.h"
#include "lab/stratum_miner/stratum_miner.h"

namespace mw::lab::stratum_miner {
namespace {

namespace st = mw::stratum;

// Connects `co` to a pool Session in process (JSON lines, or SV2 frames when co.sv2), mines three
// shares with the real hashing path and checks that all three are accepted.
void MineThreeShares(ClientOptions co) {
  pool::PoolOptions o;
  o.jobs.payout = chain::KeyPair::Generate()->pubkey();
  o.start_difficulty = 1e-6;
  pool::PoolCore core(o);
  ASSERT_TRUE(core.jobs().AddTemplate(pool::testing::EasyTemplate(7)).ok());
  std::vector<std::string> to_client;
  const double now = 1'700'000'000;
  pool::Session session(core, "127.0.0.1", [&](std::string l) { to_client.push_back(l); }, now);
  co.user = chain::KeyPair::Generate()->address() + ".t";
  ClientProtocol client(co);
  // What the client sends, as the pool's transport would hand it over.
  sv2::FrameSplitter to_pool_frames, to_client_frames;
  auto to_pool = [&](const std::string& out) {
    if (!co.sv2) return session.OnLine(std::string_view(out).substr(0, out.size() - 1), now);
    to_pool_frames.Append(AsBytes(out));
    bool keep = true;
    while (auto f = to_pool_frames.Next()) {
      if (!f.ok() || !f->has_value()) break;
      keep = session.OnSv2Frame(**f, now) && keep;
    }
    return keep;
  };
  int accepted = 0, rejected = 0;
  bool work = false;
  auto on_events = [&](const ClientEvents& ev) {
    EXPECT_FALSE(ev.fatal) << ev.fatal_reason;
    accepted += ev.accepted;
    rejected += ev.rejected;
    work = work || ev.new_work;
    for (const std::string& out : ev.send) EXPECT_TRUE(to_pool(out));
  };
  auto pump = [&] {
    while (!to_client.empty()) {
      std::vector<std::string> chunks;
      chunks.swap(to_client);
      for (auto& c : chunks) {
        if (!co.sv2) {
          on_events(client.OnLine(c));
          continue;
        }
        to_client_frames.Append(AsBytes(c));
        while (auto f = to_client_frames.Next()) {
          if (!f.ok() || !f->has_value()) break;
          on_events(client.OnFrame(**f));
        }
      }
    }
  };
  for (auto& line : client.Hello()) ASSERT_TRUE(to_pool(line));
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
    ASSERT_TRUE(to_pool(*line));
    pump();
  }
  EXPECT_EQ(accepted, 3);
  EXPECT_EQ(rejected, 0);
  EXPECT_EQ(core.stats().shares_accepted.load(), 3u);
}

class Loop : public ::testing::TestWithParam<st::Dialect> {};

TEST_P(Loop, MinerAndPoolAgreeOnShares) {
  ClientOptions co;
  co.dialect = GetParam();
  co.version_rolling = GetParam() == st::Dialect::kV1;
  MineThreeShares(co);
}

// Stratum V2: every unit rolls the BIP320 version bits, which the pool checks as sent.
TEST(Sv2Loop, MinerAndPoolAgreeOnShares) {
  ClientOptions co;
  co.sv2 = true;
  MineThreeShares(co);
}

INSTANTIATE_TEST_SUITE_P(Dialects, Loop,
                         ::testing::Values(st::Dialect::kV1, st::Dialect::kXmrig,
                                           st::Dialect::kCoinhive, st::Dialect::kWebminerpool,
                                           st::Dialect::kEthStratum, st::Dialect::kEthProxy));

// The eth dialects' lines, byte for byte as ethminer shapes them, and work built from the fields.
TEST(EthMessages, EthereumStratumWireShapes) {
  ClientOptions co;
  co.dialect = st::Dialect::kEthStratum;
  co.user = "ADDR.rig";
  ClientProtocol c(co);
  auto hello = c.Hello();
  ASSERT_EQ(hello.size(), 3u);
  EXPECT_EQ(hello[0], R"({"id":1,"method":"mining.subscribe","params":["ethminer/0.19.0","EthereumStratum/1.0.0"]})" "\n");
  EXPECT_EQ(hello[1], R"({"id":2,"method":"mining.extranonce.subscribe","params":[]})" "\n");
  EXPECT_EQ(hello[2], R"({"id":3,"method":"mining.authorize","params":["ADDR.rig","x"]})" "\n");
  EXPECT_FALSE(c.OnLine(R"({"id":1,"result":[["mining.notify","ae6812eb4cd7735a302a8a9dd95cf71f","EthereumStratum/1.0.0"],"a2eea0"],"error":null})").fatal);
  EXPECT_FALSE(c.OnLine(R"({"id":3,"result":true,"error":null})").fatal);
  EXPECT_FALSE(c.OnLine(R"({"id":null,"method":"mining.set_difficulty","params":[0.5]})").new_work);
  const std::string seed = "11" + std::string(60, '2') + "33", hdr = "44" + std::string(60, '5') + "66";
  ClientEvents ev = c.OnLine(R"({"id":null,"method":"mining.notify","params":["6553f1001d00ffff0007",")" +
                             seed + R"(",")" + hdr + R"(",true]})");
  ASSERT_TRUE(ev.new_work);
  // The first hash-rate report goes out with the first work.
  ASSERT_EQ(ev.send.size(), 1u);
  EXPECT_EQ(ev.send[0], R"({"id":4,"jsonrpc":"2.0","method":"eth_submitHashrate","params":["0x)" +
                            std::string(64, '0') + R"(","0x)" +
                            ToHex(Sha256(AsBytes("ADDR.rig/ethminer/0.19.0"))) + R"("]})" "\n");
  EXPECT_DOUBLE_EQ(c.difficulty(), 0.5);
  auto unit = c.NextWork();
  ASSERT_TRUE(unit.has_value());
  const auto& h = unit->header;
  EXPECT_EQ(ToHex(ByteSpan(h.data() + 4, 32)), seed);
  EXPECT_EQ(ToHex(ByteSpan(h.data() + 36, 32)), hdr);
  EXPECT_EQ(ReadLE32(h.data() + 68), 0x6553f100u);
  EXPECT_EQ(ReadLE32(h.data() + 72), 0x1d00ffffu);
  EXPECT_EQ(ReadLE32(h.data()) >> 8, 0xa2eea0u);  // the version starts with the extranonce
  EXPECT_EQ(unit->target, TargetFromDifficulty(0.5));
  auto line = c.Submit({unit->job_id, 0xcafe0102u, Hash256{}});
  ASSERT_TRUE(line.has_value());
  char version_low[3];
  std::snprintf(version_low, sizeof version_low, "%02x", unsigned(h[0]));
  EXPECT_EQ(*line, R"({"id":5,"method":"mining.submit","params":["ADDR.rig","6553f1001d00ffff0007",")" +
                       std::string(version_low) + R"(cafe0102"]})" "\n");
  EXPECT_EQ(c.OnLine(R"({"id":5,"result":true,"error":null})").accepted, 1);
  EXPECT_TRUE(c.OnLine(R"({"id":null,"method":"mining.notify","params":["6553f1011d00ffff0008",")" +
                       seed + R"(",")" + hdr + R"(",false]})").send.empty());
  auto keepalive = c.KeepAlive(2e6);
  ASSERT_TRUE(keepalive.has_value());
  EXPECT_NE(keepalive->find(R"("method":"eth_submitHashrate","params":["0x)" + std::string(58, '0') + "1e8480"),
            std::string::npos) << *keepalive;
}

TEST(EthMessages, EthProxyWireShapes) {
  ClientOptions co;
  co.dialect = st::Dialect::kEthProxy;
  co.user = "ADDR.rig";
  ClientProtocol c(co);
  auto hello = c.Hello();
  ASSERT_EQ(hello.size(), 2u);
  EXPECT_EQ(hello[0], R"({"id":1,"jsonrpc":"2.0","method":"eth_submitLogin","params":["ADDR"],"worker":"rig"})" "\n");
  EXPECT_EQ(hello[1], R"({"id":2,"jsonrpc":"2.0","method":"eth_getWork"})" "\n");
  EXPECT_FALSE(c.KeepAlive(1).has_value());  // nothing to report before work
  EXPECT_FALSE(c.OnLine(R"({"id":1,"jsonrpc":"2.0","result":true})").fatal);
  const std::string seed = std::string(62, '7') + "01", hdr = std::string(62, '8') + "02";
  const Hash256 target = TargetFromDifficulty(0.25);
  ClientEvents ev = c.OnLine(R"({"id":2,"jsonrpc":"2.0","result":["0x)" + hdr + R"(","0x)" + seed +
                             R"(","0x)" + ToDisplayHex(target) + R"(","0x6553f1001d00ffff"]})");
  ASSERT_TRUE(ev.new_work);
  EXPECT_EQ(ev.send.size(), 1u);
  auto unit = c.NextWork();
  ASSERT_TRUE(unit.has_value());
  EXPECT_EQ(unit->target, target);
  EXPECT_EQ(ToHex(ByteSpan(unit->header.data() + 36, 32)), hdr);
  EXPECT_EQ(ReadLE32(unit->header.data() + 72), 0x1d00ffffu);
  Hash256 hash{};
  hash[0] = 0xab;
  auto line = c.Submit({unit->job_id, 0x01020304u, hash});
  ASSERT_TRUE(line.has_value());
  const std::string version = st::U32Hex(ReadLE32(unit->header.data()));
  EXPECT_EQ(*line, R"({"id":4,"jsonrpc":"2.0","method":"eth_submitWork","params":["0x)" + version +
                       R"(01020304","0x)" + hdr + R"(","0x)" + ToHex(hash) + R"("],"worker":"rig"})" "\n");
  ClientEvents rej = c.OnLine(R"({"id":4,"jsonrpc":"2.0","error":{"code":23,"message":"Low difficulty share"}})");
  EXPECT_EQ(rej.rejected, 1);
  EXPECT_EQ(rej.reject_reason, "Low difficulty share");
  // A pushed job (id 0) replaces the work.
  EXPECT_TRUE(c.OnLine(R"({"id":0,"jsonrpc":"2.0","result":["0x)" + seed + R"(","0x)" + hdr + R"(","0x)" +
                       ToDisplayHex(target) + R"(","0x6553f1011d00ffff"]})").new_work);
}

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
