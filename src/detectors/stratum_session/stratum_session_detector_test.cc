#include "detectors/stratum_session/stratum_session_detector.h"

#include <gtest/gtest.h>

namespace mw::detectors {
namespace {

using analyzers::Direction;

FlowRecord Flow(const analyzers::StratumFlowSummary* s) {
  FlowRecord r;
  r.flow_id = 7;
  r.ip_proto = 6;
  uint8_t ip[4] = {127, 0, 0, 1};
  r.server.ip = net::IpAddress::V4(ip);
  r.server.port = 3333;
  r.stratum = s;
  return r;
}

TEST(StratumSessionDetector, ConfirmedV1SessionFires) {
  CounterSet c;
  analyzers::StratumAnalyzer a(c);
  a.Feed(Direction::kToServer,
         AsBytes("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cpuminer/2.5.1\"]}\n"), 1);
  FlowRecord r = Flow(&a.summary());
  StratumSessionDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty()) << "a lone subscribe without a pool answer is not yet confirmed";
  a.Feed(Direction::kToClient,
         AsBytes("{\"id\":1,\"result\":[[[\"mining.notify\",\"ab\"]],\"08000002\",4],\"error\":null}\n"),
         2);
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty()) << "confirmed, but the login is still to come";
  a.Feed(Direction::kToServer,
         AsBytes("{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"wallet.rig1\",\"x\"]}\n"), 3);
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].login, "wallet.rig1");
  EXPECT_EQ(out[0].signature_id, sid::kStratumV1);
  EXPECT_EQ(out[0].dialect, "v1");
  EXPECT_EQ(out[0].agent_string, "cpuminer/2.5.1");
  EXPECT_EQ(out[0].pool, "127.0.0.1:3333");
  EXPECT_GE(out[0].confidence, 0.85);
  EXPECT_EQ(out[0].severity, 1);
}

TEST(StratumSessionDetector, XmrigLoginWithAgentFiresAlone) {
  CounterSet c;
  analyzers::StratumAnalyzer a(c);
  a.Feed(Direction::kToServer,
         AsBytes("{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"4Wallet\","
                 "\"pass\":\"x\",\"agent\":\"XMRig/6.21.0\"}}\n"),
         1);
  FlowRecord r = Flow(&a.summary());
  StratumSessionDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].signature_id, sid::kStratumXmrig);
  EXPECT_EQ(out[0].login, "4Wallet");
}

TEST(StratumSessionDetector, MidSessionWithoutLoginFiresAtFlowEnd) {
  CounterSet c;
  analyzers::StratumAnalyzer a(c);
  a.Feed(Direction::kToClient,
         AsBytes("{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[8]}\n"), 1);
  FlowRecord r = Flow(&a.summary());
  StratumSessionDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty());
  r.ended = true;
  a.Feed(Direction::kToServer,
         AsBytes("{\"id\":9,\"method\":\"mining.submit\",\"params\":[\"w\",\"1\",\"00000000\",\"5e9a1b2c\",\"0a0b0c0d\"]}\n"),
         2);
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
}

TEST(StratumSessionDetector, UnansweredMinerAttemptFiresAtFlowEndWithLessConfidence) {
  CounterSet c;
  analyzers::StratumAnalyzer a(c);
  a.Feed(Direction::kToServer,
         AsBytes("{\"id\": 189, \"method\": \"mining.subscribe\", \"params\": []}\n"), 1);
  a.Feed(Direction::kToClient, AsBytes("HTTP/1.1 400 Bad Request\r\n\r\n"), 2);
  FlowRecord r = Flow(&a.summary());
  StratumSessionDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty());
  r.ended = true;
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, 2);
  EXPECT_LT(out[0].confidence, 0.7);
}

TEST(StratumSessionDetector, NothingForFlowsWithoutStratum) {
  FlowRecord r = Flow(nullptr);
  StratumSessionDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace mw::detectors
