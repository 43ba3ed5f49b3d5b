#include "proto/sv2/sv2_mining.h"

#include <gtest/gtest.h>

namespace mw::sv2 {
namespace {

U256 Pattern(uint8_t first) {
  U256 v{};
  for (size_t i = 0; i < v.size(); ++i) v[i] = uint8_t(first + i);
  return v;
}

// Splits one encoded frame back into header and payload.
Frame Split(const Bytes& bytes) {
  FrameSplitter s;
  s.Append(bytes);
  auto f = s.Next();
  EXPECT_TRUE(f.ok() && f->has_value());
  EXPECT_EQ(s.buffered(), 0u);
  return f.ok() && f->has_value() ? **f : Frame{};
}

TEST(Sv2Mining, SubmitSharesStandardIsSixLittleEndianWordsOnAChannelFrame) {
  SubmitSharesStandard m{7, 2, 3, 0xdeadbeef, 0x65000000, 0x20000000};
  auto bytes = EncodeFrame(m);
  ASSERT_TRUE(bytes.ok());
  // extension 0x8000 (channel_msg), type 0x1a, length 24; then the words as stored.
  EXPECT_EQ(ToHex(*bytes),
            "00801a180000"
            "07000000" "02000000" "03000000" "efbeadde" "00000065" "00000020");
  const Frame f = Split(*bytes);
  EXPECT_TRUE(f.header.channel_msg());
  auto back = DecodeSubmitSharesStandard(f.payload);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, m);
  // The encrypted record this becomes is 6 + 16 + 24 + 16 = 62 bytes (protocols.md (d)).
  EXPECT_EQ(f.payload.size(), 24u);
}

TEST(Sv2Mining, NewMiningJobOptionalNtime) {
  NewMiningJob future{1, 9, std::nullopt, 0x20000000, Pattern(0x10)};
  auto a = EncodeFrame(future);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(ToHex(ByteSpan(*a).first(6)), "0000152d0000");  // not a channel message; 45 bytes
  EXPECT_EQ((*a)[6 + 8], 0);                                 // OPTION count 0
  auto fa = DecodeNewMiningJob(Split(*a).payload);
  ASSERT_TRUE(fa.ok());
  EXPECT_EQ(*fa, future);

  NewMiningJob now = future;
  now.min_ntime = 0x65000001;
  auto b = EncodeFrame(now);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->size(), a->size() + 4);
  EXPECT_EQ(ToHex(ByteSpan(*b).subspan(6 + 8, 5)), "0101000065");
  auto fb = DecodeNewMiningJob(Split(*b).payload);
  ASSERT_TRUE(fb.ok());
  EXPECT_EQ(*fb, now);

  Bytes bad = Split(*b).payload;
  bad[8] = 2;  // an OPTION holds at most one element
  EXPECT_FALSE(DecodeNewMiningJob(bad).ok());
}

TEST(Sv2Mining, EveryMessageRoundTrips) {
  OpenStandardMiningChannel open{1, "lab1qaddress.rig", 2.5e6f, Pattern(0x80)};
  OpenStandardMiningChannelSuccess ok{1, 1, Pattern(0x20), Bytes{1, 2, 3, 4}, 0};
  OpenMiningChannelError err{1, "unknown-user"};
  SetNewPrevHash prev{1, 9, Pattern(0x40), 0x65000000, 0x1d00ffff};
  SetTarget target{1, Pattern(0x60)};
  SubmitSharesSuccess accepted{1, 5, 1, 123456789012ull};
  SubmitSharesError rejected{1, 6, "difficulty-too-low"};
  auto check = [](const auto& m, auto decode, bool channel_msg) {
    auto bytes = EncodeFrame(m);
    ASSERT_TRUE(bytes.ok());
    const Frame f = Split(*bytes);
    EXPECT_EQ(f.header.channel_msg(), channel_msg);
    auto back = decode(f.payload);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, m);
    Bytes longer = f.payload;
    longer.push_back(0);
    EXPECT_FALSE(decode(longer).ok());  // trailing bytes
    EXPECT_FALSE(decode(ByteSpan(f.payload).first(f.payload.size() - 1)).ok());  // short
  };
  check(open, DecodeOpenStandardMiningChannel, false);
  check(ok, DecodeOpenStandardMiningChannelSuccess, false);
  check(err, DecodeOpenMiningChannelError, false);
  check(prev, DecodeSetNewPrevHash, true);
  check(target, DecodeSetTarget, true);
  check(accepted, DecodeSubmitSharesSuccess, true);
  check(rejected, DecodeSubmitSharesError, true);
}

TEST(Sv2Mining, LimitsAreErrors) {
  OpenStandardMiningChannelSuccess ok;
  ok.extranonce_prefix = Bytes(33, 1);
  EXPECT_FALSE(EncodeFrame(ok).ok());
  OpenStandardMiningChannel open;
  open.user_identity = std::string(256, 'u');
  EXPECT_FALSE(EncodeFrame(open).ok());
  // A B0_32 length byte above 32 is refused even when the bytes are there.
  Bytes p(4 + 4 + 32, 0);
  p.push_back(40);
  p.resize(p.size() + 40 + 4, 0);
  EXPECT_FALSE(DecodeOpenStandardMiningChannelSuccess(p).ok());
}

TEST(Sv2Mining, SetupConnectionFrameKeepsTheSensorsPrefix) {
  SetupConnection s;
  s.flags = kRequiresStandardJobs;
  s.endpoint_host = "127.0.0.1";
  s.endpoint_port = 34254;
  s.vendor = "minelab";
  auto bytes = EncodeFrame(s);
  ASSERT_TRUE(bytes.ok());
  EXPECT_TRUE(LooksLikePlaintextSetupConnection(*bytes));
}

}  // namespace
}  // namespace mw::sv2
