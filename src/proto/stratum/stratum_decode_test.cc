// Every message kind of every dialect, decoded from the example lines of protocols.md (placeholders
// such as "..." replaced by values of the right size), plus spaced / reordered variants.
#include <gtest/gtest.h>

#include <string>

#include "proto/stratum/stratum_codec.h"
#include "proto/stratum/v1_job.h"

namespace mw::stratum {
namespace {

// The body alternative, or a test failure (std::get throws, which gtest reports).
template <typename T>
const T& Get(const Message& m) {
  return std::get<T>(m.body);
}

const std::string kHash64(64, 'a');
// 76-byte hashing blob: v7/7, timestamp varint, prev_id, nonce at byte 39, tree root, tx count.
const std::string kBlob152 = "0707d5efb9d605" + std::string(64, 'c') + "00000000" +
                             std::string(64, 'd') + "01";

Message MustDecode(const std::string& line) {
  DecodeFailure why = DecodeFailure::kNone;
  auto m = DecodeLine(line, &why);
  EXPECT_TRUE(m.ok()) << line << " -> " << m.status().ToString();
  if (!m.ok()) return Message{};
  EXPECT_EQ(why, DecodeFailure::kNone);
  return std::move(m).value();
}

// ---- Stratum V1 ----

TEST(DecodeV1, ConfigureWithVersionRolling) {
  const Message m = MustDecode(
      R"({"id":1,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"1fffe000","version-rolling.min-bit-count":2}]})");
  EXPECT_EQ(m.kind, Kind::kV1Configure);
  EXPECT_EQ(m.dialect, Dialect::kV1);
  EXPECT_EQ(std::get<int64_t>(m.id), 1);
  const auto& c = Get<Configure>(m);
  EXPECT_EQ(c.extensions, std::vector<std::string>{"version-rolling"});
  EXPECT_EQ(c.version_rolling_mask, 0x1fffe000u);
  EXPECT_EQ(c.version_rolling_min_bits, 2u);
}

TEST(DecodeV1, ConfigureResult) {
  const Message m = MustDecode(
      R"({"id":1,"result":{"version-rolling":true,"version-rolling.mask":"1fffe000"},"error":null})");
  EXPECT_EQ(m.kind, Kind::kV1ConfigureResult);
  EXPECT_TRUE(Get<ConfigureResult>(m).version_rolling);
  EXPECT_EQ(Get<ConfigureResult>(m).version_rolling_mask, 0x1fffe000u);
}

TEST(DecodeV1, SubscribeAndItsResult) {
  Message m = MustDecode(R"({"id":2,"method":"mining.subscribe","params":["cgminer/4.10.0"]})");
  EXPECT_EQ(m.kind, Kind::kV1Subscribe);
  EXPECT_EQ(Get<Subscribe>(m).agent, "cgminer/4.10.0");
  EXPECT_EQ(Classify(m).agent, "cgminer/4.10.0");
  EXPECT_EQ(Classify(m).role, Role::kClient);

  m = MustDecode(
      R"({"id":2,"result":[[["mining.set_difficulty","b4b6693b72a50c7116db18d6497cac52"],["mining.notify","ae6812eb4cd7735a302a8a9dd95cf71f"]],"08000002",4],"error":null})");
  EXPECT_EQ(m.kind, Kind::kV1SubscribeResult);
  EXPECT_EQ(m.dialect, Dialect::kV1);
  const auto& r = Get<SubscribeResult>(m);
  ASSERT_EQ(r.subscriptions.size(), 2u);
  EXPECT_EQ(r.subscriptions[1].first, "mining.notify");
  EXPECT_EQ(r.extranonce1, "08000002");
  EXPECT_EQ(r.extranonce2_size, 4);
}

TEST(DecodeV1, SpacedAndReorderedSubscribe) {
  const Message m = MustDecode(
      "{ \"params\" : [ \"NiceHash/1.0.0\", \"1700000000000\", \"" + kHash64 +
      "\" ],\n\t\"method\" : \"mining.subscribe\", \"id\": 1 }\r\n");
  EXPECT_EQ(m.kind, Kind::kV1Subscribe);
  EXPECT_EQ(Get<Subscribe>(m).agent, "NiceHash/1.0.0");
  EXPECT_EQ(Get<Subscribe>(m).extra.size(), 2u);
}

TEST(DecodeV1, AuthorizeTrueAndSetDifficulty) {
  Message m = MustDecode(R"({"id":3,"method":"mining.authorize","params":["bc1q...worker1","x"]})");
  EXPECT_EQ(m.kind, Kind::kV1Authorize);
  EXPECT_EQ(Get<Authorize>(m).user, "bc1q...worker1");
  EXPECT_EQ(Classify(m).login, "bc1q...worker1");

  m = MustDecode(R"({"id":3,"result":true,"error":null})");
  EXPECT_EQ(m.kind, Kind::kResponse);
  EXPECT_EQ(m.dialect, Dialect::kV1);
  EXPECT_EQ(Get<Response>(m).result, true);

  m = MustDecode(R"({"id":null,"method":"mining.set_difficulty","params":[1024]})");
  EXPECT_EQ(m.kind, Kind::kV1SetDifficulty);
  EXPECT_TRUE(std::holds_alternative<std::nullptr_t>(m.id));
  EXPECT_EQ(Get<Difficulty>(m).difficulty, 1024.0);
  m = MustDecode(R"({"id":null,"method":"mining.set_difficulty","params":[0.015625]})");
  EXPECT_EQ(Get<Difficulty>(m).difficulty, 0.015625);
}

TEST(DecodeV1, NotifyFromVectorV3BuildsTheKnownHeader) {
  const std::string line =
      R"({"id":null,"method":"mining.notify","params":["1","0c859545a3498373a57452fac22eb7113df2a465000543520000000000000000",)"
      R"("01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4b0389130cfabe6d6d5cbab26a2599e92916edec5657a94a0708ddb970f5c45b5d12905085617eff8e",)"
      R"("31650707758de07b010000000000001cfd7038212f736c7573682f000000000379ad0c2a000000001976a9147c154ed1dc59609e3d26abb2df2ea3d587cd8c4188ac00000000000000002c6a4c2952534b424c4f434b3ae725d3994b811572c1f345deb98b56b465ef8e153ecbbd27fa37bf1b005161380000000000000000266a24aa21a9ed63b06a7946b190a3fda1d76165b25c9b883bcc6621b040773050ee2a1bb18f1800000000",)"
      R"(["2b77d9e413e8121cd7a17ff46029591051d0922bd90b2b2a38811af1cb57a2b2","5c8874cef00f3a233939516950e160949ef327891c9090467cead995441d22c5",)"
      R"("2d91ff8e19ac5fa69a40081f26c5852d366d608b04d2efe0d5b65d111d0d8074","0ae96f609ad2264112a0b2dfb65624bedbcea3b036a59c0173394bba3a74e887",)"
      R"("e62172e63973d69574a82828aeb5711fc5ff97946db10fc7ec32830b24df7bde","adb49456453aab49549a9eb46bb26787fb538e0a5f656992275194c04651ec97",)"
      R"("a7bc56d04d2672a8683892d6c8d376c73d250a4871fdf6f57019bcc737d6d2c2","d94eceb8182b4f418cd071e93ec2a8993a0898d4c93bc33d9302f60dbbd0ed10",)"
      R"("5ad7788b8c66f8f50d332b88a80077ce10e54281ca472b4ed9bbbbcb6cf99083","9f9d784b33df1b3ed3edb4211afc0dc1909af9758c6f8267e469f5148ed04809",)"
      R"("48fd17affa76b23e6fb2257df30374da839d6cb264656a82e34b350722b05123","c4f5ab01913fc186d550c1a28f3f3e9ffaca2016b961a6a751f8cca0089df924",)"
      R"("cff737e1d00176dd6bbfa73071adbb370f227cfb5fba186562e4060fcec877e1"],"20000004","1705ae3a","647025b5",true]})";
  const Message m = MustDecode(line);
  ASSERT_EQ(m.kind, Kind::kV1Notify);
  const V1Notify& n = Get<V1Notify>(m);
  EXPECT_EQ(n.merkle_branch.size(), 13u);
  EXPECT_TRUE(n.clean_jobs);
  // The decoded strings feed the job arithmetic unchanged: V3's header comes out.
  auto job = V1JobFromHex(n.job_id, n.prevhash, n.coinb1, n.coinb2, n.merkle_branch, n.version,
                          n.nbits, n.ntime, n.clean_jobs);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  const Bytes en1 = *FromHex("01000000");
  const Bytes en2 = *FromHex("00000000");
  const Bytes coinbase = BuildCoinbase(*job, en1, en2);
  const Hash256 root = MerkleRootFromBranch(Sha256d(coinbase), job->merkle_branch);
  const Header80 header = BuildHeader(*job, root, job->version, job->ntime, 0x0a029ed1);
  EXPECT_EQ(ToHex(header),
            "040000204595850c738349a3fa5274a511b72ec265a4f23d5243050000000000000000005bdc1968499c"
            "3393873edf8e07a1c3a50a97fc3a9d1a376bbf77087dd63778ebb52570643aae0517d19e020a");
}

TEST(DecodeV1, SubmitWithVersionBitsAndErrorReply) {
  Message m = MustDecode(
      R"({"id":4,"method":"mining.submit","params":["tb1q...bitaxe3","1","99020000","64b1f10f","2402812d","00006000"]})");
  ASSERT_EQ(m.kind, Kind::kV1Submit);
  const V1Submit& s = Get<V1Submit>(m);
  EXPECT_EQ(s.extranonce2, "99020000");
  EXPECT_EQ(s.nonce, "2402812d");
  EXPECT_EQ(s.version_bits, "00006000");
  EXPECT_EQ(Classify(m).login, "tb1q...bitaxe3");

  m = MustDecode(R"({"id":4,"result":null,"error":[23,"Low difficulty share",null]})");
  ASSERT_EQ(m.kind, Kind::kResponse);
  EXPECT_EQ(m.dialect, Dialect::kV1);
  EXPECT_EQ(Get<Response>(m).error, (RpcError{23, "Low difficulty share"}));
}

TEST(DecodeV1, OtherServerAndClientMessages) {
  EXPECT_EQ(MustDecode(R"({"id":5,"method":"mining.extranonce.subscribe","params":[]})").kind,
            Kind::kV1ExtranonceSubscribe);
  Message m = MustDecode(R"({"id":6,"method":"mining.suggest_difficulty","params":[512.5]})");
  EXPECT_EQ(m.kind, Kind::kV1SuggestDifficulty);
  EXPECT_EQ(Get<Difficulty>(m).difficulty, 512.5);
  m = MustDecode(R"({"id":null,"method":"mining.set_extranonce","params":["08000003",4]})");
  EXPECT_EQ(m.kind, Kind::kV1SetExtranonce);
  EXPECT_EQ(Get<SetExtranonce>(m).extranonce1, "08000003");
  m = MustDecode(R"({"id":null,"method":"mining.set_version_mask","params":["00003000"]})");
  EXPECT_EQ(Get<SetVersionMask>(m).mask, 0x3000u);
  m = MustDecode(R"({"id":null,"method":"client.reconnect","params":["127.0.0.1","3334",5]})");
  ASSERT_EQ(m.kind, Kind::kV1Reconnect);
  EXPECT_EQ(Get<Reconnect>(m).port, 3334);
  EXPECT_EQ(Get<Reconnect>(m).wait_seconds, 5);
  EXPECT_EQ(MustDecode(R"({"id":null,"method":"mining.ping","params":[]})").kind, Kind::kV1Ping);
}

// ---- XMRig ----

TEST(DecodeXmrig, LoginAndResult) {
  Message m = MustDecode(
      R"({"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"<wallet or user>","pass":"x","agent":"XMRig/6.x (Linux x86_64) libuv/1.x gcc/x","algo":["rx/0","cn/r"],"rigid":"rig1"}})");
  ASSERT_EQ(m.kind, Kind::kXmrLogin);
  EXPECT_TRUE(m.jsonrpc2);
  const StratumMeta meta = Classify(m);
  EXPECT_EQ(meta.dialect, Dialect::kXmrig);
  EXPECT_EQ(meta.login, "<wallet or user>");
  EXPECT_EQ(meta.agent, "XMRig/6.x (Linux x86_64) libuv/1.x gcc/x");
  EXPECT_EQ(meta.algo, "rx/0");

  m = MustDecode(R"({"id":1,"jsonrpc":"2.0","error":null,"result":{"id":"1be0b7b6-0001","job":{"blob":")" +
                 kBlob152 + R"(","job_id":"q7PLUPL25UV0z5Ij14IyMk8htXbj","target":"b88d0600","algo":"rx/0","height":3100000,"seed_hash":")" +
                 kHash64 + R"("},"extensions":["algo","nicehash","connect","tls","keepalive"],"status":"OK"}})");
  ASSERT_EQ(m.kind, Kind::kXmrLoginResult);
  const XmrLoginResult& r = Get<XmrLoginResult>(m);
  EXPECT_EQ(r.session_id, "1be0b7b6-0001");
  ASSERT_TRUE(r.job.has_value());
  EXPECT_EQ(r.job->height, 3100000u);
  EXPECT_EQ(r.job->target, "b88d0600");
  EXPECT_EQ(r.extensions.size(), 5u);
  EXPECT_EQ(r.status, "OK");
}

TEST(DecodeXmrig, JobSubmitKeepaliveGetjobStatusError) {
  Message m = MustDecode(R"({"jsonrpc":"2.0","method":"job","params":{"blob":")" + kBlob152 +
                         R"(","job_id":"4BiGm3","target":"b88d0600","algo":"rx/0","height":3100001,"seed_hash":")" +
                         kHash64 + R"("}})");
  ASSERT_EQ(m.kind, Kind::kXmrJob);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(m.id));
  EXPECT_EQ(Classify(m).role, Role::kServer);

  m = MustDecode(R"({"id":2,"jsonrpc":"2.0","method":"submit","params":{"id":"1be0b7b6-0001","job_id":"4BiGm3","nonce":"d0030040","result":")" +
                 kHash64 + R"(","algo":"rx/0"}})");
  ASSERT_EQ(m.kind, Kind::kXmrSubmit);
  EXPECT_EQ(Get<XmrSubmit>(m).nonce, "d0030040");

  m = MustDecode(R"({"id":2,"jsonrpc":"2.0","error":null,"result":{"status":"OK"}})");
  ASSERT_EQ(m.kind, Kind::kXmrStatus);
  EXPECT_EQ(Get<XmrStatus>(m).status, "OK");

  m = MustDecode(R"({"id":2,"jsonrpc":"2.0","error":{"code":-1,"message":"Low difficulty share"}})");
  ASSERT_EQ(m.kind, Kind::kResponse);
  EXPECT_EQ(m.dialect, Dialect::kXmrig);
  EXPECT_EQ(Get<Response>(m).error, (RpcError{-1, "Low difficulty share"}));

  m = MustDecode(R"({"id":3,"jsonrpc":"2.0","method":"keepalived","params":{"id":"1be0b7b6-0001"}})");
  EXPECT_EQ(m.kind, Kind::kXmrKeepalived);
  EXPECT_EQ(Get<XmrSession>(m).session_id, "1be0b7b6-0001");
  m = MustDecode(R"({"id":3,"jsonrpc":"2.0","result":{"status":"KEEPALIVED"}})");
  EXPECT_EQ(Get<XmrStatus>(m).status, "KEEPALIVED");
  EXPECT_EQ(MustDecode(R"({"id":4,"jsonrpc":"2.0","method":"getjob","params":{"id":"s"}})").kind,
            Kind::kXmrGetJob);
}

// ---- EthereumStratum/1.0.0 and eth-proxy ----

TEST(DecodeEthStratum, WholeSession) {
  Message m = MustDecode(
      R"({"id":1,"method":"mining.subscribe","params":["EthereumMiner/1.0.0","EthereumStratum/1.0.0"]})");
  EXPECT_EQ(m.kind, Kind::kV1Subscribe);
  EXPECT_EQ(m.dialect, Dialect::kEthStratum);
  m = MustDecode(
      R"({"id":1,"result":[["mining.notify","ae6812eb4cd7735a302a8a9dd95cf71f","EthereumStratum/1.0.0"],"a2eea0"],"error":null})");
  ASSERT_EQ(m.kind, Kind::kV1SubscribeResult);
  EXPECT_EQ(m.dialect, Dialect::kEthStratum);
  EXPECT_EQ(Get<SubscribeResult>(m).protocol, "EthereumStratum/1.0.0");
  EXPECT_EQ(Get<SubscribeResult>(m).extranonce1, "a2eea0");
  EXPECT_FALSE(Get<SubscribeResult>(m).extranonce2_size.has_value());
  EXPECT_EQ(MustDecode(R"({"id":2,"method":"mining.authorize","params":["test","password"]})").kind,
            Kind::kV1Authorize);
  m = MustDecode(R"({"id":null,"method":"mining.set_difficulty","params":[1.0]})");
  EXPECT_EQ(Get<Difficulty>(m).difficulty, 1.0);
  m = MustDecode(R"({"id":null,"method":"mining.notify","params":["bf0488aa",")" + kHash64 +
                 R"(",")" + std::string(64, 'b') + R"(",true]})");
  ASSERT_EQ(m.kind, Kind::kEthNotify);
  EXPECT_EQ(m.dialect, Dialect::kEthStratum);
  EXPECT_EQ(Get<EthNotify>(m).header_hash, std::string(64, 'b'));
  m = MustDecode(R"({"id":3,"method":"mining.submit","params":["test","bf0488aa","cfae7df760"]})");
  ASSERT_EQ(m.kind, Kind::kEthSubmit);
  EXPECT_EQ(Get<EthSubmit>(m).miner_nonce, "cfae7df760");
  EXPECT_EQ(Classify(m).algo, "ethash");
}

TEST(DecodeEthProxy, WholeSession) {
  Message m = MustDecode(
      R"({"id":1,"jsonrpc":"2.0","method":"eth_submitLogin","params":["0xb85150eb365e7df0941f0cf08235f987ba91506a"],"worker":"rig-1"})");
  ASSERT_EQ(m.kind, Kind::kEthSubmitLogin);
  EXPECT_EQ(Get<EthSubmitLogin>(m).worker, "rig-1");
  EXPECT_EQ(Classify(m).login, "0xb85150eb365e7df0941f0cf08235f987ba91506a");
  m = MustDecode(R"({"id":1,"jsonrpc":"2.0","result":true})");
  EXPECT_EQ(m.kind, Kind::kResponse);
  EXPECT_EQ(m.dialect, Dialect::kEthProxy);
  EXPECT_EQ(MustDecode(R"({"id":1,"jsonrpc":"2.0","method":"eth_getWork"})").kind,
            Kind::kEthGetWork);
  const std::string h = "0x" + kHash64;
  m = MustDecode(R"({"id":1,"jsonrpc":"2.0","result":[")" + h + R"(",")" + h +
                 R"(","0x00000000ffff0000000000000000000000000000000000000000000000000000","0xa2c4e1"]})");
  ASSERT_EQ(m.kind, Kind::kEthWork);
  EXPECT_EQ(Get<EthWork>(m).block_number, "0xa2c4e1");
  m = MustDecode(R"({"id":0,"jsonrpc":"2.0","result":[")" + h + R"(",")" + h + R"(","0x1"]})");
  EXPECT_EQ(m.kind, Kind::kEthWork);
  EXPECT_EQ(std::get<int64_t>(m.id), 0);
  m = MustDecode(R"({"id":1,"jsonrpc":"2.0","method":"eth_submitWork","params":["0x00000000a1b2c3d4",")" +
                 h + R"(",")" + h + R"("],"worker":"rig-1"})");
  ASSERT_EQ(m.kind, Kind::kEthSubmitWork);
  EXPECT_EQ(Get<EthSubmitWork>(m).nonce, "0x00000000a1b2c3d4");
  m = MustDecode(R"({"id":1,"jsonrpc":"2.0","method":"eth_submitHashrate","params":["0x500000",")" +
                 h + R"("]})");
  EXPECT_EQ(m.kind, Kind::kEthSubmitHashrate);
}

// ---- Browser dialects ----

TEST(DecodeCoinhive, EveryType) {
  Message m = MustDecode(
      R"({"type":"auth","params":{"site_key":"<key>","type":"anonymous","user":null,"goal":0}})");
  ASSERT_EQ(m.kind, Kind::kCoinhiveAuth);
  EXPECT_FALSE(Get<CoinhiveAuth>(m).user.has_value());
  EXPECT_EQ(Classify(m).login, "<key>");
  m = MustDecode(R"({"type":"authed","params":{"token":"","hashes":0}})");
  EXPECT_EQ(m.kind, Kind::kCoinhiveAuthed);
  m = MustDecode(R"({"type":"job","params":{"job_id":"j1","blob":")" + kBlob152 +
                 R"(","target":"b88d0600"}})");
  EXPECT_EQ(m.kind, Kind::kCoinhiveJob);
  EXPECT_EQ(Get<MinerJob>(m).target, "b88d0600");
  m = MustDecode(R"({"type":"submit","params":{"job_id":"j1","nonce":"0a0b0c0d","result":")" +
                 kHash64 + R"("}})");
  EXPECT_EQ(m.kind, Kind::kCoinhiveSubmit);
  m = MustDecode(R"({"type":"hash_accepted","params":{"hashes":256}})");
  EXPECT_EQ(Get<HashAccepted>(m).hashes, 256);
  m = MustDecode(R"({"type":"error","params":{"error":"invalid_site_key"}})");
  EXPECT_EQ(Get<TextError>(m).text, "invalid_site_key");
  // reordered: params before type
  m = MustDecode(R"({ "params" : { "hashes" : 512 } , "type" : "hash_accepted" })");
  EXPECT_EQ(Get<HashAccepted>(m).hashes, 512);
}

TEST(DecodeWebminerpool, EveryIdentifier) {
  Message m = MustDecode(
      R"({"identifier":"handshake","pool":"moneroocean.stream","login":"<wallet>","password":"","userid":"","version":8})");
  ASSERT_EQ(m.kind, Kind::kWmpHandshake);
  EXPECT_EQ(Get<WmpHandshake>(m).version, 8);
  EXPECT_EQ(Classify(m).login, "<wallet>");
  m = MustDecode(R"({"identifier":"job","job_id":"j7","algo":"cn","variant":1,"blob":")" +
                 kBlob152 + R"(","target":"b88d0600"})");
  ASSERT_EQ(m.kind, Kind::kWmpJob);
  EXPECT_EQ(Get<MinerJob>(m).variant, 1);
  EXPECT_EQ(Classify(m).algo, "cn");
  m = MustDecode(R"({"identifier":"solved","job_id":"j7","nonce":"01020304","result":")" +
                 kHash64 + R"("})");
  EXPECT_EQ(m.kind, Kind::kWmpSolved);
  EXPECT_EQ(MustDecode(R"({"identifier":"hashsolved"})").kind, Kind::kWmpHashSolved);
  m = MustDecode(R"({"identifier":"error","param":"invalid wallet"})");
  EXPECT_EQ(Get<TextError>(m).text, "invalid wallet");
}

}  // namespace
}  // namespace mw::stratum
