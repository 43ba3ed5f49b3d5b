#include "intel/feed_parser.h"

#include <gtest/gtest.h>

namespace mw::intel {
namespace {

ParsedFeed Parse(std::string_view text, Format format, Category c = Category::kPool) {
  return ParseFeed(text, FeedSource{"test", format, c});
}

// The skipped line numbers with a given reason.
std::vector<uint32_t> SkippedLines(const ParsedFeed& f, SkipReason reason) {
  std::vector<uint32_t> out;
  for (const auto& s : f.skipped) {
    if (s.reason == reason) out.push_back(s.line);
  }
  return out;
}

TEST(HostsFormat, ReadsNamesAndReportsBadLines) {
  auto f = Parse(
      "# comment\n"
      "0.0.0.0 Miner.Example\n"
      "127.0.0.1 localhost\n"
      "0.0.0.0 a.example b.example # two names\n"
      "not-an-address host.example\n"
      "0.0.0.0 bad_name!.example\n"
      "\n",
      Format::kHosts, Category::kBrowserMiner);
  ASSERT_EQ(f.entries.size(), 3u);
  EXPECT_EQ(f.entries[0].host, "miner.example");
  EXPECT_EQ(f.entries[0].line, 2u);
  EXPECT_EQ(f.entries[0].category, Category::kBrowserMiner);
  EXPECT_EQ(f.entries[2].host, "b.example");
  EXPECT_EQ(f.entries[2].line, 4u);
  EXPECT_EQ(SkippedLines(f, SkipReason::kMalformed), (std::vector<uint32_t>{5, 6}));
  EXPECT_EQ(f.lines, 7u);
}

TEST(DomainsFormat, NamesAddressesAndMalformedLines) {
  auto f = Parse(
      "# Title: list\n"
      "pool.example\n"
      "*.wild.example\n"
      "com\n"
      "203.0.113.9\n"
      "two words.example\n"
      "\xD0\xBF\xD1\x83\xD0\xBB.example\n"
      "300.1.1.1\n",
      Format::kDomains);
  ASSERT_EQ(f.entries.size(), 4u);
  EXPECT_EQ(f.entries[0].host, "pool.example");
  EXPECT_EQ(f.entries[1].host, "wild.example");
  EXPECT_EQ(f.entries[2].kind, EntryKind::kIpRange);
  EXPECT_EQ(f.entries[2].value, "203.0.113.9");
  EXPECT_EQ(f.entries[3].host, "xn--k1ahm.example");  // "пул" in punycode
  EXPECT_EQ(f.entries[3].line, 7u);
  EXPECT_EQ(SkippedLines(f, SkipReason::kMalformed), (std::vector<uint32_t>{4, 6, 8}));
  EXPECT_EQ(f.skipped[0].detail, "single-label name would match a whole TLD");
  EXPECT_EQ(f.skipped[0].text, "com");
}

TEST(MaltrailFormat, HostsAddressesPortsAndPaths) {
  auto f = Parse(
      "# Reference: somewhere\n"
      "198.51.100.4:3333\n"
      "pool.example\n"
      "mineXMR.example\n"
      "http://198.51.100.5\n"
      "http://198.51.100.6/x/run.sh\n"
      "/bonn.sh\n"
      "pool.example:14444\n"
      "198.51.100.7:99999\n"
      "bad host\n"
      "2001:db8::/48\n"
      "a.example:8080/x.sh\n",
      Format::kMaltrail, Category::kMalwareInfrastructure);
  ASSERT_EQ(f.entries.size(), 9u);
  EXPECT_EQ(f.entries[7].kind, EntryKind::kIpRange);
  EXPECT_EQ(f.entries[7].value, "2001:db8::/48");
  EXPECT_EQ(f.entries[8].kind, EntryKind::kUrlPattern);
  EXPECT_EQ(f.entries[8].host, "a.example");
  EXPECT_EQ(f.entries[0].kind, EntryKind::kIpRange);
  EXPECT_EQ(f.entries[0].port, 3333);
  EXPECT_EQ(f.entries[2].host, "minexmr.example");
  EXPECT_EQ(f.entries[3].kind, EntryKind::kIpRange);
  EXPECT_EQ(f.entries[3].scheme, Scheme::kHttp);
  EXPECT_EQ(f.entries[4].kind, EntryKind::kUrlPattern);
  EXPECT_EQ(f.entries[4].host, "198.51.100.6");
  EXPECT_EQ(f.entries[4].pattern, "|/x/run.sh");
  EXPECT_EQ(f.entries[5].kind, EntryKind::kUrlPattern);
  EXPECT_EQ(f.entries[5].host, "");
  EXPECT_EQ(f.entries[6].port, 14444);
  EXPECT_EQ(f.entries[6].category, Category::kMalwareInfrastructure);
  EXPECT_EQ(SkippedLines(f, SkipReason::kMalformed), (std::vector<uint32_t>{9, 10}));
}

TEST(CidrFormat, RangesWithLabelsAndErrors) {
  auto f = Parse(
      "; allowlist\n"
      "104.16.0.0/13 cdn-a\n"
      "2001:db8::/32\n"
      "10.0.0.0/40\n"
      "example.com\n",
      Format::kCidr, Category::kAllowlist);
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].value, "104.16.0.0/13");
  EXPECT_EQ(FormatIp(f.entries[0].range.last), "104.23.255.255");
  EXPECT_EQ(f.entries[1].value, "2001:db8::/32");
  EXPECT_EQ(SkippedLines(f, SkipReason::kMalformed), (std::vector<uint32_t>{4, 5}));
}

TEST(CsvFormat, HeaderColumnsAndPerRowCategory) {
  auto f = Parse(
      "domain,port,scheme,coin,category\n"
      "pool.example,3333,stratum+tcp,XMR,pool\n"
      "127.0.0.1,3334,stratum+tcp,btc,\n"
      "shop.example,,,,crypto-general\n"
      "bad.example,abc,stratum+tcp,btc,pool\n"
      "bad2.example,3333,gopher,btc,pool\n"
      "bad3.example,3333,,btc,nonsense\n"
      ",3333,,,\n",
      Format::kCsv);
  ASSERT_EQ(f.entries.size(), 3u);
  EXPECT_EQ(f.entries[0].port, 3333);
  EXPECT_EQ(f.entries[0].scheme, Scheme::kStratumTcp);
  EXPECT_EQ(f.entries[0].coin, "xmr");
  EXPECT_EQ(f.entries[1].kind, EntryKind::kIpRange);
  EXPECT_EQ(f.entries[1].port, 3334);
  EXPECT_EQ(f.entries[2].category, Category::kCryptoGeneral);
  EXPECT_EQ(f.entries[2].port, 0);
  EXPECT_EQ(SkippedLines(f, SkipReason::kMalformed), (std::vector<uint32_t>{5, 6, 7, 8}));
}

TEST(CsvFormat, ColumnOrderFromHeaderAndDefaultOrder) {
  auto f = Parse("coin,host,port\nbtc,pool.example,3333\n", Format::kCsv);
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].host, "pool.example");
  EXPECT_EQ(f.entries[0].coin, "btc");
  auto g = Parse("pool.example,3333,stratum+tcp,ltc\n", Format::kCsv);
  ASSERT_EQ(g.entries.size(), 1u);
  EXPECT_EQ(g.entries[0].coin, "ltc");
}

TEST(DetectFormat, RecognisesEachFormat) {
  EXPECT_EQ(DetectFormat("[Adblock Plus 2.0]\n||a.example^\n"), Format::kAdblock);
  EXPECT_EQ(DetectFormat("# hosts\n0.0.0.0 a.example\n"), Format::kHosts);
  EXPECT_EQ(DetectFormat("*://*.a.example/*\n"), Format::kWebExt);
  EXPECT_EQ(DetectFormat("wss://*.a.example/proxy*\n"), Format::kWebExt);
  EXPECT_EQ(DetectFormat("# x\n1.2.3.4:3333\na.example\n"), Format::kMaltrail);
  EXPECT_EQ(DetectFormat("1.2.3.0/24\n5.6.7.8\n"), Format::kCidr);
  EXPECT_EQ(DetectFormat("domain,port\na.example,1\n"), Format::kCsv);
  EXPECT_EQ(DetectFormat("a.example\nb.example\n"), Format::kDomains);
  EXPECT_EQ(DetectFormat(""), Format::kDomains);
}

TEST(ParseFeed, AutoResolvesTheFormatAndSurvivesBinaryJunk) {
  auto f = ParseFeed("0.0.0.0 x.example\n", FeedSource{"t", Format::kAuto, Category::kPool});
  EXPECT_EQ(f.source.format, Format::kHosts);
  std::string junk("\x01\x02\xff\xfe\n\0\n\r\n", 9);
  auto g = Parse(junk, Format::kDomains);
  EXPECT_TRUE(g.entries.empty());
  EXPECT_EQ(g.skipped_count[int(SkipReason::kMalformed)], 2u);
}

TEST(GuessCategory, FromPath) {
  EXPECT_EQ(GuessCategory("maltrail/malware/lemonduck_miner.txt"), Category::kMalwareInfrastructure);
  EXPECT_EQ(GuessCategory("maltrail/suspicious/crypto_mining.txt"), Category::kPool);
  EXPECT_EQ(GuessCategory("nocoin/hosts.txt"), Category::kBrowserMiner);
  EXPECT_EQ(GuessCategory("blocklistproject/crypto-nl.txt"), Category::kCryptoGeneral);
}

}  // namespace
}  // namespace mw::intel
