// `minelab miner --solo --node URL --address ADDR --threads N`
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include "chain/keys.h"
#include "io/host_port.h"
#include "lab/miner/solo_miner.h"
#include "minelab/commands.h"
#include "minelab/lab_network.h"
#include "minelab/miner_pool_mode.h"

namespace mw::minelab {
namespace {

struct MinerArgs {
  bool solo = false;
  std::string node = "http://127.0.0.1:18443/";
  std::string address;
  int threads = 1;
  double report_seconds = 5;
  uint64_t max_blocks = 0;
  bool allow_non_loopback = false;
};

int RunMiner(const MinerArgs& args) {
  const char* prog = "minelab miner";
  if (!args.solo) return cli::UsageError(prog, "give --solo (with --address) or --pool URL");
  auto url = io::ParseHttpUrl(args.node);
  if (!url.ok()) return cli::UsageError(prog, "--node: " + url.status().message());
  if (Status s = RequireLoopback("--node", url->endpoint.host, args.allow_non_loopback); !s.ok()) {
    return cli::UsageError(prog, s.message());
  }
  auto payout = chain::ParseAddress(args.address);
  if (!payout.ok()) return cli::UsageError(prog, "--address: " + payout.status().message());
  if (args.threads < 1 || args.threads > 256) {
    return cli::UsageError(prog, "--threads must be between 1 and 256");
  }
  if (!(args.report_seconds > 0)) return cli::UsageError(prog, "--report-interval must be > 0");

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::atomic<bool> stop{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    stop = true;
  });

  lab::miner::SoloMinerOptions options;
  options.node = *url;
  options.payout = *payout;
  options.threads = args.threads;
  options.report_interval =
      std::chrono::milliseconds(static_cast<int64_t>(args.report_seconds * 1000));
  options.max_blocks = args.max_blocks;
  lab::miner::SoloMiner miner(options, [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  });
  std::printf("solo mining to %s with %d thread(s) on %s\n", args.address.c_str(), args.threads,
              args.node.c_str());
  std::fflush(stdout);
  Status s = miner.Run(stop);
  if (!stop) {
    // Finished by --max-blocks: wake the signal waiter so it can be joined.
    pthread_kill(waiter.native_handle(), SIGTERM);
  }
  waiter.join();
  if (!s.ok()) {
    std::cerr << prog << ": " << s.ToString() << "\n";
    return 3;
  }
  std::printf("stopped after %llu accepted block(s)\n",
              static_cast<unsigned long long>(miner.blocks_accepted()));
  return cli::kExitOk;
}

}  // namespace

void AddMinerCommand(CLI::App& app, cli::Action& action) {
  CLI::App* cmd = app.add_subcommand("miner", "Mine lab-chain blocks (solo, against a node)");
  auto args = std::make_shared<MinerArgs>();
  cmd->add_flag("--solo", args->solo, "Solo mining with getblocktemplate/submitblock");
  cmd->add_option("--node", args->node, "Node JSON-RPC URL")->capture_default_str();
  cmd->add_option("--address", args->address, "Payout address (ml1...), for --solo");
  cmd->add_option("--threads", args->threads, "Hashing threads")->capture_default_str();
  cmd->add_option("--report-interval", args->report_seconds, "Seconds between hash-rate lines")
      ->capture_default_str();
  cmd->add_option("--max-blocks", args->max_blocks, "Stop after this many accepted blocks");
  AddAllowNonLoopback(cmd, &args->allow_non_loopback);
  auto pool_args = AddPoolModeOptions(cmd);  // --pool mode: miner_pool_mode.cc
  cmd->callback([&action, args, pool_args] {
    action = [args, pool_args] {
      if (!pool_args->pools.empty()) {
        pool_args->allow_non_loopback = args->allow_non_loopback;
        return RunPoolMiner(*pool_args, args->threads, args->report_seconds);
      }
      return RunMiner(*args);
    };
  });
}

}  // namespace mw::minelab
