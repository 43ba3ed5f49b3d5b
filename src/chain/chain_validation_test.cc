// Every named rejection reason, produced through the Chain's public entry points.
#include <gtest/gtest.h>

#include "chain/chain_fixture.h"

namespace mw::chain {
namespace {

class ChainValidationTest : public testing::ChainFixture {
 protected:
  void SetUp() override {
    ChainFixture::SetUp();
    MineBlocks(3, miner_.pubkey());  // height 3: the height-1 coinbase has matured
    ASSERT_EQ(chain_->Balance(miner_.pubkey()), params().subsidy);
  }
  Transaction Pay(const KeyPair& from, const KeyPair& to, uint64_t amount, uint64_t fee,
                  uint64_t nonce) {
    return MakeTransfer(from, to.pubkey(), amount, fee, nonce).value();
  }
  Reject BlockReason(const Block& b) { return Submit(b).verdict.reason(); }
};

TEST_F(ChainValidationTest, GoodTransferConnects) {
  const auto tx = Pay(miner_, alice_, 1000, 10, 0);
  EXPECT_TRUE(chain_->AcceptTx(tx).ok());
  auto out = Submit(NextFromTemplate(bob_.pubkey()));
  ASSERT_TRUE(out.verdict.ok()) << out.verdict.ToString();
  EXPECT_EQ(chain_->Balance(alice_.pubkey()), 1000u);
  // Height 4 also matured the height-2 coinbase.
  EXPECT_EQ(chain_->Balance(miner_.pubkey()), 2 * params().subsidy - 1010);
  EXPECT_EQ(chain_->Account(miner_.pubkey()).next_nonce, 1u);
  EXPECT_EQ(chain_->Account(bob_.pubkey()).immature, params().subsidy + 10);
  auto found = chain_->FindTx(TxId(tx));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->height, 4u);
  EXPECT_EQ(found->confirmations, 1u);
  MineBlocks(1, bob_.pubkey());
  EXPECT_EQ(chain_->FindTx(TxId(tx))->confirmations, 2u);
}

TEST_F(ChainValidationTest, BadPow) {
  Block b = TipBlock({}, [](Block& blk) { testing::BreakPow(blk.header); });
  EXPECT_EQ(BlockReason(b), Reject::kBadPow);
}

TEST_F(ChainValidationTest, BadMerkleRoot) {
  Block b = TipBlock({}, [](Block& blk) {
    blk.header.merkle_root[0] ^= 1;
    ASSERT_TRUE(testing::MineHeader(blk.header));
  });
  EXPECT_EQ(BlockReason(b), Reject::kBadMerkleRoot);
}

TEST_F(ChainValidationTest, BadSignature) {
  Transaction tx = Pay(miner_, alice_, 5, 1, 0);
  tx.signature[3] ^= 0x40;
  EXPECT_EQ(chain_->AcceptTx(tx).reason(), Reject::kBadSignature);
  EXPECT_EQ(BlockReason(TipBlock({tx})), Reject::kBadSignature);
}

TEST_F(ChainValidationTest, DoubleSpend) {
  const auto tx = Pay(miner_, alice_, 5, 1, 0);
  ASSERT_TRUE(chain_->AcceptTx(tx).ok());
  // Same payer nonce pending.
  EXPECT_EQ(chain_->AcceptTx(Pay(miner_, bob_, 6, 1, 0)).reason(), Reject::kDoubleSpend);
  // Same payer nonce twice in one block.
  EXPECT_EQ(BlockReason(TipBlock({tx, Pay(miner_, bob_, 6, 1, 0)})), Reject::kDoubleSpend);
  // Confirmed, then offered again (same tx and a new one with the used nonce).
  ASSERT_TRUE(Submit(NextFromTemplate(miner_.pubkey())).verdict.ok());
  EXPECT_EQ(chain_->AcceptTx(tx).reason(), Reject::kDoubleSpend);
  EXPECT_EQ(chain_->AcceptTx(Pay(miner_, bob_, 7, 1, 0)).reason(), Reject::kDoubleSpend);
  EXPECT_EQ(BlockReason(TipBlock({tx})), Reject::kDoubleSpend);
}

TEST_F(ChainValidationTest, Overspend) {
  const uint64_t all = chain_->Balance(miner_.pubkey());
  EXPECT_EQ(chain_->AcceptTx(Pay(miner_, alice_, all, 1, 0)).reason(), Reject::kOverspend);
  EXPECT_EQ(BlockReason(TipBlock({Pay(miner_, alice_, all, 1, 0)})), Reject::kOverspend);
  // Pending transfers count: two halves plus fees do not fit.
  ASSERT_TRUE(chain_->AcceptTx(Pay(miner_, alice_, all / 2, 0, 0)).ok());
  EXPECT_EQ(chain_->AcceptTx(Pay(miner_, alice_, all / 2, 1, 1)).reason(), Reject::kOverspend);
  EXPECT_EQ(chain_->AcceptTx(Pay(miner_, alice_, UINT64_MAX, 1, 1)).reason(), Reject::kOverspend);
}

TEST_F(ChainValidationTest, UnknownPayer) {
  EXPECT_EQ(chain_->AcceptTx(Pay(alice_, bob_, 1, 1, 0)).reason(), Reject::kUnknownPayer);
  EXPECT_EQ(BlockReason(TipBlock({Pay(alice_, bob_, 1, 1, 0)})), Reject::kUnknownPayer);
}

TEST_F(ChainValidationTest, BadNonceOrder) {
  EXPECT_EQ(chain_->AcceptTx(Pay(miner_, alice_, 1, 1, 1)).reason(), Reject::kBadNonceOrder);
  EXPECT_EQ(BlockReason(TipBlock({Pay(miner_, alice_, 1, 1, 1)})), Reject::kBadNonceOrder);
  // Out of order inside a block.
  EXPECT_EQ(BlockReason(TipBlock({Pay(miner_, alice_, 1, 1, 1), Pay(miner_, alice_, 1, 1, 0)})),
            Reject::kBadNonceOrder);
}

TEST_F(ChainValidationTest, WrongCoinbaseAmount) {
  Block b = TipBlock({Pay(miner_, alice_, 1, 7, 0)}, [](Block& blk) {
    blk.txs[0].amount -= 7;  // forgot the fees
    testing::Remine(blk);
  });
  EXPECT_EQ(BlockReason(b), Reject::kBadCoinbaseAmount);
  Block more = TipBlock({}, [](Block& blk) {
    blk.txs[0].amount += 1;
    testing::Remine(blk);
  });
  EXPECT_EQ(BlockReason(more), Reject::kBadCoinbaseAmount);
}

TEST_F(ChainValidationTest, TimeTooFarAhead) {
  const int64_t now_s = env_.NowMicros() / 1'000'000 + 1;  // Submit advances 1 s
  Block b = TipBlock({}, [&](Block& blk) {
    blk.header.time = uint32_t(now_s + params().max_future_block_time_s + 1);
    ASSERT_TRUE(testing::MineHeader(blk.header));
  });
  EXPECT_EQ(BlockReason(b), Reject::kTimeTooNew);
  Block ok = TipBlock({}, [&](Block& blk) {
    blk.header.time = uint32_t(now_s + params().max_future_block_time_s);
    ASSERT_TRUE(testing::MineHeader(blk.header));
  });
  EXPECT_TRUE(Submit(ok).verdict.ok());
}

TEST_F(ChainValidationTest, TimeNotAfterMedianTimePast) {
  const uint32_t mtp = chain_->Tip().median_time_past;
  Block b = TipBlock({}, [&](Block& blk) {
    blk.header.time = mtp;
    ASSERT_TRUE(testing::MineHeader(blk.header));
  });
  EXPECT_EQ(BlockReason(b), Reject::kTimeTooOld);
  Block ok = TipBlock({}, [&](Block& blk) {
    blk.header.time = mtp + 1;
    ASSERT_TRUE(testing::MineHeader(blk.header));
  });
  EXPECT_TRUE(Submit(ok).verdict.ok());
}

TEST_F(ChainValidationTest, OversizeBlock) {
  // Signatures are not needed: size is checked before them.
  std::vector<Transaction> txs;
  Transaction filler = Pay(miner_, alice_, 1, 0, 0);
  filler.memo.assign(kMaxMemoBytes, 'x');
  for (size_t i = 0; i * (kTransferFixedBytes + kMaxMemoBytes) <= params().max_block_bytes; ++i) {
    filler.nonce = i;
    txs.push_back(filler);
  }
  EXPECT_EQ(BlockReason(TipBlock(txs)), Reject::kOversize);
}

TEST_F(ChainValidationTest, DuplicateTransaction) {
  const auto tx = Pay(miner_, alice_, 1, 1, 0);
  EXPECT_EQ(BlockReason(TipBlock({tx, tx})), Reject::kDuplicateTx);
  ASSERT_TRUE(chain_->AcceptTx(tx).ok());
  EXPECT_EQ(chain_->AcceptTx(tx).reason(), Reject::kDuplicateTx);
}

TEST_F(ChainValidationTest, BadPrevAndOrphan) {
  BlockHeader h = chain_->Tip().header;
  h.prev_hash[0] ^= 1;
  EXPECT_EQ(chain_->AcceptHeader(h).reason(), Reject::kBadPrev);

  // Child first: kept as orphan, connected when the parent arrives.
  const TipInfo tip = chain_->Tip();
  Block parent = BuildOn(tip.hash, tip.height + 1, miner_.pubkey());
  Block child;
  {
    // Build the child by hand on the not-yet-known parent.
    BlockTemplate t;
    t.height = tip.height + 2;
    t.prev_hash = parent.Hash();
    t.bits = params().pow_limit_bits;
    t.coinbase_value = params().subsidy;
    child = t.Assemble(t.MakeCoinbase(miner_.pubkey(), {}), parent.header.time + 1, 0);
    ASSERT_TRUE(testing::MineHeader(child.header));
  }
  auto orphan = Submit(child);
  EXPECT_EQ(orphan.verdict.reason(), Reject::kOrphan);
  EXPECT_EQ(orphan.missing_parent, parent.Hash());
  EXPECT_EQ(chain_->Height(), tip.height);
  auto connected = Submit(parent);
  ASSERT_TRUE(connected.verdict.ok()) << connected.verdict.ToString();
  EXPECT_EQ(connected.connected, 2u);
  EXPECT_EQ(chain_->Height(), tip.height + 2);
  EXPECT_EQ(chain_->BestHash(), child.Hash());
}

TEST_F(ChainValidationTest, BadPrevForChildOfInvalidBlock) {
  // An invalid block (overspend) that passes the static checks is stored, fails to connect and
  // is marked invalid; its child is refused as bad-prev.
  const uint64_t all = chain_->Balance(miner_.pubkey());
  Block bad = TipBlock({Pay(miner_, alice_, all, 5, 0)});
  EXPECT_EQ(BlockReason(bad), Reject::kOverspend);
  BlockTemplate t;
  t.height = chain_->Height() + 2;
  t.prev_hash = bad.Hash();
  t.bits = params().pow_limit_bits;
  t.coinbase_value = params().subsidy;
  Block child = t.Assemble(t.MakeCoinbase(miner_.pubkey(), {}), bad.header.time + 1, 0);
  ASSERT_TRUE(testing::MineHeader(child.header));
  EXPECT_EQ(BlockReason(child), Reject::kBadPrev);
  EXPECT_EQ(chain_->AcceptHeader(child.header).reason(), Reject::kBadPrev);
}

TEST_F(ChainValidationTest, BadBits) {
  Block b = TipBlock({}, [](Block& blk) {
    blk.header.bits = 0x1f7fffff;  // harder than regtest requires: valid pow, wrong bits
    ASSERT_TRUE(testing::MineHeader(blk.header));
  });
  EXPECT_EQ(BlockReason(b), Reject::kBadBits);
  EXPECT_EQ(chain_->AcceptHeader(b.header).reason(), Reject::kBadBits);
}

TEST_F(ChainValidationTest, BadCoinbaseHeight) {
  Block b = TipBlock({}, [](Block& blk) {
    blk.txs[0].height += 1;
    testing::Remine(blk);
  });
  EXPECT_EQ(BlockReason(b), Reject::kBadCoinbaseHeight);
}

TEST_F(ChainValidationTest, BadCoinbasePlacement) {
  Block none = TipBlock({Pay(miner_, alice_, 1, 0, 0)}, [](Block& blk) {
    blk.txs.erase(blk.txs.begin());
    testing::Remine(blk);
  });
  EXPECT_EQ(BlockReason(none), Reject::kBadCoinbase);
  Block two = TipBlock({}, [](Block& blk) {
    blk.txs.push_back(MakeCoinbase(blk.txs[0].height, blk.txs[0].payee, 0, AsBytes("2")));
    testing::Remine(blk);
  });
  EXPECT_EQ(BlockReason(two), Reject::kBadCoinbase);
}

TEST_F(ChainValidationTest, MalformedEncoding) {
  Bytes bytes = EncodeBlock(TipBlock());
  bytes.push_back(0);
  EXPECT_EQ(chain_->AcceptBlockBytes(bytes).verdict.reason(), Reject::kMalformed);
  bytes.pop_back();
  EXPECT_TRUE(chain_->AcceptBlockBytes(bytes).verdict.ok());
  EXPECT_EQ(chain_->AcceptBlockBytes(bytes).verdict.reason(), Reject::kDuplicateBlock);
  EXPECT_EQ(chain_->AcceptTxBytes(Bytes{1, 2, 3}).reason(), Reject::kMalformed);
  EXPECT_TRUE(chain_->AcceptTxBytes(EncodeTx(Pay(miner_, alice_, 1, 1, 0))).ok());
}

TEST_F(ChainValidationTest, RejectNamesAreDistinct) {
  std::set<std::string_view> names;
  for (int r = 0; r <= int(Reject::kStorage); ++r) names.insert(RejectName(Reject(r)));
  EXPECT_EQ(names.size(), size_t(Reject::kStorage) + 1);
  EXPECT_EQ(Verdict(Reject::kBadPow, "x").ToString(), "bad-pow: x");
}

}  // namespace
}  // namespace mw::chain
