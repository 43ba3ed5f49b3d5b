// `minelab demo`: the mining story, for real, on loopback.
//
// Starts three nodes (node 1 <- node 2 <- node 3, connected by P2P) and two solo miners (miner 1
// on node 1 paying wallet A, miner 2 on node 3 paying wallet M) as separate processes of this
// same binary, in a temporary directory. A is funded by mining; A then pays B for a book through
// node 2, and every step is narrated as the demo observes it by querying the nodes and reading
// the miners' output. Ends with the balances and each node's tip, plus one machine-readable
// "DEMO-SUMMARY {json}" line (tests look every printed block and txid up with getblock).
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "core/target.h"
#include "io/http_client.h"
#include "lab/wallet/key_file.h"
#include "lab/wallet/wallet.h"
#include "minelab/commands.h"

namespace mw::minelab {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// A child process running this binary; its stdout goes to a file or is captured line by line.
class Child {
 public:
  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { Terminate(); }

  Status Spawn(const std::vector<std::string>& args, const std::string& log_path, bool capture) {
    int pipe_fds[2] = {-1, -1};
    if (capture && ::pipe2(pipe_fds, O_CLOEXEC) != 0) return Status::IoError("pipe failed");
    const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd < 0) return Status::IoError("cannot open " + log_path);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) return Status::IoError("fork failed");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the demo
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::dup2(capture ? pipe_fds[1] : log_fd, 1);
      ::dup2(log_fd, 2);
      ::execv("/proc/self/exe", argv.data());
      ::_exit(127);
    }
    ::close(log_fd);
    if (capture) {
      ::close(pipe_fds[1]);
      out_fd_ = pipe_fds[0];
      reader_ = std::thread([this] { ReadLines(); });
    }
    return Status::Ok();
  }

  void Terminate() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      for (int i = 0; i < 40; ++i) {
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
          pid_ = -1;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
      }
    }
    if (reader_.joinable()) reader_.join();
    if (out_fd_ >= 0) ::close(out_fd_);
    out_fd_ = -1;
  }

  // Captured lines from index `from` on.
  std::vector<std::string> LinesFrom(size_t from) {
    std::lock_guard<std::mutex> lock(mu_);
    if (from >= lines_.size()) return {};
    return {lines_.begin() + static_cast<std::ptrdiff_t>(from), lines_.end()};
  }

 private:
  void ReadLines() {
    std::string partial;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::read(out_fd_, buf, sizeof(buf));
      if (n <= 0) break;
      partial.append(buf, size_t(n));
      size_t nl;
      while ((nl = partial.find('\n')) != std::string::npos) {
        std::lock_guard<std::mutex> lock(mu_);
        lines_.push_back(partial.substr(0, nl));
        partial.erase(0, nl + 1);
      }
    }
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::thread reader_;
  std::mutex mu_;
  std::vector<std::string> lines_;
};

struct DemoNode {
  Child process;
  std::string rpc;  // host:port
  std::string p2p;
  std::optional<io::JsonRpcClient> client;
  Result<json> Call(const std::string& method, json params = json::array()) {
    return client->Call(method, params, std::chrono::seconds(5));
  }
};

class Demo {
 public:
  explicit Demo(const std::atomic<bool>& stop) : stop_(stop) {}
  ~Demo() {
    miners_[0].Terminate();
    miners_[1].Terminate();
    for (auto& n : nodes_) n.process.Terminate();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  int Run();

 private:
  void Say(const std::string& line) {
    const double t = std::chrono::duration<double>(Clock::now() - start_).count();
    std::printf("[%5.1fs] %s\n", t, line.c_str());
    std::fflush(stdout);
  }
  // Polls `done` every 50 ms for at most `seconds`; false on timeout or Ctrl-C.
  bool WaitFor(double seconds, const std::function<bool()>& done) {
    const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    while (!stop_) {
      if (done()) return true;
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  Status StartNode(int index, const std::vector<int>& peers);
  Status StartMiner(int index, int node, const std::string& address);
  int Fail(const std::string& why) {
    std::fprintf(stderr, "minelab demo: %s\n", stop_ ? "interrupted" : why.c_str());
    return stop_ ? 130 : 1;
  }
  json Tip(int node) {
    auto r = nodes_[node].Call("getchaininfo");
    return r.ok() ? *r : json::object();
  }
  std::string Short(const std::string& hash) { return hash.substr(0, 16) + "…"; }

  const std::atomic<bool>& stop_;
  Clock::time_point start_ = Clock::now();
  std::string dir_;
  std::string self_ = "/proc/self/exe";
  DemoNode nodes_[3];
  Child miners_[2];
};

Status Demo::StartNode(int index, const std::vector<int>& peers) {
  const std::string datadir = dir_ + "/node" + std::to_string(index + 1);
  std::vector<std::string> args = {"minelab", "node", "--datadir", datadir,
                                   "--rpc", "127.0.0.1:0", "--p2p", "127.0.0.1:0",
                                   "--log-level", "warn", "--longpoll-timeout", "5"};
  for (int p : peers) {
    args.push_back("--peer");
    args.push_back(nodes_[p].p2p);
  }
  MW_RETURN_IF_ERROR(nodes_[index].process.Spawn(args, datadir + ".log", false));
  const std::string info_path = datadir + "/node.json";
  json info;
  const bool up = WaitFor(10, [&] {
    std::ifstream in(info_path);
    if (!in) return false;
    info = json::parse(in, nullptr, false);
    return info.is_object() && info.contains("rpc") && info.contains("p2p");
  });
  if (!up) return Status::Unavailable("node " + std::to_string(index + 1) + " did not start");
  nodes_[index].rpc = info["rpc"].get<std::string>();
  nodes_[index].p2p = info["p2p"].get<std::string>();
  MW_ASSIGN_OR_RETURN(io::HttpUrl url, io::ParseHttpUrl(nodes_[index].rpc));
  nodes_[index].client.emplace(url);
  return Status::Ok();
}

Status Demo::StartMiner(int index, int node, const std::string& address) {
  std::vector<std::string> args = {"minelab", "miner", "--solo", "--node",
                                   "http://" + nodes_[node].rpc + "/", "--address", address,
                                   "--threads", "1", "--report-interval", "2"};
  return miners_[index].Spawn(args, dir_ + "/miner" + std::to_string(index + 1) + ".log", true);
}

int Demo::Run() {
  char tmpl[] = "/tmp/minelab-demo-XXXXXX";
  if (!::mkdtemp(tmpl)) return Fail("cannot create a temporary directory");
  dir_ = tmpl;
  Say("minelab demo: a lab chain on loopback with three nodes and two solo miners (" + dir_ + ")");

  if (Status s = StartNode(0, {}); !s.ok()) return Fail(s.ToString());
  if (Status s = StartNode(1, {0}); !s.ok()) return Fail(s.ToString());
  if (Status s = StartNode(2, {1}); !s.ok()) return Fail(s.ToString());
  for (int i = 0; i < 3; ++i) {
    Say("node " + std::to_string(i + 1) + ": rpc " + nodes_[i].rpc + ", p2p " + nodes_[i].p2p +
        (i ? ", peer of node " + std::to_string(i) : ""));
  }
  if (!WaitFor(10, [&] {
        return Tip(1).value("peers", 0) >= 2 && Tip(2).value("peers", 0) >= 1;
      })) {
    return Fail("nodes did not connect to each other");
  }
  Say("P2P handshakes done: node 1 <-> node 2 <-> node 3");

  auto a = lab::wallet::CreateKeyFile(dir_ + "/a.key");
  auto b = lab::wallet::CreateKeyFile(dir_ + "/b.key");
  auto m = lab::wallet::CreateKeyFile(dir_ + "/m.key");
  if (!a.ok() || !b.ok() || !m.ok()) return Fail("cannot create wallets");
  Say("wallets (key files mode 0600): A " + a->address() + ", B " + b->address() + ", M " +
      m->address());

  if (Status s = StartMiner(0, 0, a->address()); !s.ok()) return Fail(s.ToString());
  if (Status s = StartMiner(1, 2, m->address()); !s.ok()) return Fail(s.ToString());
  Say("miner 1 mines on node 1 paying A; miner 2 mines on node 3 paying M (1 thread each)");

  // Funding: A's coinbase payouts mature after the network's maturity window.
  const uint64_t price = 5 * lab::wallet::kUnitsPerCoin;
  const uint64_t fee = 10'000;
  uint64_t a_balance = 0;
  json a_info;
  // The lab network starts at its easiest target and retargets toward 2 s blocks within a few
  // windows; the story waits for that steady pace (kSteadyHeight) so each step is visible.
  constexpr unsigned kSteadyHeight = 24;
  unsigned reported = 0;
  if (!WaitFor(40, [&] {
        auto r = nodes_[1].Call("getbalance", json::array({a->address()}));
        if (!r.ok()) return false;
        a_info = *r;
        a_balance = r->value("balance", uint64_t(0));
        const unsigned height = r->value("height", 0u);
        if (height / 8 > reported / 8) {
          reported = height;
          size_t accepted[2] = {0, 0};
          for (int k = 0; k < 2; ++k) {
            for (const auto& line : miners_[k].LinesFrom(0)) {
              accepted[k] += line.find(": accepted") != std::string::npos ? 1 : 0;
            }
          }
          Say("mining: height " + std::to_string(height) + ", blocks accepted from miner 1: " +
              std::to_string(accepted[0]) + ", miner 2: " + std::to_string(accepted[1]) +
              "; A has " + lab::wallet::FormatAmount(a_balance) + " spendable, " +
              lab::wallet::FormatAmount(r->value("immature", uint64_t(0))) + " maturing");
        }
        return a_balance >= price + fee && height >= kSteadyHeight;
      })) {
    return Fail("A was not funded by mining in time");
  }
  json tip = Tip(1);
  const unsigned funded_height = tip.value("blocks", 0u);
  const std::string funded_hash = tip.value("bestblockhash", std::string());
  Say("funding: A's first coinbase rewards matured; A can spend " +
      lab::wallet::FormatAmount(a_balance) + " coins (" +
      lab::wallet::FormatAmount(a_info.value("immature", uint64_t(0))) +
      " still immature) at block " + std::to_string(tip.value("blocks", 0)) + " hash " +
      tip.value("bestblockhash", std::string()));

  // 1. Created and signed.
  io::JsonRpcClient wallet_node(*io::ParseHttpUrl(nodes_[1].rpc));
  size_t mark[2] = {miners_[0].LinesFrom(0).size(), miners_[1].LinesFrom(0).size()};
  auto sent = lab::wallet::Send(wallet_node, *a, b->pubkey(), price, fee, "a book");
  if (!sent.ok()) return Fail("A's payment was refused: " + sent.status().message());
  const std::string txid = sent->txid;
  Say("A pays B 5 coins for a book: transaction created and signed with A's key (nonce " +
      std::to_string(sent->nonce) + ", fee " + lab::wallet::FormatAmount(fee) + "), txid " +
      txid);
  // 2. Verified and in the mempool.
  Say("node 2 verified the signature, nonce and balance and put txid " + Short(txid) +
      " in its mempool");
  bool relayed[3] = {false, true, false};
  WaitFor(5, [&] {
    for (int i : {0, 2}) {
      if (relayed[i]) continue;
      auto r = nodes_[i].Call("getmempoolinfo");
      if (r.ok() && r->contains("txids") &&
          std::find((*r)["txids"].begin(), (*r)["txids"].end(), txid) != (*r)["txids"].end()) {
        relayed[i] = true;
        Say("node " + std::to_string(i + 1) + " received it over P2P: in its mempool too");
      }
    }
    return relayed[0] && relayed[2];
  });

  // 3-5. Packed, solved, broadcast: watch the miners and the node until the tx is in a block.
  bool packed[2] = {false, false};
  json where;
  if (!WaitFor(30, [&] {
        for (int k = 0; k < 2; ++k) {
          for (const auto& line : miners_[k].LinesFrom(mark[k])) {
            ++mark[k];
            unsigned h = 0, n = 0;
            if (!packed[k] && std::sscanf(line.c_str(), "template height %u prev %*s bits %*s txs %u",
                                          &h, &n) == 2 && n > 0) {
              packed[k] = true;
              Say("miner " + std::to_string(k + 1) + " packed the transaction into its candidate "
                  "block for height " + std::to_string(h) + " (coinbase + " +
                  std::to_string(n) + " transfer)");
            }
          }
        }
        auto r = nodes_[1].Call("gettransaction", json::array({txid}));
        if (r.ok() && r->value("confirmations", 0) > 0) {
          where = *r;
          return true;
        }
        return false;
      })) {
    return Fail("the payment was not mined in time");
  }
  const std::string block_hash = where.value("blockhash", std::string());
  const unsigned block_height = where.value("blockheight", 0u);
  auto block = nodes_[1].Call("getblock", json::array({block_hash}));
  std::string bits = block.ok() ? block->value("bits", std::string()) : "";
  int winner = -1;
  std::string solved_line;
  for (int k = 0; k < 2 && winner < 0; ++k) {
    for (const auto& line : miners_[k].LinesFrom(0)) {
      if (line.rfind("solved block", 0) == 0 && line.find(block_hash) != std::string::npos) {
        winner = k;
        solved_line = line;
      }
    }
  }
  const std::string miner_name = winner >= 0 ? "miner " + std::to_string(winner + 1) : "a miner";
  Say("packed into block " + std::to_string(block_height) + " hash " + block_hash + " by " +
      miner_name);
  unsigned nonce = 0;
  const size_t nonce_at = solved_line.find(" nonce ");
  if (nonce_at != std::string::npos) nonce = unsigned(std::strtoul(solved_line.c_str() + nonce_at + 7, nullptr, 10));
  if (block.ok()) nonce = block->value("nonce", nonce);
  double difficulty = 0;
  if (bits.size() == 8) {
    auto target = TargetFromCompact(uint32_t(std::strtoul(bits.c_str(), nullptr, 16)));
    if (target.ok()) difficulty = DifficultyFromTarget(*target);
  }
  char diff_text[32];
  std::snprintf(diff_text, sizeof(diff_text), "%.4g", difficulty);
  Say("proof of work solved by " + miner_name + ": nonce " + std::to_string(nonce) +
      " gives hash " + Short(block_hash) + " <= target of bits " + bits + " (difficulty " +
      diff_text + ")");
  Say("broadcast: " + miner_name + " submitted it to node " +
      std::to_string(winner == 1 ? 3 : 1) + ", which announced it to its peers (inv -> "
      "getheaders -> headers -> getdata -> block)");
  // 6. Adopted by every node.
  bool adopted[3] = {false, false, false};
  if (!WaitFor(10, [&] {
        for (int i = 0; i < 3; ++i) {
          if (adopted[i]) continue;
          auto r = nodes_[i].Call("gettransaction", json::array({txid}));
          if (r.ok() && r->value("blockhash", std::string()) == block_hash) {
            adopted[i] = true;
            Say("node " + std::to_string(i + 1) + " adopted block " +
                std::to_string(block_height) + " on its best chain");
          }
        }
        return adopted[0] && adopted[1] && adopted[2];
      })) {
    return Fail("not every node adopted the block");
  }
  // 7. Confirmations.
  const int kConfirmations = 3;
  int shown = 1;
  Say("1 confirmation: block " + std::to_string(block_height) + " is the tip");
  if (!WaitFor(30, [&] {
        int least = 1 << 30;
        for (int i = 0; i < 3; ++i) {
          auto r = nodes_[i].Call("gettransaction", json::array({txid}));
          least = std::min(least, r.ok() ? r->value("confirmations", 0) : 0);
        }
        while (shown < least && shown < kConfirmations) {
          ++shown;
          Say(std::to_string(shown) + " confirmations on every node");
        }
        return least >= kConfirmations;
      })) {
    return Fail("the payment did not reach " + std::to_string(kConfirmations) + " confirmations");
  }

  // Two miners can solve competing blocks at the same height; with equal work each node keeps
  // the one it saw first, and only the next block settles it. So miner 2 stops first and miner 1
  // mines on alone until every node has the same tip; then nothing can fork any more.
  auto tips_agree = [&] {
    const std::string h0 = Tip(0).value("bestblockhash", std::string("0"));
    return Tip(1).value("bestblockhash", std::string("1")) == h0 &&
           Tip(2).value("bestblockhash", std::string("2")) == h0;
  };
  miners_[1].Terminate();
  Say("miner 2 stopped; miner 1 mines on until every node has the same tip");
  if (!tips_agree()) {
    std::string tips;
    for (int i = 0; i < 3; ++i) {
      json t = Tip(i);
      tips += (i ? ", node " : "node ") + std::to_string(i + 1) + " at block " +
              std::to_string(t.value("blocks", 0)) + " " +
              Short(t.value("bestblockhash", std::string()));
    }
    Say("the nodes disagree for now (" + tips +
        "): competing blocks of equal work, or one still in flight; the next block decides");
  }
  WaitFor(30, tips_agree);
  miners_[0].Terminate();
  Say("miner 1 stopped; waiting for the nodes to agree on the tip");
  if (!WaitFor(15, tips_agree)) return Fail("the nodes did not agree on one tip after the miners stopped");
  auto final_tx = nodes_[0].Call("gettransaction", json::array({txid}));
  json summary = {{"txid", txid}, {"blocks", json::array()}, {"nodes", json::array()}};
  if (final_tx.ok()) {
    summary["tx_block_hash"] = final_tx->value("blockhash", std::string());
    summary["tx_block_height"] = final_tx->value("blockheight", 0u);
    summary["confirmations"] = final_tx->value("confirmations", 0u);
    if (summary["tx_block_hash"] != block_hash) {
      Say("note: a reorganisation moved the payment to block " +
          std::to_string(summary["tx_block_height"].get<unsigned>()) + " hash " +
          summary["tx_block_hash"].get<std::string>());
    }
  }
  summary["blocks"].push_back({{"height", block_height}, {"hash", block_hash}});
  // A block named above may since have lost a race to a competing block of more work; say so
  // rather than leave a hash in the story that the chain no longer has.
  for (const auto& [height, hash] : {std::pair{funded_height, funded_hash},
                                     std::pair{block_height, block_hash}}) {
    auto r = nodes_[0].Call("getblock", json::array({hash}));
    if (!r.ok() || r->value("confirmations", 0) == 0) {
      Say("note: block " + std::to_string(height) + " " + hash +
          " named above was orphaned by a reorganisation; the best chain has another block there");
    }
  }
  for (const auto& [name, key] : {std::pair<const char*, const chain::KeyPair*>{"A", &*a},
                                  {"B", &*b}, {"M", &*m}}) {
    auto r = nodes_[0].Call("getbalance", json::array({key->address()}));
    if (!r.ok()) continue;
    Say(std::string("balance of ") + name + ": " +
        lab::wallet::FormatAmount(r->value("balance", uint64_t(0))) + " coins spendable, " +
        lab::wallet::FormatAmount(r->value("immature", uint64_t(0))) + " immature");
    summary["balances"][name] = *r;
  }
  for (int i = 0; i < 3; ++i) {
    json t = Tip(i);
    const std::string h = t.value("bestblockhash", std::string());
    const unsigned height = t.value("blocks", 0u);
    Say("node " + std::to_string(i + 1) + " tip: block " + std::to_string(height) + " hash " + h);
    summary["nodes"].push_back({{"rpc", nodes_[i].rpc}, {"height", height}, {"hash", h}});
    summary["blocks"].push_back({{"height", height}, {"hash", h}});
  }
  std::printf("DEMO-SUMMARY %s\n", summary.dump().c_str());
  std::fflush(stdout);
  return cli::kExitOk;
}

}  // namespace

void AddDemoCommand(CLI::App& app, cli::Action& action) {
  CLI::App* demo = app.add_subcommand(
      "demo", "Three nodes, two solo miners, A pays B for a book: the mining story, narrated");
  auto keep_running = std::make_shared<double>(0);
  demo->add_option("--linger", *keep_running,
                   "Seconds to keep the nodes up after the story (to query them); 0 = none")
      ->capture_default_str();
  demo->callback([&action, keep_running] {
    action = [keep_running]() -> int {
      sigset_t stop_signals;
      sigemptyset(&stop_signals);
      sigaddset(&stop_signals, SIGINT);
      sigaddset(&stop_signals, SIGTERM);
      pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
      std::signal(SIGPIPE, SIG_IGN);
      std::atomic<bool> stop{false};
      std::atomic<bool> finished{false};
      std::thread waiter([&] {
        int sig = 0;
        sigwait(&stop_signals, &sig);
        if (!finished) stop = true;
      });
      int rc = 0;
      {
        Demo demo_run(stop);
        rc = demo_run.Run();
        if (rc == 0 && *keep_running > 0) {
          const auto until = Clock::now() + std::chrono::duration<double>(*keep_running);
          while (!stop && Clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
          }
        }
      }
      finished = true;
      if (!stop) ::kill(::getpid(), SIGTERM);  // release the waiter (the signal is blocked)
      waiter.join();
      return rc;
    };
  });
}

}  // namespace mw::minelab
