#include "io/http_server.h"

#include "io/asio.h"

#include <gtest/gtest.h>

#include <thread>

#include "io/http_client.h"
#include "io/json_rpc.h"

namespace mw::io {
namespace {

// Runs a server on its own io thread for the test's lifetime.
class ServerFixture : public ::testing::Test {
 protected:
  void StartServer(HttpServer::Options options = {}) {
    server_ = std::make_unique<HttpServer>(io_, options);
    RpcDispatcher rpc;
    rpc.Add("add", [](const Json& p) -> RpcOutcome {
      const Json* a = ParamAt(p, 0, "a");
      const Json* b = ParamAt(p, 1, "b");
      if (!a || !b || !a->is_number_integer() || !b->is_number_integer()) {
        return RpcError{rpc::kInvalidParams, "add wants two integers"};
      }
      return a->get<int64_t>() + b->get<int64_t>();
    });
    // A long-poll method: answers when the test fires the event.
    rpc.AddAsync("wait", [this](const Json&, RpcDispatcher::Done done) {
      std::lock_guard<std::mutex> lock(mu_);
      waiting_.push_back(std::move(done));
    });
    server_->Route("/", rpc.AsHttpHandler());
    // A node gone wrong: a reply of nested brackets within the body limit.
    server_->Route("/deep", [](const HttpRequest&, HttpServer::Reply reply) {
      HttpResponse r;
      r.body = R"({"id":1,"error":null,"result":)" + std::string(300000, '[') +
               std::string(300000, ']') + "}";
      reply(std::move(r));
    });
    auto bound = server_->Listen({"127.0.0.1", 0});
    ASSERT_TRUE(bound.ok()) << bound.status().ToString();
    endpoint_ = *bound;
    guard_.emplace(asio::make_work_guard(io_));
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    guard_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }
  void FireWaiters() {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& d : waiting_) d(Json("fired"));
    waiting_.clear();
  }
  size_t Waiting() {
    std::lock_guard<std::mutex> lock(mu_);
    return waiting_.size();
  }
  // Sends raw bytes and returns whatever comes back before the server closes or 2 s pass.
  std::string RawExchange(const std::string& bytes) {
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), endpoint_.port});
    asio::write(s, asio::buffer(bytes));
    std::string got;
    std::array<char, 4096> buf{};
    std::function<void()> rd = [&] {
      s.async_read_some(asio::buffer(buf), [&](const asio::error_code& ec, size_t n) {
        got.append(buf.data(), n);
        if (!ec) rd();
      });
    };
    rd();
    io.run_for(std::chrono::seconds(2));
    return got;
  }

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  HostPort endpoint_;
  std::mutex mu_;
  std::vector<RpcDispatcher::Done> waiting_;
};

TEST_F(ServerFixture, ServesJsonRpcOverHttp) {
  StartServer();
  JsonRpcClient client(HttpUrl{endpoint_, "/"});
  auto sum = client.Call("add", Json::array({2, 40}));
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(*sum, 42);
  auto bad = client.Call("add", Json::array({"two", 40}));
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(client.last_rpc_error_code(), rpc::kInvalidParams);
  EXPECT_FALSE(client.Call("missing", Json::array()).ok());
  EXPECT_EQ(client.last_rpc_error_code(), rpc::kMethodNotFound);
}

TEST_F(ServerFixture, ClientRefusesAReplyNestedTooDeep) {
  StartServer();
  JsonRpcClient client(HttpUrl{endpoint_, "/deep"});
  auto r = client.Call("anything", Json::array());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested deeper than"), std::string::npos)
      << r.status().ToString();
}

TEST_F(ServerFixture, LongPollAnswersWhenTheEventHappens) {
  StartServer();
  std::thread poller([this] {
    JsonRpcClient client(HttpUrl{endpoint_, "/"});
    auto r = client.Call("wait", Json::array());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, "fired");
  });
  while (Waiting() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  // The server keeps answering others while one request waits.
  JsonRpcClient other(HttpUrl{endpoint_, "/"});
  EXPECT_EQ(other.Call("add", Json::array({1, 1})).value_or(0), 2);
  FireWaiters();
  poller.join();
}

TEST_F(ServerFixture, GarbageGetsAnErrorAndTheServerKeepsServing) {
  StartServer();
  EXPECT_NE(RawExchange("\x01\x02garbage\r\n\r\n").find("400"), std::string::npos);
  std::string huge = "POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n";
  EXPECT_NE(RawExchange(huge).find("413"), std::string::npos);
  std::string bad_json = "POST / HTTP/1.1\r\nConnection: close\r\nContent-Length: 5\r\n\r\n{{{{{";
  EXPECT_NE(RawExchange(bad_json).find("-32700"), std::string::npos);
  EXPECT_NE(RawExchange("GET /nowhere HTTP/1.1\r\nConnection: close\r\n\r\n").find("404"),
            std::string::npos);
  EXPECT_NE(RawExchange(std::string(20000, 'A')).find("431"), std::string::npos);
  JsonRpcClient client(HttpUrl{endpoint_, "/"});
  EXPECT_EQ(client.Call("add", Json::array({3, 4})).value_or(0), 7);
  EXPECT_GE(server_->stats().bad_requests.load(), 3u);
}

TEST_F(ServerFixture, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  std::string body = R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]})";
  std::string one = "POST / HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\n\r\n" + body;
  std::string last = "POST / HTTP/1.1\r\nConnection: close\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string got = RawExchange(one + one + last);
  size_t count = 0;
  for (size_t pos = 0; (pos = got.find("\"result\":3", pos)) != std::string::npos; ++pos) ++count;
  EXPECT_EQ(count, 3u);
}

TEST_F(ServerFixture, IdleConnectionsAreClosed) {
  HttpServer::Options options;
  options.idle_timeout = std::chrono::milliseconds(100);
  options.request_timeout = std::chrono::milliseconds(100);
  StartServer(options);
  // A half-sent head: the server gives up and closes rather than waiting forever.
  std::string got = RawExchange("POST / HTTP/1.1\r\nContent-Le");
  EXPECT_EQ(got, "");
  EXPECT_GE(server_->stats().timeouts.load(), 1u);
}

TEST_F(ServerFixture, ClientReportsUnreachableServer) {
  StartServer();
  HostPort closed = endpoint_;
  server_->Stop();
  HttpCallOptions options;
  options.timeout = std::chrono::milliseconds(500);
  auto r = HttpFetch(closed, "GET", "/", "", "", options);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace mw::io
