// `minelab miner --pool URL [--pool URL2] --user ADDR.worker [--dialect D] [--tls] [--ws]
//  [--cpu-limit PCT] [--name PROCNAME]`
#include "minelab/miner_pool_mode.h"

#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include "lab/stratum_miner/process_name.h"
#include "lab/stratum_miner/stratum_miner.h"
#include "minelab/lab_network.h"

namespace mw::minelab {

namespace sm = mw::lab::stratum_miner;

std::shared_ptr<PoolMinerArgs> AddPoolModeOptions(CLI::App* cmd) {
  auto a = std::make_shared<PoolMinerArgs>();
  cmd->add_option("--pool", a->pools,
                  "Pool URL (stratum+tcp://, stratum+ssl://, ws://, wss://, stratum2+tcp:// or HOST:PORT); "
                  "repeat for failover");
  cmd->add_option("--user", a->user, "Pool login: ADDRESS.worker");
  cmd->add_option("--pass", a->password, "Pool password")->capture_default_str();
  cmd->add_option("--dialect", a->dialect,
                  "v1, xmrig, ethproxy, ethstratum, coinhive, webminerpool or sv2 (Stratum V2, "
                  "plaintext; also chosen by a stratum2+tcp:// URL)")
      ->capture_default_str();
  cmd->add_flag("--tls", a->tls, "TLS to the pool");
  cmd->add_flag("--ws", a->ws, "WebSocket to the pool");
  cmd->add_option("--cpu-limit", a->cpu_limit, "Hash only this % of the time (1-100)")
      ->capture_default_str();
  cmd->add_option("--name", a->name, "Rename the process (prctl + argv[0])");
  cmd->add_option("--agent", a->agent, "Agent string (default: the dialect's usual one)");
  cmd->add_flag("--version-rolling", a->version_rolling, "V1: negotiate BIP310 version rolling");
  cmd->add_option("--max-shares", a->max_shares, "Stop after this many accepted shares");
  cmd->add_option("--keepalive", a->keepalive_seconds,
                  "Seconds between keep-alives (XMRig keepalived, eth_submitHashrate)")
      ->capture_default_str();
  return a;
}

int RunPoolMiner(const PoolMinerArgs& a, int threads, double report_seconds) {
  const char* prog = "minelab miner";
  sm::StratumMinerOptions o;
  if (a.dialect == "v1") {
    o.client.dialect = stratum::Dialect::kV1;
  } else if (a.dialect == "xmrig") {
    o.client.dialect = stratum::Dialect::kXmrig;
  } else if (a.dialect == "coinhive") {
    o.client.dialect = stratum::Dialect::kCoinhive;
  } else if (a.dialect == "webminerpool") {
    o.client.dialect = stratum::Dialect::kWebminerpool;
  } else if (a.dialect == "ethproxy") {
    o.client.dialect = stratum::Dialect::kEthProxy;
  } else if (a.dialect == "ethstratum") {
    o.client.dialect = stratum::Dialect::kEthStratum;
  } else if (a.dialect == "sv2") {
    o.client.sv2 = true;
  } else {
    return cli::UsageError(
        prog, "--dialect must be v1, xmrig, ethproxy, ethstratum, coinhive, webminerpool or sv2");
  }
  if (a.user.empty()) return cli::UsageError(prog, "--user is required with --pool");
  if (threads < 1 || threads > 256) return cli::UsageError(prog, "--threads must be 1..256");
  if (!(a.cpu_limit >= 1 && a.cpu_limit <= 100)) return cli::UsageError(prog, "--cpu-limit must be 1..100");
  if (!(report_seconds > 0)) return cli::UsageError(prog, "--report-interval must be > 0");
  if (!(a.keepalive_seconds > 0)) return cli::UsageError(prog, "--keepalive must be > 0");
  for (const std::string& url : a.pools) {
    auto ep = sm::ParsePoolUrl(url, a.tls, a.ws);
    if (!ep.ok()) return cli::UsageError(prog, "--pool " + url + ": " + ep.status().message());
    if (Status s = RequireLoopback("--pool", ep->host, a.allow_non_loopback); !s.ok()) {
      return cli::UsageError(prog, s.message());
    }
    if (ep->websocket && ep->path == "/" && o.client.dialect == stratum::Dialect::kCoinhive) {
      ep->path = "/proxy";
    }
    if (ep->sv2) o.client.sv2 = true;
    if (o.client.sv2 && (ep->tls || ep->websocket)) {
      return cli::UsageError(prog, "--pool " + url + ": Stratum V2 here is plain TCP (no TLS or WebSocket)");
    }
    o.pools.push_back(*ep);
  }
  o.client.user = a.user;
  o.client.password = a.password;
  o.client.agent = a.agent;
  o.client.version_rolling = a.version_rolling;
  o.threads = threads;
  o.cpu_limit_percent = a.cpu_limit;
  o.max_accepted = a.max_shares;
  o.report_interval = std::chrono::milliseconds(int64_t(report_seconds * 1000));
  o.keepalive_interval = std::chrono::milliseconds(int64_t(a.keepalive_seconds * 1000));
  if (!a.name.empty()) {
    Status s = sm::RenameProcess(a.name);
    if (!s.ok()) std::cerr << prog << ": --name: " << s.ToString() << "\n";
  }

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

  sm::StratumMiner miner(o, [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  });
  std::printf("pool mining as %s with %d thread(s), dialect %s\n", a.user.c_str(), threads,
              o.client.sv2 ? "sv2" : a.dialect.c_str());
  std::fflush(stdout);
  Status s = miner.Run(stop);
  if (!stop) pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  std::printf("stopped: %llu accepted, %llu rejected shares, %llu hashes\n",
              static_cast<unsigned long long>(miner.accepted()),
              static_cast<unsigned long long>(miner.rejected()),
              static_cast<unsigned long long>(miner.hashes()));
  if (!s.ok()) {
    std::cerr << prog << ": " << s.ToString() << "\n";
    return 3;
  }
  return cli::kExitOk;
}

}  // namespace mw::minelab
