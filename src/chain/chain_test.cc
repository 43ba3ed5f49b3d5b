// Chain: reorganisation, restart, header-first sync, templates, and lab-network mining through
// a Stratum-style coinbase split.
#include "chain/chain.h"

#include <gtest/gtest.h>

#include "chain/chain_fixture.h"
#include "chain/pow.h"
#include "proto/stratum/v1_job.h"

namespace mw::chain {
namespace {

class ChainTest : public testing::ChainFixture {};

TEST_F(ChainTest, OpensAtGenesis) {
  EXPECT_EQ(chain_->Height(), 0u);
  EXPECT_EQ(chain_->BestHash(), params().genesis_hash);
  EXPECT_EQ(chain_->BlockByHeight(0).value(), params().genesis);
  EXPECT_EQ(chain_->Tip().chain_work, BlockWork(params().pow_limit_bits));
}

TEST_F(ChainTest, RefusesDatadirOfAnotherNetwork) {
  chain_.reset();
  ChainOptions opts;
  opts.env = &env_;
  auto other = Chain::Open(ChainParams::Lab(), dir_.path(), opts);
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ChainTest, HeavierBranchWinsAndStateFollows) {
  MineBlocks(3, miner_.pubkey());  // common prefix; miner has one matured subsidy
  const TipInfo fork = chain_->Tip();
  const auto tx = MakeTransfer(miner_, alice_.pubkey(), 1000, 10, 0).value();
  ASSERT_TRUE(chain_->AcceptTx(tx).ok());

  // Branch A: one block with the transfer.
  const Block a4 = BuildOn(fork.hash, 4, miner_.pubkey(), {tx}, "A");
  ASSERT_TRUE(Submit(a4).verdict.ok());
  EXPECT_EQ(chain_->Balance(alice_.pubkey()), 1000u);
  EXPECT_EQ(chain_->MempoolSize(), 0u);

  // Branch B: equal work does not switch; more work does.
  const Block b4 = BuildOn(fork.hash, 4, bob_.pubkey(), {}, "B");
  auto tie = Submit(b4);
  EXPECT_TRUE(tie.verdict.ok());
  EXPECT_TRUE(tie.stored);
  EXPECT_FALSE(tie.tip_changed);
  EXPECT_EQ(chain_->BestHash(), a4.Hash());
  const Block b5 = BuildOn(b4.Hash(), 5, bob_.pubkey(), {}, "B");
  auto reorg = Submit(b5);
  ASSERT_TRUE(reorg.verdict.ok()) << reorg.verdict.ToString();
  EXPECT_TRUE(reorg.tip_changed);
  EXPECT_EQ(reorg.disconnected, 1u);
  EXPECT_EQ(reorg.connected, 2u);
  EXPECT_EQ(chain_->BestHash(), b5.Hash());
  // Alice's payment is undone and waits in the mempool again.
  EXPECT_FALSE(chain_->Account(alice_.pubkey()).exists);
  EXPECT_EQ(chain_->Account(miner_.pubkey()).next_nonce, 0u);
  EXPECT_EQ(chain_->MempoolSize(), 1u);
  auto pending = chain_->FindTx(TxId(tx));
  ASSERT_TRUE(pending.has_value());
  EXPECT_TRUE(pending->in_mempool);
  // Heights 4 and 5 matured the miner's height-2 and height-3 coinbases on branch B.
  EXPECT_EQ(chain_->Balance(miner_.pubkey()), 3 * params().subsidy);
  EXPECT_EQ(chain_->BestChainHeightOf(a4.Hash()), std::nullopt);
  EXPECT_EQ(chain_->BlockByHash(a4.Hash()).value(), a4);  // side branch still stored

  // Branch A grows heavier again: roll back B, roll forward A.
  const Block a5 = BuildOn(a4.Hash(), 5, miner_.pubkey(), {}, "A");
  EXPECT_FALSE(Submit(a5).tip_changed);  // tie with B
  const Block a6 = BuildOn(a5.Hash(), 6, miner_.pubkey(), {}, "A");
  auto back = Submit(a6);
  ASSERT_TRUE(back.verdict.ok()) << back.verdict.ToString();
  EXPECT_EQ(back.disconnected, 2u);
  EXPECT_EQ(back.connected, 3u);
  EXPECT_EQ(chain_->BestHash(), a6.Hash());
  EXPECT_EQ(chain_->Balance(alice_.pubkey()), 1000u);
  EXPECT_EQ(chain_->MempoolSize(), 0u);  // confirmed again on A
  EXPECT_EQ(chain_->FindTx(TxId(tx))->height, 4u);
  EXPECT_FALSE(chain_->Account(bob_.pubkey()).exists);
  EXPECT_EQ(chain_->Account(bob_.pubkey()).immature, 0u);
}

TEST_F(ChainTest, InvalidHeavierBranchLeavesTipAlone) {
  MineBlocks(3, miner_.pubkey());
  const TipInfo fork = chain_->Tip();
  MineBlocks(1, miner_.pubkey());
  const Hash256 good_tip = chain_->BestHash();
  // Side branch: a valid-looking block, then one that overspends; heavier but invalid.
  const Block s4 = BuildOn(fork.hash, 4, bob_.pubkey(), {}, "S");
  ASSERT_TRUE(Submit(s4).verdict.ok());
  const uint64_t all = chain_->Balance(miner_.pubkey());
  const auto overspend = MakeTransfer(miner_, alice_.pubkey(), all + params().subsidy, 0, 0).value();
  const Block s5 = BuildOn(s4.Hash(), 5, bob_.pubkey(), {overspend}, "S");
  auto out = Submit(s5);
  EXPECT_EQ(out.verdict.reason(), Reject::kOverspend);
  EXPECT_EQ(chain_->BestHash(), good_tip);
  EXPECT_EQ(chain_->Height(), 4u);
}

TEST_F(ChainTest, RestartKeepsTipBalancesAndIndex) {
  MineBlocks(3, miner_.pubkey());
  const auto tx = MakeTransfer(miner_, alice_.pubkey(), 777, 3, 0).value();
  ASSERT_TRUE(chain_->AcceptTx(tx).ok());
  MineBlocks(2, bob_.pubkey());
  const TipInfo before = chain_->Tip();
  const AccountInfo miner_before = chain_->Account(miner_.pubkey());
  Reopen();
  const TipInfo after = chain_->Tip();
  EXPECT_EQ(after.hash, before.hash);
  EXPECT_EQ(after.height, 5u);
  EXPECT_EQ(after.chain_work, before.chain_work);
  EXPECT_EQ(chain_->Balance(alice_.pubkey()), 777u);
  EXPECT_EQ(chain_->Account(miner_.pubkey()).balance, miner_before.balance);
  EXPECT_EQ(chain_->Account(miner_.pubkey()).next_nonce, 1u);
  EXPECT_EQ(chain_->FindTx(TxId(tx))->confirmations, 2u);
  // And it keeps going.
  MineBlocks(1, bob_.pubkey());
  EXPECT_EQ(chain_->Height(), 6u);
}

TEST_F(ChainTest, HeaderFirstSync) {
  MineBlocks(4, miner_.pubkey());
  // A second chain (another datadir) syncs by locator -> headers -> blocks.
  testing::TempDir other_dir;
  ChainOptions opts;
  opts.env = &env_;
  auto other = Chain::Open(params(), other_dir.path(), opts).value();
  const auto headers = chain_->HeadersAfterLocator(other->Locator(), Hash256{});
  ASSERT_EQ(headers.size(), 4u);
  for (const auto& h : headers) ASSERT_TRUE(other->AcceptHeader(h).ok());
  EXPECT_EQ(other->AcceptHeader(headers[0]).reason(), Reject::kDuplicateBlock);
  EXPECT_EQ(other->Height(), 0u);
  const auto wanted = other->BlocksToFetch(16);
  ASSERT_EQ(wanted.size(), 4u);
  EXPECT_EQ(wanted[0], headers[0].Hash());
  // Deliver out of order: last first.
  for (auto it = wanted.rbegin(); it != wanted.rend(); ++it) {
    (void)other->AcceptBlock(chain_->BlockByHash(*it).value());
  }
  EXPECT_EQ(other->BestHash(), chain_->BestHash());
  EXPECT_TRUE(other->BlocksToFetch(16).empty());
  // Locator of the synced chain finds the common tip: nothing more to send.
  EXPECT_TRUE(chain_->HeadersAfterLocator(other->Locator(), Hash256{}).empty());
  const auto loc = chain_->Locator();
  EXPECT_EQ(loc.front(), chain_->BestHash());
  EXPECT_EQ(loc.back(), params().genesis_hash);
}

TEST_F(ChainTest, TemplateOrdersByFeeRateKeepingNonceOrder) {
  MineBlocks(4, miner_.pubkey());  // miner has two matured subsidies
  // Fund alice so that two payers compete.
  ASSERT_TRUE(chain_->AcceptTx(MakeTransfer(miner_, alice_.pubkey(), 100000, 0, 0).value()).ok());
  MineBlocks(1, bob_.pubkey());
  ASSERT_EQ(chain_->Balance(alice_.pubkey()), 100000u);
  const auto m1 = MakeTransfer(miner_, bob_.pubkey(), 10, 5, 1).value();    // low fee first
  const auto m2 = MakeTransfer(miner_, bob_.pubkey(), 10, 900, 2).value();  // high fee, needs m1
  const auto a0 = MakeTransfer(alice_, bob_.pubkey(), 10, 300, 0).value();
  for (const auto& tx : {m1, m2, a0}) ASSERT_TRUE(chain_->AcceptTx(tx).ok());
  EXPECT_EQ(chain_->NextNonce(miner_.pubkey()), 3u);
  const BlockTemplate t = chain_->CreateTemplate();
  ASSERT_EQ(t.txs.size(), 3u);
  EXPECT_EQ(t.txs[0], a0);  // 300 beats m1's 5; m2 must wait for m1
  EXPECT_EQ(t.txs[1], m1);
  EXPECT_EQ(t.txs[2], m2);
  EXPECT_EQ(t.total_fees, 1205u);
  EXPECT_EQ(t.coinbase_value, params().subsidy + 1205);
  EXPECT_EQ(t.height, 6u);
  EXPECT_EQ(t.prev_hash, chain_->BestHash());
  EXPECT_GE(t.time, t.min_time);
  // The coinbase branch reproduces the merkle root of the assembled block.
  const Transaction cb = t.MakeCoinbase(bob_.pubkey(), AsBytes("x"));
  const Block b = t.Assemble(cb, t.time, 0);
  EXPECT_EQ(stratum::MerkleRootFromBranch(TxId(cb), t.CoinbaseBranch()), b.header.merkle_root);
  EXPECT_EQ(BlockMerkleRoot(b), b.header.merkle_root);
}

class LabChainTest : public testing::ChainFixture {
 protected:
  const ChainParams& params() const override { return ChainParams::Lab(); }
};

TEST_F(LabChainTest, PoolStyleMiningOfARealBlock) {
  const BlockTemplate t = chain_->CreateTemplate();
  EXPECT_EQ(t.bits, ChainParams::Lab().pow_limit_bits);
  auto parts = t.SplitCoinbase(miner_.pubkey(), AsBytes("/minelab-pool/"), 8);
  ASSERT_TRUE(parts.ok());
  // What a pool sends and a miner rebuilds.
  stratum::V1Job job;
  job.coinb1 = parts->coinb1;
  job.coinb2 = parts->coinb2;
  job.merkle_branch = t.CoinbaseBranch();
  job.version = t.version;
  job.nbits = t.bits;
  job.ntime = t.time;
  job.prevhash_wire = t.prev_hash;
  SwapWords32(job.prevhash_wire);
  const Bytes en1 = {0x01, 0x02, 0x03, 0x04}, en2 = {0, 0, 0, 7};
  const Bytes coinbase = stratum::BuildCoinbase(job, en1, en2);
  const Hash256 root = stratum::MerkleRootFromBranch(Sha256d(coinbase), job.merkle_branch);
  const auto header = stratum::BuildHeader(job, root, job.version, job.ntime, 0);
  auto hasher = HeaderHasher::Create(header).value();
  std::vector<HeaderHasher::Found> found;
  for (uint32_t first = 0; found.empty() && first < (1u << 26); first += 1 << 16) {
    hasher.Scan(first, 1 << 16, t.target, found);
  }
  ASSERT_FALSE(found.empty());
  // The pool turns the share into a block.
  auto cb = ParseCoinbase(coinbase);
  ASSERT_TRUE(cb.ok());
  const Block block = t.Assemble(*cb, job.ntime, found[0].nonce);
  EXPECT_EQ(block.Hash(), found[0].hash);
  auto out = chain_->AcceptBlock(block);
  ASSERT_TRUE(out.verdict.ok()) << out.verdict.ToString();
  EXPECT_EQ(chain_->Height(), 1u);
  EXPECT_EQ(chain_->Account(miner_.pubkey()).immature, ChainParams::Lab().subsidy);
}

}  // namespace
}  // namespace mw::chain
