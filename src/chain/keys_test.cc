#include "chain/keys.h"

#include <gtest/gtest.h>

#include "chain/test_util.h"

namespace mw::chain {
namespace {

TEST(KeysTest, Bip340VectorZeroVerifiesAndDerivesKey) {
  // BIP340 test vector 0: secret key 3, message zero.
  std::array<uint8_t, 32> secret{};
  secret[31] = 3;
  auto key = KeyPair::FromSecret(secret);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(ToHex(key->pubkey()),
            "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9");
  auto sig_bytes = FromHexExact(
      "e907831f80848d1069a5371b402410364bdf1c5f8307b0084c55f1ce2dca8215"
      "25f66a4a85ea8b71e482a74f382d2ce5ebeee8fdb2172f477df4900d310536c0", 64);
  ASSERT_TRUE(sig_bytes.ok());
  Signature sig{};
  std::copy(sig_bytes->begin(), sig_bytes->end(), sig.begin());
  EXPECT_TRUE(VerifySignature(key->pubkey(), Hash256{}, sig));
  sig[10] ^= 1;
  EXPECT_FALSE(VerifySignature(key->pubkey(), Hash256{}, sig));
}

TEST(KeysTest, SignVerifyWithFreshKeys) {
  auto a = KeyPair::Generate();
  auto b = KeyPair::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->pubkey(), b->pubkey());
  const Hash256 msg = Sha256d(AsBytes("hello"));
  auto s1 = a->Sign(msg);
  auto s2 = a->Sign(msg);
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_NE(*s1, *s2);  // fresh aux randomness
  EXPECT_TRUE(VerifySignature(a->pubkey(), msg, *s1));
  EXPECT_TRUE(VerifySignature(a->pubkey(), msg, *s2));
  EXPECT_FALSE(VerifySignature(b->pubkey(), msg, *s1));
  EXPECT_FALSE(VerifySignature(a->pubkey(), Sha256d(AsBytes("other")), *s1));
}

TEST(KeysTest, WalletHexRoundTrip) {
  auto a = KeyPair::Generate().value();
  auto back = KeyPair::FromSecretHex(a.SecretHex());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->pubkey(), a.pubkey());
  EXPECT_FALSE(KeyPair::FromSecretHex("00").ok());
  EXPECT_FALSE(KeyPair::FromSecret(std::array<uint8_t, 32>{}).ok());  // zero is not a key
}

TEST(KeysTest, AddressRoundTripAndErrors) {
  const KeyPair k = testing::KeyFromByte(9);
  const std::string addr = EncodeAddress(k.pubkey());
  EXPECT_EQ(addr.size(), kAddressLength);
  EXPECT_EQ(addr.substr(0, 3), "ml1");
  auto parsed = ParseAddress(addr);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, k.pubkey());
  std::string upper = addr;
  for (auto& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
  upper[2] = '1';
  EXPECT_TRUE(ParseAddress(upper).ok());

  EXPECT_EQ(ParseAddress("bc1" + addr.substr(3)).status().message(),
            "address must start with ml1");
  EXPECT_EQ(ParseAddress(addr.substr(0, 74)).status().message(), "address must be 75 characters");
  std::string nothex = addr;
  nothex[10] = 'z';
  EXPECT_EQ(ParseAddress(nothex).status().message(), "address is not hex");
  std::string flipped = addr;
  flipped[10] = flipped[10] == '0' ? '1' : '0';
  EXPECT_EQ(ParseAddress(flipped).status().message(), "address checksum mismatch");
  // All-zero x coordinate is not on the curve; give it a correct checksum.
  const std::string zero = EncodeAddress(PubKey{});
  EXPECT_EQ(ParseAddress(zero).status().message(), "address key is not a valid curve point");
}

}  // namespace
}  // namespace mw::chain
