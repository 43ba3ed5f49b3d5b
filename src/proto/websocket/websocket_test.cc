// RFC 6455 examples (section 1.3 handshake, section 5.7 frames) plus fragmentation, long lengths,
// policy violations and chunked input.
#include <gtest/gtest.h>

#include <string>

#include "proto/websocket/frame.h"
#include "proto/websocket/handshake.h"

namespace mw::websocket {
namespace {

Bytes B(std::initializer_list<int> v) {
  Bytes out;
  for (int x : v) out.push_back(static_cast<uint8_t>(x));
  return out;
}
std::string Str(const Bytes& b) { return std::string(b.begin(), b.end()); }

// Feeds all bytes and collects every message, failing the test on a decoder error.
std::vector<WsMessage> DecodeAll(FrameDecoder& d, const Bytes& bytes) {
  d.Append(bytes);
  std::vector<WsMessage> out;
  while (true) {
    auto m = d.Next();
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    if (!m.ok() || !m->has_value()) break;
    out.push_back(std::move(**m));
  }
  return out;
}

Status ErrorOf(MaskPolicy policy, const Bytes& bytes, DecoderLimits limits = {}) {
  FrameDecoder d(policy, limits);
  d.Append(bytes);
  while (true) {
    auto m = d.Next();
    if (!m.ok()) return m.status();
    if (!m->has_value()) return Status::Ok();
  }
}

TEST(Handshake, Rfc6455Section1_3Example) {
  EXPECT_EQ(AcceptKeyFor("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  const std::string request =
      "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n";
  EXPECT_EQ(HandshakeLength(request), request.size());
  EXPECT_EQ(HandshakeLength(request.substr(0, request.size() - 1)), 0u);
  auto r = ParseClientHandshake(request);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->path, "/chat");
  EXPECT_EQ(r->host, "server.example.com");
  EXPECT_EQ(r->origin, "http://example.com");
  EXPECT_EQ(r->protocol, "chat, superchat");
  const std::string response = BuildServerHandshake(r->key);
  EXPECT_NE(response.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
            std::string::npos);
  EXPECT_TRUE(CheckServerHandshake(response, "dGhlIHNhbXBsZSBub25jZQ==").ok());
  EXPECT_FALSE(CheckServerHandshake(response, "AAAAAAAAAAAAAAAAAAAAAA==").ok());
}

TEST(Handshake, BuildParseRoundTripAndRejections) {
  HandshakeRequest req;
  req.path = "/proxy";
  req.host = "127.0.0.1:8181";
  req.key = GenerateClientKey();
  req.user_agent = "minelab-browser/1";
  EXPECT_EQ(req.key.size(), 24u);
  EXPECT_NE(req.key, GenerateClientKey());
  const std::string wire = BuildClientHandshake(req);
  auto back = ParseClientHandshake(wire);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->path, "/proxy");
  EXPECT_EQ(back->key, req.key);
  EXPECT_EQ(back->user_agent, "minelab-browser/1");

  // Case-insensitive names and tokens, Connection lists.
  std::string mixed = wire;
  mixed.replace(mixed.find("Upgrade: websocket"), 18, "uPgRaDe: WebSocket");
  mixed.replace(mixed.find("Connection: Upgrade"), 19, "connection: keep-alive, upgrade");
  EXPECT_TRUE(ParseClientHandshake(mixed).ok());

  auto without = [&](std::string_view header) {
    std::string s = wire;
    const size_t at = s.find(header);
    s.erase(at, s.find("\r\n", at) + 2 - at);
    return s;
  };
  EXPECT_FALSE(ParseClientHandshake(without("Upgrade:")).ok());
  EXPECT_FALSE(ParseClientHandshake(without("Connection:")).ok());
  EXPECT_FALSE(ParseClientHandshake(without("Sec-WebSocket-Key:")).ok());
  EXPECT_FALSE(ParseClientHandshake(without("Sec-WebSocket-Version:")).ok());
  std::string post = wire;
  post.replace(0, 3, "PUT");
  EXPECT_FALSE(ParseClientHandshake(post).ok());
  EXPECT_FALSE(ParseClientHandshake(wire.substr(0, wire.size() - 2)).ok());  // incomplete
  EXPECT_FALSE(CheckServerHandshake("HTTP/1.1 403 Forbidden\r\n\r\n", req.key).ok());
}

TEST(Frames, Rfc6455Section5_7Examples) {
  const Bytes unmasked_hello = B({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f});
  const Bytes masked_hello = B({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  EXPECT_EQ(EncodeServerFrame(Opcode::kText, AsBytes("Hello")), unmasked_hello);
  EXPECT_EQ(EncodeFrame(Opcode::kText, AsBytes("Hello"), true, MaskKey{0x37, 0xfa, 0x21, 0x3d}),
            masked_hello);

  FrameDecoder server(MaskPolicy::kRequireMasked);
  auto msgs = DecodeAll(server, masked_hello);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(Str(msgs[0].payload), "Hello");
  EXPECT_TRUE(msgs[0].was_masked);

  // Fragmented unmasked text "Hel" + "lo", with a ping in between (control frames interleave).
  FrameDecoder client(MaskPolicy::kRequireUnmasked);
  msgs = DecodeAll(client, B({0x01, 0x03, 0x48, 0x65, 0x6c, 0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c,
                              0x6f, 0x80, 0x02, 0x6c, 0x6f}));
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].opcode, Opcode::kPing);
  EXPECT_EQ(Str(msgs[0].payload), "Hello");
  EXPECT_EQ(msgs[1].opcode, Opcode::kText);
  EXPECT_EQ(Str(msgs[1].payload), "Hello");
  EXPECT_EQ(client.frames(), 3u);

  // Masked pong "Hello".
  FrameDecoder any(MaskPolicy::kAny);
  msgs = DecodeAll(any, B({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].opcode, Opcode::kPong);
  EXPECT_EQ(Str(msgs[0].payload), "Hello");
}

TEST(Frames, SixteenAndSixtyFourBitLengths) {
  Bytes p256(256);
  for (size_t i = 0; i < p256.size(); ++i) p256[i] = static_cast<uint8_t>(i);
  const Bytes f256 = EncodeServerFrame(Opcode::kBinary, p256);
  ASSERT_EQ(f256.size(), 4u + 256);
  EXPECT_EQ(Bytes(f256.begin(), f256.begin() + 4), B({0x82, 0x7E, 0x01, 0x00}));

  const Bytes p64k(65536, 0xab);
  const Bytes f64k = EncodeServerFrame(Opcode::kBinary, p64k);
  ASSERT_EQ(f64k.size(), 10u + 65536);
  EXPECT_EQ(Bytes(f64k.begin(), f64k.begin() + 10),
            B({0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}));

  FrameDecoder d(MaskPolicy::kRequireUnmasked);
  Bytes both = f256;
  both.insert(both.end(), f64k.begin(), f64k.end());
  auto msgs = DecodeAll(d, both);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].payload, p256);
  EXPECT_EQ(msgs[1].payload, p64k);
}

TEST(Frames, ByteAtATimeAndClientMasking) {
  const std::string text = R"({"type":"auth","params":{"site_key":"k","type":"anonymous","user":null,"goal":0}})";
  const Bytes frame = EncodeClientFrame(Opcode::kText, AsBytes(text));
  EXPECT_EQ(frame[1] & 0x80, 0x80);
  EXPECT_NE(Str(Bytes(frame.begin() + 6, frame.end())), text);  // masked on the wire (w.h.p.)
  FrameDecoder d(MaskPolicy::kRequireMasked);
  std::vector<WsMessage> got;
  for (uint8_t byte : frame) {
    d.Append(ByteSpan(&byte, 1));
    auto m = d.Next();
    ASSERT_TRUE(m.ok());
    if (m->has_value()) got.push_back(std::move(**m));
  }
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Str(got[0].payload), text);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(Frames, CloseFrames) {
  FrameDecoder d(MaskPolicy::kRequireUnmasked);
  auto msgs = DecodeAll(d, EncodeServerFrame(Opcode::kClose, ClosePayload(1000, "bye")));
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].close_code, 1000);
  EXPECT_EQ(Str(Bytes(msgs[0].payload.begin() + 2, msgs[0].payload.end())), "bye");
  FrameDecoder e(MaskPolicy::kRequireUnmasked);
  msgs = DecodeAll(e, EncodeServerFrame(Opcode::kClose, {}));
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].close_code, 1005);
  EXPECT_FALSE(ErrorOf(MaskPolicy::kAny, B({0x88, 0x01, 0x03})).ok());  // 1-byte close
  EXPECT_FALSE(ErrorOf(MaskPolicy::kAny, EncodeServerFrame(Opcode::kClose, ClosePayload(1005, ""))).ok());
}

TEST(Frames, BadFramesAreStickyErrors) {
  EXPECT_FALSE(ErrorOf(MaskPolicy::kAny, B({0xC1, 0x00})).ok());  // RSV1
  EXPECT_FALSE(ErrorOf(MaskPolicy::kAny, B({0x83, 0x00})).ok());  // opcode 3
  EXPECT_FALSE(ErrorOf(MaskPolicy::kRequireMasked, B({0x81, 0x00})).ok());
  EXPECT_FALSE(ErrorOf(MaskPolicy::kRequireUnmasked, B({0x81, 0x80, 1, 2, 3, 4})).ok());
  EXPECT_FALSE(ErrorOf(MaskPolicy::kAny, B({0x09, 0x00})).ok());  // fragmented ping
  EXPECT_FALSE(ErrorOf(MaskPolicy::kAny, B({0x89, 0x7E, 0x00, 0x7E})).ok());  // ping of 126
  EXPECT_FALSE(ErrorOf(MaskPolicy::kAny, B({0x80, 0x00})).ok());  // continuation first
  EXPECT_FALSE(ErrorOf(MaskPolicy::kAny, B({0x01, 0x00, 0x01, 0x00})).ok());  // text inside text
  EXPECT_FALSE(ErrorOf(MaskPolicy::kAny, B({0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0})).ok());
  DecoderLimits small{16, 24};
  EXPECT_FALSE(ErrorOf(MaskPolicy::kAny, EncodeServerFrame(Opcode::kText, Bytes(17)), small).ok());
  // Two 16-byte fragments exceed the 24-byte message limit.
  Bytes two = EncodeFrame(Opcode::kText, Bytes(16), false, std::nullopt);
  const Bytes second = EncodeFrame(Opcode::kContinuation, Bytes(16), true, std::nullopt);
  two.insert(two.end(), second.begin(), second.end());
  EXPECT_FALSE(ErrorOf(MaskPolicy::kAny, two, small).ok());
  // The limit is checked from the header, before the payload arrives.
  FrameDecoder d(MaskPolicy::kAny, small);
  d.Append(B({0x82, 0x7F, 0, 0, 0, 1, 0, 0, 0, 0}));
  EXPECT_FALSE(d.Next().ok());
  EXPECT_TRUE(d.failed());
  d.Append(EncodeServerFrame(Opcode::kText, AsBytes("ok")));
  EXPECT_FALSE(d.Next().ok());  // sticky
}

}  // namespace
}  // namespace mw::websocket
