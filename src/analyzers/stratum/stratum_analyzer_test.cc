#include "analyzers/stratum/stratum_analyzer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mw::analyzers {
namespace {

ByteSpan B(const std::string& s) { return AsBytes(s); }

TEST(StratumAnalyzer, V1SessionAcrossEverySegmentBoundary) {
  const std::string client =
      "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.10.0\"]}\n"
      "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"bc1qworker.rig1\",\"x\"]}\n";
  const std::string server =
      "{\"id\":1,\"result\":[[[\"mining.set_difficulty\",\"1\"],[\"mining.notify\",\"1\"]],"
      "\"08000002\",4],\"error\":null}\n";
  for (size_t cut = 1; cut < client.size(); cut += 7) {
    CounterSet counters;
    StratumAnalyzer a(counters);
    a.Feed(Direction::kToServer, B(client.substr(0, cut)), 1);
    a.Feed(Direction::kToClient, B(server), 2);
    a.Feed(Direction::kToServer, B(client.substr(cut)), 3);
    const auto& s = a.summary();
    ASSERT_EQ(s.decoded[0], 2u) << cut;
    EXPECT_EQ(s.decoded[1], 1u);
    EXPECT_EQ(s.dialect, stratum::Dialect::kV1);
    EXPECT_EQ(s.agent, "cgminer/4.10.0");
    EXPECT_EQ(s.login, "bc1qworker.rig1");
    EXPECT_TRUE(s.confirmed());
    EXPECT_TRUE(s.methods.count("mining.subscribe"));
  }
}

TEST(StratumAnalyzer, SpacedAndReorderedXmrigLogin) {
  CounterSet counters;
  std::vector<std::string> kinds;
  StratumAnalyzer a(counters, [&](Direction, const stratum::Message& m,
                                  const stratum::StratumMeta&) {
    kinds.emplace_back(stratum::KindName(m.kind));
  });
  a.Feed(Direction::kToServer,
         B("  { \"params\" : { \"agent\" : \"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0\","
           " \"pass\":\"x\", \"login\":\"44AFFq5kSiGBoZ\" }, \"method\" : \"login\", \"jsonrpc\":"
           "\"2.0\", \"id\" : 1 }\n"),
         10);
  const auto& s = a.summary();
  EXPECT_EQ(s.dialect, stratum::Dialect::kXmrig);
  EXPECT_EQ(s.login, "44AFFq5kSiGBoZ");
  EXPECT_EQ(s.agent.rfind("XMRig/6.21.0", 0), 0u);
  ASSERT_EQ(kinds.size(), 1u);
  // A login alone is not yet confirmed: nothing a pool answered, no share.
  EXPECT_FALSE(s.confirmed());
}

TEST(StratumAnalyzer, MidSessionCaptureStartsWithTheTailOfALine) {
  CounterSet counters;
  StratumAnalyzer a(counters);
  a.Feed(Direction::kToClient,
         B("a1c4\",\"0a\",true]}\n{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[1024]}\n"),
         5);
  EXPECT_EQ(a.summary().decoded[1], 1u);
  EXPECT_FALSE(a.gave_up());
}

TEST(StratumAnalyzer, GivesUpOnNonJsonFlows) {
  CounterSet counters;
  StratumAnalyzer a(counters);
  for (uint32_t i = 0; i < StratumAnalyzer::kSegmentsBeforeNotJson; ++i) {
    EXPECT_FALSE(a.gave_up()) << i;
    a.Feed(Direction::kToServer, B("GET / HTTP/1.1\r\nHost: example\r\n\r\n"), 1);
    a.Feed(Direction::kToClient, B("HTTP/1.1 200 OK\r\n\r\n"), 2);
  }
  EXPECT_TRUE(a.gave_up());
  EXPECT_FALSE(a.summary().any());
  EXPECT_EQ(counters.Value("stratum.flows_not_json"), 1u);
}

// A SOCKS5 proxy's handshake before the Stratum lines: its binary segments are skipped, and
// the lines after it decode from their first byte.
TEST(StratumAnalyzer, LinesAfterASocksHandshakeDecode) {
  CounterSet counters;
  StratumAnalyzer a(counters);
  a.Feed(Direction::kToServer, B(std::string("\x05\x01\x00", 3)), 1);
  a.Feed(Direction::kToClient, B(std::string("\x05\x00", 2)), 2);
  a.Feed(Direction::kToServer, B(std::string("\x05\x01\x00\x03\x09pool.test\x0d\x05", 16)), 3);
  a.Feed(Direction::kToClient, B(std::string("\x05\x00\x00\x01\x0a\x00\x00\x01\x0d\x05", 10)), 4);
  a.Feed(Direction::kToServer,
         B("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cpuminer/2.5.1\"]}\n"), 5);
  a.Feed(Direction::kToClient,
         B("{\"id\":1,\"result\":[[[\"mining.notify\",\"ae\"]],\"08000002\",4],\"error\":null}\n"), 6);
  EXPECT_FALSE(a.gave_up());
  EXPECT_EQ(a.summary().decoded[0], 1u);
  EXPECT_EQ(a.summary().decoded[1], 1u);
  EXPECT_EQ(a.summary().failed_lines, 0u);
}

TEST(StratumAnalyzer, GivesUpOnJsonThatIsNotMining) {
  CounterSet counters;
  StratumAnalyzer a(counters);
  for (int i = 0; i < 6; ++i) {
    a.Feed(Direction::kToServer,
           B("{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{},\"id\":" +
             std::to_string(i) + "}\n"),
           i);
  }
  EXPECT_TRUE(a.gave_up());
  EXPECT_FALSE(a.summary().any());
  EXPECT_EQ(counters.Value("stratum.flows_given_up"), 1u);
}

TEST(StratumAnalyzer, BrowserDialectThroughFeedText) {
  CounterSet counters;
  StratumAnalyzer a(counters);
  a.FeedText(Direction::kToServer,
             "{\"type\":\"auth\",\"params\":{\"site_key\":\"SK123\",\"type\":\"anonymous\","
             "\"user\":null,\"goal\":0}}",
             1);
  a.FeedText(Direction::kToClient,
             "{\"type\":\"job\",\"params\":{\"job_id\":\"j1\",\"blob\":\"" + std::string(152, 'a') +
                 "\",\"target\":\"b88d0600\"}}",
             2);
  EXPECT_EQ(a.summary().dialect, stratum::Dialect::kCoinhive);
  EXPECT_TRUE(a.summary().confirmed());
  EXPECT_EQ(a.summary().server_jobs, 1u);
}

// EthereumStratum/1.0.0 borrows V1's handshake methods and set_difficulty, and ethminer sends
// eth_submitHashrate in it: all of them belong to the EthereumStratum flow, which is not mixed.
TEST(StratumAnalyzer, EthereumStratumOwnsTheMethodsItBorrows) {
  CounterSet counters;
  std::vector<stratum::Dialect> dialects;
  StratumAnalyzer a(counters, [&](Direction, const stratum::Message&, const stratum::StratumMeta& m) {
    dialects.push_back(m.dialect);
  });
  a.Feed(Direction::kToServer,
         B("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"ethminer/0.19.0\",\"EthereumStratum/1.0.0\"]}\n"
           "{\"id\":2,\"method\":\"mining.extranonce.subscribe\",\"params\":[]}\n"
           "{\"id\":3,\"method\":\"mining.authorize\",\"params\":[\"0xabc.rig\",\"x\"]}\n"
           "{\"id\":9,\"jsonrpc\":\"2.0\",\"method\":\"eth_submitHashrate\",\"params\":[\"0x1\",\"0x2\"]}\n"),
         1);
  a.Feed(Direction::kToClient,
         B("{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[0.5]}\n"), 2);
  ASSERT_EQ(dialects.size(), 5u);
  for (stratum::Dialect d : dialects) EXPECT_EQ(d, stratum::Dialect::kEthStratum);
  EXPECT_EQ(counters.Value("stratum.dialect_mixed"), 0u);
  // The same methods in a V1 flow stay V1.
  CounterSet v1_counters;
  StratumAnalyzer v1(v1_counters);
  v1.Feed(Direction::kToServer,
          B("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.10.0\"]}\n"
            "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"w\",\"x\"]}\n"),
          1);
  EXPECT_EQ(v1.summary().dialect, stratum::Dialect::kV1);
}

TEST(StratumAnalyzer, BareRepliesAloneAreNotMining) {
  CounterSet counters;
  StratumAnalyzer a(counters);
  a.Feed(Direction::kToClient, B("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x10\"}\n"), 1);
  a.Feed(Direction::kToClient, B("{\"id\":2,\"result\":true,\"error\":null}\n"), 2);
  EXPECT_FALSE(a.summary().any());
  EXPECT_EQ(counters.Value("stratum.bare_replies_skipped"), 2u);
}

TEST(StratumAnalyzer, GapResynchronises) {
  CounterSet counters;
  StratumAnalyzer a(counters);
  a.Feed(Direction::kToServer, B("{\"id\":1,\"method\":\"mining.subsc"), 1);
  a.OnGap(Direction::kToServer);
  a.Feed(Direction::kToServer,
         B("ze\":[\"x\"]}\n{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"w\",\"x\"]}\n"), 2);
  EXPECT_EQ(a.summary().decoded[0], 1u);
  EXPECT_EQ(a.summary().login, "w");
}

}  // namespace
}  // namespace mw::analyzers
