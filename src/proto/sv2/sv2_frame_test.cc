#include "proto/sv2/sv2_frame.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace mw::sv2 {
namespace {

SetupConnection Example() {
  SetupConnection m;
  m.protocol = 0;
  m.flags = 0x1;
  m.endpoint_host = "127.0.0.1";
  m.endpoint_port = 34254;
  m.vendor = "minelab";
  m.hardware_version = "cpu";
  m.firmware = "0.1";
  m.device_id = "rig-1";
  return m;
}

TEST(Sv2Frame, HeaderLayoutIsLittleEndian) {
  const Bytes payload(0x010203, 0x55);
  auto f = EncodeFrame(0x8001, 0x15, payload);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(ToHex(ByteSpan(*f).first(6)), "018015030201");
  auto h = ParseHeader(*f);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->extension_type, 0x8001);
  EXPECT_TRUE(h->channel_msg());
  EXPECT_EQ(h->msg_type, 0x15);
  EXPECT_EQ(h->msg_length, 0x010203u);
  EXPECT_FALSE(ParseHeader(ByteSpan(*f).first(5)).ok());
  EXPECT_FALSE(EncodeFrame(0, 0, Bytes(kMaxPayload + 1)).ok());
}

TEST(Sv2Frame, SetupConnectionStartsWithTheDocumentedPrefix) {
  auto payload = EncodeSetupConnection(Example());
  ASSERT_TRUE(payload.ok());
  auto frame = EncodeFrame(0, kSetupConnection, *payload);
  ASSERT_TRUE(frame.ok());
  // 00 00 00 LL LL LL 00 02 00 02 00 ...
  const Bytes& b = *frame;
  EXPECT_EQ(ToHex(ByteSpan(b).first(3)), "000000");
  EXPECT_EQ(ReadLE32(b.data() + 3) & 0xFFFFFF, payload->size());
  EXPECT_EQ(ToHex(ByteSpan(b).subspan(6, 5)), "0002000200");
  EXPECT_TRUE(LooksLikePlaintextSetupConnection(b));
  auto back = DecodeSetupConnection(*payload);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, Example());
}

TEST(Sv2Frame, StrictDecoding) {
  Bytes payload = *EncodeSetupConnection(Example());
  Bytes trailing = payload;
  trailing.push_back(0);
  EXPECT_FALSE(DecodeSetupConnection(trailing).ok());
  EXPECT_FALSE(DecodeSetupConnection(ByteSpan(payload).first(payload.size() - 1)).ok());
  Bytes bad_protocol = payload;
  bad_protocol[0] = 3;
  EXPECT_FALSE(DecodeSetupConnection(bad_protocol).ok());
  SetupConnection long_vendor = Example();
  long_vendor.vendor = std::string(256, 'v');
  EXPECT_FALSE(EncodeSetupConnection(long_vendor).ok());

  auto ok = DecodeSetupConnectionSuccess(EncodeSetupConnectionSuccess({2, 6}));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->flags, 6u);
  auto err = DecodeSetupConnectionError(*EncodeSetupConnectionError({0, "unsupported-protocol"}));
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->error_code, "unsupported-protocol");
}

TEST(Sv2Frame, SplitterAcrossChunksAndLimit) {
  Bytes stream = *EncodeFrame(0, kSetupConnection, *EncodeSetupConnection(Example()));
  const Bytes second = *EncodeFrame(0, kSetupConnectionSuccess, EncodeSetupConnectionSuccess({}));
  stream.insert(stream.end(), second.begin(), second.end());
  FrameSplitter s;
  std::vector<Frame> frames;
  for (size_t i = 0; i < stream.size(); i += 5) {
    s.Append(ByteSpan(stream).subspan(i, std::min<size_t>(5, stream.size() - i)));
    while (true) {
      auto f = s.Next();
      ASSERT_TRUE(f.ok());
      if (!f->has_value()) break;
      frames.push_back(std::move(**f));
    }
  }
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].header.msg_type, kSetupConnection);
  EXPECT_EQ(*DecodeSetupConnection(frames[0].payload), Example());
  EXPECT_EQ(frames[1].header.msg_type, kSetupConnectionSuccess);

  FrameSplitter small(16);
  small.Append(*EncodeFrame(0, kNewMiningJob, Bytes(17)));
  EXPECT_FALSE(small.Next().ok());
  EXPECT_FALSE(small.Next().ok());  // sticky
}

TEST(Sv2Frame, PrecheckRejectsOtherTraffic) {
  EXPECT_FALSE(LooksLikePlaintextSetupConnection(AsBytes("{\"id\":1,\"method\"")));
  EXPECT_FALSE(LooksLikePlaintextSetupConnection(AsBytes("\x16\x03\x01\x00\xa5\x01\x00")));
  Bytes noise(64, 0xa7);  // a Noise handshake start looks random
  EXPECT_FALSE(LooksLikePlaintextSetupConnection(noise));
}

}  // namespace
}  // namespace mw::sv2
