#include "intel/snapshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <fstream>

#include "intel/snapshot_builder.h"
#include "intel/snapshot_format.h"

namespace mw::intel {
namespace {

Bytes BuildFrom(std::vector<std::tuple<std::string, Format, Category, std::string>> feeds) {
  SnapshotBuilder b;
  for (auto& [name, format, category, text] : feeds) {
    b.AddFeed(ParseFeed(text, FeedSource{name, format, category}));
  }
  return b.Build().value();
}

Snapshot Sample() {
  Bytes bytes = BuildFrom({
      {"pools", Format::kDomains, Category::kPool,
       "pool.example\nxmr.pool.example\nexample.net\ncdn.example.net\n198.51.100.0/24\n"},
      {"lab", Format::kCsv, Category::kPool,
       "domain,port,scheme,coin\npool.minelab.test,3333,stratum+tcp,btc\n"
       "127.0.0.1,3334,stratum+tcp,btc\npool.example,4444,stratum+tcp,xmr\n"},
      {"miners", Format::kWebExt, Category::kBrowserMiner,
       "*://exact.example/*\nwss://*.ws.example/proxy*\n"},
      {"trails", Format::kMaltrail, Category::kMalwareInfrastructure,
       "198.51.100.77:3333\n2001:db8::/48\n\xD0\xBF\xD1\x83\xD0\xBB.example\n"},
      {"allow", Format::kDomains, Category::kAllowlist,
       "safe.pool.example\nexample.net\n198.51.100.128/25\n"},
  });
  return Snapshot::FromBytes(bytes).value();
}

// prefix + decimal i + suffix
std::string Numbered(std::string_view prefix, int i, std::string_view suffix) {
  std::string s(prefix);
  s += std::to_string(i);
  s += suffix;
  return s;
}

std::vector<std::string> Texts(const Snapshot& s, const MatchResult& m) {
  std::vector<std::string> out;
  for (uint32_t i = 0; i < m.count; ++i) {
    EntryInfo e = s.Entry(m.entries[i]);
    out.push_back(std::string(e.feed) + ":" + std::string(e.text));
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Snapshot, SuffixSemanticsAndProvenance) {
  Snapshot s = Sample();
  MatchResult m;
  EXPECT_TRUE(s.Match("pool.example", &m));
  EXPECT_EQ(Texts(s, m), (std::vector<std::string>{"lab:pool.example", "pools:pool.example"}));
  EXPECT_TRUE(s.Match("EU1.Pool.Example.", &m));
  EXPECT_TRUE(s.Match("a.xmr.pool.example", &m));
  EXPECT_EQ(Texts(s, m), (std::vector<std::string>{"lab:pool.example", "pools:pool.example",
                                                   "pools:xmr.pool.example"}));
  EXPECT_FALSE(s.Match("otherpool.example", &m));
  EXPECT_EQ(m.count, 0u);
  EXPECT_FALSE(s.Match("example", &m));
  EXPECT_FALSE(s.Match("pool.example.org", &m));
  EXPECT_FALSE(s.Match("", &m));
  EXPECT_FALSE(s.Match(".", &m));
  ASSERT_TRUE(s.Match("pool.minelab.test", &m));
  EntryInfo e = s.Entry(m.entries[0]);
  EXPECT_EQ(e.feed, "lab");
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.port, 3333);
  EXPECT_EQ(e.coin, "btc");
  EXPECT_EQ(e.scheme, Scheme::kStratumTcp);
  EXPECT_EQ(e.category, Category::kPool);
}

TEST(Snapshot, PortsFilterWhenGiven) {
  Snapshot s = Sample();
  MatchResult m;
  EXPECT_TRUE(s.Match("pool.minelab.test", &m, 3333));
  EXPECT_FALSE(s.Match("pool.minelab.test", &m, 8080));
  ASSERT_TRUE(s.Match("pool.example", &m, 4444));
  EXPECT_EQ(m.count, 2u);  // the port-less entry and the :4444 one
  ASSERT_TRUE(s.Match("pool.example", &m, 5555));
  EXPECT_EQ(Texts(s, m), (std::vector<std::string>{"pools:pool.example"}));
}

TEST(Snapshot, AllowlistWinsOverBroaderEntriesAndIsExplained) {
  Snapshot s = Sample();
  MatchResult m;
  EXPECT_FALSE(s.Match("x.safe.pool.example", &m));
  EXPECT_NE(m.allowed_by, kNoEntry);
  ASSERT_GT(m.count, 0u);  // the entries that would have matched are still listed
  EXPECT_TRUE(m.is_suppressed(0));
  const std::string why = s.Explain(m);
  EXPECT_NE(why.find("allowlisted by safe.pool.example"), std::string::npos) << why;
  EXPECT_NE(why.find("suppressed: pool.example"), std::string::npos) << why;
  EXPECT_EQ(why.find("match: "), std::string::npos) << why;
  // The feed's own "example.net" equals an allowlisted name: dropped at build, recorded.
  EXPECT_FALSE(s.Match("www.example.net", &m));
  bool recorded = false;
  for (size_t i = 0; i < s.skipped_count(); ++i) {
    SkippedInfo k = s.Skipped(i);
    recorded |= k.reason == SkipReason::kAllowlisted && k.text == "example.net" && k.line == 3;
  }
  EXPECT_TRUE(recorded);
  // A feed entry more specific than the allowlisted name still fires.
  ASSERT_TRUE(s.Match("a.cdn.example.net", &m));
  EXPECT_EQ(Texts(s, m), (std::vector<std::string>{"pools:cdn.example.net"}));
  EXPECT_NE(m.allowed_by, kNoEntry);
  EXPECT_FALSE(m.is_suppressed(0));
}

TEST(Snapshot, ExactHostEntriesDoNotCoverSubdomains) {
  Snapshot s = Sample();
  MatchResult m;
  EXPECT_TRUE(s.Match("exact.example", &m));
  EXPECT_FALSE(s.Match("www.exact.example", &m));
}

TEST(Snapshot, UnicodeQueriesMeetPunycodeEntries) {
  Snapshot s = Sample();
  MatchResult m;
  EXPECT_TRUE(s.Match("xn--k1ahm.example", &m));
  EXPECT_TRUE(s.Match("eu.\xD0\x9F\xD1\x83\xD0\xBB.example", &m));  // "Пул": upper-case first letter
  EXPECT_FALSE(s.Match("\xD0\xBF\xD1\x83.example", &m));
  EXPECT_FALSE(s.Match("\xFF\xFE.example", &m));  // not UTF-8: no match, no crash
}

TEST(Snapshot, AddressesRangesPortsAndAllowlist) {
  Snapshot s = Sample();
  MatchResult m;
  EXPECT_TRUE(s.MatchIp(*ParseIp("198.51.100.7"), 0, &m));
  EXPECT_EQ(Texts(s, m), (std::vector<std::string>{"pools:198.51.100.0/24"}));
  // .77 lies in the allowlisted upper half: its :3333 trail was dropped at build.
  EXPECT_FALSE(s.MatchIp(*ParseIp("198.51.100.200"), 0, &m));
  EXPECT_NE(m.allowed_by, kNoEntry);
  EXPECT_FALSE(s.MatchIp(*ParseIp("198.51.101.1"), 0, &m));
  EXPECT_TRUE(s.MatchIp(*ParseIp("127.0.0.1"), 3334, &m));
  EXPECT_FALSE(s.MatchIp(*ParseIp("127.0.0.1"), 3335, &m));
  EXPECT_TRUE(s.MatchIp(*ParseIp("127.0.0.1"), 0, &m));
  EXPECT_TRUE(s.MatchIp(*ParseIp("2001:db8:0:ffff::1"), 443, &m));
  EXPECT_FALSE(s.MatchIp(*ParseIp("2001:db8:1::1"), 443, &m));
  EXPECT_FALSE(s.MatchIp(*ParseIp("::"), 0, &m));
  IpAddress top;
  top.bytes.fill(0xff);
  EXPECT_FALSE(s.MatchIp(top, 0, &m));
}

// The load-time prefix filter never hides a listed address: random IPv4 and IPv6 ranges
// (CIDRs from /8 to single addresses, some straddling /16 boundaries), then addresses near
// and inside them and at random, each compared with a plain check of the ranges.
TEST(Snapshot, PrefixFilterAgreesWithTheRanges) {
  std::mt19937 rng(17);
  std::string text;
  std::vector<std::pair<IpAddress, IpAddress>> ranges;
  for (int i = 0; i < 60; ++i) {
    const bool v4 = i % 2 == 0;
    std::string cidr;
    if (v4) {
      const int len = 8 + int(rng() % 25);
      cidr = std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + "." +
             std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + "/" +
             std::to_string(len);
    } else {
      const int len = 16 + int(rng() % 113);
      char buf[64];
      std::snprintf(buf, sizeof(buf), "2001:%x:%x::%x/%d", unsigned(rng() % 65536),
                    unsigned(rng() % 65536), unsigned(rng() % 65536), len);
      cidr = buf;
    }
    text += cidr + "\n";
    const auto r = ParseCidr(cidr);
    ASSERT_TRUE(r.has_value()) << cidr;
    ranges.emplace_back(r->first, r->last);
  }
  Snapshot s = Snapshot::FromBytes(BuildFrom({{"r", Format::kCidr, Category::kPool, text}})).value();
  auto listed = [&](const IpAddress& ip) {
    for (const auto& [first, last] : ranges) {
      if (first <= ip && ip <= last) return true;
    }
    return false;
  };
  auto nudge = [&](IpAddress ip, int delta) {  // ip + delta, 128-bit, wrapping
    for (int i = 15; i >= 0 && delta != 0; --i) {
      const int v = int(ip.bytes[size_t(i)]) + delta;
      ip.bytes[size_t(i)] = uint8_t(v & 0xff);
      delta = v < 0 ? -1 : (v > 0xff ? 1 : 0);
    }
    return ip;
  };
  std::vector<IpAddress> probes;
  for (const auto& [first, last] : ranges) {
    for (int d : {-1, 0, 1}) {
      probes.push_back(nudge(first, d));
      probes.push_back(nudge(last, d));
    }
  }
  for (int i = 0; i < 20000; ++i) {
    IpAddress ip;
    if (i % 2 == 0) {
      ip = IpAddress::FromV4(uint32_t(rng()));
    } else {
      for (auto& b : ip.bytes) b = uint8_t(rng());
      ip.bytes[0] = 0x20;
      ip.bytes[1] = 0x01;
    }
    probes.push_back(ip);
  }
  size_t hits = 0;
  MatchResult m;
  for (const IpAddress& ip : probes) {
    ASSERT_EQ(s.MatchIp(ip, 0, &m), listed(ip)) << FormatIp(ip);
    hits += listed(ip);
  }
  EXPECT_GT(hits, 100u);
}

TEST(Snapshot, OverlappingRangesReportEveryEntry) {
  Bytes bytes = BuildFrom({{"a", Format::kCidr, Category::kPool, "10.0.0.0/8\n10.1.0.0/16\n10.1.2.3\n"},
                           {"b", Format::kCidr, Category::kMalwareInfrastructure, "10.1.2.0/24\n"}});
  Snapshot s = Snapshot::FromBytes(bytes).value();
  MatchResult m;
  ASSERT_TRUE(s.MatchIp(*ParseIp("10.1.2.3"), 0, &m));
  EXPECT_EQ(m.count, 4u);
  ASSERT_TRUE(s.MatchIp(*ParseIp("10.1.2.4"), 0, &m));
  EXPECT_EQ(m.count, 3u);
  ASSERT_TRUE(s.MatchIp(*ParseIp("10.1.3.0"), 0, &m));
  EXPECT_EQ(m.count, 2u);
  ASSERT_TRUE(s.MatchIp(*ParseIp("10.255.255.255"), 0, &m));
  EXPECT_EQ(m.count, 1u);
}

TEST(Snapshot, UrlPatterns) {
  Snapshot s = Sample();
  MatchResult m;
  EXPECT_TRUE(s.MatchUrl("wss://a.ws.example/proxy", &m));
  EXPECT_FALSE(s.MatchUrl("https://a.ws.example/proxy", &m));  // pattern is wss only
  EXPECT_FALSE(s.MatchUrl("wss://a.ws.example/other", &m));
  EXPECT_TRUE(s.MatchUrl("stratum+tcp://pool.minelab.test:3333", &m));
  EXPECT_FALSE(s.MatchUrl("stratum+tcp://pool.minelab.test:3339", &m));
}

TEST(Snapshot, FeedStatsAndSkippedLines) {
  Bytes bytes = BuildFrom({{"f", Format::kDomains, Category::kPool, "a.example\nbad name\nb.example\na.example\n"}});
  Snapshot s = Snapshot::FromBytes(bytes).value();
  ASSERT_EQ(s.feed_count(), 1u);
  FeedInfo f = s.Feed(0);
  EXPECT_EQ(f.name, "f");
  EXPECT_EQ(f.entries, 2u);  // the duplicate is kept once
  EXPECT_EQ(f.lines, 4u);
  EXPECT_EQ(f.skipped[int(SkipReason::kMalformed)], 1u);
  ASSERT_EQ(s.skipped_count(), 1u);
  EXPECT_EQ(s.Skipped(0).line, 2u);
  EXPECT_EQ(s.Skipped(0).text, "bad name");
}

TEST(Snapshot, ManyNamesAllFoundAndOthersMissed) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += Numbered("h", i, ".example.org\n");
  Snapshot s = Snapshot::FromBytes(BuildFrom({{"big", Format::kDomains, Category::kPool, text}})).value();
  MatchResult m;
  for (int i = 0; i < 20000; i += 7) {
    ASSERT_TRUE(s.Match(Numbered("x.h", i, ".example.org"), &m)) << i;
    ASSERT_FALSE(s.Match(Numbered("h", i, "x.example.org"), &m)) << i;
  }
  EXPECT_EQ(s.domain_entry_count(), 20000u);
}

TEST(Snapshot, EmptySnapshotLoadsAndMatchesNothing) {
  Snapshot s = Snapshot::FromBytes(SnapshotBuilder().Build().value()).value();
  MatchResult m;
  EXPECT_FALSE(s.Match("a.example", &m));
  EXPECT_FALSE(s.MatchIp(*ParseIp("1.2.3.4"), 0, &m));
  EXPECT_EQ(s.Explain(m), "no match\n");
}

TEST(SnapshotLoad, CorruptionIsAnErrorNeverACrash) {
  const Bytes good = BuildFrom({{"f", Format::kDomains, Category::kPool, "a.example\n1.2.3.4\n"}});
  ASSERT_TRUE(Snapshot::FromBytes(good).ok());
  Bytes bad_magic = good;
  bad_magic[0] = 'X';
  EXPECT_EQ(Snapshot::FromBytes(bad_magic).status().code(), StatusCode::kCorruption);
  Bytes bad_version = good;
  bad_version[8] = 99;
  auto v = Snapshot::FromBytes(bad_version);
  EXPECT_NE(v.status().message().find("version 99"), std::string::npos);
  Bytes flipped = good;
  flipped[good.size() - 20] ^= 0x40;
  EXPECT_NE(Snapshot::FromBytes(flipped).status().message().find("checksum"), std::string::npos);
  Bytes truncated(good.begin(), good.end() - 16);
  EXPECT_FALSE(Snapshot::FromBytes(truncated).ok());
  EXPECT_FALSE(Snapshot::FromBytes(Bytes{}).ok());
  // Structural checks with the checksum off: every truncation and every byte flip of the
  // section table must be refused or load into something safe to query.
  for (size_t i = 0; i < good.size(); i += 3) {
    Bytes b = good;
    b[i] ^= 0xA5;
    auto s = Snapshot::FromBytes(b, LoadOptions{false});
    if (s.ok()) {
      MatchResult m;
      (void)s->Match("a.example", &m);
      (void)s->MatchIp(*ParseIp("1.2.3.4"), 0, &m);
      (void)s->Explain(m);
    }
  }
}

TEST(SnapshotLoad, ReadsAFileAndReportsMissingFiles) {
  const Bytes good = BuildFrom({{"f", Format::kDomains, Category::kPool, "a.example\n"}});
  const std::string path = Numbered(::testing::TempDir() + "/intel_snapshot_test.", getpid(), "");
  ASSERT_TRUE(WriteSnapshotFile(path, good).ok());
  auto s = Snapshot::Load(path);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  MatchResult m;
  EXPECT_TRUE(s->Match("b.a.example", &m));
  Snapshot moved = std::move(*s);
  EXPECT_TRUE(moved.Match("a.example", &m));
  std::remove(path.c_str());
  auto missing = Snapshot::Load(path);
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
}

// The file written over in place while its snapshot is in use (`cp new.mwintel FILE`: truncated,
// then rewritten shorter): the loaded snapshot is unchanged. (Mapped, it read the new bytes, or
// died of SIGBUS past the new end.)
TEST(SnapshotLoad, TheFileWrittenOverLeavesTheLoadedSnapshotAsItWas) {
  const Bytes good =
      BuildFrom({{"f", Format::kDomains, Category::kPool, "a.example\nz.example\n"}});
  const std::string path = Numbered(::testing::TempDir() + "/intel_overwritten_test.", getpid(), "");
  ASSERT_TRUE(WriteSnapshotFile(path, good).ok());
  auto s = Snapshot::Load(path);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  FILE* f = std::fopen(path.c_str(), "wb");  // truncates, as cp does
  ASSERT_NE(f, nullptr);
  std::fputs("not a snapshot", f);
  std::fclose(f);
  MatchResult m;
  EXPECT_TRUE(s->Match("a.example", &m));
  EXPECT_TRUE(s->Match("www.z.example", &m));
  EXPECT_FALSE(s->Match("b.example", &m));
  EXPECT_EQ(s->entry_count(), 2u);
  EXPECT_EQ(Snapshot::Load(path).status().code(), StatusCode::kCorruption);
  std::remove(path.c_str());
}

TEST(SnapshotLoad, BuildIsDeterministic) {
  auto feeds = std::vector<std::tuple<std::string, Format, Category, std::string>>{
      {"f", Format::kDomains, Category::kPool, "b.example\na.example\n10.0.0.0/8\n"}};
  EXPECT_EQ(BuildFrom(feeds), BuildFrom(feeds));
}

}  // namespace
}  // namespace mw::intel
