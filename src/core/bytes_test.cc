#include "core/bytes.h"

#include <gtest/gtest.h>

namespace mw {
namespace {

TEST(Hex, RoundTrips) {
  Bytes b = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(ToHex(b), "0001abff");
  auto back = FromHex("0001ABff");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, b);
}

TEST(Hex, RejectsOddLengthAndNonHex) {
  auto odd = FromHex("abc");
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(odd.status().message().find("odd"), std::string::npos);
  auto bad = FromHex("00zz");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("position 2"), std::string::npos);
}

TEST(Hex, ExactLength) {
  EXPECT_TRUE(FromHexExact("0011", 2).ok());
  EXPECT_FALSE(FromHexExact("0011", 3).ok());
}

TEST(Endian, ReadWrite) {
  uint8_t b[8];
  WriteLE32(b, 0x20000004);
  EXPECT_EQ(ToHex(ByteSpan(b, 4)), "04000020");
  EXPECT_EQ(ReadLE32(b), 0x20000004u);
  EXPECT_EQ(ReadBE32(b), 0x04000020u);
  WriteBE32(b, 0x1705ae3a);
  EXPECT_EQ(ToHex(ByteSpan(b, 4)), "1705ae3a");
  WriteLE64(b, 0x0102030405060708ULL);
  EXPECT_EQ(ReadLE64(b), 0x0102030405060708ULL);
}

TEST(Words, SwapWords32MatchesStratumPrevhash) {
  // protocols.md: notify prevhash -> display order = reverse(swap_words(bytes)).
  auto b = FromHex("0c859545a3498373a57452fac22eb7113df2a465000543520000000000000000");
  ASSERT_TRUE(b.ok());
  SwapWords32(*b);
  ReverseBytes(*b);
  EXPECT_EQ(ToHex(*b), "0000000000000000000543523df2a465c22eb711a57452faa34983730c859545");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s = Status::NotFound("no such block");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "not found: no such block");
  EXPECT_TRUE(Status::Ok().ok());
  Result<int> r = Status::OutOfRange("too big");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.value_or(7), 7);
  Result<int> v = 3;
  EXPECT_EQ(*v, 3);
}

}  // namespace
}  // namespace mw
