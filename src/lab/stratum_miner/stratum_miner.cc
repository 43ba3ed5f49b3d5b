#include "lab/stratum_miner/stratum_miner.h"

#include "io/asio.h"  // first: silences Asio's -Wnull-dereference false positives

#include <asio/ssl.hpp>

#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "lab/miner/hash_workers.h"
#include "proto/stratum/stratum_codec.h"
#include "proto/websocket/frame.h"
#include "proto/websocket/handshake.h"

namespace mw::lab::stratum_miner {

namespace st = mw::stratum;
using asio::ip::tcp;
using SslStream = asio::ssl::stream<tcp::socket>;

// "sv2" or the JSON dialect's name, for log lines.
std::string WireName(const ClientOptions& c) {
  return c.sv2 ? std::string("sv2") : std::string(st::DialectName(c.dialect));
}

std::string PoolEndpoint::ToString() const {
  std::string scheme = sv2 ? "stratum2+tcp://"
                      : websocket ? (tls ? "wss://" : "ws://")
                                  : (tls ? "stratum+ssl://" : "stratum+tcp://");
  return scheme + host + ":" + std::to_string(port) + (websocket ? path : "");
}

Result<PoolEndpoint> ParsePoolUrl(std::string_view url, bool tls, bool websocket) {
  PoolEndpoint ep;
  ep.tls = tls;
  ep.websocket = websocket;
  auto take = [&url](std::string_view prefix) {
    if (url.substr(0, prefix.size()) != prefix) return false;
    url.remove_prefix(prefix.size());
    return true;
  };
  if (take("stratum+tcp://")) {
  } else if (take("stratum2+tcp://")) {
    ep.sv2 = true;
    if (tls || websocket) return Status::InvalidArgument("Stratum V2 here is plain TCP (no --tls/--ws)");
  } else if (take("stratum+ssl://") || take("stratum+tls://")) {
    ep.tls = true;
  } else if (take("wss://")) {
    ep.tls = ep.websocket = true;
  } else if (take("ws://")) {
    ep.websocket = true;
  } else if (url.find("://") != std::string_view::npos) {
    return Status::InvalidArgument("unknown pool URL scheme");
  }
  const size_t slash = url.find('/');
  if (slash != std::string_view::npos) {
    ep.path = std::string(url.substr(slash));
    url = url.substr(0, slash);
  }
  const size_t colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return Status::InvalidArgument("pool URL needs HOST:PORT");
  ep.host = std::string(url.substr(0, colon));
  if (ep.host.size() > 2 && ep.host.front() == '[' && ep.host.back() == ']') {
    ep.host = ep.host.substr(1, ep.host.size() - 2);
  }
  const std::string port(url.substr(colon + 1));
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) == 0 || std::stoul(port) > 65535) {
    return Status::InvalidArgument("pool URL port must be 1..65535");
  }
  ep.port = uint16_t(std::stoul(port));
  return ep;
}

namespace {

// Where the hashing threads deliver found nonces: the io loop of the live connection.
struct Mailbox {
  std::mutex mu;
  asio::io_context* io = nullptr;
  std::function<void(const miner::FoundNonce&)> found;
  std::function<void(uint64_t)> exhausted;
};

template <typename Stream>
class MinerConn {
 public:
  MinerConn(asio::io_context& io, Stream& stream, const PoolEndpoint& ep,
            const StratumMinerOptions& options, miner::HashWorkers& workers, Mailbox& mailbox,
            const std::atomic<bool>& stop, std::atomic<uint64_t>& accepted,
            std::atomic<uint64_t>& rejected, const StratumMiner::Output& output)
      : io_(io),
        stream_(stream),
        ep_(ep),
        options_(options),
        workers_(workers),
        mailbox_(mailbox),
        stop_(stop),
        accepted_(accepted),
        rejected_(rejected),
        output_(output),
        protocol_(options.client),
        decoder_(websocket::MaskPolicy::kRequireUnmasked),
        timer_(io) {}

  // Runs until the connection ends. True when the pool gave us work (a productive session).
  bool Run() {
    {
      std::lock_guard lock(mailbox_.mu);
      mailbox_.io = &io_;
      mailbox_.found = [this](const miner::FoundNonce& f) { OnFound(f); };
      mailbox_.exhausted = [this](uint64_t unit) { OnExhausted(unit); };
    }
    if (ep_.websocket) {
      ws_key_ = websocket::GenerateClientKey();
      websocket::HandshakeRequest req;
      req.path = ep_.path;
      req.host = ep_.host + ":" + std::to_string(ep_.port);
      req.key = ws_key_;
      req.origin = "http://" + req.host;
      req.user_agent =
          "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
      WriteRaw(websocket::BuildClientHandshake(req));
    } else {
      SendHello();
    }
    Read();
    last_report_ = last_keepalive_ = duty_start_ = std::chrono::steady_clock::now();
    last_hashes_ = keepalive_hashes_ = workers_.total_hashes();
    Tick();
    io_.run();
    {
      std::lock_guard lock(mailbox_.mu);
      mailbox_.io = nullptr;
    }
    workers_.Clear();
    return productive_;
  }

 private:
  void SendHello() {
    for (auto& line : protocol_.Hello()) Write(std::move(line));
  }

  void Close(const std::string& why) {
    if (closed_) return;
    closed_ = true;
    if (!why.empty()) output_("connection to " + ep_.ToString() + " closed: " + why);
    asio::error_code ec;
    stream_.lowest_layer().close(ec);
    timer_.cancel();
  }

  void Read() {
    stream_.async_read_some(asio::buffer(buf_), [this](const asio::error_code& ec, size_t n) {
      if (ec) return Close(ec == asio::error::eof ? "pool closed the connection" : ec.message());
      OnBytes(std::string_view(buf_.data(), n));
      if (!closed_) Read();
    });
  }

  void OnBytes(std::string_view bytes) {
    if (options_.client.sv2) {
      sv2_splitter_.Append(AsBytes(bytes));
      while (!closed_) {
        auto next = sv2_splitter_.Next();
        if (!next.ok()) return Close("bad Stratum V2 frame: " + next.status().message());
        if (!next->has_value()) break;
        HandleEvents(protocol_.OnFrame(**next));
      }
      return;
    }
    if (!ep_.websocket) {
      splitter_.Append(bytes);
      while (!closed_) {
        auto next = splitter_.Next();
        if (!next) break;
        if (next->ok()) OnLine(**next);
      }
      return;
    }
    if (!upgraded_) {
      handshake_.append(bytes);
      const size_t len = websocket::HandshakeLength(handshake_);
      if (len == 0) {
        if (handshake_.size() > websocket::kMaxHandshakeBytes) Close("oversized WebSocket handshake");
        return;
      }
      Status s = websocket::CheckServerHandshake(std::string_view(handshake_).substr(0, len), ws_key_);
      if (!s.ok()) return Close("WebSocket upgrade refused: " + s.message());
      upgraded_ = true;
      const std::string rest = handshake_.substr(len);
      handshake_.clear();
      SendHello();
      decoder_.Append(AsBytes(rest));
    } else {
      decoder_.Append(AsBytes(bytes));
    }
    while (!closed_) {
      auto msg = decoder_.Next();
      if (!msg.ok()) return Close("bad WebSocket frame: " + msg.status().message());
      if (!msg->has_value()) break;
      const websocket::WsMessage& m = **msg;
      if (m.opcode == websocket::Opcode::kText || m.opcode == websocket::Opcode::kBinary) {
        OnLine(AsString(m.payload));
      } else if (m.opcode == websocket::Opcode::kPing) {
        Bytes pong = websocket::EncodeClientFrame(websocket::Opcode::kPong, m.payload);
        WriteRaw(std::string(AsString(pong)));
      } else if (m.opcode == websocket::Opcode::kClose) {
        return Close("pool closed the WebSocket");
      }
    }
  }

  void OnLine(std::string_view line) { HandleEvents(protocol_.OnLine(line)); }

  void HandleEvents(ClientEvents ev) {
    if (ev.accepted) {
      accepted_ += uint64_t(ev.accepted);
      if (options_.max_accepted && accepted_.load() >= options_.max_accepted) {
        return Close("");
      }
    }
    if (ev.rejected) {
      rejected_ += uint64_t(ev.rejected);
      output_("share rejected: " + ev.reject_reason);
    }
    if (ev.fatal) return Close(ev.fatal_reason);
    for (std::string& out : ev.send) Write(std::move(out));
    if (ev.new_work) {
      productive_ = true;
      if (Running()) StartUnit();
    }
  }

  bool Running() const {
    if (options_.cpu_limit_percent >= 100) return true;
    return duty_running_;
  }

  void StartUnit() {
    auto unit = protocol_.NextWork();
    if (unit) workers_.SetWork(*unit);
  }

  void OnFound(const miner::FoundNonce& f) {
    asio::post(io_, [this, f] {
      if (closed_) return;
      if (auto line = protocol_.Submit(f)) Write(std::move(*line));
    });
  }

  void OnExhausted(uint64_t) {
    asio::post(io_, [this] {
      if (!closed_ && Running()) StartUnit();
    });
  }

  void Write(std::string line) {
    if (ep_.websocket) {
      if (!line.empty() && line.back() == '\n') line.pop_back();
      Bytes frame = websocket::EncodeClientFrame(websocket::Opcode::kText, AsBytes(line));
      line.assign(AsString(frame));
    }
    WriteRaw(std::move(line));
  }

  void WriteRaw(std::string bytes) {
    if (closed_) return;
    queue_.push_back(std::move(bytes));
    if (!writing_) WriteNext();
  }

  void WriteNext() {
    if (queue_.empty() || closed_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    out_ = std::move(queue_.front());
    queue_.pop_front();
    asio::async_write(stream_, asio::buffer(out_), [this](const asio::error_code& ec, size_t) {
      if (ec) return Close(ec.message());
      WriteNext();
    });
  }

  void Tick() {
    const bool limited = options_.cpu_limit_percent < 100;
    timer_.expires_after(std::chrono::milliseconds(limited ? 10 : 100));
    timer_.async_wait([this, limited](const asio::error_code& ec) {
      if (ec || closed_) return;
      if (stop_) return Close("");
      const auto now = std::chrono::steady_clock::now();
      if (limited && protocol_.ready()) {
        // Duty cycle over 200 ms windows: hash for cpu_limit% of each window, then idle.
        constexpr auto kWindow = std::chrono::milliseconds(200);
        const auto run_for = std::chrono::duration_cast<std::chrono::milliseconds>(
            kWindow * (options_.cpu_limit_percent / 100.0));
        if (now - duty_start_ >= kWindow) {
          duty_start_ = now;
          if (!duty_running_) {
            duty_running_ = true;
            StartUnit();
          }
        } else if (duty_running_ && now - duty_start_ >= run_for) {
          duty_running_ = false;
          workers_.Clear();
        }
      }
      if (now - last_keepalive_ >= options_.keepalive_interval) {
        const double secs = std::chrono::duration<double>(now - last_keepalive_).count();
        const uint64_t total = workers_.total_hashes();
        const double rate = secs > 0 ? double(total - keepalive_hashes_) / secs : 0;
        keepalive_hashes_ = total;
        last_keepalive_ = now;
        if (auto line = protocol_.KeepAlive(rate)) Write(std::move(*line));
      }
      if (now - last_report_ >= options_.report_interval) {
        const double secs = std::chrono::duration<double>(now - last_report_).count();
        const uint64_t total = workers_.total_hashes();
        const double rate = double(total - last_hashes_) / secs;
        last_hashes_ = total;
        last_report_ = now;
        char line[256];
        std::snprintf(line, sizeof line,
                      "hashrate %.2f MH/s, accepted %llu, rejected %llu, difficulty %g, pool %s (%s)",
                      rate / 1e6, static_cast<unsigned long long>(accepted_.load()),
                      static_cast<unsigned long long>(rejected_.load()), protocol_.difficulty(),
                      ep_.ToString().c_str(), WireName(options_.client).c_str());
        output_(line);
      }
      Tick();
    });
  }

  asio::io_context& io_;
  Stream& stream_;
  const PoolEndpoint& ep_;
  const StratumMinerOptions& options_;
  miner::HashWorkers& workers_;
  Mailbox& mailbox_;
  const std::atomic<bool>& stop_;
  std::atomic<uint64_t>& accepted_;
  std::atomic<uint64_t>& rejected_;
  const StratumMiner::Output& output_;
  ClientProtocol protocol_;
  std::array<char, 8192> buf_{};
  st::LineSplitter splitter_;
  sv2::FrameSplitter sv2_splitter_{st::kMaxLineBytes};
  websocket::FrameDecoder decoder_;
  std::string ws_key_;
  std::string handshake_;
  bool upgraded_ = false;
  std::deque<std::string> queue_;
  std::string out_;
  bool writing_ = false;
  bool closed_ = false;
  bool productive_ = false;
  bool duty_running_ = true;
  asio::steady_timer timer_;
  std::chrono::steady_clock::time_point last_report_, last_keepalive_, duty_start_;
  uint64_t last_hashes_ = 0;
  uint64_t keepalive_hashes_ = 0;
};

// Connects (with a deadline) and runs one session. Returns true when it was productive.
bool RunSession(const PoolEndpoint& ep, const StratumMinerOptions& options,
                miner::HashWorkers& workers, Mailbox& mailbox, const std::atomic<bool>& stop,
                std::atomic<uint64_t>& accepted, std::atomic<uint64_t>& rejected,
                const StratumMiner::Output& output) {
  asio::io_context io;
  asio::error_code ec;
  const std::string host = ep.host == "localhost" ? "127.0.0.1" : ep.host;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) {
    output("pool host must be an IP address: " + ep.host);
    return false;
  }
  tcp::socket socket(io);
  bool connected = false;
  asio::steady_timer deadline(io, std::chrono::seconds(5));
  socket.async_connect(tcp::endpoint(addr, ep.port), [&](const asio::error_code& e) {
    connected = !e;
    deadline.cancel();
  });
  deadline.async_wait([&](const asio::error_code& e) {
    if (!e) socket.close();
  });
  io.run();
  io.restart();
  if (!connected || stop) {
    output("cannot connect to " + ep.ToString());
    return false;
  }
  socket.set_option(tcp::no_delay(true), ec);
  output("connected to " + ep.ToString() + " (" + WireName(options.client) + ")");
  if (!ep.tls) {
    MinerConn<tcp::socket> conn(io, socket, ep, options, workers, mailbox, stop, accepted, rejected, output);
    return conn.Run();
  }
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_verify_mode(asio::ssl::verify_none);  // lab pools use self-signed certificates
  SslStream tls(std::move(socket), ctx);
  SSL_set_tlsext_host_name(tls.native_handle(), ep.host.c_str());
  bool shook = false;
  tls.async_handshake(asio::ssl::stream_base::client, [&](const asio::error_code& e) { shook = !e; });
  io.run_for(std::chrono::seconds(5));
  io.restart();
  if (!shook) {
    output("TLS handshake with " + ep.ToString() + " failed");
    return false;
  }
  MinerConn<SslStream> conn(io, tls, ep, options, workers, mailbox, stop, accepted, rejected, output);
  return conn.Run();
}

}  // namespace

StratumMiner::StratumMiner(StratumMinerOptions options, Output output)
    : options_(std::move(options)), output_(std::move(output)) {}

Status StratumMiner::Run(const std::atomic<bool>& stop) {
  if (options_.pools.empty()) return Status::InvalidArgument("no pool given");
  Mailbox mailbox;
  miner::HashWorkers workers(
      options_.threads,
      [&mailbox](const miner::FoundNonce& f) {
        std::lock_guard lock(mailbox.mu);
        if (mailbox.io && mailbox.found) mailbox.found(f);
      },
      [&mailbox](uint64_t unit) {
        std::lock_guard lock(mailbox.mu);
        if (mailbox.io && mailbox.exhausted) mailbox.exhausted(unit);
      });
  size_t index = 0;
  auto backoff = std::chrono::milliseconds(500);
  while (!stop) {
    const PoolEndpoint& ep = options_.pools[index];
    const bool productive =
        RunSession(ep, options_, workers, mailbox, stop, accepted_, rejected_, output_);
    hashes_ = workers.total_hashes();
    if (stop || (options_.max_accepted && accepted_.load() >= options_.max_accepted)) break;
    if (productive) {
      backoff = std::chrono::milliseconds(500);
    } else {
      index = (index + 1) % options_.pools.size();  // fail over
      output_("retrying in " + std::to_string(backoff.count()) + " ms with " +
              options_.pools[index].ToString());
      const auto until = std::chrono::steady_clock::now() + backoff;
      while (!stop && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
  }
  hashes_ = workers.total_hashes();
  return Status::Ok();
}

}  // namespace mw::lab::stratum_miner
