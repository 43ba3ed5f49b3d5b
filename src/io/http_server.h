// A small HTTP/1.1 server on a caller-owned asio::io_context, for loopback RPC and stats.
//
// Bounded: request heads and bodies (HttpLimits), open connections (excess ones are closed at
// accept), and time (a connection idle longer than idle_timeout or that takes longer than
// request_timeout to send a request is closed). Keep-alive is honoured; requests on one
// connection are answered in order.
//
// Routes match the path exactly (the query string is ignored). A handler receives the request
// and a Reply; it must call the Reply exactly once, now or later, from any thread (long-poll:
// keep the Reply and call it when the event happens or a timer fires). Extra calls are ignored.
// While a reply is pending the connection reads nothing more and no timeout closes it.
//
// Threading: handlers run on the io_context's thread (run it on one thread). Route/Listen must be
// called before requests arrive; Stop() and the destructor must run on the io thread or while
// no thread runs the io_context (e.g. after io.stop() and joining its thread). Connections keep
// the shared state they need alive, so pending handlers never touch a destroyed server.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/status.h"
#include "io/host_port.h"
#include "io/http_message.h"

namespace asio {
class io_context;
}  // namespace asio

namespace mw::io {

class HttpServer {
 public:
  struct Options {
    HttpLimits limits;
    size_t max_connections = 64;
    std::chrono::milliseconds idle_timeout{30000};
    std::chrono::milliseconds request_timeout{10000};
  };
  using Reply = std::function<void(HttpResponse)>;
  using Handler = std::function<void(const HttpRequest&, Reply)>;

  // Counters read by tests and stats pages (monotonic).
  struct Stats {
    std::atomic<uint64_t> accepted{0};
    std::atomic<uint64_t> refused_over_limit{0};
    std::atomic<uint64_t> requests{0};
    std::atomic<uint64_t> bad_requests{0};
    std::atomic<uint64_t> timeouts{0};
  };

  HttpServer(asio::io_context& io, Options options);
  explicit HttpServer(asio::io_context& io) : HttpServer(io, Options()) {}
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Exact path ("/", "/metrics"). Unknown paths get 404.
  void Route(std::string path, Handler handler);

  // Binds and starts accepting. Port 0 picks a free port; the bound endpoint is returned.
  Result<HostPort> Listen(const HostPort& where);

  // Stops accepting and closes every connection (pending replies are dropped). Idempotent.
  // See the threading note above.
  void Stop();

  const Stats& stats() const;

  struct State;  // shared with connections (implementation detail)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace mw::io
