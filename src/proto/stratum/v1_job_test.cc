// The worked Stratum vectors V3 and V4 of ../shared/docs/protocols.md.
#include "proto/stratum/v1_job.h"

#include <gtest/gtest.h>

#include "core/header_hasher.h"
#include "core/target.h"

namespace mw::stratum {
namespace {

V1Job JobV3() {
  std::vector<std::string> branch = {
      "2b77d9e413e8121cd7a17ff46029591051d0922bd90b2b2a38811af1cb57a2b2",
      "5c8874cef00f3a233939516950e160949ef327891c9090467cead995441d22c5",
      "2d91ff8e19ac5fa69a40081f26c5852d366d608b04d2efe0d5b65d111d0d8074",
      "0ae96f609ad2264112a0b2dfb65624bedbcea3b036a59c0173394bba3a74e887",
      "e62172e63973d69574a82828aeb5711fc5ff97946db10fc7ec32830b24df7bde",
      "adb49456453aab49549a9eb46bb26787fb538e0a5f656992275194c04651ec97",
      "a7bc56d04d2672a8683892d6c8d376c73d250a4871fdf6f57019bcc737d6d2c2",
      "d94eceb8182b4f418cd071e93ec2a8993a0898d4c93bc33d9302f60dbbd0ed10",
      "5ad7788b8c66f8f50d332b88a80077ce10e54281ca472b4ed9bbbbcb6cf99083",
      "9f9d784b33df1b3ed3edb4211afc0dc1909af9758c6f8267e469f5148ed04809",
      "48fd17affa76b23e6fb2257df30374da839d6cb264656a82e34b350722b05123",
      "c4f5ab01913fc186d550c1a28f3f3e9ffaca2016b961a6a751f8cca0089df924",
      "cff737e1d00176dd6bbfa73071adbb370f227cfb5fba186562e4060fcec877e1"};
  auto job = V1JobFromHex(
      "v3", "0c859545a3498373a57452fac22eb7113df2a465000543520000000000000000",
      "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4b0389"
      "130cfabe6d6d5cbab26a2599e92916edec5657a94a0708ddb970f5c45b5d12905085617eff8e",
      "31650707758de07b010000000000001cfd7038212f736c7573682f000000000379ad0c2a000000001976a914"
      "7c154ed1dc59609e3d26abb2df2ea3d587cd8c4188ac00000000000000002c6a4c2952534b424c4f434b3ae7"
      "25d3994b811572c1f345deb98b56b465ef8e153ecbbd27fa37bf1b005161380000000000000000266a24aa21"
      "a9ed63b06a7946b190a3fda1d76165b25c9b883bcc6621b040773050ee2a1bb18f1800000000",
      branch, "20000004", "1705ae3a", "647025b5", false);
  EXPECT_TRUE(job.ok()) << job.status().ToString();
  return *job;
}

TEST(V1JobV3, CoinbaseMerkleHeaderAndShareDifficulty) {
  V1Job job = JobV3();
  Bytes en1 = FromHex("01000000").value(), en2 = FromHex("00000000").value();
  Hash256 cb = Sha256d(BuildCoinbase(job, en1, en2));
  EXPECT_EQ(ToDisplayHex(cb), "80d95f27e6da652c6070f3b341bbfa9cb5f96d3e363286562df7f4496dee0b7a");
  Hash256 root = MerkleRootFromBranch(cb, job.merkle_branch);
  EXPECT_EQ(ToHex(root), "5bdc1968499c3393873edf8e07a1c3a50a97fc3a9d1a376bbf77087dd63778eb");
  Header80 header = BuildHeader(job, root, job.version, job.ntime, ParseU32Hex("0a029ed1").value());
  EXPECT_EQ(ToHex(header),
            "040000204595850c738349a3fa5274a511b72ec265a4f23d5243050000000000000000005bdc1968499c"
            "3393873edf8e07a1c3a50a97fc3a9d1a376bbf77087dd63778ebb52570643aae0517d19e020a");
  Hash256 share = Sha256d(header);
  EXPECT_EQ(ToDisplayHex(share), "00000000005fe144efbc66241c0094b8fdc2702b7729226fdfed70ca8094c0b5");
  EXPECT_NEAR(DifficultyFromHash(share), 683.5, 0.05);
  // The mining path reaches the same hash from the same header.
  auto hasher = HeaderHasher::Create(header);
  ASSERT_TRUE(hasher.ok());
  EXPECT_EQ(hasher->Hash(ReadLE32(header.data() + 76)), share);
}

TEST(V1JobV4, GenesisJobReproducesGenesisBlock) {
  // The real genesis coinbase split after 43 bytes, en1 = ffff001d, en2 = 01044554.
  const std::string coinbase =
      "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ff"
      "ff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272"
      "696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000"
      "434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f3"
      "5504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000";
  const std::string coinb1 = coinbase.substr(0, 86);
  const std::string en1_hex = coinbase.substr(86, 8), en2_hex = coinbase.substr(94, 8);
  ASSERT_EQ(en1_hex, "ffff001d");
  ASSERT_EQ(en2_hex, "01044554");
  const std::string coinb2 = coinbase.substr(102);
  ASSERT_EQ(coinb2.size(), 153u * 2);
  auto job = V1JobFromHex("genesis", std::string(64, '0'), coinb1, coinb2, {}, "00000001",
                          "1d00ffff", "495fab29", true);
  ASSERT_TRUE(job.ok());
  Hash256 cb = Sha256d(BuildCoinbase(*job, FromHex(en1_hex).value(), FromHex(en2_hex).value()));
  Hash256 root = MerkleRootFromBranch(cb, job->merkle_branch);
  EXPECT_EQ(ToDisplayHex(root), "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
  Header80 header = BuildHeader(*job, root, job->version, ParseU32Hex("495fab29").value(),
                                ParseU32Hex("7c2bac1d").value());
  EXPECT_EQ(ToDisplayHex(Sha256d(header)),
            "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
}

TEST(V1Job, RejectsBadHex) {
  EXPECT_FALSE(V1JobFromHex("x", "00", "", "", {}, "00000001", "1d00ffff", "495fab29", true).ok());
  EXPECT_FALSE(ParseU32Hex("1234567").ok());
  EXPECT_FALSE(ParseU32Hex("1234567g").ok());
  EXPECT_EQ(U32Hex(0x20000004), "20000004");
}

TEST(V1Job, VersionRolling) {
  EXPECT_EQ(RollVersion(0x20000004, 0x00006000, 0x1fffe000), 0x20006004u);
  EXPECT_EQ(RollVersion(0x20000004, 0xffffffff, 0x1fffe000), 0x3fffe004u);
}

}  // namespace
}  // namespace mw::stratum
