#include "intel/punycode.h"

#include <gtest/gtest.h>

#include <array>

namespace mw::intel {
namespace {

// Samples from RFC 3492 section 7.1 and well-known IDN labels.
TEST(Punycode, EncodesRfc3492Samples) {
  EXPECT_EQ(PunycodeFromUtf8("\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645"
                             "\u0648\u0634\u0639\u0631\u0628\u064A\u061F"),
            "egbpdaj6bu4bxfgehfvwxn");
  EXPECT_EQ(PunycodeFromUtf8("\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587"),
            "ihqwcrb4cv8a8dqg056pqjye");
  // Basic code points keep their case in raw punycode (sample L).
  EXPECT_EQ(PunycodeFromUtf8("3\u5E74B\u7D44\u91D1\u516B\u5148\u751F"), "3B-ww4c5e180e575a65lsy2b");
}

TEST(Punycode, EncodesMixedLabels) {
  EXPECT_EQ(PunycodeFromUtf8("b\u00FCcher"), "bcher-kva");
  EXPECT_EQ(PunycodeFromUtf8("m\u00FCnchen"), "mnchen-3ya");
  EXPECT_EQ(PunycodeFromUtf8("\u043F\u0440\u0438\u043C\u0435\u0440"), "e1afmkfd");
  EXPECT_EQ(PunycodeFromUtf8("\u4F8B\u3048"), "r8jz45g");
  EXPECT_EQ(PunycodeFromUtf8("abc"), "abc-");  // all basic: copied with the delimiter
}

TEST(Punycode, RejectsInvalidUtf8) {
  std::array<char32_t, 16> out;
  EXPECT_FALSE(DecodeUtf8("\xC3", out));              // truncated sequence
  EXPECT_FALSE(DecodeUtf8("\xC0\xAF", out));          // overlong '/'
  EXPECT_FALSE(DecodeUtf8("\xED\xA0\x80", out));      // surrogate
  EXPECT_FALSE(DecodeUtf8("\xF4\x90\x80\x80", out));  // above U+10FFFF
  EXPECT_FALSE(DecodeUtf8("\xFF", out));
  EXPECT_FALSE(PunycodeFromUtf8("caf\xE9"));          // Latin-1, not UTF-8
  auto n = DecodeUtf8("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x90\x9F", out);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 4u);
  EXPECT_EQ(out[1], U'\u00E9');
  EXPECT_EQ(out[2], U'\u20AC');
  EXPECT_EQ(out[3], U'\U0001F41F');
}

TEST(Punycode, ReportsOutputOverflow) {
  const std::array<char32_t, 3> in = {U'\u00FC', U'x', U'y'};
  std::array<char, 3> small;
  EXPECT_FALSE(EncodePunycode(in, small));
  std::array<char, 16> big;
  auto n = EncodePunycode(in, big);
  ASSERT_TRUE(n);
  EXPECT_EQ(std::string(big.data(), *n), "xy-wka");
}

}  // namespace
}  // namespace mw::intel
