#include "io/http_server.h"

#include "io/asio.h"

#include <list>
#include <mutex>
#include <utility>

namespace mw::io {

class HttpConnection;

struct HttpServer::State {
  explicit State(asio::io_context& io_in, Options o) : io(io_in), acceptor(io_in), options(o) {}
  asio::io_context& io;
  asio::ip::tcp::acceptor acceptor;
  Options options;
  std::map<std::string, Handler, std::less<>> routes;
  Stats stats;
  // Touched only on the io thread.
  std::list<std::weak_ptr<HttpConnection>> connections;
  bool stopped = false;
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(std::shared_ptr<HttpServer::State> state, asio::ip::tcp::socket socket)
      : state_(std::move(state)), socket_(std::move(socket)), timer_(state_->io) {}

  void Start() {
    ArmTimer(state_->options.idle_timeout);
    ProcessBuffer();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    asio::error_code ignored;
    timer_.cancel();
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  void ArmTimer(std::chrono::milliseconds after) {
    timer_.expires_after(after);
    timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
      if (ec || self->closed_ || self->reply_pending_) return;
      self->state_->stats.timeouts++;
      self->Close();
    });
  }

  void ReadMore() {
    if (closed_) return;
    socket_.async_read_some(asio::buffer(chunk_),
                            [self = shared_from_this()](const asio::error_code& ec, size_t n) {
                              if (ec || self->closed_) {
                                self->Close();
                                return;
                              }
                              if (self->buffer_.empty()) {
                                self->ArmTimer(self->state_->options.request_timeout);
                              }
                              self->buffer_.append(self->chunk_.data(), n);
                              self->ProcessBuffer();
                            });
  }

  // Parses as much of buffer_ as makes one request; dispatches it, or reads more.
  void ProcessBuffer() {
    if (closed_ || reply_pending_) return;
    if (!have_head_) {
      const size_t end = FindHeadEnd(buffer_);
      if (end == std::string::npos) {
        if (buffer_.size() > state_->options.limits.max_head_bytes) {
          Fail({431, "request head too large"});
          return;
        }
        ReadMore();
        return;
      }
      HttpParseError error;
      if (!ParseRequestHead(std::string_view(buffer_).substr(0, end), state_->options.limits,
                            &request_, &error)) {
        Fail(error);
        return;
      }
      buffer_.erase(0, end);
      have_head_ = true;
    }
    if (buffer_.size() < request_.content_length) {
      ReadMore();
      return;
    }
    request_.body = buffer_.substr(0, request_.content_length);
    buffer_.erase(0, request_.content_length);
    have_head_ = false;
    Dispatch();
  }

  void Fail(const HttpParseError& error) {
    state_->stats.bad_requests++;
    HttpResponse r;
    r.status = error.status;
    r.content_type = "text/plain";
    r.body = error.reason + "\n";
    keep_alive_ = false;
    Write(SerializeResponse(r, false));
  }

  void Dispatch() {
    state_->stats.requests++;
    keep_alive_ = request_.keep_alive;
    auto it = state_->routes.find(request_.Path());
    if (it == state_->routes.end()) {
      HttpResponse r;
      r.status = 404;
      r.content_type = "text/plain";
      r.body = "no such path\n";
      Write(SerializeResponse(r, keep_alive_));
      return;
    }
    reply_pending_ = true;
    timer_.cancel();
    auto once = std::make_shared<std::atomic<bool>>(false);
    // The reply owns the connection until it is called (or dropped), like a pending read would.
    std::shared_ptr<HttpConnection> owner = shared_from_this();
    asio::io_context& io = state_->io;
    HttpServer::Reply reply = [owner, once, &io](HttpResponse response) {
      if (once->exchange(true)) return;
      asio::post(io, [self = owner, response = std::move(response)]() mutable {
        if (self->closed_) return;
        self->reply_pending_ = false;
        self->Write(SerializeResponse(response, self->keep_alive_));
      });
    };
    it->second(request_, std::move(reply));
  }

  void Write(std::string bytes) {
    if (closed_) return;
    out_ = std::move(bytes);
    ArmTimer(state_->options.request_timeout);
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](const asio::error_code& ec, size_t) {
                        if (ec || !self->keep_alive_) {
                          self->Close();
                          return;
                        }
                        self->ArmTimer(self->state_->options.idle_timeout);
                        self->ProcessBuffer();
                      });
  }

  std::shared_ptr<HttpServer::State> state_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  std::array<char, 4096> chunk_{};
  std::string buffer_;
  std::string out_;
  HttpRequest request_;
  bool have_head_ = false;
  bool reply_pending_ = false;
  bool keep_alive_ = true;
  bool closed_ = false;
};

namespace {

void AcceptNext(const std::shared_ptr<HttpServer::State>& state) {
  state->acceptor.async_accept([state](const asio::error_code& ec, asio::ip::tcp::socket socket) {
    if (state->stopped) return;
    if (!ec) {
      state->connections.remove_if([](const auto& w) { return w.expired(); });
      if (state->connections.size() >= state->options.max_connections) {
        state->stats.refused_over_limit++;
        asio::error_code ignored;
        socket.close(ignored);
      } else {
        state->stats.accepted++;
        auto conn = std::make_shared<HttpConnection>(state, std::move(socket));
        state->connections.push_back(conn);
        conn->Start();
      }
    } else if (ec == asio::error::operation_aborted) {
      return;
    }
    AcceptNext(state);
  });
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, Options options)
    : state_(std::make_shared<State>(io, options)) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(std::string path, Handler handler) {
  state_->routes[std::move(path)] = std::move(handler);
}

Result<HostPort> HttpServer::Listen(const HostPort& where) {
  asio::error_code ec;
  const std::string host = where.host == "localhost" ? "127.0.0.1" : where.host;
  asio::ip::address addr = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("cannot listen on '" + where.host + "': not an IP address");
  asio::ip::tcp::endpoint ep(addr, where.port);
  auto& acc = state_->acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    asio::error_code ignored;
    acc.close(ignored);
    return Status::IoError("cannot listen on " + where.ToString() + ": " + ec.message());
  }
  HostPort bound{host, acc.local_endpoint().port()};
  AcceptNext(state_);
  return bound;
}

void HttpServer::Stop() {
  auto state = state_;
  auto do_stop = [state] {
    if (state->stopped) return;
    state->stopped = true;
    asio::error_code ignored;
    state->acceptor.close(ignored);
    for (auto& w : state->connections) {
      if (auto c = w.lock()) c->Close();
    }
    state->connections.clear();
  };
  do_stop();
}

const HttpServer::Stats& HttpServer::stats() const { return state_->stats; }

}  // namespace mw::io
