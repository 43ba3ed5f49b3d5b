// `minewatch selftest`: checks that this build computes correct hashes on this CPU.
#include <iostream>

#include "core/hash_selftest.h"
#include "core/header_hasher.h"
#include "minewatch/commands.h"

namespace mw::minewatch {

void AddSelftestCommand(CLI::App& app, cli::Action& action) {
  CLI::App* cmd = app.add_subcommand("selftest", "Run the built-in known-answer checks");
  cmd->callback([&action] {
    action = []() -> int {
      Status s = RunHashSelfTest();
      if (!s.ok()) {
        std::cerr << "minewatch selftest: " << s.ToString() << "\n";
        return 3;
      }
      std::cout << "hash self-test: ok (" << HashImplName(BestHashImpl()) << ")\n";
      return cli::kExitOk;
    };
  });
}

}  // namespace mw::minewatch
