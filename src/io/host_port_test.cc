#include "io/host_port.h"

#include <gtest/gtest.h>

namespace mw::io {
namespace {

TEST(HostPortTest, ParsesHostAndPort) {
  auto hp = ParseHostPort("127.0.0.1:8332");
  ASSERT_TRUE(hp.ok()) << hp.status().ToString();
  EXPECT_EQ(hp->host, "127.0.0.1");
  EXPECT_EQ(hp->port, 8332);
  EXPECT_EQ(hp->ToString(), "127.0.0.1:8332");
}

TEST(HostPortTest, BarePortAndEmptyHostDefaultToLoopback) {
  EXPECT_EQ(ParseHostPort("18444")->host, "127.0.0.1");
  EXPECT_EQ(ParseHostPort(":18444")->host, "127.0.0.1");
  EXPECT_EQ(ParseHostPort(":18444")->port, 18444);
}

TEST(HostPortTest, Ipv6NeedsBrackets) {
  auto v6 = ParseHostPort("[::1]:9000");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->ToString(), "[::1]:9000");
  EXPECT_FALSE(ParseHostPort("::1:9000").ok());
  EXPECT_FALSE(ParseHostPort("[::1]9000").ok());
}

TEST(HostPortTest, RejectsBadPorts) {
  EXPECT_FALSE(ParseHostPort("127.0.0.1:").ok());
  EXPECT_FALSE(ParseHostPort("127.0.0.1:abc").ok());
  EXPECT_FALSE(ParseHostPort("127.0.0.1:65536").ok());
  EXPECT_FALSE(ParseHostPort("127.0.0.1:0").ok());
  EXPECT_TRUE(ParseHostPort("127.0.0.1:0", /*allow_port_zero=*/true).ok());
  EXPECT_FALSE(ParseHostPort("").ok());
  EXPECT_FALSE(ParseHostPort("a b:1").ok());
  EXPECT_NE(ParseHostPort("127.0.0.1:x").status().message().find("not a number"),
            std::string::npos);
}

TEST(HostPortTest, ParsesUrls) {
  auto u = ParseHttpUrl("http://127.0.0.1:8332/rpc");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->endpoint.port, 8332);
  EXPECT_EQ(u->path, "/rpc");
  auto plain = ParseHttpUrl("127.0.0.1:8332");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->path, "/");
  EXPECT_FALSE(ParseHttpUrl("https://127.0.0.1:1/").ok());
}

TEST(HostPortTest, LoopbackHostsAreLiteralsOrLocalhost) {
  for (const char* h : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "::ffff:127.0.0.1", "localhost",
                        "LocalHost", "localhost."}) {
    EXPECT_TRUE(IsLoopbackHost(h)) << h;
  }
  // Not loopback: other addresses, the wildcard, names (never resolved), junk.
  for (const char* h : {"192.0.2.1", "10.1.2.3", "0.0.0.0", "::", "::ffff:192.0.2.1", "128.0.0.1",
                        "pool.example", "localhost.example", "127.0.0.1.example", "", "127.0.0",
                        "::2"}) {
    EXPECT_FALSE(IsLoopbackHost(h)) << h;
  }
}

}  // namespace
}  // namespace mw::io
