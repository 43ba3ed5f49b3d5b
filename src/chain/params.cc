#include "chain/params.h"

namespace mw::chain {
namespace {

constexpr uint32_t kGenesisTime = 1764460800;  // 2025-11-30 00:00:00 UTC
// Found by scanning nonces from 0 (params_test re-checks the proof of work).
constexpr uint32_t kLabGenesisNonce = 24065;
constexpr uint32_t kRegtestGenesisNonce = 0;

// The genesis coinbase pays nothing to the all-zero key (not a curve point, so unspendable).
Block MakeGenesis(uint32_t bits, uint32_t nonce, std::string_view message) {
  Block b;
  b.txs.push_back(MakeCoinbase(0, PubKey{}, 0, AsBytes(message)));
  b.header.version = 1;
  b.header.time = kGenesisTime;
  b.header.bits = bits;
  b.header.nonce = nonce;
  b.header.merkle_root = BlockMerkleRoot(b);
  return b;
}

ChainParams MakeLab() {
  ChainParams p;
  p.name = "lab";
  p.target_spacing_s = 2;
  p.retarget_window = 10;
  p.max_step_factor = 4;
  p.no_retarget = false;
  p.pow_limit_bits = 0x1f00ffff;
  p.subsidy = 50'0000'0000;
  p.coinbase_maturity = 10;
  p.max_block_bytes = 1'000'000;
  p.max_future_block_time_s = 60;
  p.genesis = MakeGenesis(p.pow_limit_bits, kLabGenesisNonce, "minelab lab genesis");
  p.genesis_hash = p.genesis.Hash();
  return p;
}

ChainParams MakeRegtest() {
  ChainParams p;
  p.name = "regtest";
  p.target_spacing_s = 2;
  p.retarget_window = 10;
  p.max_step_factor = 4;
  p.no_retarget = true;
  p.pow_limit_bits = 0x207fffff;
  p.subsidy = 50'0000'0000;
  p.coinbase_maturity = 2;
  p.max_block_bytes = 100'000;
  p.max_future_block_time_s = 60;
  p.genesis = MakeGenesis(p.pow_limit_bits, kRegtestGenesisNonce, "minelab regtest genesis");
  p.genesis_hash = p.genesis.Hash();
  return p;
}

}  // namespace

const ChainParams& ChainParams::Lab() {
  static const ChainParams params = MakeLab();
  return params;
}

const ChainParams& ChainParams::Regtest() {
  static const ChainParams params = MakeRegtest();
  return params;
}

Result<const ChainParams*> ChainParams::ByName(std::string_view name) {
  if (name == "lab") return &Lab();
  if (name == "regtest") return &Regtest();
  return Status::NotFound("unknown network '" + std::string(name) + "' (lab, regtest)");
}

}  // namespace mw::chain
