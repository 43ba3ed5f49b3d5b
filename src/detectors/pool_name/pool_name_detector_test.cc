#include "detectors/pool_name/pool_name_detector.h"

#include <gtest/gtest.h>

#include "intel/feed_parser.h"
#include "intel/snapshot_builder.h"

namespace mw::detectors {
namespace {

// Builds a small snapshot in memory from inline feeds.
intel::Snapshot MakeIntel() {
  intel::SnapshotBuilder b;
  b.AddFeed(intel::ParseFeed("pool.minelab.test,3333,stratum+tcp,btc\n127.0.0.9,4444,stratum+tcp,xmr\n",
                             {"lab.csv", intel::Format::kCsv, intel::Category::kPool}));
  b.AddFeed(intel::ParseFeed("exchange.example\n",
                             {"exchanges.txt", intel::Format::kDomains,
                              intel::Category::kCryptoGeneral}));
  auto bytes = b.Build();
  EXPECT_TRUE(bytes.ok());
  auto snap = intel::Snapshot::FromBytes(*bytes);
  EXPECT_TRUE(snap.ok()) << snap.status().ToString();
  return std::move(snap).value();
}

// A TCP flow's record, to a.b.c.d:port.
FlowRecord TcpFlowTo(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port) {
  FlowRecord r;
  r.ip_proto = 6;
  const uint8_t ip[4] = {a, b, c, d};
  r.server.ip = net::IpAddress::V4(ip);
  r.server.port = port;
  return r;
}

TEST(PoolNameDetector, DnsSniHostAndAddress) {
  intel::Snapshot intel = MakeIntel();
  PoolNameDetector d(&intel);
  FlowRecord r = TcpFlowTo(127, 0, 0, 9, 4444);
  r.dns_queries = {"eu1.pool.minelab.test", "example.org"};
  r.tls = TlsFacts{};
  r.tls->hello.sni = "POOL.minelab.test.";
  std::vector<Finding> out;
  d.Inspect(r, out);
  // The SNI's entry is limited to port 3333, so on 4444 only the DNS name and the address match.
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].signature_id, sid::kPoolNameDns);
  EXPECT_EQ(out[0].category, "Crypto Mining");
  EXPECT_EQ(out[1].signature_id, sid::kPoolAddress);
  EXPECT_EQ(out[1].severity, 3);
  // The same flow inspected again: nothing new is matched (the memo), nothing reported twice.
  out.clear();
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);  // the DNS queries are this record's latest, so matched again
  EXPECT_EQ(out[0].signature_id, sid::kPoolNameDns);
  out.clear();
  r.dns_queries.clear();
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty());
  // On port 3333 (another flow) the SNI matches.
  FlowRecord r2 = TcpFlowTo(127, 0, 0, 9, 3333);
  r2.tls = TlsFacts{};
  r2.tls->hello.sni = "POOL.minelab.test.";
  d.Inspect(r2, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].signature_id, sid::kPoolNameTls);
  EXPECT_NE(out[0].evidence[1].find("lab.csv"), std::string::npos);
}

// An intel update (SetIntel): what a flow's memo says was matched against the old snapshot is
// matched again against the new one, once; a signature the flow raised is not raised again;
// with no snapshot nothing fires.
TEST(PoolNameDetector, ReplacedIntelIsMatchedAgainByFlowsAlreadyInspected) {
  intel::SnapshotBuilder b;
  b.AddFeed(intel::ParseFeed("unrelated.example\n",
                             {"old.txt", intel::Format::kDomains, intel::Category::kPool}));
  auto old_bytes = b.Build();
  ASSERT_TRUE(old_bytes.ok());
  auto old_intel = intel::Snapshot::FromBytes(*old_bytes);
  ASSERT_TRUE(old_intel.ok());
  PoolNameDetector d(&*old_intel);
  FlowRecord r = TcpFlowTo(127, 0, 0, 9, 4444);
  r.tls = TlsFacts{};
  r.tls->hello.sni = "pool.minelab.test";
  std::vector<Finding> out;
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty());

  intel::Snapshot intel = MakeIntel();  // lists the address (127.0.0.9:4444)
  d.SetIntel(&intel);
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].signature_id, sid::kPoolAddress);
  r.alerted.push_back(sid::kPoolAddress);  // (as the pipeline records it)
  out.clear();
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty()) << "matched once per snapshot";

  // Replaced by the same lists again: the raised address is not raised twice.
  d.SetIntel(&intel);
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty());

  FlowRecord fresh = TcpFlowTo(127, 0, 0, 9, 4444);
  d.SetIntel(nullptr);
  d.Inspect(fresh, out);
  EXPECT_TRUE(out.empty()) << "no snapshot, no finding";
}

// What a flow shows late is still matched: an SNI that arrives after the first inspection, and
// a Host that changes with a later request.
TEST(PoolNameDetector, LateAndChangedFactsAreMatched) {
  intel::Snapshot intel = MakeIntel();
  PoolNameDetector d(&intel);
  FlowRecord r = TcpFlowTo(10, 0, 0, 1, 3333);
  std::vector<Finding> out;
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty());
  r.tls = TlsFacts{};
  r.tls->hello.sni = "pool.minelab.test";
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].signature_id, sid::kPoolNameTls);
  out.clear();
  r.http = HttpFacts{};
  r.http->host = "www.example.org:8080";
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty());
  r.http->host = "pool.minelab.test:3333";
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].signature_id, sid::kPoolNameHttp);
  EXPECT_EQ(out[0].pool, "pool.minelab.test");
}

TEST(PoolNameDetector, CryptoGeneralIsNotMining) {
  intel::Snapshot intel = MakeIntel();
  PoolNameDetector d(&intel);
  FlowRecord r;
  r.dns_queries = {"www.exchange.example"};
  std::vector<Finding> out;
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].category, "Crypto Currency");
}

TEST(PoolNameDetector, NoIntelNoFindings) {
  PoolNameDetector d(nullptr);
  FlowRecord r;
  r.dns_queries = {"pool.minelab.test"};
  std::vector<Finding> out;
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace mw::detectors
