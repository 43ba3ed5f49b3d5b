// `minelab pool --node URL --address POOL_ADDR --listen 127.0.0.1:3333 [--tls-listen ADDR]
//  [--ws-listen ADDR] [--sv2-listen ADDR] [--api-listen ADDR] ...`: the Stratum pool (see src/lab/pool/README.md).
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>
#include <tuple>

#include "chain/keys.h"
#include "core/log.h"
#include "io/asio.h"
#include "io/host_port.h"
#include "io/http_server.h"
#include "lab/pool/node_link.h"
#include "lab/pool/pool_core.h"
#include "lab/pool/stratum_server.h"
#include "lab/pool/tls_cert.h"
#include "lab/wallet/key_file.h"
#include "minelab/commands.h"
#include "minelab/lab_network.h"

namespace mw::minelab {
namespace {

struct PoolArgs {
  std::string node = "http://127.0.0.1:18443/";
  std::string address;
  std::string wallet;
  std::string listen = "127.0.0.1:3333";
  std::string tls_listen, tls_cert, tls_key;
  std::string ws_listen;
  std::string sv2_listen;
  std::string api_listen = "127.0.0.1:8380";
  double start_difficulty = 0.001;
  double min_difficulty = 1e-6;
  double share_interval = 5;
  int extranonce2_size = 4;
  size_t pplns_window = 2000;
  double min_payout = 1.0;  // coins
  bool solo = false;
  bool allow_non_loopback = false;
  int io_threads = 1;
  size_t max_connections = 20000;
  size_t max_per_ip = 20000;
  int idle_timeout = 600;
  double refresh_seconds = 15;
  std::string log_level = "info";
};

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int RunPool(const PoolArgs& a) {
  const char* prog = "minelab pool";
  auto url = io::ParseHttpUrl(a.node);
  if (!url.ok()) return cli::UsageError(prog, "--node: " + url.status().message());
  // Every address first: nothing starts when one of them is off loopback.
  if (Status s = RequireLoopback("--node", url->endpoint.host, a.allow_non_loopback); !s.ok()) {
    return cli::UsageError(prog, s.message());
  }
  auto listen = ParseLabAddress("--listen", a.listen, a.allow_non_loopback);
  if (!listen.ok()) return cli::UsageError(prog, listen.status().message());
  auto api = ParseLabAddress("--api-listen", a.api_listen, a.allow_non_loopback);
  if (!api.ok()) return cli::UsageError(prog, api.status().message());
  std::optional<io::HostPort> tls_at, ws_at, sv2_at;  // the optional listeners
  for (const auto& [option, value, at] : {std::tuple<const char*, const std::string&, std::optional<io::HostPort>*>{
                                              "--tls-listen", a.tls_listen, &tls_at},
                                          {"--ws-listen", a.ws_listen, &ws_at},
                                          {"--sv2-listen", a.sv2_listen, &sv2_at}}) {
    if (value.empty()) continue;
    auto where = ParseLabAddress(option, value, a.allow_non_loopback);
    if (!where.ok()) return cli::UsageError(prog, where.status().message());
    *at = *where;
  }
  auto pool_key = chain::ParseAddress(a.address);
  if (!pool_key.ok()) return cli::UsageError(prog, "--address: " + pool_key.status().message());
  if (a.extranonce2_size < 1 || a.extranonce2_size > 16) {
    return cli::UsageError(prog, "--extranonce2-size must be 1..16");
  }
  if (!(a.start_difficulty > 0) || !(a.min_difficulty > 0) || !(a.share_interval > 0)) {
    return cli::UsageError(prog, "difficulties and --share-interval must be > 0");
  }
  // Values that would leave the pool unable to serve or pay (no I/O thread, an empty PPLNS
  // window, a refresh loop without pause) are refused here rather than adjusted unseen.
  if (a.pplns_window < 1) return cli::UsageError(prog, "--pplns-window must be >= 1");
  if (!(a.min_payout >= 0) || a.min_payout > 1e9) {
    return cli::UsageError(prog, "--min-payout must be 0..1e9 coins");
  }
  if (a.io_threads < 1 || a.io_threads > 64) return cli::UsageError(prog, "--io-threads must be 1..64");
  if (a.max_connections < 1 || a.max_per_ip < 1) {
    return cli::UsageError(prog, "--max-connections and --max-per-ip must be >= 1");
  }
  if (a.idle_timeout < 1) return cli::UsageError(prog, "--idle-timeout must be >= 1 second");
  if (!(a.refresh_seconds >= 1) || a.refresh_seconds > 86400) {
    return cli::UsageError(prog, "--refresh must be 1..86400 seconds");
  }
  LogLevel level;
  if (!ParseLogLevel(a.log_level, &level)) return cli::UsageError(prog, "--log-level: unknown level");
  Logger log(level);

  pool::NodeLinkOptions link_options;
  link_options.node = *url;
  link_options.refresh_interval =
      std::chrono::milliseconds(int64_t(a.refresh_seconds * 1000));
  if (!a.wallet.empty()) {
    auto key = lab::wallet::LoadKeyFile(a.wallet);
    if (!key.ok()) return cli::UsageError(prog, "--wallet: " + key.status().message());
    if (key->pubkey() != *pool_key) {
      return cli::UsageError(prog, "--wallet holds another key than --address");
    }
    link_options.payout_key = *key;
  }

  pool::PoolOptions o;
  o.jobs.payout = *pool_key;
  o.jobs.extranonce2_size = size_t(a.extranonce2_size);
  o.start_difficulty = a.start_difficulty;
  o.vardiff.min_difficulty = a.min_difficulty;
  o.vardiff.target_interval_s = a.share_interval;
  o.vardiff.retarget_after_s = std::max(4 * a.share_interval, 10.0);
  o.solo = a.solo;
  o.pplns_window = a.pplns_window;
  o.min_payout = uint64_t(a.min_payout * 1e8);
  o.max_connections = a.max_connections;
  o.max_connections_per_ip = a.max_per_ip;
  o.idle_timeout_s = a.idle_timeout;
  pool::PoolCore core(o);

  pool::ServerOptions so;
  so.io_threads = a.io_threads;
  pool::StratumServer server(core, so);
  pool::NodeLink link(core, link_options,
                      [&server](std::shared_ptr<const pool::PoolJob> j) { server.BroadcastJob(j); },
                      log);
  core.SetBlockSink([&link](chain::Block b, std::string finder) {
    link.SubmitBlock(std::move(b), std::move(finder));
  });

  auto bound = server.ListenTcp(*listen);
  if (!bound.ok()) return cli::UsageError(prog, bound.status().message());
  std::printf("stratum listening on %s\n", bound->ToString().c_str());
  if (tls_at) {
    pool::PemPair pem;
    if (!a.tls_cert.empty() || !a.tls_key.empty()) {
      auto cert = ReadFile(a.tls_cert);
      auto key = ReadFile(a.tls_key);
      if (!cert.ok() || !key.ok()) return cli::UsageError(prog, "--tls-cert/--tls-key: unreadable");
      pem = {*cert, *key};
    } else {
      auto made = pool::MakeSelfSignedCertificate(tls_at->host);
      if (!made.ok()) return cli::UsageError(prog, made.status().ToString());
      pem = *made;
    }
    auto tls = server.ListenTls(*tls_at, pem);
    if (!tls.ok()) return cli::UsageError(prog, tls.status().message());
    std::printf("stratum+ssl listening on %s\n", tls->ToString().c_str());
  }
  if (ws_at) {
    auto ws = server.ListenWebSocket(*ws_at);
    if (!ws.ok()) return cli::UsageError(prog, ws.status().message());
    std::printf("websocket listening on %s\n", ws->ToString().c_str());
  }
  if (sv2_at) {
    auto sv2 = server.ListenSv2(*sv2_at);
    if (!sv2.ok()) return cli::UsageError(prog, sv2.status().message());
    std::printf("stratum2 (plaintext) listening on %s\n", sv2->ToString().c_str());
  }

  Status started = link.Start();
  if (!started.ok()) {
    std::cerr << prog << ": node " << a.node << ": " << started.ToString() << "\n";
    return 3;
  }
  server.Start();

  asio::io_context http_io;
  io::HttpServer http(http_io);
  http.Route("/api/stats", [&core](const io::HttpRequest&, io::HttpServer::Reply reply) {
    io::HttpResponse r;
    r.status = 200;
    r.content_type = "application/json";
    r.body = core.StatsJson(Now()).dump();
    reply(std::move(r));
  });
  http.Route("/metrics", [&core](const io::HttpRequest&, io::HttpServer::Reply reply) {
    io::HttpResponse r;
    r.status = 200;
    r.content_type = "text/plain; version=0.0.4";
    r.body = core.Metrics(Now());
    reply(std::move(r));
  });
  auto api_bound = http.Listen(*api);
  if (!api_bound.ok()) return cli::UsageError(prog, "--api-listen: " + api_bound.status().message());
  std::printf("api listening on %s (/api/stats, /metrics)\n", api_bound->ToString().c_str());
  std::printf("pool ready: %s mode, payouts %s\n", a.solo ? "solo" : "pplns",
              link_options.payout_key ? "on" : "off (no --wallet)");
  std::fflush(stdout);

  asio::signal_set signals(http_io, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code&, int) {
    http.Stop();
    http_io.stop();
  });
  http_io.run();
  link.Stop();
  server.Stop();
  std::printf("pool stopped: %llu shares accepted, %llu blocks accepted\n",
              static_cast<unsigned long long>(core.stats().shares_accepted.load()),
              static_cast<unsigned long long>(core.stats().blocks_accepted.load()));
  return cli::kExitOk;
}

}  // namespace

void AddPoolCommand(CLI::App& app, cli::Action& action) {
  CLI::App* cmd = app.add_subcommand("pool", "Stratum mining pool in front of a lab node");
  auto a = std::make_shared<PoolArgs>();
  cmd->add_option("--node", a->node, "Node JSON-RPC URL")->capture_default_str();
  cmd->add_option("--address", a->address, "Pool address (coinbase payee, ml1...)")->required();
  cmd->add_option("--wallet", a->wallet, "Key file of --address; enables payouts");
  cmd->add_option("--listen", a->listen, "Stratum TCP listen address")->capture_default_str();
  cmd->add_option("--tls-listen", a->tls_listen, "Stratum over TLS listen address");
  cmd->add_option("--tls-cert", a->tls_cert, "PEM certificate (self-signed one made if absent)");
  cmd->add_option("--tls-key", a->tls_key, "PEM private key of --tls-cert");
  cmd->add_option("--ws-listen", a->ws_listen, "WebSocket listen address (browser miners)");
  cmd->add_option("--sv2-listen", a->sv2_listen,
                  "Stratum V2 listen address: plaintext frames, standard channels (a LAN setup)");
  cmd->add_option("--api-listen", a->api_listen, "HTTP /api/stats and /metrics")->capture_default_str();
  cmd->add_option("--start-difficulty", a->start_difficulty, "First share difficulty")
      ->capture_default_str();
  cmd->add_option("--min-difficulty", a->min_difficulty, "Vardiff floor")->capture_default_str();
  cmd->add_option("--share-interval", a->share_interval, "Vardiff target seconds per share")
      ->capture_default_str();
  cmd->add_option("--extranonce2-size", a->extranonce2_size, "Bytes")->capture_default_str();
  cmd->add_option("--pplns-window", a->pplns_window, "Shares in the PPLNS window")->capture_default_str();
  cmd->add_option("--min-payout", a->min_payout, "Coins")->capture_default_str();
  cmd->add_flag("--solo", a->solo, "Solo mode: the finder of a block gets all of it");
  cmd->add_option("--io-threads", a->io_threads, "Threads serving connections")->capture_default_str();
  cmd->add_option("--max-connections", a->max_connections, "Connection limit")->capture_default_str();
  cmd->add_option("--max-per-ip", a->max_per_ip, "Connections per IP")->capture_default_str();
  cmd->add_option("--idle-timeout", a->idle_timeout, "Seconds without a line")->capture_default_str();
  cmd->add_option("--refresh", a->refresh_seconds, "Seconds between refresh jobs")->capture_default_str();
  cmd->add_option("--log-level", a->log_level, "debug, info, warn, error or off")->capture_default_str();
  AddAllowNonLoopback(cmd, &a->allow_non_loopback);
  cmd->callback([&action, a] { action = [a] { return RunPool(*a); }; });
}

}  // namespace mw::minelab
