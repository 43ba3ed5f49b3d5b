#include <gtest/gtest.h>

#include "intel/feed_parser.h"
#include "intel/url_pattern.h"

namespace mw::intel {
namespace {

ParsedFeed Parse(std::string_view text, Format format) {
  return ParseFeed(text, FeedSource{"test", format, Category::kBrowserMiner});
}

TEST(AdblockFormat, HostRulesPathsAndSkippedKinds) {
  auto f = Parse(
      "[Adblock Plus 2.0]\n"                                // 1
      "! Title: list\n"                                     // 2
      "||Miner.Example^$third-party\n"                      // 3
      "||198.51.100.8^\n"                                   // 4
      "||cdn.example/lib/miner.js\n"                        // 5
      "/cryptonight.wasm\n"                                 // 6
      "example.org##.miner-banner\n"                        // 7
      "example.org##+js(aopr, miner)\n"                     // 8
      "@@||good.example^$websocket\n"                       // 9
      "/^https?:\\/\\/x\\.(tk|ml)\\//$script\n"             // 10
      "$websocket,domain=a.example|b.example\n"             // 11
      "||wild.*/assets/$subdocument\n"                      // 12
      "||coinimp.example$third-party\n"                     // 13
      "||bad_host!.example^\n"                              // 14
      "/x/\n",                                              // 15
      Format::kAdblock);
  ASSERT_EQ(f.entries.size(), 5u);
  EXPECT_EQ(f.entries[0].kind, EntryKind::kDomain);
  EXPECT_EQ(f.entries[0].host, "miner.example");
  EXPECT_TRUE(f.entries[0].third_party);
  EXPECT_EQ(f.entries[1].kind, EntryKind::kIpRange);
  EXPECT_EQ(f.entries[2].kind, EntryKind::kUrlPattern);
  EXPECT_EQ(f.entries[2].host, "cdn.example");
  EXPECT_EQ(f.entries[2].pattern, "|/lib/miner.js");
  EXPECT_EQ(f.entries[3].pattern, "/cryptonight.wasm");
  EXPECT_EQ(f.entries[3].host, "");
  EXPECT_EQ(f.entries[4].host, "coinimp.example");
  EXPECT_EQ(f.entries[4].line, 13u);
  EXPECT_EQ(f.skipped_count[int(SkipReason::kCosmetic)], 1u);
  EXPECT_EQ(f.skipped_count[int(SkipReason::kScriptlet)], 1u);
  EXPECT_EQ(f.skipped_count[int(SkipReason::kException)], 1u);
  EXPECT_EQ(f.skipped_count[int(SkipReason::kUnsupported)], 4u);  // regex, options-only, wildcard, /x/
  EXPECT_EQ(f.skipped_count[int(SkipReason::kMalformed)], 1u);
  EXPECT_EQ(f.comment_lines, 2u);
  bool saw14 = false;
  for (const auto& s : f.skipped) saw14 |= s.line == 14 && s.reason == SkipReason::kMalformed;
  EXPECT_TRUE(saw14);
}

TEST(AdblockFormat, UblockScriptletFileIsAllSkipped) {
  auto f = Parse(
      "[uBlock Origin]\n"
      "# NoCoin filter list optimized for uBlock\n"
      "\n"
      "a.example##+js(acis, m, CH.Anonymous)\n"
      "b.example,c.example##+js(aopr, miner)\n",
      Format::kAdblock);
  EXPECT_TRUE(f.entries.empty());
  EXPECT_EQ(f.skipped_count[int(SkipReason::kScriptlet)], 2u);
}

TEST(WebExtFormat, HostsWildcardsAndPaths) {
  auto f = Parse(
      "*://*.coinhive.example/*\n"          // 1 domain with subdomains
      "*://exact.example/\n"                // 2 exact domain
      "wss://*.proxy.example/proxy*\n"      // 3 pattern, wss
      "*://jsecoin.example/server*\n"       // 4 pattern, exact host
      "*://*/lib/crypta.js\n"               // 5 pattern, any host
      "gopher://x.example/*\n"              // 6 bad scheme
      "*://a*b.example/*\n"                 // 7 bad wildcard
      "no-scheme.example\n"                 // 8 malformed
      "<all_urls>\n",                       // 9 unsupported
      Format::kWebExt);
  ASSERT_EQ(f.entries.size(), 5u);
  EXPECT_EQ(f.entries[0].kind, EntryKind::kDomain);
  EXPECT_TRUE(f.entries[0].subdomains);
  EXPECT_EQ(f.entries[1].kind, EntryKind::kDomain);
  EXPECT_FALSE(f.entries[1].subdomains);
  EXPECT_EQ(f.entries[2].kind, EntryKind::kUrlPattern);
  EXPECT_EQ(f.entries[2].scheme, Scheme::kWss);
  EXPECT_EQ(f.entries[2].pattern, "|/proxy*|");
  EXPECT_FALSE(f.entries[3].subdomains);
  EXPECT_EQ(f.entries[4].host, "");
  EXPECT_EQ(f.skipped_count[int(SkipReason::kMalformed)], 3u);
  EXPECT_EQ(f.skipped_count[int(SkipReason::kUnsupported)], 1u);
}

TEST(UrlPattern, WildcardsSeparatorsAndAnchors) {
  EXPECT_TRUE(UrlPatternMatches("/miner.js", "https://a.example/js/miner.js?x=1"));
  EXPECT_FALSE(UrlPatternMatches("/miner.js", "https://a.example/js/miner2.js"));
  EXPECT_TRUE(UrlPatternMatches("|/lib*|", "/lib/coinhive.min.js"));
  EXPECT_FALSE(UrlPatternMatches("|/lib*|", "/x/lib/coinhive.min.js"));
  EXPECT_TRUE(UrlPatternMatches("|/proxy*|", "/proxy"));
  EXPECT_TRUE(UrlPatternMatches("=wss://*?pools=", "https://x.example/a?u=wss://p.example/?pools=1"));
  EXPECT_TRUE(UrlPatternMatches("/miner^", "https://a.example/miner/x"));
  EXPECT_TRUE(UrlPatternMatches("/miner^", "https://a.example/miner"));
  EXPECT_FALSE(UrlPatternMatches("/miner^", "https://a.example/miners"));
  EXPECT_TRUE(UrlPatternMatches("|/server*", "/SERVER/x"));
  EXPECT_TRUE(UrlPatternMatches("a*b*c", "xxaxxbxxcxx"));
  EXPECT_FALSE(UrlPatternMatches("|a*b*c|", "axxbxxcxx"));
  EXPECT_TRUE(UrlPatternMatches("", "anything"));
}

TEST(UrlPattern, SplitsUrls) {
  UrlParts p;
  ASSERT_TRUE(SplitUrl("WSS://user@Proxy.Example:8443/proxy?x#frag", &p));
  EXPECT_EQ(p.scheme, "wss");
  EXPECT_EQ(p.host, "Proxy.Example");
  EXPECT_EQ(p.port, 8443);
  EXPECT_EQ(p.path, "/proxy?x");
  ASSERT_TRUE(SplitUrl("[2001:db8::1]:80", &p));
  EXPECT_EQ(p.host, "2001:db8::1");
  EXPECT_EQ(p.path, "/");
  ASSERT_TRUE(SplitUrl("a.example?q", &p));
  EXPECT_EQ(p.path, "/?q");
  EXPECT_FALSE(SplitUrl("http://a.example:99999/", &p));
  EXPECT_FALSE(SplitUrl("http:///path", &p));
}

}  // namespace
}  // namespace mw::intel
