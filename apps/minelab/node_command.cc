// `minelab node --datadir DIR --rpc 127.0.0.1:PORT --p2p 127.0.0.1:PORT [--peer HOST:PORT]...`
#include <csignal>
#include <cstdio>
#include <iostream>

#include "io/host_port.h"
#include "lab/node/node.h"
#include "minelab/commands.h"
#include "minelab/lab_network.h"

namespace mw::minelab {
namespace {

struct NodeArgs {
  std::string datadir;
  std::string rpc = "127.0.0.1:18443";
  std::string p2p = "127.0.0.1:18444";
  std::vector<std::string> peers;
  std::string network = "lab";
  std::string log_level = "info";
  int longpoll_seconds = 30;
  bool allow_non_loopback = false;
};

int RunNode(const NodeArgs& args) {
  const char* prog = "minelab node";
  lab::node::NodeOptions options;
  options.datadir = args.datadir;
  options.network = args.network;
  auto rpc = ParseLabAddress("--rpc", args.rpc, args.allow_non_loopback);
  if (!rpc.ok()) return cli::UsageError(prog, rpc.status().message());
  auto p2p = ParseLabAddress("--p2p", args.p2p, args.allow_non_loopback);
  if (!p2p.ok()) return cli::UsageError(prog, p2p.status().message());
  options.rpc_bind = *rpc;
  options.p2p_bind = *p2p;
  for (const auto& p : args.peers) {
    auto peer = ParseLabAddress("--peer", p, args.allow_non_loopback, /*allow_port_zero=*/false);
    if (!peer.ok()) return cli::UsageError(prog, peer.status().message());
    options.peers.push_back(*peer);
  }
  if (args.longpoll_seconds < 1) return cli::UsageError(prog, "--longpoll-timeout must be >= 1");
  options.longpoll_timeout = std::chrono::seconds(args.longpoll_seconds);
  LogLevel level = LogLevel::kInfo;
  if (!ParseLogLevel(args.log_level, &level)) {
    return cli::UsageError(prog, "--log-level must be debug, info, warn, error or off");
  }
  Logger logger(level);
  options.logger = &logger;

  // Block the stop signals before any thread starts so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto node = lab::node::Node::Start(options);
  if (!node.ok()) {
    std::cerr << prog << ": " << node.status().ToString() << "\n";
    return node.status().code() == StatusCode::kInvalidArgument ? cli::kExitUsage : 3;
  }
  std::printf("node ready: network %s, height %u, rpc %s, p2p %s\n", args.network.c_str(),
              (*node)->chain().Height(), (*node)->rpc_endpoint().ToString().c_str(),
              (*node)->p2p_endpoint().ToString().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  logger.Info("node", std::string("stopping on ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
  (*node)->Stop();
  return cli::kExitOk;
}

}  // namespace

void AddNodeCommand(CLI::App& app, cli::Action& action) {
  CLI::App* cmd = app.add_subcommand("node", "Run a lab-chain node (JSON-RPC + P2P on loopback)");
  auto args = std::make_shared<NodeArgs>();
  cmd->add_option("--datadir", args->datadir, "Data directory (created if missing)")->required();
  cmd->add_option("--rpc", args->rpc, "JSON-RPC listen address HOST:PORT (port 0: any free)")
      ->capture_default_str();
  cmd->add_option("--p2p", args->p2p, "P2P listen address HOST:PORT (port 0: any free)")
      ->capture_default_str();
  cmd->add_option("--peer", args->peers, "Peer to keep connected, HOST:PORT (repeatable)");
  cmd->add_option("--network", args->network, "Chain parameters: lab or regtest")
      ->capture_default_str();
  cmd->add_option("--log-level", args->log_level, "debug, info, warn, error or off")
      ->capture_default_str();
  cmd->add_option("--longpoll-timeout", args->longpoll_seconds,
                  "Seconds a getblocktemplate long-poll waits at most")
      ->capture_default_str();
  AddAllowNonLoopback(cmd, &args->allow_non_loopback);
  cmd->callback([&action, args] { action = [args] { return RunNode(*args); }; });
}

}  // namespace mw::minelab
