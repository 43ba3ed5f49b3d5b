#include "io/json_rpc.h"

#include <gtest/gtest.h>

namespace mw::io {
namespace {

int ErrorCodeOf(std::string_view body) {
  auto parsed = ParseRpcRequest(body);
  if (auto* e = std::get_if<RpcError>(&parsed)) return e->code;
  return 0;
}

TEST(JsonRpcTest, ParsesBothDialects) {
  auto v2 = ParseRpcRequest(R"({"jsonrpc":"2.0","id":7,"method":"getblock","params":["ab"]})");
  ASSERT_TRUE(std::holds_alternative<RpcRequest>(v2));
  const auto& r2 = std::get<RpcRequest>(v2);
  EXPECT_TRUE(r2.v2);
  EXPECT_EQ(r2.id, 7);
  EXPECT_EQ(r2.method, "getblock");
  EXPECT_EQ(*ParamAt(r2.params, 0, "hash"), "ab");
  EXPECT_EQ(ParamAt(r2.params, 1, "verbose"), nullptr);

  auto v1 = ParseRpcRequest(R"({"id":"x","method":"getbestblockhash"})");
  ASSERT_TRUE(std::holds_alternative<RpcRequest>(v1));
  EXPECT_FALSE(std::get<RpcRequest>(v1).v2);
  EXPECT_TRUE(std::get<RpcRequest>(v1).params.is_null());
}

TEST(JsonRpcTest, ClassifiesBadRequests) {
  EXPECT_EQ(ErrorCodeOf("{not json"), rpc::kParseError);
  EXPECT_EQ(ErrorCodeOf(""), rpc::kParseError);
  EXPECT_EQ(ErrorCodeOf("[]"), rpc::kInvalidRequest);
  EXPECT_EQ(ErrorCodeOf("42"), rpc::kInvalidRequest);
  EXPECT_EQ(ErrorCodeOf(R"({"method":5})"), rpc::kInvalidRequest);
  EXPECT_EQ(ErrorCodeOf(R"({"method":"m","params":"str"})"), rpc::kInvalidRequest);
  EXPECT_EQ(ErrorCodeOf(R"({"method":"m","id":{}})"), rpc::kInvalidRequest);
  EXPECT_EQ(ErrorCodeOf(R"({"jsonrpc":3,"method":"m"})"), rpc::kInvalidRequest);
  // A body of nested brackets within the size limit is refused before it is parsed (copying
  // its params would overflow the stack); the deepest nesting allowed still parses.
  auto nested = [](size_t levels) {
    return R"({"method":"m","params":)" + std::string(levels, '[') + std::string(levels, ']') +
           "}";
  };
  EXPECT_EQ(ErrorCodeOf(nested(400000)), rpc::kInvalidRequest);
  EXPECT_EQ(ErrorCodeOf(nested(kMaxJsonRpcDepth)), rpc::kInvalidRequest);
  EXPECT_TRUE(std::holds_alternative<RpcRequest>(ParseRpcRequest(nested(kMaxJsonRpcDepth - 1))));
}

TEST(JsonRpcTest, ResponseBodiesFollowDialect) {
  Json v1 = Json::parse(RpcResultBody(1, "ok", false));
  EXPECT_TRUE(v1.contains("error"));
  EXPECT_TRUE(v1["error"].is_null());
  Json v2 = Json::parse(RpcErrorBody("a", {rpc::kMethodNotFound, "nope"}, true));
  EXPECT_EQ(v2["jsonrpc"], "2.0");
  EXPECT_FALSE(v2.contains("result"));
  EXPECT_EQ(v2["error"]["code"], rpc::kMethodNotFound);
}

TEST(JsonRpcTest, DispatcherRoutesAndReportsUnknownMethods) {
  RpcDispatcher d;
  d.Add("echo", [](const Json& params) -> RpcOutcome {
    const Json* p = ParamAt(params, 0, "value");
    if (!p || !p->is_number_integer()) return RpcError{rpc::kInvalidParams, "want an integer"};
    return *p;
  });
  auto handler = d.AsHttpHandler();
  auto call = [&](std::string body, std::string method = "POST") {
    HttpRequest req;
    req.method = method;
    req.body = std::move(body);
    HttpResponse got;
    handler(req, [&](HttpResponse r) { got = std::move(r); });
    return got;
  };
  EXPECT_EQ(Json::parse(call(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":[5]})").body)
                ["result"], 5);
  EXPECT_EQ(Json::parse(call(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":["x"]})").body)
                ["error"]["code"], rpc::kInvalidParams);
  EXPECT_EQ(Json::parse(call(R"({"jsonrpc":"2.0","id":1,"method":"nope"})").body)
                ["error"]["code"], rpc::kMethodNotFound);
  EXPECT_EQ(call("{}", "GET").status, 405);
}

}  // namespace
}  // namespace mw::io
