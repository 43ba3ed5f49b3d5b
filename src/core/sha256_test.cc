#include "core/sha256.h"

#include <gtest/gtest.h>

#include <openssl/sha.h>

#include <random>

#include "core/hash_selftest.h"
#include "core/header_hasher.h"
#include "core/sha256_compress.h"
#include "core/target.h"

namespace mw {
namespace {

constexpr char kBlock125552[] =
    "0100000081cd02ab7e569e8bcd9317e2fe99f2de44d49ab2b8851ba4a308000000000000e320b6c2fffc8d7504"
    "23db8b1eb942ae710e951ed797f7affc8892b0f1fc122bc7f5d74df2b9441a42a14695";
constexpr char kMainnetGenesis[] =
    "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27a"
    "c72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";
constexpr char kRegtestGenesis[] =
    "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27a"
    "c72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f2002000000";

Bytes Hex(const char* s) { return FromHex(s).value(); }

TEST(Sha256, Block125552BothRounds) {
  Bytes h = Hex(kBlock125552);
  EXPECT_EQ(ToHex(Sha256(h)), "b9d751533593ac10cdfb7b8e03cad8babc67d8eaeac0a3699b82857dacac9390");
  Hash256 d = Sha256d(h);
  EXPECT_EQ(ToHex(d), "1dbd981fe6985776b644b173a4d0385ddc1aa2a829688d1e0000000000000000");
  EXPECT_EQ(ToDisplayHex(d), "00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d");
}

TEST(Sha256, GenesisBlocks) {
  EXPECT_EQ(ToDisplayHex(Sha256d(Hex(kMainnetGenesis))),
            "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
  EXPECT_EQ(ToDisplayHex(Sha256d(Hex(kRegtestGenesis))),
            "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
}

TEST(Sha256, DisplayHexRoundTrip) {
  auto h = FromDisplayHex("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(ToDisplayHex(*h), "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
  EXPECT_FALSE(FromDisplayHex("00").ok());
}

// Sha256 (our padding on our compression function) equals OpenSSL's SHA-256 at every length
// around the block and padding boundaries, and on longer random inputs.
TEST(Sha256, EqualsOpenSslAtEveryLength) {
  std::mt19937 rng(5);
  Bytes data(5000);
  for (auto& b : data) b = uint8_t(rng());
  auto check = [&](size_t n) {
    Hash256 want;
    SHA256(data.data(), n, want.data());
    ASSERT_EQ(Sha256(ByteSpan(data.data(), n)), want) << n;
  };
  for (size_t n = 0; n <= 300; ++n) check(n);
  for (int i = 0; i < 50; ++i) check(rng() % data.size());
  check(data.size());
  EXPECT_EQ(ToHex(Sha256(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// Every compression implementation agrees with OpenSSL on random blocks.
TEST(Compress, ImplementationsAgreeWithOpenSsl) {
  std::mt19937 rng(42);
  for (int trial = 0; trial < 200; ++trial) {
    uint8_t block[64];
    for (auto& b : block) b = uint8_t(rng());
    // SHA-256 of a 55-byte message is one block: message, 0x80, length.
    uint8_t msg[55];
    std::copy(block, block + 55, msg);
    uint8_t padded[64] = {};
    std::copy(msg, msg + 55, padded);
    padded[55] = 0x80;
    WriteBE32(padded + 60, 55 * 8);
    Hash256 expect;
    SHA256(msg, 55, expect.data());
    uint32_t s[8];
    std::copy(sha256::kInitState, sha256::kInitState + 8, s);
    sha256::CompressPortable(s, padded);
    Hash256 got;
    for (int i = 0; i < 8; ++i) WriteBE32(got.data() + 4 * i, s[i]);
    EXPECT_EQ(got, expect);
    if (sha256::CpuHasShaNi()) {
      std::copy(sha256::kInitState, sha256::kInitState + 8, s);
      sha256::CompressShaNi(s, padded);
      for (int i = 0; i < 8; ++i) WriteBE32(got.data() + 4 * i, s[i]);
      EXPECT_EQ(got, expect);
    }
  }
}

class HeaderHasherTest : public ::testing::TestWithParam<HashImpl> {};

TEST_P(HeaderHasherTest, MatchesKnownBlocks) {
  for (const char* hex : {kBlock125552, kMainnetGenesis, kRegtestGenesis}) {
    Bytes header = Hex(hex);
    auto hasher = HeaderHasher::Create(header, GetParam());
    ASSERT_TRUE(hasher.ok());
    EXPECT_EQ(hasher->Hash(ReadLE32(header.data() + 76)), Sha256d(header)) << hex;
  }
}

TEST_P(HeaderHasherTest, AgreesWithOpenSslOnManyNonces) {
  Bytes header = Hex(kBlock125552);
  auto hasher = HeaderHasher::Create(header, GetParam());
  ASSERT_TRUE(hasher.ok());
  for (uint32_t nonce : {0u, 1u, 2u, 0x7fffffffu, 0xfffffffeu, 0xffffffffu, 12345u}) {
    WriteLE32(header.data() + 76, nonce);
    EXPECT_EQ(hasher->Hash(nonce), Sha256d(header)) << nonce;
  }
}

TEST_P(HeaderHasherTest, ScanFindsTheWinningNonceAndOnlyIt) {
  Bytes header = Hex(kBlock125552);
  const uint32_t winning = ReadLE32(header.data() + 76);
  auto hasher = HeaderHasher::Create(header, GetParam());
  ASSERT_TRUE(hasher.ok());
  Hash256 target = TargetFromCompact(0x1a44b9f2).value();
  std::vector<HeaderHasher::Found> found;
  // An odd count and an odd start exercise the pairwise loop and its tail.
  EXPECT_EQ(hasher->Scan(winning - 1001, 2001, target, found), 2001u);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].nonce, winning);
  EXPECT_EQ(ToDisplayHex(found[0].hash),
            "00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d");
}

TEST_P(HeaderHasherTest, ScanReportsEveryHashUnderAnEasyTarget) {
  Bytes header = Hex(kMainnetGenesis);
  auto hasher = HeaderHasher::Create(header, GetParam());
  ASSERT_TRUE(hasher.ok());
  // Target 2^255 - 1 admits about half of all hashes: compare with a brute-force count.
  Hash256 target{};
  target.fill(0xff);
  target[31] = 0x7f;
  std::vector<HeaderHasher::Found> found;
  hasher->Scan(100, 257, target, found);
  size_t expected = 0;
  for (uint32_t n = 100; n < 357; ++n) {
    WriteLE32(header.data() + 76, n);
    if (HashMeetsTarget(Sha256d(header), target)) ++expected;
  }
  EXPECT_EQ(found.size(), expected);
  EXPECT_GT(expected, 50u);
}

INSTANTIATE_TEST_SUITE_P(Impls, HeaderHasherTest,
                         ::testing::Values(HashImpl::kPortable, HashImpl::kShaNi, HashImpl::kAuto));

TEST(HeaderHasher, RejectsWrongLength) {
  Bytes header(79);
  auto r = HeaderHasher::Create(header);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("80 bytes"), std::string::npos);
}

TEST(SelfTest, Passes) { EXPECT_TRUE(RunHashSelfTest().ok()); }

}  // namespace
}  // namespace mw
