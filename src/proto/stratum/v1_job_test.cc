// The worked Stratum vectors V3 and V4 of ../shared/docs/protocols.md.
#include "proto/stratum/v1_job.h"

#include <gtest/gtest.h>

#include "core/header_hasher.h"
#include "core/target.h"
#include "proto/stratum/v1_job_vectors.h"

namespace mw::stratum {
namespace {

V1Job JobV3() {
  auto job = vectors::JobV3(false);
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
  const std::string coinbase = vectors::kGenesisCoinbaseHex;
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
