// `minelab demo`: the mining story. Until the chain and network exist (issue 3) it shows the
// proof-of-work step on its own: a header, the target, and the nonce search, narrated.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "core/hash_selftest.h"
#include "core/header_hasher.h"
#include "core/sha256.h"
#include "core/target.h"
#include "minelab/commands.h"

namespace mw::minelab {
namespace {

int RunPowDemo(uint32_t bits) {
  Status self = RunHashSelfTest();
  if (!self.ok()) {
    std::cerr << "minelab demo: " << self.ToString() << "\n";
    return 3;
  }
  std::printf("[1/4] hashing self-test passed (mining path: %s)\n",
              std::string(HashImplName(BestHashImpl())).c_str());
  auto target = TargetFromCompact(bits);
  if (!target.ok()) return cli::UsageError("minelab demo", target.status().message());
  // A header whose merkle root commits to a message, on top of the regtest genesis block.
  Bytes header(80, 0);
  WriteLE32(header.data(), 0x20000000);
  Hash256 prev =
      FromDisplayHex("0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206").value();
  std::copy(prev.begin(), prev.end(), header.begin() + 4);
  Hash256 root = Sha256d(AsBytes("A pays B 5 coins for a book"));
  std::copy(root.begin(), root.end(), header.begin() + 36);
  WriteLE32(header.data() + 68, uint32_t(std::time(nullptr)));
  WriteLE32(header.data() + 72, bits);
  std::printf("[2/4] block template: prev %s, merkle root %s\n", ToDisplayHex(prev).c_str(),
              ToDisplayHex(root).c_str());
  std::printf("[3/4] searching nonces for a hash <= target %s (difficulty %.3g)\n",
              ToDisplayHex(*target).c_str(), DifficultyFromTarget(*target));
  auto hasher = HeaderHasher::Create(header).value();
  std::vector<HeaderHasher::Found> found;
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t hashed = 0;
  for (uint32_t start = 0; found.empty(); start += 1u << 20) {
    hashed += hasher.Scan(start, 1u << 20, *target, found);
    if (start > 0xfff00000u) break;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (found.empty()) {
    std::printf("no nonce found in the whole 32-bit range; a miner would now change the time "
                "or extranonce\n");
    return 1;
  }
  std::printf("[4/4] proof of work solved: nonce %u, hash %s after %llu hashes in %.2f s "
              "(%.2f MH/s on one thread)\n",
              found[0].nonce, ToDisplayHex(found[0].hash).c_str(),
              static_cast<unsigned long long>(hashed), secs, hashed / secs / 1e6);
  return 0;
}

}  // namespace

void AddDemoCommand(CLI::App& app, cli::Action& action) {
  CLI::App* demo = app.add_subcommand("demo", "Run the mining story on loopback, narrated");
  auto bits = std::make_shared<std::string>("1f00ffff");
  demo->add_option("--bits", *bits, "Compact target of the demo block, hex")
      ->capture_default_str();
  demo->callback([&action, bits] {
    action = [bits]() -> int {
      uint32_t b = 0;
      if (bits->size() != 8 || !IsHex(*bits)) {
        return cli::UsageError("minelab demo", "--bits takes 8 hex digits");
      }
      b = uint32_t(std::stoul(*bits, nullptr, 16));
      return RunPowDemo(b);
    };
  });
}

}  // namespace mw::minelab
