#include "io/http_client.h"

#include "core/json_depth.h"
#include "io/asio.h"

#include <optional>

namespace mw::io {

Result<HttpResponse> HttpFetch(const HostPort& server, std::string_view method,
                               std::string_view target, std::string_view body,
                               std::string_view content_type, const HttpCallOptions& options) {
  asio::io_context io;
  asio::error_code ec;
  const std::string host = server.host == "localhost" ? "127.0.0.1" : server.host;
  asio::ip::address addr = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("'" + server.host + "' is not an IP address");
  asio::ip::tcp::socket socket(io);

  std::string request = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
  request += "Host: " + server.ToString() + "\r\n";
  if (!body.empty() || method == "POST") {
    request += "Content-Type: " + std::string(content_type) + "\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "Connection: close\r\n\r\n";
  request += body;

  std::string received;
  std::array<char, 8192> chunk{};
  std::optional<Status> failure;
  bool done = false;
  HttpLimits limits;
  limits.max_head_bytes = 64 * 1024;

  // Reads until the body is complete (Content-Length) or the peer closes.
  std::function<void()> read_more;
  auto complete = [&]() -> bool {
    const size_t end = FindHeadEnd(received);
    if (end == std::string::npos) return false;
    auto head = ParseResponseHead(std::string_view(received).substr(0, end), limits);
    if (!head.ok()) {
      failure = head.status();
      return true;
    }
    if (head->content_length >= 0) {
      return received.size() - end >= static_cast<size_t>(head->content_length);
    }
    return false;
  };
  read_more = [&] {
    socket.async_read_some(asio::buffer(chunk), [&](const asio::error_code& rec, size_t n) {
      received.append(chunk.data(), n);
      if (received.size() > options.max_response_bytes) {
        failure = Status::OutOfRange("HTTP response larger than " +
                                     std::to_string(options.max_response_bytes) + " bytes");
        done = true;
        return;
      }
      if (rec) {  // EOF or error: whatever we have is the response
        done = true;
        return;
      }
      if (complete()) {
        done = true;
        return;
      }
      read_more();
    });
  };
  socket.async_connect(asio::ip::tcp::endpoint(addr, server.port),
                       [&](const asio::error_code& cec) {
                         if (cec) {
                           failure = Status::Unavailable("cannot connect to " +
                                                         server.ToString() + ": " + cec.message());
                           done = true;
                           return;
                         }
                         asio::async_write(socket, asio::buffer(request),
                                           [&](const asio::error_code& wec, size_t) {
                                             if (wec) {
                                               failure = Status::Unavailable(
                                                   "send to " + server.ToString() +
                                                   " failed: " + wec.message());
                                               done = true;
                                               return;
                                             }
                                             read_more();
                                           });
                       });
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  bool cancelled = false;
  while (!done) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    if (options.cancel && options.cancel->load()) {
      cancelled = true;
      break;
    }
    io.run_for(std::min<std::chrono::steady_clock::duration>(deadline - now,
                                                             std::chrono::milliseconds(50)));
    if (io.stopped() && !done) io.restart();
  }
  if (!done) {
    asio::error_code ignored;
    socket.close(ignored);
    io.run_for(std::chrono::milliseconds(100));
    if (cancelled) return Status::Unavailable("cancelled");
    return Status::Unavailable("HTTP " + std::string(method) + " " + server.ToString() +
                               std::string(target) + " timed out after " +
                               std::to_string(options.timeout.count()) + " ms");
  }
  if (failure) return *failure;
  const size_t end = FindHeadEnd(received);
  if (end == std::string::npos) {
    return Status::Corruption("connection closed before a complete HTTP response from " +
                              server.ToString());
  }
  MW_ASSIGN_OR_RETURN(HttpResponseHead head,
                      ParseResponseHead(std::string_view(received).substr(0, end), limits));
  HttpResponse out;
  out.status = head.status;
  out.headers = head.headers;
  out.content_type = std::string(FindHeader(head.headers, "Content-Type"));
  out.body = received.substr(end);
  if (head.content_length >= 0) {
    if (out.body.size() < static_cast<size_t>(head.content_length)) {
      return Status::Corruption("HTTP response body shorter than its Content-Length");
    }
    out.body.resize(static_cast<size_t>(head.content_length));
  }
  return out;
}

Result<nlohmann::json> JsonRpcClient::Call(std::string_view method, const nlohmann::json& params,
                                           std::chrono::milliseconds timeout) {
  last_code_ = 0;
  nlohmann::json req = {{"jsonrpc", "2.0"}, {"id", next_id_++}, {"method", method},
                        {"params", params}};
  HttpCallOptions options;
  options.timeout = timeout;
  options.cancel = cancel_;
  MW_ASSIGN_OR_RETURN(HttpResponse resp, HttpFetch(url_.endpoint, "POST", url_.path, req.dump(),
                                                   "application/json", options));
  if (JsonNestsDeeperThan(resp.body, kMaxJsonRpcDepth)) {
    return Status::Corruption(std::string(method) + ": HTTP " + std::to_string(resp.status) +
                              " with a reply nested deeper than " +
                              std::to_string(kMaxJsonRpcDepth) + " levels");
  }
  nlohmann::json doc = nlohmann::json::parse(resp.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::Corruption(std::string(method) + ": HTTP " + std::to_string(resp.status) +
                              " with a body that is not a JSON-RPC reply");
  }
  auto error = doc.find("error");
  if (error != doc.end() && !error->is_null()) {
    int code = -32603;
    std::string message = "unknown error";
    if (error->is_object()) {
      auto c = error->find("code");
      if (c != error->end() && c->is_number_integer()) code = c->get<int>();
      auto m = error->find("message");
      if (m != error->end() && m->is_string()) message = m->get<std::string>();
    }
    last_code_ = code;
    return Status(StatusCode::kFailedPrecondition,
                  std::string(method) + ": " + message + " (code " + std::to_string(code) + ")");
  }
  auto result = doc.find("result");
  if (result == doc.end()) {
    return Status::Corruption(std::string(method) + ": reply has neither result nor error");
  }
  return *result;
}

}  // namespace mw::io
