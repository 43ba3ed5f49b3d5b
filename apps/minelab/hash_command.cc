// `minelab hash sha256d HEX` and `minelab hash share-diff HEX`.
#include <cstdio>
#include <iostream>

#include "core/bytes.h"
#include "core/hash_selftest.h"
#include "core/header_hasher.h"
#include "core/sha256.h"
#include "core/target.h"
#include "minelab/commands.h"

namespace mw::minelab {

void AddHashCommand(CLI::App& app, cli::Action& action) {
  CLI::App* hash = app.add_subcommand("hash", "Hashing utilities (SHA-256d, share difficulty)");
  hash->require_subcommand(1);

  auto hex = std::make_shared<std::string>();
  CLI::App* sha = hash->add_subcommand(
      "sha256d", "Print SHA-256d of HEX in display order (reversed, as block hashes are shown)");
  sha->add_option("HEX", *hex, "Bytes to hash, as hex")->required();
  sha->callback([&action, hex] {
    action = [hex]() -> int {
      auto bytes = FromHex(*hex);
      if (!bytes.ok()) return cli::UsageError("minelab hash sha256d", bytes.status().message());
      std::cout << ToDisplayHex(Sha256d(*bytes)) << "\n";
      return cli::kExitOk;
    };
  });

  CLI::App* diff = hash->add_subcommand(
      "share-diff", "Print the share difficulty (diff-1 target / hash) of an 80-byte header");
  diff->add_option("HEX", *hex, "The 80-byte block header, as hex (160 digits)")->required();
  diff->callback([&action, hex] {
    action = [hex]() -> int {
      auto bytes = FromHexExact(*hex, HeaderHasher::kHeaderBytes);
      if (!bytes.ok()) {
        return cli::UsageError("minelab hash share-diff", "header: " + bytes.status().message());
      }
      Status self = RunHashSelfTest();
      if (!self.ok()) {
        std::cerr << "minelab: " << self.ToString() << "\n";
        return 3;
      }
      auto hasher = HeaderHasher::Create(*bytes);
      Hash256 h = hasher->Hash(ReadLE32(bytes->data() + HeaderHasher::kNonceOffset));
      std::printf("%.1f\n", DifficultyFromHash(h));
      return cli::kExitOk;
    };
  });
}

}  // namespace mw::minelab
