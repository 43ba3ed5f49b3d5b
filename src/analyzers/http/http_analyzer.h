// Per-flow HTTP/1.x analyzer: follows requests (client→server) and responses (server→client)
// fed in arbitrary chunks, pairs responses with request methods, reads Content-Length and chunked
// bodies (capturing at most kMaxBodyCapture bytes of each JSON one), and reports one record per
// message with the mining-relevant facts already extracted (http_mining.h).
//
// A WebSocket upgrade (request with Upgrade: websocket, answered 101) or a CONNECT tunnel turns
// both directions opaque: later bytes belong to another analyzer; `websocket` in the request
// record carries what it needs (path, host, key, protocol, origin).
//
// "Not HTTP" is decided on the first bytes of a direction (a method token then a space, or
// "HTTP/1."); such a direction, or one that later shows a malformed head, is ignored from then on.
//
// Responses are paired with requests in order, so the caller must feed a request's bytes before
// the bytes of its response (the order they had on the wire).
//
// Not thread-safe; one instance per flow. `counters` (optional, shared) must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "analyzers/common/direction.h"
#include "analyzers/http/http_head.h"
#include "core/bytes.h"
#include "core/counters.h"

namespace mw::analyzers::http {

// Headers of the getwork era. Clients send X-Mining-Extensions / X-Mining-Hashrate; pools answer
// with X-Mining-Extensions, X-Long-Polling, X-Roll-NTime, and X-Stratum (the URL of the pool's
// Stratum port, which is how getwork miners were told to switch).
struct MiningHeaders {
  std::string x_mining_extensions, x_stratum, x_long_polling, x_roll_ntime, x_mining_hashrate;
  bool any() const {
    return !x_mining_extensions.empty() || !x_stratum.empty() || !x_long_polling.empty() ||
           !x_roll_ntime.empty() || !x_mining_hashrate.empty();
  }
};
MiningHeaders ExtractMiningHeaders(const std::vector<Header>& headers);

struct WebSocketUpgrade {
  std::string path, host, key, version, protocol, origin;
};

struct Body {
  // What the body's first byte other than white space opens. Only JSON bodies are captured:
  // the mining facts (JSON-RPC methods, a getwork result) are read from JSON alone, and pages,
  // scripts and images are most of the bytes of HTTP.
  enum class Kind : uint8_t { kUnknownYet, kJson, kOther };
  Kind kind = Kind::kUnknownYet;
  std::string captured;      // a JSON body's first kMaxBodyCapture bytes (de-chunked), from its
                             // opening '{' or '['
  uint64_t bytes = 0;        // all body bytes seen
  bool chunked = false;
  bool truncated = false;    // a JSON body longer than what was captured
  bool incomplete = false;   // the flow ended (Finish) before the body did
};

struct HttpRequestRecord {
  RequestHead head;
  std::string host, user_agent;
  MiningHeaders mining_headers;
  Body body;
  std::vector<std::string> rpc_methods;  // JSON-RPC "method" values in the body
  bool mining_rpc = false;               // one of them is a mining method
  std::string miner_agent;               // miner family from the User-Agent, "" if none
  std::string web_miner_script;          // matched script name, "" if none
  bool web_miner_script_weak = false;
  std::optional<WebSocketUpgrade> websocket;
};

struct HttpResponseRecord {
  ResponseHead head;
  std::string request_method;  // of the request this answers, "" when unknown
  MiningHeaders mining_headers;
  Body body;
  bool getwork_result = false;
  bool block_template_result = false;
  bool websocket_accepted = false;  // 101 with Upgrade: websocket
};

struct HttpEvent {
  Direction dir = Direction::kToServer;
  std::variant<HttpRequestRecord, HttpResponseRecord> what;
};

// Receives each request and response as it completes, in place of the event queue
// (TakeEvents). The record is valid during the call; the listener may move from it.
class HttpListener {
 public:
  virtual ~HttpListener() = default;
  virtual void OnRequest(Direction dir, HttpRequestRecord& request) = 0;
  virtual void OnResponse(Direction dir, HttpResponseRecord& response) = 0;
};

class HttpAnalyzer {
 public:
  static constexpr size_t kMaxBodyCapture = 64 * 1024;
  static constexpr size_t kMaxLineBytes = 1024;  // chunk-size and trailer lines
  static constexpr size_t kMaxPendingRequests = 32;

  // `listener` (optional) must outlive the analyzer.
  explicit HttpAnalyzer(CounterSet* counters = nullptr, HttpListener* listener = nullptr)
      : counters_(counters), listener_(listener) {}

  void Feed(Direction dir, ByteSpan data);
  // The flow ended: a response delimited by the close is complete; partial bodies are reported
  // with `incomplete` set.
  void Finish();
  // Events since the last call (none when a listener takes them).
  std::vector<HttpEvent> TakeEvents() { return std::exchange(events_, {}); }

  bool NotHttp(Direction dir) const { return dirs_[DirectionIndex(dir)].state == State::kNotHttp; }
  // Both directions handed over to WebSocket (or a CONNECT tunnel).
  bool Upgraded() const { return upgraded_; }

 private:
  enum class State : uint8_t {
    kHead, kBodyLength, kChunkSize, kChunkData, kChunkDataEnd, kTrailers, kBodyUntilClose,
    kAwaitUpgrade, kOpaque, kNotHttp,
  };
  struct DirState {
    State state = State::kHead;
    std::string buf;          // head or line being accumulated
    uint64_t remaining = 0;   // body or chunk bytes still to come
    bool seen_message = false;
  };

  size_t OnHeadBytes(Direction dir, ByteSpan data);
  size_t OnLineBytes(Direction dir, ByteSpan data);
  // `head`: the whole head, up to and including its empty line.
  void OnHead(Direction dir, std::string_view head);
  void OnLine(Direction dir);
  void StartBody(Direction dir, const std::vector<Header>& headers, bool allow_until_close);
  void AddBody(Direction dir, ByteSpan data);
  void FinishMessage(Direction dir, bool incomplete = false);
  void GiveUp(Direction dir, std::string_view reason);
  Body& PendingBody(Direction dir);
  void Count(std::string_view name);

  CounterSet* counters_;
  HttpListener* listener_;
  DirState dirs_[2];
  HttpRequestRecord request_;    // the request being read
  HttpResponseRecord response_;  // the response being read
  // Sent, not yet answered, oldest first (a vector: a deque allocates when constructed, and
  // there are rarely more than one or two).
  std::vector<std::string> request_methods_;
  bool upgraded_ = false;
  std::vector<HttpEvent> events_;
  // The header fields of the head being read (views into it; used within OnHead only). Kept
  // for its allocation.
  std::vector<Header> headers_;
};

}  // namespace mw::analyzers::http
