// bench-pool: a Stratum V1 load generator against minelab's pool.
//
// The pool (PoolCore + StratumServer, --io-threads) runs in a forked child process with a fixed
// template, so its CPU time is measured on its own (getrusage of the child). The parent opens
// --connections miner connections on loopback, subscribes and authorizes each, then keeps one
// mining.submit outstanding per connection for --seconds: every submit is a fresh extranonce2, so
// the pool does the full check (coinbase, merkle root, header, SHA-256d, difficulty, duplicate
// set) for each. Difficulty is tiny so every share is valid; none meets the network target.
// Only --inflight submits are outstanding at once (round-robin over the connections), so the
// latency is the pool's, not the generator's queue. A connection sends --batch submits in one
// write, as a miner does that finds several shares at once, and waits for all their answers.
// Prints accepted shares/s, p50/p99 submit-to-answer latency and the pool's CPU seconds, next to
// the baseline of the same check run in a tight loop (shares/s of one core, no sockets).
#include "io/asio.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "chain/keys.h"
#include "core/target.h"
#include "lab/pool/pool_core.h"
#include "lab/pool/share_check.h"
#include "lab/pool/stratum_server.h"
#include "proto/stratum/stratum_codec.h"

namespace {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Args {
  int connections = 10000;
  double seconds = 10;
  int io_threads = 2;
  int inflight = 512;  // submits outstanding at once, spread round-robin over the connections
  int batch = 8;       // submits a connection sends in one write before it waits for the answers
};

mw::chain::BlockTemplate Template() {
  mw::chain::BlockTemplate t;
  t.height = 100;
  t.prev_hash[0] = 1;
  t.bits = 0x1d00ffff;  // difficulty 1: no share of difficulty 1e-12 is a block in practice
  t.target = *mw::TargetFromCompact(t.bits);
  t.time = uint32_t(std::time(nullptr));
  t.min_time = t.time - 600;
  t.max_time = t.time + 600;
  t.coinbase_value = 5000000000;
  return t;
}

mw::pool::PoolOptions Options(int connections) {
  mw::pool::PoolOptions o;
  o.jobs.payout = mw::chain::KeyPair::Generate()->pubkey();
  o.start_difficulty = 1e-12;
  o.vardiff.min_difficulty = 1e-12;
  o.vardiff.max_difficulty = 1e-12;  // keep it: this measures validation, not vardiff
  o.require_address = false;
  o.bans.lines_per_s = 1e6;
  o.bans.line_burst = 1e6;
  o.max_connections = size_t(connections) + 100;
  o.max_connections_per_ip = size_t(connections) + 100;
  o.idle_timeout_s = 3600;
  o.handshake_timeout_s = 3600;
  return o;
}

// Child: serve until the parent closes the pipe; then report CPU seconds.
int RunPool(const Args& a, int to_parent, int from_parent) {
  mw::pool::PoolCore core(Options(a.connections));
  auto job = core.jobs().AddTemplate(Template());
  if (!job.ok()) return 1;
  mw::pool::StratumServer server(core, mw::pool::ServerOptions{a.io_threads});
  auto bound = server.ListenTcp({"127.0.0.1", 0});
  if (!bound.ok()) return 1;
  server.Start();
  uint16_t port = bound->port;
  if (write(to_parent, &port, sizeof port) != sizeof port) return 1;
  struct rusage before;
  getrusage(RUSAGE_SELF, &before);
  char c;
  while (read(from_parent, &c, 1) > 0) {
    if (c == 'r') getrusage(RUSAGE_SELF, &before);  // start of the measured phase
  }
  struct rusage after;
  getrusage(RUSAGE_SELF, &after);
  auto secs = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  double cpu = secs(after.ru_utime) - secs(before.ru_utime) + secs(after.ru_stime) - secs(before.ru_stime);
  char line[128];
  int n = std::snprintf(line, sizeof line, "%.3f %llu\n", cpu,
                        static_cast<unsigned long long>(core.stats().shares_accepted.load()));
  if (write(to_parent, line, size_t(n)) != n) return 1;
  server.Stop();
  return 0;
}

struct Client {
  explicit Client(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  std::string in;
  std::string out;
  std::string job_id, ntime;
  size_t en2_size = 4;
  uint64_t en2 = 0;
  bool ready = false;
  Clock::time_point sent;
  int outstanding = 0;
  std::array<char, 4096> buf{};
};

}  // namespace

int main(int argc, char** argv) {
  Args a;
  const char* usage =
      "usage: bench-pool [--connections N] [--seconds S] [--io-threads T] [--inflight K] [--batch B]\n";
  for (int i = 1; i < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--help" || k == "-h") {
      std::printf("%s", usage);
      return 0;
    }
    if (i + 1 >= argc ||
        (k != "--connections" && k != "--seconds" && k != "--io-threads" && k != "--inflight" &&
         k != "--batch")) {
      std::fprintf(stderr, "bench-pool: unknown option or missing value: %s\n%s", k.c_str(), usage);
      return 2;
    }
    if (k == "--connections") a.connections = std::atoi(argv[i + 1]);
    if (k == "--seconds") a.seconds = std::atof(argv[i + 1]);
    if (k == "--io-threads") a.io_threads = std::atoi(argv[i + 1]);
    if (k == "--inflight") a.inflight = std::max(1, std::atoi(argv[i + 1]));
    if (k == "--batch") a.batch = std::clamp(std::atoi(argv[i + 1]), 1, 64);
  }
  struct rlimit lim;
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);

  // Baseline: the share check alone on one core.
  double baseline_rate = 0;
  {
    mw::pool::PoolCore core(Options(1));
    auto job = core.jobs().AddTemplate(Template());
    mw::pool::ShareMinerState st;
    st.subscribed = st.authorized = true;
    st.extranonce1 = core.jobs().NextExtranonce1();
    st.difficulty = 1e-12;
    const auto t0 = Clock::now();
    int n = 0;
    for (; n < 200000; ++n) {
      const std::string en2 = mw::stratum::U32Hex(uint32_t(n));
      auto out = mw::pool::CheckShare(job->get(), {(*job)->id, en2, (*job)->ntime_hex, "00000000", {}},
                                      st, int64_t(std::time(nullptr)));
      if (!out.ok()) {
        std::printf("baseline stopped at %d: %s\n", n, out.reason.c_str());
        break;
      }
    }
    baseline_rate = n / std::chrono::duration<double>(Clock::now() - t0).count();
  }

  int up[2], down[2];
  if (pipe(up) != 0 || pipe(down) != 0) return 1;
  pid_t child = fork();
  if (child == 0) {
    close(up[0]);
    close(down[1]);
    _exit(RunPool(a, up[1], down[0]));
  }
  close(up[1]);
  close(down[0]);
  uint16_t port = 0;
  if (read(up[0], &port, sizeof port) != sizeof port) return 1;

  asio::io_context io(1);
  std::vector<std::unique_ptr<Client>> clients;
  uint64_t accepted = 0, rejected = 0, ready = 0, failed = 0;
  std::vector<double> latencies_ms;
  latencies_ms.reserve(1 << 20);
  bool measuring = false;
  Clock::time_point end_at;
  std::deque<Client*> idle;  // ready connections waiting for their turn to submit

  std::function<void(Client&)> send_submit = [&](Client& c) {
    c.out.clear();
    for (int b = 0; b < a.batch; ++b) {
      char line[256];
      const uint64_t n = c.en2++;
      int len = std::snprintf(line, sizeof line,
                              "{\"id\":%llu,\"method\":\"mining.submit\",\"params\":[\"w\",\"%s\",\"%08llx\",\"%s\",\"00000000\"]}\n",
                              static_cast<unsigned long long>(n + 10), c.job_id.c_str(),
                              static_cast<unsigned long long>(n), c.ntime.c_str());
      c.out.append(line, size_t(len));
    }
    c.outstanding = a.batch;
    c.sent = Clock::now();
    asio::async_write(c.socket, asio::buffer(c.out), [](const asio::error_code&, size_t) {});
  };
  std::function<void(Client&)> read_more = [&](Client& c) {
    c.socket.async_read_some(asio::buffer(c.buf), [&, pc = &c](const asio::error_code& ec, size_t n) {
      if (ec) {
        ++failed;
        return;
      }
      pc->in.append(pc->buf.data(), n);
      size_t pos;
      while ((pos = pc->in.find('\n')) != std::string::npos) {
        std::string line = pc->in.substr(0, pos);
        pc->in.erase(0, pos + 1);
        if (!pc->ready) {
          auto m = mw::stratum::DecodeLine(line);
          if (!m.ok()) continue;
          if (const auto* s = m->As<mw::stratum::SubscribeResult>()) {
            pc->en2_size = size_t(s->extranonce2_size.value_or(4));
          } else if (const auto* job = m->As<mw::stratum::V1Notify>()) {
            pc->job_id = job->job_id;
            pc->ntime = job->ntime;
            pc->ready = true;
            ++ready;
            if (measuring) idle.push_back(pc);
          }
          continue;
        }
        if (line.find("\"result\":true") != std::string::npos) {
          ++accepted;
        } else if (line.find("\"error\":[") != std::string::npos) {
          ++rejected;
        } else {
          continue;  // a push (notify, set_difficulty)
        }
        if (measuring) {
          latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - pc->sent).count());
          if (--pc->outstanding > 0) continue;  // the rest of its batch is still on the way
          idle.push_back(pc);
          if (Clock::now() < end_at) {
            Client* next = idle.front();
            idle.pop_front();
            send_submit(*next);
          }
        }
      }
      read_more(*pc);
    });
  };

  const auto connect_start = Clock::now();
  for (int i = 0; i < a.connections; ++i) {
    auto c = std::make_unique<Client>(io);
    asio::error_code ec;
    c->socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (ec) {
      ++failed;
      continue;
    }
    c->socket.set_option(tcp::no_delay(true), ec);
    c->out = "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"bench-pool/1.0\"]}\n"
             "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"w\",\"x\"]}\n";
    asio::async_write(c->socket, asio::buffer(c->out), [](const asio::error_code&, size_t) {});
    read_more(*c);
    clients.push_back(std::move(c));
    if (i % 500 == 0) io.poll();
  }
  while (ready < clients.size() && Clock::now() - connect_start < std::chrono::seconds(60)) {
    io.run_for(std::chrono::milliseconds(50));
  }
  const double connect_s = std::chrono::duration<double>(Clock::now() - connect_start).count();
  if (write(down[1], "r", 1) != 1) return 1;
  accepted = rejected = 0;
  measuring = true;
  const auto t0 = Clock::now();
  end_at = t0 + std::chrono::milliseconds(int64_t(a.seconds * 1000));
  for (auto& c : clients) {
    if (c->ready) idle.push_back(c.get());
  }
  for (int i = 0; i < a.inflight / a.batch && !idle.empty(); ++i) {
    Client* c = idle.front();
    idle.pop_front();
    send_submit(*c);
  }
  while (Clock::now() < end_at + std::chrono::seconds(2)) io.run_for(std::chrono::milliseconds(100));
  const double elapsed = std::chrono::duration<double>(end_at - t0).count();
  close(down[1]);
  char result[128] = {};
  ssize_t got = read(up[0], result, sizeof result - 1);
  int status = 0;
  waitpid(child, &status, 0);
  double pool_cpu = 0;
  unsigned long long pool_accepted = 0;
  if (got > 0) std::sscanf(result, "%lf %llu", &pool_cpu, &pool_accepted);

  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    return latencies_ms.empty() ? 0.0 : latencies_ms[size_t(p * double(latencies_ms.size() - 1))];
  };
  const double rate = double(accepted) / elapsed;
  std::printf("connections: %zu open, %llu ready (connect+subscribe+authorize %.1f s), %llu failed\n",
              clients.size(), static_cast<unsigned long long>(ready), connect_s,
              static_cast<unsigned long long>(failed));
  std::printf("load: %d submits outstanding, %d per write per connection\n", a.inflight, a.batch);
  std::printf("accepted shares/s: %.0f (%llu accepted, %llu rejected in %.1f s)\n", rate,
              static_cast<unsigned long long>(accepted), static_cast<unsigned long long>(rejected), elapsed);
  std::printf("submit-to-answer latency: p50 %.2f ms, p99 %.2f ms\n", pct(0.5), pct(0.99));
  std::printf("pool CPU seconds: %.2f (%.0f validations per pool CPU second, %d io threads)\n", pool_cpu,
              pool_cpu > 0 ? double(accepted) / pool_cpu : 0.0, a.io_threads);
  std::printf("baseline: share check alone, one core, no sockets: %.0f shares/s; pool/baseline %.2f\n",
              baseline_rate, baseline_rate > 0 ? rate / baseline_rate : 0.0);
  return 0;
}
