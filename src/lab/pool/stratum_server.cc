#include "lab/pool/stratum_server.h"

#include "io/asio.h"  // first: silences Asio's -Wnull-dereference false positives

#include <asio/ssl.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_set>

#include "lab/pool/session.h"
#include "proto/stratum/stratum_codec.h"
#include "proto/websocket/frame.h"
#include "proto/websocket/handshake.h"

namespace mw::pool {

namespace {

using asio::ip::tcp;
using SslStream = asio::ssl::stream<tcp::socket>;
constexpr size_t kMaxQueuedBytes = 1 << 20;

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

enum class Transport { kTcp, kTls, kWebSocket, kSv2 };

class ConnBase : public std::enable_shared_from_this<ConnBase> {
 public:
  virtual ~ConnBase() = default;
  virtual void Start() = 0;
  virtual void Deliver(const std::shared_ptr<const PoolJob>& job, double now) = 0;
  virtual bool Tick(double now) = 0;
  virtual void Close() = 0;
};

}  // namespace

struct StratumServer::Impl : std::enable_shared_from_this<StratumServer::Impl> {
  struct Worker {
    asio::io_context io{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
    std::thread thread;
    std::unordered_set<std::shared_ptr<ConnBase>> conns;  // io thread only
    std::unique_ptr<asio::steady_timer> tick;
  };

  Impl(PoolCore& c, ServerOptions o) : core(c), options(o) {
    const int n = std::max(1, options.io_threads);
    for (int i = 0; i < n; ++i) workers.push_back(std::make_unique<Worker>());
  }

  PoolCore& core;
  ServerOptions options;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;  // on workers[0]
  std::vector<std::unique_ptr<asio::ssl::context>> ssl_contexts;
  std::atomic<size_t> next_worker{0};
  std::mutex ip_mu;
  std::map<std::string, size_t> per_ip;
  bool started = false;
  std::atomic<bool> stopped{false};

  void Accept(tcp::acceptor* acceptor, Transport transport, asio::ssl::context* ssl);
  // Binds `where` and accepts connections for `transport` on it (`ssl`: TLS only).
  Result<io::HostPort> Listen(const io::HostPort& where, Transport transport, asio::ssl::context* ssl);
  void OnAccepted(Worker& w, tcp::socket socket, Transport transport, asio::ssl::context* ssl);
  void ReleaseIp(const std::string& ip) {
    std::lock_guard lock(ip_mu);
    auto it = per_ip.find(ip);
    if (it != per_ip.end() && --it->second == 0) per_ip.erase(it);
  }
  void ScheduleTick(Worker& w);
};

namespace {

template <typename Stream>
class Conn final : public ConnBase {
 public:
  Conn(std::shared_ptr<StratumServer::Impl> server, StratumServer::Impl::Worker& worker,
       Stream stream, std::string ip, Transport transport)
      : server_(std::move(server)),
        worker_(worker),
        stream_(std::move(stream)),
        ip_(std::move(ip)),
        transport_(transport),
        decoder_(websocket::MaskPolicy::kRequireMasked,
                 websocket::DecoderLimits{stratum::kMaxLineBytes, stratum::kMaxLineBytes}),
        session_(server_->core, ip_, [this](std::string line) { Write(std::move(line)); },
                 NowSeconds()) {}

  void Start() override {
    if constexpr (std::is_same_v<Stream, SslStream>) {
      auto self = shared_from_this();
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [this, self](const asio::error_code& ec) {
                                if (ec) return Close();
                                Read();
                              });
    } else {
      Read();
    }
  }

  void Deliver(const std::shared_ptr<const PoolJob>& job, double now) override {
    if (!closing_ && (transport_ != Transport::kWebSocket || upgraded_)) session_.OnJob(job, now);
  }

  bool Tick(double now) override {
    if (closing_) return now - closing_since_ < 2;  // give the last answer 2 s to drain
    if (!session_.OnTick(now)) {
      CloseAfterFlush(now);
    }
    return true;
  }

  void Close() override {
    if (closed_) return;
    closed_ = true;
    asio::error_code ignored;
    stream_.lowest_layer().close(ignored);
    server_->core.stats().connections.fetch_sub(1);
    server_->ReleaseIp(ip_);
    auto self = shared_from_this();
    worker_.conns.erase(self);
  }

 private:
  void CloseAfterFlush(double now) {
    if (closing_) return;
    closing_ = true;
    closing_since_ = now;
    if (!writing_ && !holding_writes_) Close();
  }

  void Read() {
    auto self = shared_from_this();
    stream_.async_read_some(asio::buffer(buf_), [this, self](const asio::error_code& ec, size_t n) {
      if (ec || closed_) return Close();
      // Answers to every line of this read go out in one write (a miner that pipelines shares
      // costs one send, not one per share).
      holding_writes_ = true;
      OnBytes(std::string_view(buf_.data(), n));
      holding_writes_ = false;
      if (!writing_ && (!queue_.empty() || closing_)) WriteNext();
      if (!closing_ && !closed_) Read();
    });
  }

  void OnBytes(std::string_view bytes) {
    const double now = NowSeconds();
    if (transport_ == Transport::kWebSocket) return OnWebSocketBytes(bytes, now);
    if (transport_ == Transport::kSv2) return OnSv2Bytes(bytes, now);
    splitter_.Append(bytes);
    while (!closing_) {
      auto next = splitter_.Next();
      if (!next) break;
      const bool keep = next->ok() ? session_.OnLine(**next, now) : session_.OnOversizeLine(now);
      if (!keep) CloseAfterFlush(now);
    }
  }

  void OnSv2Bytes(std::string_view bytes, double now) {
    sv2_splitter_.Append(AsBytes(bytes));
    while (!closing_) {
      auto next = sv2_splitter_.Next();
      if (next.ok() && !next->has_value()) break;
      const bool keep = next.ok() ? session_.OnSv2Frame(**next, now) : session_.OnBadSv2Frame(now);
      if (!keep) CloseAfterFlush(now);
    }
  }

  void OnWebSocketBytes(std::string_view bytes, double now) {
    if (!upgraded_) {
      handshake_.append(bytes);
      const size_t len = websocket::HandshakeLength(handshake_);
      if (len == 0) {
        if (handshake_.size() > websocket::kMaxHandshakeBytes) {
          session_.OnOversizeLine(now);
          CloseAfterFlush(now);
        }
        return;
      }
      auto req = websocket::ParseClientHandshake(std::string_view(handshake_).substr(0, len));
      if (!req.ok()) {
        session_.OnOversizeLine(now);  // counts as junk
        WriteRaw("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return CloseAfterFlush(now);
      }
      WriteRaw(websocket::BuildServerHandshake(req->key));
      upgraded_ = true;
      const std::string rest = handshake_.substr(len);
      handshake_.clear();
      if (rest.empty()) return;
      bytes = rest;
      decoder_.Append(AsBytes(bytes));
    } else {
      decoder_.Append(AsBytes(bytes));
    }
    while (!closing_) {
      auto msg = decoder_.Next();
      if (!msg.ok()) {
        session_.OnOversizeLine(now);
        return CloseAfterFlush(now);
      }
      if (!msg->has_value()) break;
      const websocket::WsMessage& m = **msg;
      switch (m.opcode) {
        case websocket::Opcode::kText:
        case websocket::Opcode::kBinary: {
          std::string_view text = AsString(m.payload);
          while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
          if (!session_.OnLine(text, now)) CloseAfterFlush(now);
          break;
        }
        case websocket::Opcode::kPing: {
          Bytes pong = websocket::EncodeServerFrame(websocket::Opcode::kPong, m.payload);
          WriteRaw(std::string(AsString(pong)));
          break;
        }
        case websocket::Opcode::kClose: {
          Bytes close = websocket::EncodeServerFrame(websocket::Opcode::kClose,
                                                     websocket::ClosePayload(1000, ""));
          WriteRaw(std::string(AsString(close)));
          CloseAfterFlush(now);
          break;
        }
        default:
          break;
      }
    }
  }

  void Write(std::string line) {
    if (transport_ == Transport::kWebSocket) {
      if (!line.empty() && line.back() == '\n') line.pop_back();
      Bytes frame = websocket::EncodeServerFrame(websocket::Opcode::kText, AsBytes(line));
      line.assign(AsString(frame));
    }
    WriteRaw(std::move(line));
  }

  void WriteRaw(std::string bytes) {
    if (closed_) return;
    queued_bytes_ += bytes.size();
    queue_.push_back(std::move(bytes));
    if (queued_bytes_ > kMaxQueuedBytes) return Close();  // the peer stopped reading
    if (!writing_ && !holding_writes_) WriteNext();
  }

  void WriteNext() {
    if (queue_.empty() || closed_) {
      writing_ = false;
      if (closing_) Close();
      return;
    }
    writing_ = true;
    // Coalesce queued lines into one write.
    out_.clear();
    while (!queue_.empty() && out_.size() < 64 * 1024) {
      out_ += queue_.front();
      queue_.pop_front();
    }
    queued_bytes_ -= std::min(queued_bytes_, out_.size());
    auto self = shared_from_this();
    asio::async_write(stream_, asio::buffer(out_), [this, self](const asio::error_code& ec, size_t) {
      if (ec) return Close();
      WriteNext();
    });
  }

  std::shared_ptr<StratumServer::Impl> server_;
  StratumServer::Impl::Worker& worker_;
  Stream stream_;
  std::string ip_;
  Transport transport_;
  std::array<char, 4096> buf_{};
  stratum::LineSplitter splitter_;
  std::string handshake_;
  bool upgraded_ = false;
  sv2::FrameSplitter sv2_splitter_{stratum::kMaxLineBytes};  // frames bounded like lines
  websocket::FrameDecoder decoder_;
  Session session_;
  std::deque<std::string> queue_;
  std::string out_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool holding_writes_ = false;  // inside a read's OnBytes: queue answers, send them together
  bool closing_ = false;
  bool closed_ = false;
  double closing_since_ = 0;
};

}  // namespace

void StratumServer::Impl::ScheduleTick(Worker& w) {
  w.tick->expires_after(std::chrono::seconds(1));
  auto self = shared_from_this();
  w.tick->async_wait([this, self, &w](const asio::error_code& ec) {
    if (ec || stopped) return;
    const double now = NowSeconds();
    std::vector<std::shared_ptr<ConnBase>> all(w.conns.begin(), w.conns.end());
    for (auto& c : all) {
      if (!c->Tick(now)) c->Close();
    }
    ScheduleTick(w);
  });
}

void StratumServer::Impl::Accept(tcp::acceptor* acceptor, Transport transport,
                                 asio::ssl::context* ssl) {
  Worker& w = *workers[next_worker.fetch_add(1) % workers.size()];
  auto self = shared_from_this();
  acceptor->async_accept(w.io, [this, self, acceptor, transport, ssl, &w](const asio::error_code& ec,
                                                                           tcp::socket socket) {
    if (stopped) return;
    if (!ec) OnAccepted(w, std::move(socket), transport, ssl);
    Accept(acceptor, transport, ssl);
  });
}

void StratumServer::Impl::OnAccepted(Worker& w, tcp::socket socket, Transport transport,
                                     asio::ssl::context* ssl) {
  asio::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;
  const std::string ip = remote.address().to_string();
  const PoolOptions& o = core.options();
  PoolStats& stats = core.stats();
  const bool banned = core.bans().IsBanned(ip, int64_t(NowSeconds()));
  bool over = stats.connections.load() >= o.max_connections;
  if (!banned && !over) {
    std::lock_guard lock(ip_mu);
    size_t& n = per_ip[ip];
    if (n >= o.max_connections_per_ip) {
      over = true;
    } else {
      ++n;
    }
  }
  if (banned || over) {
    stats.refused_connections.fetch_add(1);
    socket.close(ec);
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  stats.connections.fetch_add(1);
  stats.connections_total.fetch_add(1);
  // The socket belongs to w.io; hop there before touching the worker's connection set.
  auto self = shared_from_this();
  asio::post(w.io, [self, &w, s = std::move(socket), ip, transport, ssl]() mutable {
    std::shared_ptr<ConnBase> conn;
    if (transport == Transport::kTls) {
      conn = std::make_shared<Conn<SslStream>>(self, w, SslStream(std::move(s), *ssl), ip, transport);
    } else {
      conn = std::make_shared<Conn<tcp::socket>>(self, w, std::move(s), ip, transport);
    }
    w.conns.insert(conn);
    conn->Start();
  });
}

StratumServer::StratumServer(PoolCore& core, ServerOptions options)
    : impl_(std::make_shared<Impl>(core, options)) {}

StratumServer::~StratumServer() { Stop(); }

namespace {
Result<io::HostPort> Bind(tcp::acceptor& acceptor, const io::HostPort& where) {
  asio::error_code ec;
  const std::string host = where.host == "localhost" ? "127.0.0.1" : where.host;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("bad listen address " + where.host);
  tcp::endpoint ep(addr, where.port);
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(4096, ec);
  if (ec) return Status::IoError("listen on " + where.ToString() + ": " + ec.message());
  auto local = acceptor.local_endpoint(ec);
  return io::HostPort{local.address().to_string(), local.port()};
}
}  // namespace

Result<io::HostPort> StratumServer::Impl::Listen(const io::HostPort& where, Transport transport,
                                                  asio::ssl::context* ssl) {
  auto acc = std::make_unique<tcp::acceptor>(workers[0]->io);
  MW_ASSIGN_OR_RETURN(io::HostPort bound, Bind(*acc, where));
  Accept(acc.get(), transport, ssl);
  acceptors.push_back(std::move(acc));
  return bound;
}

Result<io::HostPort> StratumServer::ListenTcp(const io::HostPort& where) {
  return impl_->Listen(where, Transport::kTcp, nullptr);
}

Result<io::HostPort> StratumServer::ListenWebSocket(const io::HostPort& where) {
  return impl_->Listen(where, Transport::kWebSocket, nullptr);
}

Result<io::HostPort> StratumServer::ListenSv2(const io::HostPort& where) {
  return impl_->Listen(where, Transport::kSv2, nullptr);
}

Result<io::HostPort> StratumServer::ListenTls(const io::HostPort& where, const PemPair& pem) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  asio::error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1,
                   ec);
  ctx->use_certificate_chain(asio::buffer(pem.certificate), ec);
  if (!ec) ctx->use_private_key(asio::buffer(pem.private_key), asio::ssl::context::pem, ec);
  if (ec) return Status::InvalidArgument("TLS certificate/key: " + ec.message());
  MW_ASSIGN_OR_RETURN(io::HostPort bound, impl_->Listen(where, Transport::kTls, ctx.get()));
  impl_->ssl_contexts.push_back(std::move(ctx));
  return bound;
}

void StratumServer::Start() {
  if (impl_->started) return;
  impl_->started = true;
  for (auto& w : impl_->workers) {
    w->guard.emplace(w->io.get_executor());
    w->tick = std::make_unique<asio::steady_timer>(w->io);
    impl_->ScheduleTick(*w);
    Impl::Worker* raw = w.get();
    w->thread = std::thread([raw] { raw->io.run(); });
  }
}

void StratumServer::Stop() {
  if (impl_->stopped.exchange(true)) return;
  auto impl = impl_;
  if (!impl->workers.empty()) {
    asio::post(impl->workers[0]->io, [impl] {
      for (auto& a : impl->acceptors) {
        asio::error_code ec;
        a->close(ec);
      }
    });
  }
  for (auto& w : impl->workers) {
    Impl::Worker* raw = w.get();
    asio::post(w->io, [raw] {
      std::vector<std::shared_ptr<ConnBase>> all(raw->conns.begin(), raw->conns.end());
      for (auto& c : all) c->Close();
      if (raw->tick) raw->tick->cancel();
      raw->guard.reset();
    });
  }
  for (auto& w : impl->workers) {
    if (w->thread.joinable()) w->thread.join();
  }
}

void StratumServer::BroadcastJob(std::shared_ptr<const PoolJob> job) {
  if (!job) return;
  impl_->core.stats().jobs.fetch_add(1);
  for (auto& w : impl_->workers) {
    Impl::Worker* raw = w.get();
    asio::post(w->io, [raw, job] {
      const double now = NowSeconds();
      std::vector<std::shared_ptr<ConnBase>> all(raw->conns.begin(), raw->conns.end());
      for (auto& c : all) c->Deliver(job, now);
    });
  }
}

}  // namespace mw::pool
