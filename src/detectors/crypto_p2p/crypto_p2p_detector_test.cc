#include "detectors/crypto_p2p/crypto_p2p_detector.h"

#include <gtest/gtest.h>

namespace mw::detectors {
namespace {

TEST(CryptoP2pDetector, BitcoinVersionMessageIsCurrencyNotMining) {
  FlowRecord r;
  r.ip_proto = 6;
  r.head[0] = std::string("\xf9\xbe\xb4\xd9" "version\0\0\0\0\0" "\x66\0\0\0", 20);
  CryptoP2pDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].category, "Crypto Currency");
  EXPECT_EQ(out[0].severity, 3);
  EXPECT_NE(out[0].evidence[0].find("\"version\""), std::string::npos);
}

TEST(CryptoP2pDetector, MoneroLevin) {
  FlowRecord r;
  r.ip_proto = 6;
  r.head[1] = std::string("\x01\x21\x01\x01\x01\x01\x01\x01\x10\x00", 10);
  CryptoP2pDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].signature_id, sid::kMoneroP2p);
}

TEST(CryptoP2pDetector, OtherBytesAreQuiet) {
  FlowRecord r;
  r.ip_proto = 6;
  r.head[0] = "GET / HTTP/1.1\r\n";
  CryptoP2pDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace mw::detectors
