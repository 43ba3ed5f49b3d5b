#include "chain/mempool.h"

#include <gtest/gtest.h>

#include "chain/test_util.h"

namespace mw::chain {
namespace {

using testing::KeyFromByte;

class MempoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_.Set(a_.pubkey(), Account{1'000'000, 0});
    ledger_.Set(b_.pubkey(), Account{1'000'000, 5});
  }
  Transaction Pay(const KeyPair& from, uint64_t fee, uint64_t nonce, size_t memo = 0) {
    return MakeTransfer(from, c_.pubkey(), 100, fee, nonce, Bytes(memo, 'm')).value();
  }
  Ledger ledger_;
  const KeyPair a_ = KeyFromByte(1), b_ = KeyFromByte(2), c_ = KeyFromByte(3);
};

TEST_F(MempoolTest, FeeRateUsesEncodedSize) {
  Mempool pool;
  // Same fee, but the long memo makes b's fee rate lower.
  const auto short_tx = Pay(a_, 100, 0);
  const auto long_tx = Pay(b_, 100, 5, kMaxMemoBytes);
  ASSERT_TRUE(pool.Add(long_tx, ledger_).ok());
  ASSERT_TRUE(pool.Add(short_tx, ledger_).ok());
  const auto selected = pool.Select(1'000'000);
  ASSERT_EQ(selected.size(), 2u);
  EXPECT_EQ(selected[0], short_tx);
  // Only room for one: the better fee rate wins.
  const auto one = pool.Select(EncodedTxSize(short_tx));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], short_tx);
  EXPECT_TRUE(pool.Select(10).empty());
}

TEST_F(MempoolTest, NonceChainsAndLimits) {
  Mempool pool(2);
  ASSERT_TRUE(pool.Add(Pay(a_, 1, 0), ledger_).ok());
  EXPECT_EQ(pool.Add(Pay(a_, 1, 2), ledger_).reason(), Reject::kBadNonceOrder);
  ASSERT_TRUE(pool.Add(Pay(a_, 1, 1), ledger_).ok());
  EXPECT_EQ(pool.NextNonce(a_.pubkey(), ledger_), 2u);
  EXPECT_EQ(pool.PendingSpend(a_.pubkey()), 202u);
  EXPECT_EQ(pool.Add(Pay(b_, 1, 5), ledger_).reason(), Reject::kMempoolFull);
  EXPECT_EQ(pool.Add(Pay(b_, 1, 4), ledger_).reason(), Reject::kDoubleSpend);
  EXPECT_EQ(pool.Add(MakeCoinbase(1, a_.pubkey(), 1, {}), ledger_).reason(), Reject::kBadCoinbase);
}

TEST_F(MempoolTest, RevalidateDropsWhatNoLongerApplies) {
  Mempool pool;
  const auto t0 = Pay(a_, 1, 0), t1 = Pay(a_, 1, 1);
  ASSERT_TRUE(pool.Add(t0, ledger_).ok());
  ASSERT_TRUE(pool.Add(t1, ledger_).ok());
  // t0 confirmed: a's next nonce is 1 now.
  ledger_.Set(a_.pubkey(), Account{999'899, 1});
  EXPECT_EQ(pool.Revalidate(ledger_), 1u);
  EXPECT_FALSE(pool.Find(TxId(t0)).has_value());
  EXPECT_TRUE(pool.Find(TxId(t1)).has_value());
  // Disconnected again: t0 returns ahead of t1.
  ledger_.Set(a_.pubkey(), Account{1'000'000, 0});
  pool.Revalidate(ledger_, {t0});
  EXPECT_EQ(pool.size(), 2u);
  EXPECT_EQ(pool.All(), (std::vector<Transaction>{t0, t1}));
}

}  // namespace
}  // namespace mw::chain
