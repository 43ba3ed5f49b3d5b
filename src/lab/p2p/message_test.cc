#include "lab/p2p/message.h"

#include <gtest/gtest.h>

namespace mw::lab::p2p {
namespace {

Message RoundTrip(const Message& m) {
  Bytes wire = EncodeMessage(m);
  FrameDecoder d;
  // Feed one byte at a time: frames must reassemble across reads.
  std::optional<Frame> frame;
  for (uint8_t b : wire) {
    d.Feed(ByteSpan(&b, 1));
    if (auto f = d.Next()) frame = std::move(f);
  }
  EXPECT_TRUE(frame.has_value());
  EXPECT_EQ(d.error(), WireError::kNone);
  EXPECT_EQ(d.buffered(), 0u);
  auto decoded = DecodeMessage(*frame);
  EXPECT_TRUE(std::holds_alternative<Message>(decoded));
  return std::get<Message>(decoded);
}

Hash256 H(uint8_t fill) {
  Hash256 h;
  h.fill(fill);
  return h;
}

TEST(P2pMessageTest, VersionRoundTrips) {
  VersionMsg v{kProtocolVersion, "lab", 42, 0x1122334455667788ull, 18444, "minelab/0.1"};
  auto back = std::get<VersionMsg>(RoundTrip(v));
  EXPECT_EQ(back, v);
}

TEST(P2pMessageTest, InventoryAndLocatorsRoundTrip) {
  InvMsg inv{{{InvType::kTx, H(1)}, {InvType::kBlock, H(2)}}};
  EXPECT_EQ(std::get<InvMsg>(RoundTrip(inv)).entries, inv.entries);
  GetHeadersMsg gh{{H(3), H(4), H(5)}, H(0)};
  auto back = std::get<GetHeadersMsg>(RoundTrip(gh));
  EXPECT_EQ(back.locator, gh.locator);
  EXPECT_EQ(back.stop, gh.stop);
  EXPECT_EQ(std::get<PingMsg>(RoundTrip(PingMsg{99})).nonce, 99u);
  EXPECT_EQ(CommandOf(RoundTrip(VerackMsg{})), "verack");
}

TEST(P2pMessageTest, HeadersRoundTrip) {
  chain::BlockHeader h;
  h.prev_hash = H(7);
  h.merkle_root = H(8);
  h.time = 1700000000;
  h.bits = 0x1f00ffff;
  h.nonce = 12345;
  HeadersMsg m{{h, h}};
  auto back = std::get<HeadersMsg>(RoundTrip(m));
  ASSERT_EQ(back.headers.size(), 2u);
  EXPECT_EQ(back.headers[1], h);
}

TEST(P2pMessageTest, TwoFramesInOneRead) {
  Bytes wire = EncodeMessage(PingMsg{1});
  Bytes second = EncodeMessage(PongMsg{2});
  Append(wire, second);
  FrameDecoder d;
  d.Feed(wire);
  auto a = d.Next();
  auto b = d.Next();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->command, "ping");
  EXPECT_EQ(b->command, "pong");
  EXPECT_FALSE(d.Next().has_value());
}

TEST(P2pMessageTest, StreamErrorsAreNamed) {
  {
    FrameDecoder d;
    d.Feed(AsBytes("GET / HTTP/1.1\r\n"));
    EXPECT_FALSE(d.Next());
    EXPECT_EQ(d.error(), WireError::kBadMagic);
  }
  {
    Bytes wire = EncodeMessage(PingMsg{1});
    wire.back() ^= 1;  // payload no longer matches its checksum
    FrameDecoder d;
    d.Feed(wire);
    EXPECT_FALSE(d.Next());
    EXPECT_EQ(d.error(), WireError::kBadChecksum);
  }
  {
    Bytes wire = EncodeFrame("ping", Bytes(9, 0));  // ping payload is at most 8 bytes
    FrameDecoder d;
    d.Feed(ByteSpan(wire).first(kFrameHeaderBytes));
    EXPECT_FALSE(d.Next());
    EXPECT_EQ(d.error(), WireError::kOversize);  // refused from the header alone
  }
  {
    FrameDecoder d;
    d.Feed(EncodeFrame("Ping", {}));
    EXPECT_FALSE(d.Next());
    EXPECT_EQ(d.error(), WireError::kBadCommand);
  }
  {
    FrameDecoder d;
    d.Feed(EncodeFrame("bogus", {}));
    EXPECT_FALSE(d.Next());
    EXPECT_EQ(d.error(), WireError::kUnknownCommand);
  }
}

TEST(P2pMessageTest, MalformedPayloadsAreRefused) {
  EXPECT_EQ(std::get<WireError>(DecodeMessage({"ping", Bytes(7, 0)})), WireError::kMalformed);
  EXPECT_EQ(std::get<WireError>(DecodeMessage({"verack", Bytes(1, 0)})), WireError::kOversize);
  // An inv announcing 1000 entries with the bytes of one.
  Bytes inv;
  chain::AppendCompactSize(inv, 1000);
  inv.push_back(1);
  Append(inv, Bytes(32, 0));
  EXPECT_EQ(std::get<WireError>(DecodeMessage({"inv", inv})), WireError::kMalformed);
  // Unknown inventory type.
  Bytes bad_type = {1, 9};
  Append(bad_type, Bytes(32, 0));
  EXPECT_EQ(std::get<WireError>(DecodeMessage({"getdata", bad_type})), WireError::kMalformed);
  EXPECT_EQ(std::get<WireError>(DecodeMessage({"tx", Bytes(3, 0xff)})), WireError::kMalformed);
  EXPECT_EQ(std::get<WireError>(DecodeMessage({"block", Bytes(10, 0)})), WireError::kMalformed);
}

}  // namespace
}  // namespace mw::lab::p2p
