#include "intel/normalize.h"

#include <gtest/gtest.h>

namespace mw::intel {
namespace {

TEST(NormalizeDomain, LowerCasesAndDropsTrailingDot) {
  EXPECT_EQ(NormalizeDomain("Pool.Example.COM.").value(), "pool.example.com");
  EXPECT_EQ(NormalizeDomain("_srv.a-b.example").value(), "_srv.a-b.example");
}

TEST(NormalizeDomain, EncodesUnicodeLabelsAsPunycode) {
  EXPECT_EQ(NormalizeDomain("\u043F\u0440\u0438\u043C\u0435\u0440.\u0438\u0441\u043F\u044B"
                            "\u0442\u0430\u043D\u0438\u0435")
                .value(),
            "xn--e1afmkfd.xn--80akhbyknj4f");
  EXPECT_EQ(NormalizeDomain("M\u00FCnchen.Example").value(), "xn--mnchen-3ya.example");
  // Capitals of Cyrillic and Latin-1 fold to lower case before encoding.
  EXPECT_EQ(NormalizeDomain("\u041F\u0420\u0418\u041C\u0415\u0420.example").value(),
            "xn--e1afmkfd.example");
  EXPECT_EQ(NormalizeDomain("B\u00DCCHER.example").value(), "xn--bcher-kva.example");
  // Already-encoded names pass through unchanged.
  EXPECT_EQ(NormalizeDomain("XN--MNCHEN-3YA.example").value(), "xn--mnchen-3ya.example");
}

TEST(NormalizeDomain, RejectsBadNames) {
  EXPECT_FALSE(NormalizeDomain("").ok());
  EXPECT_FALSE(NormalizeDomain(".").ok());
  EXPECT_FALSE(NormalizeDomain("a..b").ok());
  EXPECT_FALSE(NormalizeDomain(".a.b").ok());
  EXPECT_FALSE(NormalizeDomain("a b.example").ok());
  EXPECT_FALSE(NormalizeDomain("a/b.example").ok());
  EXPECT_FALSE(NormalizeDomain("caf\xE9.example").ok());  // not UTF-8
  EXPECT_FALSE(NormalizeDomain(std::string(64, 'a') + ".example").ok());
  EXPECT_TRUE(NormalizeDomain(std::string(63, 'a') + ".example").ok());
  std::string long_name;
  for (int i = 0; i < 60; ++i) long_name += "abcd.";
  long_name += "example";
  EXPECT_FALSE(NormalizeDomain(long_name).ok());
}

TEST(Ip, ParsesAndFormatsBothFamilies) {
  auto v4 = ParseIp("192.0.2.7");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(FormatIp(*v4), "192.0.2.7");
  auto v6 = ParseIp("2001:DB8::1");
  ASSERT_TRUE(v6);
  EXPECT_FALSE(v6->is_v4());
  EXPECT_EQ(FormatIp(*v6), "2001:db8::1");
  EXPECT_FALSE(ParseIp("192.0.2"));
  EXPECT_FALSE(ParseIp("192.0.2.256"));
  EXPECT_FALSE(ParseIp("1.2.3.4.5"));
  EXPECT_FALSE(ParseIp("example.com"));
  EXPECT_FALSE(ParseIp(""));
  EXPECT_LT(*ParseIp("10.0.0.1"), *ParseIp("10.0.0.2"));
}

TEST(Ip, CidrRanges) {
  auto r = ParseCidr("10.1.2.3/8");
  ASSERT_TRUE(r);
  EXPECT_EQ(FormatIp(r->first), "10.0.0.0");
  EXPECT_EQ(FormatIp(r->last), "10.255.255.255");
  EXPECT_TRUE(RangeContains(*r, *ParseIp("10.200.0.1")));
  EXPECT_FALSE(RangeContains(*r, *ParseIp("11.0.0.0")));
  auto six = ParseCidr("2001:db8::/32");
  ASSERT_TRUE(six);
  EXPECT_EQ(FormatIp(six->last), "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
  auto single = ParseCidr("192.0.2.1");
  ASSERT_TRUE(single);
  EXPECT_EQ(single->first, single->last);
  EXPECT_TRUE(RangeCovers(*r, *ParseCidr("10.9.0.0/16")));
  EXPECT_FALSE(RangeCovers(*ParseCidr("10.9.0.0/16"), *r));
  EXPECT_FALSE(ParseCidr("10.0.0.0/33"));
  EXPECT_FALSE(ParseCidr("2001:db8::/129"));
  EXPECT_FALSE(ParseCidr("10.0.0.0/"));
  EXPECT_FALSE(ParseCidr("10.0.0.0/x"));
  EXPECT_TRUE(ParseCidr("0.0.0.0/0"));
}

TEST(Endpoint, ParsesNamesAddressesAndPorts) {
  auto a = ParseEndpoint("Pool.Example:3333");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "pool.example");
  EXPECT_EQ(a->port, 3333);
  EXPECT_FALSE(a->ip);
  auto b = ParseEndpoint("127.0.0.1:3334");
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(b->ip);
  EXPECT_EQ(b->port, 3334);
  auto c = ParseEndpoint("[2001:db8::1]:443");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(FormatIp(*c->ip), "2001:db8::1");
  EXPECT_EQ(c->port, 443);
  auto d = ParseEndpoint("2001:db8::2");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, 0);
  EXPECT_FALSE(ParseEndpoint("pool.example:0").ok());
  EXPECT_FALSE(ParseEndpoint("pool.example:70000").ok());
  EXPECT_FALSE(ParseEndpoint("[2001:db8::1").ok());
  EXPECT_FALSE(ParseEndpoint("bad name").ok());
  EXPECT_FALSE(ParseEndpoint("").ok());
}

}  // namespace
}  // namespace mw::intel
