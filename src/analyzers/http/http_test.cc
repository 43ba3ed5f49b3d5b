#include <gtest/gtest.h>

#include <cctype>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/http/http_analyzer.h"
#include "analyzers/http/http_head.h"
#include "analyzers/http/http_mining.h"

namespace mw::analyzers::http {
namespace {

const std::string kGetworkBody = R"({"method" : "getwork", "params": [], "id":0})";
const std::string kClient =
    "POST / HTTP/1.1\r\n"
    "Host: 127.0.0.1:8332\r\n"
    "Authorization: Basic dTpw\r\n"
    "User-Agent: cgminer/4.10.0\r\n"
    "X-Mining-Extensions: longpoll midstate rollntime submitold\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: " + std::to_string(kGetworkBody.size()) + "\r\n"
    "\r\n" + kGetworkBody +
    "GET /lib/coinhive.min.js?v=2 HTTP/1.1\r\nHost: static.test\r\n\r\n"
    "GET /proxy HTTP/1.1\r\n"
    "Host: ws.test:8080\r\n"
    "Upgrade: websocket\r\n"
    "Connection: keep-alive, Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Origin: http://page.test\r\n\r\n"
    "\x81\x85\x01\x02\x03\x04garbage-frame";
const std::string kServer =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "X-Mining-Extensions: midstate rollntime\r\n"
    "X-Long-Polling: /LP\r\n"
    "X-Stratum: stratum+tcp://127.0.0.1:3333\r\n"
    "Transfer-Encoding: chunked\r\n\r\n"
    "19;ext=1\r\n{\"result\":{\"data\":\"0000\",\r\n"
    "11\r\n\"target\":\"ffff\"}}\r\n"
    "0\r\nX-Trailer: 1\r\n\r\n"
    "HTTP/1.1 200 OK\nContent-Length: 5\n\nvar x"
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
    "\x81\x05hello";

void CheckConversation(const std::vector<HttpEvent>& events, const std::string& where) {
  SCOPED_TRACE(where);
  std::vector<const HttpRequestRecord*> req;
  std::vector<const HttpResponseRecord*> resp;
  for (const HttpEvent& e : events) {
    if (const auto* r = std::get_if<HttpRequestRecord>(&e.what)) req.push_back(r);
    if (const auto* r = std::get_if<HttpResponseRecord>(&e.what)) resp.push_back(r);
  }
  ASSERT_EQ(req.size(), 3u);
  ASSERT_EQ(resp.size(), 3u);
  EXPECT_EQ(req[0]->head.method, "POST");
  EXPECT_EQ(req[0]->miner_agent, "cgminer");
  EXPECT_TRUE(req[0]->mining_rpc);
  ASSERT_EQ(req[0]->rpc_methods.size(), 1u);
  EXPECT_EQ(req[0]->rpc_methods[0], "getwork");
  EXPECT_EQ(req[0]->mining_headers.x_mining_extensions, "longpoll midstate rollntime submitold");
  EXPECT_EQ(req[0]->body.captured, kGetworkBody);
  EXPECT_EQ(req[1]->web_miner_script, "coinhive.min.js");
  EXPECT_FALSE(req[1]->web_miner_script_weak);
  ASSERT_TRUE(req[2]->websocket.has_value());
  EXPECT_EQ(req[2]->websocket->path, "/proxy");
  EXPECT_EQ(req[2]->websocket->host, "ws.test:8080");
  EXPECT_EQ(req[2]->websocket->key, "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_EQ(req[2]->websocket->origin, "http://page.test");
  EXPECT_EQ(resp[0]->request_method, "POST");
  EXPECT_EQ(resp[0]->mining_headers.x_stratum, "stratum+tcp://127.0.0.1:3333");
  EXPECT_EQ(resp[0]->mining_headers.x_long_polling, "/LP");
  EXPECT_TRUE(resp[0]->body.chunked);
  EXPECT_EQ(resp[0]->body.bytes, 0x19u + 0x11u);
  EXPECT_TRUE(resp[0]->getwork_result);
  EXPECT_EQ(resp[1]->body.kind, Body::Kind::kOther);  // a script: counted, not captured
  EXPECT_EQ(resp[1]->body.bytes, 5u);
  EXPECT_TRUE(resp[1]->body.captured.empty());
  EXPECT_EQ(resp[1]->request_method, "GET");
  EXPECT_TRUE(resp[2]->websocket_accepted);
}

TEST(HttpAnalyzer, ConversationSplitAtEveryByteBoundary) {
  for (size_t cut = 0; cut <= std::max(kClient.size(), kServer.size()); ++cut) {
    const size_t cc = std::min(cut, kClient.size()), sc = std::min(cut, kServer.size());
    CounterSet counters;
    HttpAnalyzer a(&counters);
    // Requests before responses, as on the wire (a response never starts before its request
    // was sent); each stream split at the same offset.
    a.Feed(Direction::kToServer, AsBytes(std::string_view(kClient).substr(0, cc)));
    a.Feed(Direction::kToServer, AsBytes(std::string_view(kClient).substr(cc)));
    a.Feed(Direction::kToClient, AsBytes(std::string_view(kServer).substr(0, sc)));
    a.Feed(Direction::kToClient, AsBytes(std::string_view(kServer).substr(sc)));
    CheckConversation(a.TakeEvents(), "cut " + std::to_string(cut));
    EXPECT_TRUE(a.Upgraded());
    EXPECT_EQ(counters.Value("websocket_upgrades"), 1u);
    EXPECT_EQ(counters.Value("mining_rpc_requests"), 1u);
  }
}

// A listener gets the conversation's requests and responses as they complete, in order; the
// event queue stays empty.
TEST(HttpAnalyzer, ListenerGetsWhatTheEventsWouldHold) {
  struct Collect final : HttpListener {
    std::vector<HttpEvent> got;
    void OnRequest(Direction dir, HttpRequestRecord& r) override {
      got.emplace_back().dir = dir;
      got.back().what.emplace<HttpRequestRecord>(std::move(r));
    }
    void OnResponse(Direction dir, HttpResponseRecord& r) override {
      got.emplace_back().dir = dir;
      got.back().what.emplace<HttpResponseRecord>(std::move(r));
    }
  };
  Collect c;
  HttpAnalyzer a(nullptr, &c);
  a.Feed(Direction::kToServer, AsBytes(kClient));
  a.Feed(Direction::kToClient, AsBytes(kServer));
  EXPECT_TRUE(a.TakeEvents().empty());
  CheckConversation(c.got, "listener");
}

TEST(HttpAnalyzer, ByteAtATime) {
  HttpAnalyzer a;
  for (char c : kClient) a.Feed(Direction::kToServer, AsBytes(std::string_view(&c, 1)));
  for (char c : kServer) a.Feed(Direction::kToClient, AsBytes(std::string_view(&c, 1)));
  CheckConversation(a.TakeEvents(), "byte at a time");
}

TEST(HttpAnalyzer, NotHttpQuicklyAndBodiesUntilClose) {
  CounterSet counters;
  HttpAnalyzer a(&counters);
  a.Feed(Direction::kToServer, AsBytes("{\"id\":1,\"method\":\"login\"}\n"));
  EXPECT_TRUE(a.NotHttp(Direction::kToServer));
  EXPECT_EQ(counters.Value("not_http"), 1u);
  HttpAnalyzer b;
  b.Feed(Direction::kToClient, AsBytes("\x16\x03\x01"));
  EXPECT_TRUE(b.NotHttp(Direction::kToClient));

  HttpAnalyzer c;
  c.Feed(Direction::kToServer, AsBytes("POST /rpc HTTP/1.0\r\nContent-Length: 60\r\n\r\n"));
  c.Feed(Direction::kToServer, AsBytes(R"([{"method":"getblocktemplate"},{"method":)"));
  c.Feed(Direction::kToClient, AsBytes("HTTP/1.0 200 OK\r\n\r\n{\"result\":{\"previousblockhash\""
                                       ":\"00\",\"coinbasevalue\": 5000000000}}"));
  EXPECT_TRUE(c.TakeEvents().empty());  // neither body is complete yet
  c.Finish();
  auto events = c.TakeEvents();
  ASSERT_EQ(events.size(), 2u);
  const auto& req = std::get<HttpRequestRecord>(events[0].what);
  EXPECT_TRUE(req.body.incomplete);
  EXPECT_TRUE(req.mining_rpc);
  const auto& resp = std::get<HttpResponseRecord>(events[1].what);
  EXPECT_FALSE(resp.body.incomplete);
  EXPECT_TRUE(resp.block_template_result);
}

TEST(HttpAnalyzer, BoundsHeadAndCaptureAndCountsMalformed) {
  CounterSet counters;
  HttpAnalyzer a(&counters);
  std::string huge = "GET / HTTP/1.1\r\nX: " + std::string(kMaxHeadBytes, 'a');
  a.Feed(Direction::kToServer, AsBytes(huge));
  EXPECT_TRUE(a.NotHttp(Direction::kToServer));

  HttpAnalyzer b(&counters);
  const std::string big = "  [" + std::string(HttpAnalyzer::kMaxBodyCapture + 100, 'z');
  b.Feed(Direction::kToClient, AsBytes("HTTP/1.1 200 OK\r\nContent-Length: " +
                                       std::to_string(big.size()) + "\r\n\r\n" + big));
  auto events = b.TakeEvents();
  ASSERT_EQ(events.size(), 1u);
  const auto& resp = std::get<HttpResponseRecord>(events[0].what);
  EXPECT_TRUE(resp.body.truncated);
  EXPECT_EQ(resp.body.kind, Body::Kind::kJson);
  EXPECT_EQ(resp.body.captured.size(), HttpAnalyzer::kMaxBodyCapture);
  EXPECT_EQ(resp.body.captured.substr(0, 2), "[z");  // from the opening bracket
  EXPECT_EQ(resp.body.bytes, big.size());
  b.Feed(Direction::kToClient, AsBytes("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"));
  EXPECT_EQ(counters.Value("malformed.bad_content_length"), 1u);
  HttpAnalyzer c(&counters);
  c.Feed(Direction::kToClient,
         AsBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
  EXPECT_EQ(counters.Value("malformed.bad_chunk_size"), 1u);
}

TEST(HttpHead, ParsesAndRejects) {
  RequestHead r;
  std::vector<Header> h;
  const std::string_view text = "GET http://h.test/a/b.js HTTP/1.1\nHOST: h.test\nAccept: */*\n";
  ASSERT_EQ(ParseRequestHead(text, r, h), HeadError::kOk);
  EXPECT_EQ(r.uri, "http://h.test/a/b.js");
  ASSERT_EQ(h.size(), 2u);
  ASSERT_NE(FindHeader(h, "host"), nullptr);
  EXPECT_EQ(*FindHeader(h, "Host"), "h.test");
  EXPECT_EQ(FindHeader(h, "Hos"), nullptr);
  // Fields are views into the head's text, not copies.
  EXPECT_GE(h[1].value.data(), text.data());
  EXPECT_LE(h[1].value.data() + h[1].value.size(), text.data() + text.size());
  // A reused list holds the new head's fields only.
  ASSERT_EQ(ParseRequestHead("POST / HTTP/1.0\r\nX-A:  1 \r\n", r, h), HeadError::kOk);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].name, "X-A");
  EXPECT_EQ(h[0].value, "1");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.version_minor, 0);
  EXPECT_EQ(ParseRequestHead("get / HTTP/1.1\r\n", r, h), HeadError::kBadRequestLine);
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(ParseRequestHead("GET / HTTP/2.0\r\n", r, h), HeadError::kBadVersion);
  EXPECT_EQ(ParseRequestHead("GET / HTTP/1.1\r\nno colon\r\n", r, h),
            HeadError::kBadHeaderLine);
  ResponseHead s;
  ASSERT_EQ(ParseResponseHead("HTTP/1.1 404 Not Found\r\n", s, h), HeadError::kOk);
  EXPECT_EQ(s.status, 404);
  EXPECT_EQ(s.reason, "Not Found");
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(ParseResponseHead("HTTP/1.1 2x0 OK\r\n", s, h), HeadError::kBadStatusLine);
  EXPECT_TRUE(HasToken("keep-alive, Upgrade", "upgrade"));
  EXPECT_FALSE(HasToken("keep-alive, Upgrader", "upgrade"));
  EXPECT_TRUE(CouldStartRequest("POS"));
  EXPECT_FALSE(CouldStartRequest("{\"id"));
  EXPECT_TRUE(CouldStartResponse("HTT"));
  EXPECT_FALSE(CouldStartResponse("HTTX"));
}

TEST(HttpMining, MatchersFindWhatTheyShouldAndNothingElse) {
  auto methods = FindJsonRpcMethods(
      "[{\"id\":1,\"method\"\t:\n\"submitblock\"},{\"method\":\"getblockcount\"},{\"method\":");
  ASSERT_EQ(methods.size(), 2u);
  EXPECT_EQ(methods[0], "submitblock");
  EXPECT_TRUE(IsMiningRpcMethod(methods[0]));
  EXPECT_FALSE(IsMiningRpcMethod(methods[1]));
  EXPECT_TRUE(FindJsonRpcMethods("{\"methods\":\"getwork\"}").empty());
  EXPECT_EQ(MatchMinerUserAgent("XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0"), "xmrig");
  EXPECT_EQ(MatchMinerUserAgent("cpuminer-opt/3.8.8"), "cpuminer");
  EXPECT_EQ(MatchMinerUserAgent("Mozilla/5.0 (X11; xmrig) Firefox/120.0"), "");  // in a comment
  EXPECT_EQ(MatchMinerUserAgent("curl/8.0.1"), "");
  EXPECT_EQ(MatchWebMinerScript("/x/CryptoNight.wasm#a").name, "cryptonight.wasm");
  EXPECT_TRUE(MatchWebMinerScript("/static/worker.js").weak);
  EXPECT_EQ(MatchWebMinerScript("/webmr.js.map").name, "");
  EXPECT_FALSE(LooksLikeGetworkResult("{\"data\" \"target\"}"));
}

// The matcher against a plain reading of its rule: a product token (not inside a comment, at
// any nesting) that starts with a miner's name, case-insensitively; the first such token wins.
std::string_view ReferenceMinerAgent(std::string_view ua) {
  const std::string_view agents[] = {
      "cgminer",   "bfgminer",  "sgminer",   "cpuminer",     "minerd",   "ccminer",
      "xmrig",     "xmr-stak",  "ethminer",  "nbminer",      "t-rex",    "teamredminer",
      "lolminer",  "gminer",    "nanominer", "phoenixminer", "srbminer", "wildrig",
      "nheqminer", "bminer",    "poclbm",    "diablominer",  "ufasoft",  "bitminter"};
  auto separator = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(' || c == ')';
  };
  int depth = 0;
  for (size_t i = 0; i < ua.size();) {
    if (separator(ua[i])) {
      if (ua[i] == '(') ++depth;
      if (ua[i] == ')' && depth > 0) --depth;
      ++i;
      continue;
    }
    size_t j = i;
    while (j < ua.size() && !separator(ua[j])) ++j;
    std::string token(ua.substr(i, j - i));
    for (char& c : token) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (depth == 0) {
      for (std::string_view a : agents) {
        if (std::string_view(token).starts_with(a)) return a;
      }
    }
    i = j;
  }
  return {};
}

TEST(HttpMining, MinerAgentMatchesReferenceOnRandomAgents) {
  const std::string_view pieces[] = {"XMRig/6.2", "xmr-stak", "Mozilla/5.0", "(", ")", " ",
                                     "\t", "gminer", "T-Rex", "curl/8", "bminerx", "x", "/",
                                     "ccMiner", "lolMiner-1.7", "(Linux", "x86_64)", "\xc3\xa9"};
  std::mt19937 rng(7);
  size_t matched = 0;
  for (int n = 0; n < 20000; ++n) {
    std::string ua;
    const int parts = int(rng() % 8);
    for (int k = 0; k < parts; ++k) ua += pieces[rng() % std::size(pieces)];
    const std::string_view want = ReferenceMinerAgent(ua);
    ASSERT_EQ(MatchMinerUserAgent(ua), want) << ua;
    matched += !want.empty();
  }
  EXPECT_GT(matched, 1000u);  // the mix exercises both outcomes
}

// Each of the five getwork-era headers, in any case; the first of a repeated one counts (as
// FindHeader finds it), even when empty; other headers never do.
TEST(HttpMining, ExtractMiningHeadersTakesEachFirstOccurrence) {
  const std::vector<Header> headers = {
      {"Host", "pool.example"},          {"X-Mining-Extensions", "midstate rollntime"},
      {"x-stratum", ""},                 {"X-Stratum", "stratum+tcp://pool.example:3333"},
      {"X-LONG-POLLING", "/LP"},         {"X-Roll-NTime", "expire=120"},
      {"X-Mining-Hashrate", "1000"},     {"X-Mining-Extensionsx", "no"},
      {"X-Mining-Hashrate", "2000"},     {"Y-Stratum", "no"},
  };
  const MiningHeaders m = ExtractMiningHeaders(headers);
  EXPECT_EQ(m.x_mining_extensions, "midstate rollntime");
  EXPECT_EQ(m.x_stratum, "");
  EXPECT_EQ(m.x_long_polling, "/LP");
  EXPECT_EQ(m.x_roll_ntime, "expire=120");
  EXPECT_EQ(m.x_mining_hashrate, "1000");
  EXPECT_FALSE(ExtractMiningHeaders({{"Accept", "*/*"}, {"X-Forwarded-For", "10.0.0.1"}}).any());
}

}  // namespace
}  // namespace mw::analyzers::http
