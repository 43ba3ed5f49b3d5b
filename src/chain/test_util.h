// Helpers for the chain tests only (not part of the library): deterministic keys, mining a
// template on regtest/lab targets, temporary data directories.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>

#include "chain/block_template.h"
#include "chain/keys.h"
#include "core/header_hasher.h"
#include "core/target.h"

namespace mw::chain::testing {

inline KeyPair KeyFromByte(uint8_t b) {
  std::array<uint8_t, 32> secret{};
  secret[31] = b;
  secret[0] = 0x11;
  return KeyPair::FromSecret(secret).value();
}

// Finds a nonce for `header` at its own bits (portable-speed search; regtest needs ~2 hashes,
// the lab pow limit ~65k). Returns false if none in 2^32.
inline bool MineHeader(BlockHeader& header) {
  auto target = TargetFromCompact(header.bits);
  if (!target.ok()) return false;
  auto hasher = HeaderHasher::Create(header.Encode()).value();
  std::vector<HeaderHasher::Found> found;
  uint64_t chunk = 64;  // small first: regtest blocks need ~2 hashes
  for (uint64_t first = 0; first < (uint64_t{1} << 32); first += chunk, chunk = std::min<uint64_t>(chunk * 2, 1 << 20)) {
    hasher.Scan(uint32_t(first), uint32_t(std::min<uint64_t>(chunk, (uint64_t{1} << 32) - first)), *target, found);
    if (!found.empty()) {
      header.nonce = found[0].nonce;
      return true;
    }
  }
  return false;
}

// A nonce whose hash does NOT meet the header's target.
inline void BreakPow(BlockHeader& header) {
  auto target = TargetFromCompact(header.bits).value();
  for (header.nonce = 0;; ++header.nonce) {
    if (!HashMeetsTarget(header.Hash(), target)) return;
  }
}

inline void Remine(Block& block) {
  block.header.merkle_root = BlockMerkleRoot(block);
  ASSERT_TRUE(MineHeader(block.header));
}

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("mw_chain_test_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace mw::chain::testing
