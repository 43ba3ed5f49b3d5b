#include "io/http_message.h"

#include <gtest/gtest.h>

namespace mw::io {
namespace {

HttpRequest MustParse(std::string_view head, HttpLimits limits = {}) {
  HttpRequest req;
  HttpParseError error;
  EXPECT_TRUE(ParseRequestHead(head, limits, &req, &error)) << error.reason;
  return req;
}

int ParseStatus(std::string_view head, HttpLimits limits = {}) {
  HttpRequest req;
  HttpParseError error;
  if (ParseRequestHead(head, limits, &req, &error)) return 0;
  return error.status;
}

TEST(HttpMessageTest, ParsesPostWithBodyLength) {
  auto req = MustParse("POST /rpc?x=1 HTTP/1.1\r\nHost: a\r\ncontent-length: 12\r\n\r\n");
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/rpc?x=1");
  EXPECT_EQ(req.Path(), "/rpc");
  EXPECT_EQ(req.content_length, 12u);
  EXPECT_TRUE(req.keep_alive);
  EXPECT_EQ(FindHeader(req.headers, "HOST"), "a");
}

TEST(HttpMessageTest, ConnectionSemanticsFollowVersion) {
  EXPECT_FALSE(MustParse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive);
  EXPECT_FALSE(MustParse("GET / HTTP/1.0\r\n\r\n").keep_alive);
  EXPECT_TRUE(MustParse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive);
}

TEST(HttpMessageTest, RefusesMalformedAndOversized) {
  EXPECT_EQ(ParseStatus("GARBAGE\r\n\r\n"), 400);
  EXPECT_EQ(ParseStatus("GET  / HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(ParseStatus("GET noslash HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(ParseStatus("GET / HTTP/2.0\r\n\r\n"), 505);
  EXPECT_EQ(ParseStatus("GET / HTTP/1.1\r\nBad Header\r\n\r\n"), 400);
  EXPECT_EQ(ParseStatus("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), 400);
  EXPECT_EQ(ParseStatus("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            400);
  EXPECT_EQ(ParseStatus("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), 501);
  HttpLimits small;
  small.max_body_bytes = 10;
  EXPECT_EQ(ParseStatus("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", small), 413);
  small.max_headers = 1;
  EXPECT_EQ(ParseStatus("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", small), 431);
  std::string huge = "GET / HTTP/1.1\r\nX: " + std::string(10000, 'a') + "\r\n\r\n";
  EXPECT_EQ(ParseStatus(huge), 431);
}

TEST(HttpMessageTest, FindsHeadEnd) {
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\n\r\nbody"), 18u);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\n"), std::string::npos);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\n\nx"), 16u);
}

TEST(HttpMessageTest, ResponseRoundTrip) {
  HttpResponse r;
  r.status = 404;
  r.body = "{}";
  std::string wire = SerializeResponse(r, false);
  const size_t end = FindHeadEnd(wire);
  ASSERT_NE(end, std::string::npos);
  auto head = ParseResponseHead(std::string_view(wire).substr(0, end), {});
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->status, 404);
  EXPECT_EQ(head->content_length, 2);
  EXPECT_EQ(FindHeader(head->headers, "connection"), "close");
  EXPECT_FALSE(ParseResponseHead("HTTP/1.1 abc\r\n\r\n", {}).ok());
}

}  // namespace
}  // namespace mw::io
