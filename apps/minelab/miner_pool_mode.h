// The `--pool` mode of `minelab miner` (Stratum pool mining in every dialect minelab's pool
// serves), kept apart from the solo miner in miner_command.cc.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/cli_main.h"

namespace mw::minelab {

struct PoolMinerArgs {
  std::vector<std::string> pools;  // first is primary, the rest are failovers
  std::string user;                // ADDRESS.worker
  std::string password = "x";
  std::string dialect = "v1";
  bool tls = false;
  bool ws = false;
  double cpu_limit = 100;
  std::string name;
  std::string agent;
  bool version_rolling = false;
  uint64_t max_shares = 0;
  double keepalive_seconds = 30;   // XMRig keepalived / eth_submitHashrate period
  bool allow_non_loopback = false; // the miner's --allow-non-loopback (lab_network.h)
};

// Adds --pool, --user, --pass, --dialect, --tls, --ws, --cpu-limit, --name, --agent,
// --version-rolling, --max-shares, --keepalive to the miner subcommand.
std::shared_ptr<PoolMinerArgs> AddPoolModeOptions(CLI::App* miner);

// Runs the pool miner; exit code per the CLI conventions.
int RunPoolMiner(const PoolMinerArgs& args, int threads, double report_seconds);

}  // namespace mw::minelab
