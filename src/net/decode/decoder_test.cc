#include "net/decode/decoder.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

#include "net/testing/packet_builder.h"

namespace mw::net {
namespace {

using testing::PacketBuilder;

DecodeResult DecodeFrame(Decoder& d, int link, const Bytes& f, DecodedPacket& out) {
  return d.Decode(link, f.data(), uint32_t(f.size()), uint32_t(f.size()), 1'000'000, out);
}

class LinkTypes : public ::testing::TestWithParam<int> {};

TEST_P(LinkTypes, DecodesIpv4TcpAndIpv6Udp) {
  const int link = GetParam();
  Decoder d;
  DecodedPacket p;
  const Bytes tcp = PacketBuilder()
                        .Ipv4("10.0.0.1", "192.168.1.2")
                        .Tcp(40000, 3333, 1000, 2000, kTcpAck | kTcpPsh)
                        .Payload("{\"id\":1}\n")
                        .Build(link);
  ASSERT_EQ(DecodeFrame(d, link, tcp, p), DecodeResult::kIp);
  EXPECT_EQ(p.ip_version, 4);
  EXPECT_EQ(p.src.ToString(), "10.0.0.1");
  EXPECT_EQ(p.dst.ToString(), "192.168.1.2");
  EXPECT_TRUE(p.has_l4);
  EXPECT_EQ(p.src_port, 40000);
  EXPECT_EQ(p.dst_port, 3333);
  EXPECT_EQ(p.seq, 1000u);
  EXPECT_EQ(p.ack, 2000u);
  EXPECT_EQ(p.tcp_flags, kTcpAck | kTcpPsh);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(p.payload), p.payload_len), "{\"id\":1}\n");

  const Bytes udp =
      PacketBuilder().Ipv6("fd00::1", "fd00::2").Udp(5353, 53).Payload("abc").Build(link);
  ASSERT_EQ(DecodeFrame(d, link, udp, p), DecodeResult::kIp);
  EXPECT_EQ(p.ip_version, 6);
  EXPECT_EQ(p.src.ToString(), "fd00::1");
  EXPECT_EQ(p.ip_proto, kProtoUdp);
  EXPECT_EQ(p.dst_port, 53);
  EXPECT_EQ(p.payload_len, 3u);
  EXPECT_EQ(d.stats().per_link[size_t(LinkIndex(link))], 2u);
  EXPECT_EQ(d.stats().malformed, 0u);
}

INSTANTIATE_TEST_SUITE_P(All, LinkTypes, ::testing::Values(0, 1, 12, 101, 108, 113, 276));

TEST(Decoder, QinQTagsAreWalked) {
  Decoder d;
  DecodedPacket p;
  const Bytes f = PacketBuilder()
                      .Vlan(100, 0x88A8)
                      .Vlan(200)
                      .Vlan(300)
                      .Ipv4("1.1.1.1", "2.2.2.2")
                      .Udp(1, 2)
                      .Build(kLinkEthernet);
  ASSERT_EQ(DecodeFrame(d, kLinkEthernet, f, p), DecodeResult::kIp);
  EXPECT_EQ(p.vlan_count, 3);
  EXPECT_EQ(p.vlan_ids[0], 100);
  EXPECT_EQ(p.vlan_ids[1], 200);
  EXPECT_EQ(p.dst_port, 2);
  EXPECT_EQ(d.stats().vlan_tagged, 1u);
}

TEST(Decoder, EthernetPaddingIsNotPayload) {
  Decoder d;
  DecodedPacket p;
  const Bytes f = PacketBuilder().Ipv4("1.1.1.1", "2.2.2.2").Tcp(1, 2, 0, 0, kTcpSyn).Build(1);
  ASSERT_EQ(f.size(), 60u);
  ASSERT_EQ(DecodeFrame(d, 1, f, p), DecodeResult::kIp);
  EXPECT_EQ(p.payload_len, 0u);
}

TEST(Decoder, OptionsAndExtensionHeadersAreSkipped) {
  Decoder d;
  DecodedPacket p;
  Bytes f = PacketBuilder()
                .Ipv4("1.1.1.1", "2.2.2.2")
                .Ipv4Options(3)
                .Tcp(7, 8, 1, 0, kTcpAck)
                .TcpOptions(3)
                .Payload("xy")
                .Build(12);
  ASSERT_EQ(DecodeFrame(d, 12, f, p), DecodeResult::kIp);
  EXPECT_EQ(p.payload_len, 2u);
  EXPECT_EQ(p.payload[0], 'x');
  f = PacketBuilder()
          .Ipv6("::1", "::2")
          .Ipv6Ext(0)
          .Ipv6Ext(43)
          .Ipv6Ext(60)
          .Tcp(7, 8, 1, 0, kTcpAck)
          .Payload("xy")
          .Build(12);
  ASSERT_EQ(DecodeFrame(d, 12, f, p), DecodeResult::kIp);
  EXPECT_EQ(p.ip_proto, kProtoTcp);
  EXPECT_EQ(p.dst_port, 8);
  EXPECT_EQ(p.payload_len, 2u);
}

TEST(Decoder, FragmentsAreCountedFirstOneKeepsPorts) {
  Decoder d;
  DecodedPacket p;
  Bytes f = PacketBuilder().Ipv4("1.1.1.1", "2.2.2.2").Ipv4Fragment(0, true).Udp(9, 10).Payload(
      "12345678").Build(12);
  ASSERT_EQ(DecodeFrame(d, 12, f, p), DecodeResult::kIp);
  EXPECT_TRUE(p.fragment);
  EXPECT_TRUE(p.first_fragment);
  EXPECT_TRUE(p.has_l4);
  EXPECT_EQ(p.dst_port, 10);
  f = PacketBuilder().Ipv4("1.1.1.1", "2.2.2.2").Ipv4Fragment(2, false).Udp(9, 10).Build(12);
  ASSERT_EQ(DecodeFrame(d, 12, f, p), DecodeResult::kIp);
  EXPECT_TRUE(p.fragment);
  EXPECT_FALSE(p.has_l4);
  f = PacketBuilder().Ipv6("::1", "::2").Ipv6Ext(44, 5, false).Udp(9, 10).Build(12);
  ASSERT_EQ(DecodeFrame(d, 12, f, p), DecodeResult::kIp);
  EXPECT_FALSE(p.has_l4);
  EXPECT_EQ(p.ip_proto, kProtoUdp);
  EXPECT_EQ(d.stats().Weirds(Weird::kIpv4Fragment), 2u);
  EXPECT_EQ(d.stats().Weirds(Weird::kIpv6Fragment), 1u);
}

TEST(Decoder, EveryTruncationIsAWeirdNotACrash) {
  const Bytes full = PacketBuilder()
                         .Vlan(5)
                         .Ipv6("::1", "::2")
                         .Ipv6Ext(0)
                         .Tcp(1, 2, 3, 4, kTcpAck)
                         .Payload("payload")
                         .Build(1);
  Decoder d;
  DecodedPacket p;
  for (size_t n = 0; n < full.size(); ++n) {
    const DecodeResult r = d.Decode(1, full.data(), uint32_t(n), uint32_t(full.size()), 0, p);
    if (n < 14 + 4 + 40 + 8 + 20) {
      EXPECT_EQ(r, DecodeResult::kMalformed) << n;
    } else {
      EXPECT_EQ(r, DecodeResult::kIp) << n;
      EXPECT_LE(p.payload + p.payload_len, full.data() + n);
    }
  }
  EXPECT_GT(d.stats().Weirds(Weird::kTruncatedLinkHeader), 0u);
  EXPECT_GT(d.stats().Weirds(Weird::kTruncatedIpv6), 0u);
  EXPECT_GT(d.stats().Weirds(Weird::kTruncatedIpv6ExtHeader), 0u);
  EXPECT_GT(d.stats().Weirds(Weird::kTruncatedTcp), 0u);
  EXPECT_GT(d.stats().Weirds(Weird::kSnaplenCutPayload), 0u);
}

TEST(Decoder, CorruptHeadersAreNamed) {
  Decoder d;
  DecodedPacket p;
  Bytes f = PacketBuilder().Ipv4("1.1.1.1", "2.2.2.2").Tcp(1, 2, 3, 4, kTcpAck).BuildIp();
  Bytes bad = f;
  bad[0] = 0x43;  // IHL 3
  EXPECT_EQ(DecodeFrame(d, 12, bad, p), DecodeResult::kMalformed);
  EXPECT_EQ(d.stats().Weirds(Weird::kBadIpv4HeaderLength), 1u);
  bad = f;
  bad[2] = 0; bad[3] = 10;  // total length below header length
  EXPECT_EQ(DecodeFrame(d, 12, bad, p), DecodeResult::kMalformed);
  EXPECT_EQ(d.stats().Weirds(Weird::kBadIpv4TotalLength), 1u);
  bad = f;
  bad[20 + 12] = 0x40;  // TCP data offset 4 words
  EXPECT_EQ(DecodeFrame(d, 12, bad, p), DecodeResult::kMalformed);
  EXPECT_EQ(d.stats().Weirds(Weird::kBadTcpDataOffset), 1u);
  bad = f;
  bad[20 + 12] = 0xF0;  // TCP data offset beyond the packet
  EXPECT_EQ(DecodeFrame(d, 12, bad, p), DecodeResult::kMalformed);
  EXPECT_EQ(d.stats().Weirds(Weird::kTruncatedTcp), 1u);
  Bytes u = PacketBuilder().Ipv4("1.1.1.1", "2.2.2.2").Udp(1, 2).Payload("abc").BuildIp();
  u[20 + 5] = 200;  // UDP length past the IP packet
  EXPECT_EQ(DecodeFrame(d, 12, u, p), DecodeResult::kMalformed);
  EXPECT_EQ(d.stats().Weirds(Weird::kBadUdpLength), 1u);
  const Bytes loop = {9, 0, 0, 0, 0x45};
  EXPECT_EQ(DecodeFrame(d, 0, loop, p), DecodeResult::kMalformed);
  EXPECT_EQ(d.stats().Weirds(Weird::kUnknownLoopbackFamily), 1u);
  EXPECT_EQ(DecodeFrame(d, 147, loop, p), DecodeResult::kMalformed);
  EXPECT_EQ(d.stats().Weirds(Weird::kUnsupportedLinkType), 1u);
  EXPECT_EQ(d.stats().malformed, 7u);

  CounterSet counters;
  d.stats().ExportTo(counters);
  EXPECT_EQ(counters.Value("decode.weird.bad_udp_length"), 1u);
  EXPECT_EQ(counters.Value("decode.malformed"), 7u);
  EXPECT_EQ(counters.Value("decode.link.RAW"), 5u);
}

TEST(Decoder, ArpIsNotIp) {
  Decoder d;
  DecodedPacket p;
  Bytes f(60, 0);
  f[12] = 0x08;
  f[13] = 0x06;
  EXPECT_EQ(DecodeFrame(d, 1, f, p), DecodeResult::kNotIp);
  EXPECT_EQ(d.stats().non_ip, 1u);
  EXPECT_EQ(LinkTypeName(276), "LINUX_SLL2");
  EXPECT_EQ(LinkTypeName(147), "LINKTYPE_147");
}

}  // namespace
}  // namespace mw::net

namespace mw::net {
namespace {

// ToString formats as glibc's inet_ntop does, on edge cases (zero runs, ties, embedded IPv4)
// and on random addresses whose words are often zero.
TEST(IpAddressText, MatchesInetNtop) {
  std::vector<std::array<uint8_t, 16>> cases;
  auto words = [](std::initializer_list<uint16_t> w) {
    std::array<uint8_t, 16> b{};
    size_t i = 0;
    for (uint16_t x : w) {
      b[2 * i] = uint8_t(x >> 8);
      b[2 * i + 1] = uint8_t(x);
      ++i;
    }
    return b;
  };
  cases.push_back(words({0, 0, 0, 0, 0, 0, 0, 0}));
  cases.push_back(words({0, 0, 0, 0, 0, 0, 0, 1}));
  cases.push_back(words({1, 0, 0, 0, 0, 0, 0, 0}));
  cases.push_back(words({0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304}));
  cases.push_back(words({0, 0, 0, 0, 0, 0, 0x0102, 0x0304}));
  cases.push_back(words({0, 0, 0, 0, 0, 0xffff, 0, 0}));
  cases.push_back(words({1, 0, 0, 2, 0, 0, 3, 4}));
  cases.push_back(words({1, 0, 2, 0, 3, 0, 4, 0}));
  cases.push_back(words({0xfd00, 0, 0, 0, 0, 0, 0, 1}));
  cases.push_back(words({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}));
  cases.push_back(words({0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff}));
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  for (int n = 0; n < 20000; ++n) {
    std::array<uint8_t, 16> b{};
    for (int i = 0; i < 8; ++i) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      const uint32_t r = uint32_t(seed >> 33);
      const uint16_t w = (r & 3) != 0 ? 0 : uint16_t(r >> 8);  // three words in four are zero
      b[2 * i] = uint8_t(w >> 8);
      b[2 * i + 1] = uint8_t(w);
    }
    if (n % 7 == 0) b[10] = b[11] = 0xff;
    cases.push_back(b);
  }
  char buf[INET6_ADDRSTRLEN];
  for (const auto& b : cases) {
    const IpAddress v6 = IpAddress::V6(b.data());
    ASSERT_NE(inet_ntop(AF_INET6, b.data(), buf, sizeof buf), nullptr);
    ASSERT_EQ(v6.ToString(), buf);
    const IpAddress v4 = IpAddress::V4(b.data() + 12);
    ASSERT_NE(inet_ntop(AF_INET, b.data() + 12, buf, sizeof buf), nullptr);
    ASSERT_EQ(v4.ToString(), buf);
  }
  EXPECT_EQ(IpAddress{}.ToString(), "-");
}

}  // namespace
}  // namespace mw::net
