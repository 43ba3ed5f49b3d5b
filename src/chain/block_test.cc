#include "chain/block.h"

#include <gtest/gtest.h>

#include "chain/params.h"
#include "chain/pow.h"
#include "chain/test_util.h"
#include "proto/stratum/v1_job.h"

namespace mw::chain {
namespace {

Hash256 Leaf(uint8_t b) {
  Hash256 h{};
  h.fill(b);
  return h;
}

TEST(MerkleTest, HandComputedSmallTrees) {
  const Hash256 a = Leaf(1), b = Leaf(2), c = Leaf(3);
  EXPECT_EQ(MerkleRoot({}), Hash256{});
  EXPECT_EQ(MerkleRoot({a}), a);
  EXPECT_EQ(MerkleRoot({a, b}), Sha256dPair(a, b));
  // Odd count: the last node is paired with itself.
  EXPECT_EQ(MerkleRoot({a, b, c}), Sha256dPair(Sha256dPair(a, b), Sha256dPair(c, c)));
  // Five leaves: odd at two levels.
  const Hash256 d = Leaf(4), e = Leaf(5);
  const Hash256 l1 = Sha256dPair(Sha256dPair(a, b), Sha256dPair(c, d));
  const Hash256 ee = Sha256dPair(e, e);
  const Hash256 r1 = Sha256dPair(ee, ee);
  EXPECT_EQ(MerkleRoot({a, b, c, d, e}), Sha256dPair(l1, r1));
  // Concrete bytes of the 2-leaf case: SHA-256d over the 64-byte concatenation.
  Bytes cat(a.begin(), a.end());
  cat.insert(cat.end(), b.begin(), b.end());
  EXPECT_EQ(MerkleRoot({a, b}), Sha256d(cat));
}

TEST(MerkleTest, CoinbaseBranchMatchesStratumConvention) {
  for (size_t n = 1; n <= 11; ++n) {
    std::vector<Hash256> ids;
    for (size_t i = 0; i < n; ++i) ids.push_back(Leaf(uint8_t(i + 10)));
    const auto branch = CoinbaseMerkleBranch(ids);
    EXPECT_EQ(stratum::MerkleRootFromBranch(ids[0], branch), MerkleRoot(ids)) << n;
    // The branch does not depend on the coinbase leaf itself.
    std::vector<Hash256> other = ids;
    other[0] = Leaf(0xee);
    EXPECT_EQ(CoinbaseMerkleBranch(other), branch);
  }
  EXPECT_TRUE(CoinbaseMerkleBranch({Leaf(1)}).empty());
}

TEST(BlockTest, HeaderLayoutIsBitcoins) {
  BlockHeader h;
  h.version = 0x20000000;
  h.prev_hash = Leaf(0xaa);
  h.merkle_root = Leaf(0xbb);
  h.time = 0x01020304;
  h.bits = 0x1d00ffff;
  h.nonce = 0xdeadbeef;
  const auto enc = h.Encode();
  EXPECT_EQ(ReadLE32(enc.data()), 0x20000000u);
  EXPECT_EQ(enc[4], 0xaa);
  EXPECT_EQ(enc[36], 0xbb);
  EXPECT_EQ(ReadLE32(enc.data() + 68), 0x01020304u);
  EXPECT_EQ(ReadLE32(enc.data() + 72), 0x1d00ffffu);
  EXPECT_EQ(ReadLE32(enc.data() + 76), 0xdeadbeefu);
  EXPECT_EQ(BlockHeader::Decode(enc).value(), h);
  EXPECT_EQ(h.Hash(), Sha256d(enc));
  EXPECT_EQ(h.Hash(), HeaderHasher::Create(enc).value().Hash(0xdeadbeef));
  EXPECT_FALSE(BlockHeader::Decode(ByteSpan(enc).first(79)).ok());
}

TEST(BlockTest, BlockRoundTripAndStrictness) {
  const KeyPair payer = testing::KeyFromByte(1);
  Block b;
  b.txs.push_back(MakeCoinbase(3, payer.pubkey(), 100, AsBytes("x")));
  for (int i = 0; i < 3; ++i) {
    b.txs.push_back(MakeTransfer(payer, testing::KeyFromByte(2).pubkey(), 1, 1, uint64_t(i)).value());
  }
  b.header.merkle_root = BlockMerkleRoot(b);
  const Bytes enc = EncodeBlock(b);
  EXPECT_EQ(enc.size(), EncodedBlockSize(b));
  auto back = DecodeBlock(enc);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, b);
  Bytes trailing = enc;
  trailing.push_back(1);
  EXPECT_FALSE(DecodeBlock(trailing).ok());
  EXPECT_FALSE(DecodeBlock(ByteSpan(enc).first(enc.size() - 1)).ok());
  // A tx count that the remaining bytes cannot hold is refused before allocating.
  Bytes huge(enc.begin(), enc.begin() + 80);
  huge.push_back(0xfe);
  AppendLE32(huge, 0xffffffff);
  EXPECT_NE(DecodeBlock(huge).status().message().find("tx count"), std::string::npos);
  // Non-minimal CompactSize.
  Bytes nonminimal(enc.begin(), enc.begin() + 80);
  nonminimal.push_back(0xfd);
  nonminimal.push_back(4);
  nonminimal.push_back(0);
  nonminimal.insert(nonminimal.end(), enc.begin() + 81, enc.end());
  EXPECT_NE(DecodeBlock(nonminimal).status().message().find("minimal"), std::string::npos);
}

TEST(BlockTest, CompactSizeBoundaries) {
  for (uint64_t v : {0ULL, 252ULL, 253ULL, 65535ULL, 65536ULL, 0xffffffffULL, 0x100000000ULL}) {
    Bytes out;
    AppendCompactSize(out, v);
    size_t off = 0;
    auto back = ReadCompactSize(out, off);
    ASSERT_TRUE(back.ok()) << v;
    EXPECT_EQ(*back, v);
    EXPECT_EQ(off, out.size());
  }
}

TEST(ParamsTest, GenesisBlocksAreValid) {
  for (const ChainParams* p : {&ChainParams::Lab(), &ChainParams::Regtest()}) {
    EXPECT_TRUE(CheckProofOfWork(p->genesis.header, *p).ok()) << p->name;
    EXPECT_EQ(p->genesis.header.merkle_root, BlockMerkleRoot(p->genesis));
    EXPECT_EQ(p->genesis_hash, p->genesis.Hash());
    EXPECT_EQ(p->genesis.header.bits, p->pow_limit_bits);
  }
  EXPECT_NE(ChainParams::Lab().genesis_hash, ChainParams::Regtest().genesis_hash);
  EXPECT_EQ(ChainParams::ByName("lab").value(), &ChainParams::Lab());
  EXPECT_FALSE(ChainParams::ByName("main").ok());
}

}  // namespace
}  // namespace mw::chain
