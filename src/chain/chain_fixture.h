// Test fixture for Chain tests (tests only): a regtest chain in a temporary datadir with a fake
// clock, and helpers to build and mine blocks on any parent.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "chain/chain.h"
#include "chain/test_util.h"

namespace mw::chain::testing {

class ChainFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.SetNowMicros(int64_t(params().genesis.header.time + 1000) * 1'000'000);
    Reopen();
  }
  virtual const ChainParams& params() const { return ChainParams::Regtest(); }
  void Reopen() {
    chain_.reset();
    ChainOptions opts;
    opts.env = &env_;
    auto c = Chain::Open(params(), dir_.path(), opts);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    chain_ = std::move(c).value();
  }

  // A mined block on `prev` at `height` paying subsidy + fees of `txs` to `payout`. `tag`
  // distinguishes otherwise identical blocks of two branches.
  Block BuildOn(const Hash256& prev, uint32_t height, const PubKey& payout,
                std::vector<Transaction> txs = {}, std::string_view tag = "") {
    BlockTemplate t;
    t.version = params().block_version;
    t.height = height;
    t.prev_hash = prev;
    t.bits = params().pow_limit_bits;
    const auto header = chain_->HeaderByHash(prev);
    t.time = header ? header->time + 1 : 0;
    t.txs = std::move(txs);
    for (const auto& tx : t.txs) {
      t.txids.push_back(TxId(tx));
      t.total_fees += tx.fee;
    }
    t.coinbase_value = params().subsidy + t.total_fees;
    Block b = t.Assemble(t.MakeCoinbase(payout, AsBytes(tag)), t.time, 0);
    EXPECT_TRUE(MineHeader(b.header));
    return b;
  }
  // The next block on the tip from the chain's own template (mempool transfers included).
  Block NextFromTemplate(const PubKey& payout) {
    const BlockTemplate t = chain_->CreateTemplate();
    Block b = t.Assemble(t.MakeCoinbase(payout, {}), t.time, 0);
    EXPECT_TRUE(MineHeader(b.header));
    return b;
  }
  BlockOutcome Submit(const Block& b) {
    env_.AdvanceMicros(1'000'000);
    return chain_->AcceptBlock(b);
  }
  // Mines `n` template blocks to `payout`, each must connect.
  void MineBlocks(size_t n, const PubKey& payout) {
    for (size_t i = 0; i < n; ++i) {
      auto out = Submit(NextFromTemplate(payout));
      ASSERT_TRUE(out.verdict.ok()) << out.verdict.ToString();
    }
  }
  // A block on the tip with exactly `txs`, already mined; `edit` runs before mining.
  template <typename Edit>
  Block TipBlock(std::vector<Transaction> txs, Edit edit) {
    const TipInfo tip = chain_->Tip();
    Block b = BuildOn(tip.hash, tip.height + 1, miner_.pubkey(), std::move(txs));
    edit(b);
    return b;
  }
  Block TipBlock(std::vector<Transaction> txs = {}) {
    return TipBlock(std::move(txs), [](Block&) {});
  }

  FakeEnv env_;
  TempDir dir_;
  std::unique_ptr<Chain> chain_;
  const KeyPair miner_ = KeyFromByte(1);
  const KeyPair alice_ = KeyFromByte(2);
  const KeyPair bob_ = KeyFromByte(3);
};

}  // namespace mw::chain::testing
