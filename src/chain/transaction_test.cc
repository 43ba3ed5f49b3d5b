#include "chain/transaction.h"

#include <gtest/gtest.h>

#include "chain/test_util.h"
#include "chain/validation.h"
#include "proto/stratum/v1_job.h"

namespace mw::chain {
namespace {

using testing::KeyFromByte;

TEST(TransactionTest, TransferRoundTripAndSize) {
  const KeyPair payer = KeyFromByte(1), payee = KeyFromByte(2);
  auto tx = MakeTransfer(payer, payee.pubkey(), 1234, 56, 7, AsBytes("rent"));
  ASSERT_TRUE(tx.ok());
  const Bytes enc = EncodeTx(*tx);
  EXPECT_EQ(enc.size(), kTransferFixedBytes + 4);
  EXPECT_EQ(enc.size(), EncodedTxSize(*tx));
  EXPECT_EQ(enc[0], 0x01);
  EXPECT_EQ(ReadLE64(enc.data() + 65), 1234u);  // amount after kind, payer, payee
  auto back = DecodeTx(enc);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *tx);
  EXPECT_TRUE(VerifyTransferSignature(*back));
  EXPECT_TRUE(CheckTransaction(*back).ok());
}

TEST(TransactionTest, TxidCoversSignatureSighashDoesNot) {
  const KeyPair payer = KeyFromByte(1), payee = KeyFromByte(2);
  auto tx = MakeTransfer(payer, payee.pubkey(), 10, 1, 0).value();
  Transaction other = tx;
  ASSERT_TRUE(SignTransfer(other, payer).ok());  // fresh aux randomness -> new signature
  EXPECT_NE(other.signature, tx.signature);
  EXPECT_EQ(SigHash(other), SigHash(tx));
  EXPECT_NE(TxId(other), TxId(tx));
  EXPECT_EQ(TxId(tx), Sha256d(EncodeTx(tx)));
  Bytes unsigned_bytes = EncodeTx(tx);
  unsigned_bytes.resize(unsigned_bytes.size() - 64);
  EXPECT_EQ(SigHash(tx), Sha256d(unsigned_bytes));
}

TEST(TransactionTest, TamperedTransferFailsSignature) {
  const KeyPair payer = KeyFromByte(1), payee = KeyFromByte(2);
  auto tx = MakeTransfer(payer, payee.pubkey(), 10, 1, 0).value();
  tx.amount = 11;
  EXPECT_EQ(CheckTransaction(tx).reason(), Reject::kBadSignature);
}

TEST(TransactionTest, CoinbaseRoundTrip) {
  const Transaction cb = MakeCoinbase(42, KeyFromByte(3).pubkey(), 5000, AsBytes("tag"));
  const Bytes enc = EncodeTx(cb);
  EXPECT_EQ(enc.size(), kCoinbaseFixedBytes + 3);
  auto back = DecodeTx(enc);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, cb);
  EXPECT_TRUE(back->IsCoinbase());
  EXPECT_EQ(SigHash(cb), TxId(cb));
}

TEST(TransactionTest, DecoderIsStrict) {
  const KeyPair payer = KeyFromByte(1), payee = KeyFromByte(2);
  const Bytes enc = EncodeTx(MakeTransfer(payer, payee.pubkey(), 1, 1, 0, AsBytes("m")).value());
  for (size_t n = 0; n < enc.size(); ++n) {
    EXPECT_FALSE(DecodeTx(ByteSpan(enc).first(n)).ok()) << "prefix " << n;
  }
  Bytes trailing = enc;
  trailing.push_back(0);
  EXPECT_NE(DecodeTx(trailing).status().message().find("trailing"), std::string::npos);
  Bytes bad_kind = enc;
  bad_kind[0] = 7;
  EXPECT_NE(DecodeTx(bad_kind).status().message().find("unknown kind"), std::string::npos);
  Bytes long_memo = enc;
  long_memo[1 + 32 + 32 + 24] = uint8_t(kMaxMemoBytes + 1);
  EXPECT_NE(DecodeTx(long_memo).status().message().find("memo longer"), std::string::npos);
  EXPECT_FALSE(MakeTransfer(payer, payee.pubkey(), 1, 1, 0, Bytes(kMaxMemoBytes + 1, 'x')).ok());
  Bytes cb = EncodeTx(MakeCoinbase(1, payee.pubkey(), 1, {}));
  cb[5] = uint8_t(kMaxCoinbaseExtraBytes + 1);
  EXPECT_NE(DecodeTx(cb).status().message().find("extra longer"), std::string::npos);
}

TEST(TransactionTest, StratumSplitRoundTrip) {
  const PubKey payout = KeyFromByte(4).pubkey();
  const Bytes tag = {'p', 'o', 'o', 'l'};
  auto parts = SplitCoinbase(77, payout, 5'000'000'000, tag, 8);
  ASSERT_TRUE(parts.ok());
  const Bytes en1 = {0xde, 0xad, 0xbe, 0xef}, en2 = {1, 2, 3, 4};
  stratum::V1Job job;
  job.coinb1 = parts->coinb1;
  job.coinb2 = parts->coinb2;
  const Bytes coinbase = stratum::BuildCoinbase(job, en1, en2);
  auto parsed = ParseCoinbase(coinbase);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->height, 77u);
  EXPECT_EQ(parsed->payee, payout);
  EXPECT_EQ(parsed->amount, 5'000'000'000u);
  EXPECT_EQ(parsed->extra, (Bytes{'p', 'o', 'o', 'l', 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4}));
  EXPECT_EQ(TxId(*parsed), Sha256d(coinbase));
  EXPECT_FALSE(SplitCoinbase(1, payout, 1, Bytes(90, 0), 11).ok());
  EXPECT_TRUE(SplitCoinbase(1, payout, 1, Bytes(90, 0), 10).ok());
  const KeyPair payer = KeyFromByte(1);
  EXPECT_FALSE(ParseCoinbase(EncodeTx(MakeTransfer(payer, payout, 1, 1, 0).value())).ok());
}

}  // namespace
}  // namespace mw::chain
