// Session in the two Ethereum dialects, without sockets: the handshake shapes, work whose fields
// rebuild the pool's header (README.md "Eth dialects"), and every answer a share can get,
// including a share that meets the network target becoming a block.
#include <gtest/gtest.h>

#include "chain/block.h"
#include "chain/keys.h"
#include "core/header_hasher.h"
#include "core/target.h"
#include "lab/pool/session.h"
#include "lab/pool/session_test_fixture.h"
#include "proto/stratum/stratum_codec.h"
#include "proto/stratum/v1_job.h"

namespace mw::pool {
namespace {

namespace st = mw::stratum;

using testing::Body;
using testing::EasyTemplate;
using testing::ErrCode;
using Fixture = testing::SessionFixture;

bool IsTrue(const st::Message& m) {
  const st::Response r = Body<st::Response>(m);
  return !r.error && r.result.is_boolean() && r.result.get<bool>();
}

std::string Strip0x(const std::string& s) { return s.rfind("0x", 0) == 0 ? s.substr(2) : s; }

// The header the fields describe, written independently of the pool's code: seed = bytes 4..35,
// header hash = bytes 36..67, then ntime and nbits (big-endian hex) little-endian at 68 and 72.
Bytes HeaderFrom(const std::string& seed, const std::string& hdr, const std::string& time_bits) {
  Bytes h(80, 0);
  Bytes prev = *FromHex(Strip0x(seed)), root = *FromHex(Strip0x(hdr));
  std::copy(prev.begin(), prev.end(), h.begin() + 4);
  std::copy(root.begin(), root.end(), h.begin() + 36);
  WriteLE32(h.data() + 68, *st::ParseU32Hex(time_bits.substr(0, 8)));
  WriteLE32(h.data() + 72, *st::ParseU32Hex(time_bits.substr(8, 8)));
  return h;
}

enum class Want { kShare, kBlock, kLow };

// A 64-bit nonce (16 hex: version ‖ nonce) for `header` with the given version.
std::string FindNonce(Bytes header, uint32_t version, double difficulty, Want want) {
  const Hash256 target = TargetFromDifficulty(difficulty);
  const Hash256 net = *TargetFromCompact(ReadLE32(header.data() + 72));
  WriteLE32(header.data(), version);
  for (uint32_t nonce = 0; nonce < 4'000'000; ++nonce) {
    WriteLE32(header.data() + 76, nonce);
    const Hash256 h = Sha256d(header);
    const bool share = HashMeetsTarget(h, target);
    const bool block = HashMeetsTarget(h, net);
    if ((want == Want::kShare && share && !block) || (want == Want::kBlock && block) ||
        (want == Want::kLow && !share)) {
      return st::U32Hex(version) + st::U32Hex(nonce);
    }
  }
  return "";
}

std::string EthSubmitLine(int id, const std::string& worker, const std::string& job,
                          const std::string& miner_nonce) {
  return R"({"id":)" + std::to_string(id) + R"(,"method":"mining.submit","params":[")" + worker +
         R"(",")" + job + R"(",")" + miner_nonce + R"("]})";
}

TEST(SessionEth, EthereumStratumHandshakeSharesAndEveryAnswer) {
  Fixture f;
  auto s = f.Open();
  ASSERT_TRUE(s->OnLine(R"({"id":1,"method":"mining.subscribe","params":["ethminer/0.19.0","EthereumStratum/1.0.0"]})", f.now));
  ASSERT_EQ(s->dialect(), st::Dialect::kEthStratum);
  auto m = f.Drain();
  ASSERT_EQ(m.size(), 1u);
  const st::SubscribeResult sub = Body<st::SubscribeResult>(m[0]);
  EXPECT_EQ(m[0].dialect, st::Dialect::kEthStratum);
  EXPECT_EQ(sub.protocol, "EthereumStratum/1.0.0");
  ASSERT_EQ(sub.subscriptions.size(), 1u);
  EXPECT_EQ(sub.subscriptions[0].first, "mining.notify");
  ASSERT_EQ(sub.extranonce1.size(), 6u);  // 3 bytes: minernonce is 5 bytes
  EXPECT_FALSE(sub.extranonce2_size.has_value());

  // Submit before authorize: 24.
  ASSERT_TRUE(s->OnLine(EthSubmitLine(2, f.user, "x", "0000000000"), f.now));
  m = f.Drain();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(ErrCode(m[0]), 24);

  ASSERT_TRUE(s->OnLine(R"({"id":3,"method":"mining.extranonce.subscribe","params":[]})", f.now));
  ASSERT_TRUE(s->OnLine(R"({"id":4,"method":"mining.authorize","params":[")" + f.user + R"(","x"]})", f.now));
  m = f.Drain();
  ASSERT_EQ(m.size(), 4u);
  EXPECT_TRUE(IsTrue(m[0]));
  EXPECT_TRUE(IsTrue(m[1]));
  ASSERT_EQ(m[2].kind, st::Kind::kV1SetDifficulty);
  EXPECT_DOUBLE_EQ(Body<st::Difficulty>(m[2]).difficulty, 1e-6);
  ASSERT_EQ(m[3].kind, st::Kind::kEthNotify);
  const st::EthNotify n = Body<st::EthNotify>(m[3]);
  EXPECT_TRUE(n.clean_jobs);
  ASSERT_GE(n.job_id.size(), 16u);
  const Bytes header = HeaderFrom(n.seed_hash, n.header_hash, n.job_id);
  // The seed hash is the template's previous block hash as it sits in the header.
  EXPECT_EQ(n.seed_hash.substr(0, 2), "01");
  EXPECT_EQ(n.seed_hash.substr(62, 2), "5a");

  const uint32_t en = uint32_t(*st::ParseU32Hex(sub.extranonce1 + "00"));
  const std::string share = FindNonce(header, en | 0x01, 1e-6, Want::kShare);
  ASSERT_EQ(share.size(), 16u);
  ASSERT_EQ(share.substr(0, 6), sub.extranonce1);
  const std::string miner_nonce = share.substr(6);
  ASSERT_TRUE(s->OnLine(EthSubmitLine(5, f.user, n.job_id, miner_nonce), f.now));
  ASSERT_TRUE(s->OnLine(EthSubmitLine(6, f.user, n.job_id, miner_nonce), f.now));  // duplicate
  ASSERT_TRUE(s->OnLine(EthSubmitLine(7, f.user, "00000000ffffffff0000", miner_nonce), f.now));
  ASSERT_TRUE(s->OnLine(EthSubmitLine(8, f.user, n.job_id, miner_nonce.substr(2)), f.now));  // short
  ASSERT_TRUE(s->OnLine(EthSubmitLine(9, f.address + ".other", n.job_id, miner_nonce), f.now));
  const std::string low = FindNonce(header, en | 0x02, 1e-6, Want::kLow);
  ASSERT_TRUE(s->OnLine(EthSubmitLine(10, f.user, n.job_id, low.substr(6)), f.now));
  m = f.Drain();
  ASSERT_EQ(m.size(), 6u);
  EXPECT_TRUE(IsTrue(m[0]));
  EXPECT_EQ(ErrCode(m[1]), 22);
  EXPECT_EQ(ErrCode(m[2]), 21);
  EXPECT_EQ(ErrCode(m[3]), 20);
  EXPECT_EQ(ErrCode(m[4]), 24);
  EXPECT_EQ(ErrCode(m[5]), 23);
  EXPECT_EQ(f.core->stats().shares_accepted.load(), 1u);
  EXPECT_TRUE(f.blocks.empty());

  // ethminer's hash-rate report is answered in JSON-RPC 2.0 shape inside the EthereumStratum session.
  ASSERT_TRUE(s->OnLine(R"({"id":11,"jsonrpc":"2.0","method":"eth_submitHashrate","params":["0x1e8480","0x)" +
                            std::string(64, 'a') + R"("]})", f.now));
  m = f.Drain();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_TRUE(IsTrue(m[0]));

  // A share meeting the network target is a block whose header is exactly the one we hashed.
  const std::string win = FindNonce(header, en | 0x03, 1e-6, Want::kBlock);
  ASSERT_FALSE(win.empty());
  ASSERT_TRUE(s->OnLine(EthSubmitLine(12, f.user, n.job_id, win.substr(6)), f.now));
  m = f.Drain();
  ASSERT_GE(m.size(), 1u);
  EXPECT_TRUE(IsTrue(m[0]));
  ASSERT_EQ(f.blocks.size(), 1u);
  Bytes expect = header;
  WriteLE32(expect.data(), *st::ParseU32Hex(win.substr(0, 8)));
  WriteLE32(expect.data() + 76, *st::ParseU32Hex(win.substr(8)));
  const auto got = f.blocks[0].header.Encode();
  EXPECT_EQ(Bytes(got.begin(), got.end()), expect);
  // Shares count for PPLNS under the miner's account.
  const auto stats = f.core->StatsJson(f.now);
  EXPECT_GT(stats["accounts"][f.address]["credited_difficulty"].get<double>(), 0);

  // A new block makes the old job stale (21) and the new notify clean.
  ASSERT_TRUE(f.core->jobs().AddTemplate(EasyTemplate(2)).ok());
  s->OnJob(f.core->jobs().Current(), f.now);
  m = f.Drain();
  ASSERT_FALSE(m.empty());
  EXPECT_TRUE(Body<st::EthNotify>(m.back()).clean_jobs);
  ASSERT_TRUE(s->OnLine(EthSubmitLine(13, f.user, n.job_id, low.substr(6)), f.now));
  m = f.Drain();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(ErrCode(m[0]), 21);
}

std::string SubmitWorkLine(int id, const std::string& nonce64, const std::string& header_hash) {
  return R"({"id":)" + std::to_string(id) + R"(,"jsonrpc":"2.0","method":"eth_submitWork","params":["0x)" +
         nonce64 + R"(",")" + header_hash + R"(","0x)" + std::string(64, '0') +
         R"("],"worker":"rig1"})";
}

TEST(SessionEth, EthProxyLoginWorkSharesAndEveryAnswer) {
  Fixture f;
  auto s = f.Open("127.0.0.3");
  ASSERT_TRUE(s->OnLine(R"({"id":1,"jsonrpc":"2.0","method":"eth_getWork"})", f.now));
  ASSERT_TRUE(s->OnLine(SubmitWorkLine(2, std::string(16, '0'), "0x" + std::string(64, '1')), f.now));
  ASSERT_TRUE(s->OnLine(R"({"id":3,"jsonrpc":"2.0","method":"eth_submitLogin","params":["nope"],"worker":"rig1"})", f.now));
  auto m = f.Drain();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(ErrCode(m[0]), 25);
  EXPECT_EQ(ErrCode(m[1]), 25);
  EXPECT_EQ(ErrCode(m[2]), -1);

  ASSERT_TRUE(s->OnLine(R"({"id":4,"jsonrpc":"2.0","method":"eth_submitLogin","params":[")" + f.address +
                            R"("],"worker":"rig1"})", f.now));
  ASSERT_TRUE(s->OnLine(R"({"id":5,"jsonrpc":"2.0","method":"eth_getWork"})", f.now));
  m = f.Drain();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_TRUE(IsTrue(m[0]));
  ASSERT_EQ(m[1].kind, st::Kind::kEthWork);
  EXPECT_EQ(std::get<int64_t>(m[1].id), 5);
  const st::EthWork w = Body<st::EthWork>(m[1]);
  ASSERT_EQ(w.header_hash.size(), 66u);
  ASSERT_EQ(w.seed_hash.size(), 66u);
  // The boundary is the share target for difficulty 1e-6, 32 bytes big-endian.
  EXPECT_EQ(w.target, "0x" + ToDisplayHex(TargetFromDifficulty(1e-6)));
  ASSERT_TRUE(w.block_number.has_value());
  const Bytes header = HeaderFrom(w.seed_hash, w.header_hash, Strip0x(w.block_number.value_or("")));

  const std::string share = FindNonce(header, 0x20000001, 1e-6, Want::kShare);
  ASSERT_TRUE(s->OnLine(SubmitWorkLine(6, share, w.header_hash), f.now));
  ASSERT_TRUE(s->OnLine(SubmitWorkLine(7, share, w.header_hash), f.now));
  ASSERT_TRUE(s->OnLine(SubmitWorkLine(8, share, "0x" + std::string(64, 'f')), f.now));
  ASSERT_TRUE(s->OnLine(SubmitWorkLine(9, FindNonce(header, 7, 1e-6, Want::kLow), w.header_hash), f.now));
  ASSERT_TRUE(s->OnLine(R"({"id":10,"jsonrpc":"2.0","method":"eth_submitHashrate","params":["0x1e8480","0x)" +
                            std::string(64, 'b') + R"("]})", f.now));
  m = f.Drain();
  ASSERT_EQ(m.size(), 5u);
  EXPECT_TRUE(IsTrue(m[0]));
  EXPECT_EQ(m[0].dialect, st::Dialect::kEthProxy);  // {"id":6,"jsonrpc":"2.0","result":true}
  EXPECT_EQ(ErrCode(m[1]), 22);
  EXPECT_EQ(ErrCode(m[2]), 21);
  EXPECT_EQ(ErrCode(m[3]), 23);
  EXPECT_TRUE(IsTrue(m[4]));
  EXPECT_EQ(f.core->stats().shares_accepted.load(), 1u);

  const std::string win = FindNonce(header, 0x20000002, 1e-6, Want::kBlock);
  ASSERT_TRUE(s->OnLine(SubmitWorkLine(11, win, w.header_hash), f.now));
  ASSERT_EQ(f.blocks.size(), 1u);
  EXPECT_EQ(f.blocks[0].header.version, 0x20000002u);
  EXPECT_EQ(f.blocks[0].header.prev_hash, EasyTemplate(1).prev_hash);

  // A new job is pushed as a reply with id 0.
  ASSERT_TRUE(f.core->jobs().AddTemplate(EasyTemplate(3)).ok());
  f.Drain();
  s->OnJob(f.core->jobs().Current(), f.now);
  m = f.Drain();
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].kind, st::Kind::kEthWork);
  EXPECT_EQ(std::get<int64_t>(m[0].id), 0);
  EXPECT_NE(Body<st::EthWork>(m[0]).seed_hash, w.seed_hash);
}

TEST(SessionEth, EthProxyVardiffPushesANewBoundaryAndHonoursTheOldWork) {
  Fixture f;
  auto s = f.Open("127.0.0.6");
  ASSERT_TRUE(s->OnLine(R"({"id":1,"jsonrpc":"2.0","method":"eth_submitLogin","params":[")" + f.address +
                            R"("],"worker":"fast"})", f.now));
  ASSERT_TRUE(s->OnLine(R"({"id":2,"jsonrpc":"2.0","method":"eth_getWork"})", f.now));
  auto m = f.Drain();
  ASSERT_EQ(m.size(), 2u);
  const st::EthWork w = Body<st::EthWork>(m[1]);
  const Bytes header = HeaderFrom(w.seed_hash, w.header_hash, Strip0x(w.block_number.value_or("")));
  // Six shares in no time: vardiff raises the difficulty (x4 per step) and pushes new work.
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(s->OnLine(SubmitWorkLine(10 + i, FindNonce(header, 0x100 + i, 1e-6, Want::kShare),
                                         w.header_hash), f.now));
  }
  m = f.Drain();
  // The push follows the 6th share's answer: the miner reads its result, then the new work.
  ASSERT_EQ(m.size(), 7u);
  for (int i : {0, 1, 2, 3, 4, 5}) EXPECT_TRUE(IsTrue(m[i])) << i;
  ASSERT_EQ(m[6].kind, st::Kind::kEthWork);
  EXPECT_EQ(std::get<int64_t>(m[6].id), 0);
  EXPECT_GT(s->difficulty(), 1e-6);
  const st::EthWork harder = Body<st::EthWork>(m[6]);
  EXPECT_EQ(harder.target, "0x" + ToDisplayHex(TargetFromDifficulty(s->difficulty())));
  EXPECT_NE(harder.header_hash, w.header_hash);
  // A share for the earlier work at its own (easier) boundary is still worth that work's difficulty.
  ASSERT_TRUE(s->OnLine(SubmitWorkLine(20, FindNonce(header, 0x200, 1e-6, Want::kShare), w.header_hash),
                        f.now));
  m = f.Drain();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_TRUE(IsTrue(m[0]));
  EXPECT_EQ(f.core->stats().shares_accepted.load(), 7u);
}

TEST(SessionEth, SubmitBeforeSubscribeAndJunk) {
  Fixture f;
  auto early = f.Open("127.0.0.5");
  ASSERT_TRUE(early->OnLine(EthSubmitLine(1, f.user, "00", "0000000000"), f.now));
  auto m = f.Drain();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(ErrCode(m[0]), 25);

  auto s = f.Open("127.0.0.4");
  ASSERT_TRUE(s->OnLine(R"({"id":1,"jsonrpc":"2.0","method":"eth_submitLogin","params":[")" + f.address +
                            R"("],"worker":"w"})", f.now));
  const uint64_t junk = f.core->stats().junk_lines.load();
  ASSERT_TRUE(s->OnLine(R"({"id":2,"method":"mining.subscribe","params":["cgminer/4.10.0"]})", f.now));
  EXPECT_EQ(f.core->stats().junk_lines.load(), junk + 1);
  EXPECT_EQ(s->dialect(), st::Dialect::kEthProxy);
}

}  // namespace
}  // namespace mw::pool
