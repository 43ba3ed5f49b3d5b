// The worked Stratum V1 jobs of ../shared/docs/protocols.md, for tests of everything that builds
// headers from jobs (the codec's job assembly, the pool's share check): V3, a real pool job with a
// 13-step merkle branch, and V4, the genesis coinbase split around an 8-byte extranonce.
#ifndef MW_PROTO_STRATUM_V1_JOB_VECTORS_H_
#define MW_PROTO_STRATUM_V1_JOB_VECTORS_H_

#include <string>
#include <vector>

#include "proto/stratum/v1_job.h"

namespace mw::stratum::vectors {

// Job V3 as its pool sent it (clean_jobs as given).
inline Result<V1Job> JobV3(bool clean_jobs) {
  const std::vector<std::string> branch = {
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
  return V1JobFromHex(
      "v3", "0c859545a3498373a57452fac22eb7113df2a465000543520000000000000000",
      "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4b0389"
      "130cfabe6d6d5cbab26a2599e92916edec5657a94a0708ddb970f5c45b5d12905085617eff8e",
      "31650707758de07b010000000000001cfd7038212f736c7573682f000000000379ad0c2a000000001976a914"
      "7c154ed1dc59609e3d26abb2df2ea3d587cd8c4188ac00000000000000002c6a4c2952534b424c4f434b3ae7"
      "25d3994b811572c1f345deb98b56b465ef8e153ecbbd27fa37bf1b005161380000000000000000266a24aa21"
      "a9ed63b06a7946b190a3fda1d76165b25c9b883bcc6621b040773050ee2a1bb18f1800000000",
      branch, "20000004", "1705ae3a", "647025b5", clean_jobs);
}

// The genesis block's coinbase (hex); V4 splits it after 43 bytes, with extranonce1 ffff001d and
// extranonce2 01044554 in between.
inline constexpr char kGenesisCoinbaseHex[] =
    "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ff"
    "ff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272"
    "696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000"
    "434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f3"
    "5504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000";
inline constexpr size_t kGenesisCoinb1HexChars = 86;  // 43 bytes

// Job V4: the genesis block as a Stratum job.
inline Result<V1Job> JobV4() {
  const std::string coinbase = kGenesisCoinbaseHex;
  return V1JobFromHex("genesis", std::string(64, '0'), coinbase.substr(0, kGenesisCoinb1HexChars),
                      coinbase.substr(kGenesisCoinb1HexChars + 16), {}, "00000001", "1d00ffff",
                      "495fab29", true);
}

}  // namespace mw::stratum::vectors

#endif  // MW_PROTO_STRATUM_V1_JOB_VECTORS_H_
