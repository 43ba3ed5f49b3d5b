#include "analyzers/http/http_analyzer.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "analyzers/http/http_mining.h"

namespace mw::analyzers::http {
namespace {

std::string HeaderOr(const std::vector<Header>& headers, std::string_view name) {
  const std::string_view* v = FindHeader(headers, name);
  return v ? std::string(*v) : std::string();
}

// The path of a request-target: origin form as is, absolute form without scheme and authority.
std::string PathOf(std::string_view uri) {
  const size_t scheme = uri.find("://");
  if (scheme != std::string_view::npos && scheme < uri.find('/')) {
    const size_t slash = uri.find('/', scheme + 3);
    return slash == std::string_view::npos ? "/" : std::string(uri.substr(slash));
  }
  return std::string(uri);
}

}  // namespace

MiningHeaders ExtractMiningHeaders(const std::vector<Header>& headers) {
  MiningHeaders m;
  // One pass; only "X-" names can match (each header is one of a head's few dozen at most). The
  // first of a repeated header wins, as FindHeader's would.
  constexpr std::string_view kNames[] = {"x-mining-extensions", "x-stratum", "x-long-polling",
                                         "x-roll-ntime", "x-mining-hashrate"};
  std::string* const fields[] = {&m.x_mining_extensions, &m.x_stratum, &m.x_long_polling,
                                 &m.x_roll_ntime, &m.x_mining_hashrate};
  bool found[5] = {};
  for (const Header& h : headers) {
    if (h.name.size() < 9 || (h.name[0] | 0x20) != 'x' || h.name[1] != '-') continue;
    for (size_t i = 0; i < 5; ++i) {
      if (!found[i] && EqualsIgnoreCase(h.name, kNames[i])) {
        found[i] = true;
        *fields[i] = std::string(h.value);
      }
    }
  }
  return m;
}

void HttpAnalyzer::Count(std::string_view name) {
  if (counters_) counters_->Get(name).Inc();
}

void HttpAnalyzer::GiveUp(Direction dir, std::string_view reason) {
  DirState& d = dirs_[DirectionIndex(dir)];
  if (d.seen_message) {
    if (counters_) counters_->Get("malformed.", reason).Inc();
  } else {
    Count("not_http");
  }
  d.state = State::kNotHttp;
  d.buf = std::string();
}

Body& HttpAnalyzer::PendingBody(Direction dir) {
  return dir == Direction::kToServer ? request_.body : response_.body;
}

void HttpAnalyzer::Feed(Direction dir, ByteSpan data) {
  DirState& d = dirs_[DirectionIndex(dir)];
  size_t pos = 0;
  while (pos < data.size()) {
    ByteSpan rest = data.subspan(pos);
    switch (d.state) {
      case State::kNotHttp:
      case State::kOpaque:
      case State::kAwaitUpgrade:
        return;
      case State::kHead:
        pos += OnHeadBytes(dir, rest);
        break;
      case State::kChunkSize:
      case State::kChunkDataEnd:
      case State::kTrailers:
        pos += OnLineBytes(dir, rest);
        break;
      case State::kBodyLength:
      case State::kChunkData: {
        const size_t take = size_t(std::min<uint64_t>(d.remaining, rest.size()));
        AddBody(dir, rest.first(take));
        d.remaining -= take;
        pos += take;
        if (d.remaining == 0) {
          if (d.state == State::kBodyLength) {
            FinishMessage(dir);
          } else {
            d.state = State::kChunkDataEnd;
          }
        }
        break;
      }
      case State::kBodyUntilClose:
        AddBody(dir, rest);
        pos = data.size();
        break;
    }
  }
}

namespace {

// Where a head in `text` ends (just after the LF of its empty line: LF LF or LF CR LF), looking
// at LFs from `from` on; npos when it does not end in `text`.
size_t FindHeadEnd(std::string_view text, size_t from) {
  while (from < text.size()) {
    const void* lf = std::memchr(text.data() + from, '\n', text.size() - from);
    if (lf == nullptr) return std::string_view::npos;
    const size_t i = size_t(static_cast<const char*>(lf) - text.data());
    if (i >= 1 && text[i - 1] == '\n') return i + 1;
    if (i >= 2 && text[i - 1] == '\r' && text[i - 2] == '\n') return i + 1;
    from = i + 1;
  }
  return std::string_view::npos;
}

}  // namespace

size_t HttpAnalyzer::OnHeadBytes(Direction dir, ByteSpan data) {
  DirState& d = dirs_[DirectionIndex(dir)];
  size_t skipped = 0;
  // Empty lines between messages are allowed (RFC 9112 §2.2).
  if (d.buf.empty()) {
    while (skipped < data.size() && (data[skipped] == '\r' || data[skipped] == '\n')) ++skipped;
    data = data.subspan(skipped);
    if (data.empty()) return skipped;
    // The usual case: the whole head is in these bytes. It is read where it is, not copied.
    const std::string_view text = AsString(data).substr(0, kMaxHeadBytes + 4);
    if (const size_t end = FindHeadEnd(text, 0); end != std::string_view::npos) {
      OnHead(dir, text.substr(0, end));
      return skipped + end;
    }
  }
  const size_t old = d.buf.size();
  const size_t take = std::min(data.size(), kMaxHeadBytes + 4 - std::min(old, kMaxHeadBytes + 4));
  d.buf.append(reinterpret_cast<const char*>(data.data()), take);
  const size_t end = FindHeadEnd(d.buf, old >= 3 ? old - 3 : 0);
  if (end == std::string::npos) {
    const std::string_view prefix = d.buf;
    const bool plausible =
        dir == Direction::kToServer ? CouldStartRequest(prefix) : CouldStartResponse(prefix);
    if (!plausible) {
      GiveUp(dir, "bad_start");
    } else if (d.buf.size() > kMaxHeadBytes) {
      GiveUp(dir, "head_too_large");
    }
    return skipped + take;
  }
  const size_t consumed = end - old;
  d.buf.resize(end);
  const std::string head = std::exchange(d.buf, std::string());
  OnHead(dir, head);
  return skipped + consumed;
}

void HttpAnalyzer::OnHead(Direction dir, std::string_view head) {
  DirState& d = dirs_[DirectionIndex(dir)];
  if (dir == Direction::kToServer) {
    request_ = HttpRequestRecord{};
    const HeadError e = ParseRequestHead(head, request_.head, headers_);
    if (e != HeadError::kOk) return GiveUp(dir, HeadErrorName(e));
    d.seen_message = true;
    Count("requests");
    const auto& h = headers_;
    request_.host = HeaderOr(h, "host");
    request_.user_agent = HeaderOr(h, "user-agent");
    request_.mining_headers = ExtractMiningHeaders(h);
    request_.miner_agent = std::string(MatchMinerUserAgent(request_.user_agent));
    const WebMinerScript script = MatchWebMinerScript(request_.head.uri);
    request_.web_miner_script = std::string(script.name);
    request_.web_miner_script_weak = script.weak;
    const std::string_view* upgrade = FindHeader(h, "upgrade");
    const std::string_view* connection = FindHeader(h, "connection");
    if (upgrade && connection && HasToken(*upgrade, "websocket") &&
        HasToken(*connection, "upgrade")) {
      WebSocketUpgrade ws;
      ws.path = PathOf(request_.head.uri);
      ws.host = request_.host;
      ws.key = HeaderOr(h, "sec-websocket-key");
      ws.version = HeaderOr(h, "sec-websocket-version");
      ws.protocol = HeaderOr(h, "sec-websocket-protocol");
      ws.origin = HeaderOr(h, "origin");
      request_.websocket = std::move(ws);
    }
    if (request_methods_.size() < kMaxPendingRequests) {
      request_methods_.push_back(request_.head.method);
    } else {
      Count("malformed.too_many_pending_requests");
    }
    StartBody(dir, h, /*allow_until_close=*/false);
    return;
  }
  response_ = HttpResponseRecord{};
  const HeadError e = ParseResponseHead(head, response_.head, headers_);
  if (e != HeadError::kOk) return GiveUp(dir, HeadErrorName(e));
  d.seen_message = true;
  Count("responses");
  const int status = response_.head.status;
  const auto& h = headers_;
  response_.mining_headers = ExtractMiningHeaders(h);
  const bool interim = status >= 100 && status < 200 && status != 101;
  if (!request_methods_.empty()) {
    response_.request_method = request_methods_.front();
    if (!interim) request_methods_.erase(request_methods_.begin());
  }
  const std::string_view* upgrade = FindHeader(h, "upgrade");
  response_.websocket_accepted = status == 101 && upgrade && HasToken(*upgrade, "websocket");
  const bool tunnel = (status == 101) ||
                      (response_.request_method == "CONNECT" && status >= 200 && status < 300);
  if (tunnel) {
    const bool websocket = response_.websocket_accepted;
    FinishMessage(dir);
    upgraded_ = true;
    dirs_[0].state = State::kOpaque;
    dirs_[1].state = State::kOpaque;
    Count(websocket ? "websocket_upgrades" : "tunnels");
    return;
  }
  if (dirs_[0].state == State::kAwaitUpgrade) dirs_[0].state = State::kHead;  // refused
  if (interim || status == 204 || status == 304 || response_.request_method == "HEAD") {
    FinishMessage(dir);
    return;
  }
  StartBody(dir, h, /*allow_until_close=*/true);
}

void HttpAnalyzer::StartBody(Direction dir, const std::vector<Header>& headers,
                             bool allow_until_close) {
  DirState& d = dirs_[DirectionIndex(dir)];
  bool invalid = false;
  const std::optional<uint64_t> length = ContentLength(headers, &invalid);
  if (IsChunked(headers)) {
    PendingBody(dir).chunked = true;
    d.state = State::kChunkSize;
  } else if (invalid) {
    GiveUp(dir, "bad_content_length");
  } else if (length && *length > 0) {
    d.remaining = *length;
    d.state = State::kBodyLength;
  } else if (!length && allow_until_close) {
    d.state = State::kBodyUntilClose;
  } else {
    FinishMessage(dir);
  }
}

size_t HttpAnalyzer::OnLineBytes(Direction dir, ByteSpan data) {
  DirState& d = dirs_[DirectionIndex(dir)];
  const auto nl = std::find(data.begin(), data.end(), uint8_t('\n'));
  const size_t take = size_t(nl - data.begin()) + (nl == data.end() ? 0 : 1);
  d.buf.append(reinterpret_cast<const char*>(data.data()), take);
  if (nl == data.end()) {
    if (d.buf.size() > kMaxLineBytes) GiveUp(dir, "line_too_long");
    return take;
  }
  OnLine(dir);
  return take;
}

void HttpAnalyzer::OnLine(Direction dir) {
  DirState& d = dirs_[DirectionIndex(dir)];
  const std::string storage = std::exchange(d.buf, std::string());  // lines are short (SSO)
  std::string_view line = storage;
  line.remove_suffix(1);  // '\n'
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const State state = d.state;
  if (state == State::kChunkDataEnd) {
    if (!line.empty()) return GiveUp(dir, "bad_chunk_end");
    d.state = State::kChunkSize;
    return;
  }
  if (state == State::kTrailers) {
    if (line.empty()) FinishMessage(dir);
    return;
  }
  // Chunk size: hex digits, then optional ";extensions".
  const std::string_view digits = line.substr(0, line.find(';'));
  size_t n = 0;
  while (n < digits.size() && digits[n] != ' ' && digits[n] != '\t') ++n;
  uint64_t size = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + n, size, 16);
  if (n == 0 || ec != std::errc() || p != digits.data() + n) return GiveUp(dir, "bad_chunk_size");
  if (size == 0) {
    d.state = State::kTrailers;
  } else {
    d.remaining = size;
    d.state = State::kChunkData;
  }
}

void HttpAnalyzer::AddBody(Direction dir, ByteSpan data) {
  Body& b = PendingBody(dir);
  b.bytes += data.size();
  if (b.kind == Body::Kind::kOther) return;
  if (b.kind == Body::Kind::kUnknownYet) {
    auto blank = [](uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    size_t i = 0;
    while (i < data.size() && blank(data[i])) ++i;
    if (i == data.size()) return;  // white space so far
    b.kind = data[i] == '{' || data[i] == '[' ? Body::Kind::kJson : Body::Kind::kOther;
    if (b.kind == Body::Kind::kOther) return;
    data = data.subspan(i);
  }
  const size_t room = kMaxBodyCapture - b.captured.size();
  const size_t take = std::min(room, data.size());
  b.captured.append(reinterpret_cast<const char*>(data.data()), take);
  if (take < data.size()) b.truncated = true;
}

void HttpAnalyzer::FinishMessage(Direction dir, bool incomplete) {
  DirState& d = dirs_[DirectionIndex(dir)];
  d.state = State::kHead;
  d.remaining = 0;
  if (dir == Direction::kToServer) {
    HttpRequestRecord r = std::exchange(request_, HttpRequestRecord{});
    r.body.incomplete = incomplete;
    r.rpc_methods = FindJsonRpcMethods(r.body.captured);
    r.mining_rpc = std::any_of(r.rpc_methods.begin(), r.rpc_methods.end(),
                               [](const std::string& m) { return IsMiningRpcMethod(m); });
    if (r.mining_rpc) Count("mining_rpc_requests");
    if (!r.miner_agent.empty()) Count("miner_user_agents");
    if (!r.web_miner_script.empty()) Count("web_miner_scripts");
    if (r.websocket) {
      d.state = State::kAwaitUpgrade;
    }
    if (listener_ != nullptr) {
      listener_->OnRequest(dir, r);
    } else {
      events_.push_back({dir, std::move(r)});
    }
    return;
  }
  HttpResponseRecord r = std::exchange(response_, HttpResponseRecord{});
  r.body.incomplete = incomplete;
  r.getwork_result = LooksLikeGetworkResult(r.body.captured);
  r.block_template_result = LooksLikeBlockTemplate(r.body.captured);
  if (r.mining_headers.any()) Count("mining_headers");
  if (listener_ != nullptr) {
    listener_->OnResponse(dir, r);
  } else {
    events_.push_back({dir, std::move(r)});
  }
}

void HttpAnalyzer::Finish() {
  for (Direction dir : {Direction::kToServer, Direction::kToClient}) {
    const State s = dirs_[DirectionIndex(dir)].state;
    if (s == State::kBodyUntilClose) {
      FinishMessage(dir);
    } else if (s == State::kBodyLength || s == State::kChunkSize || s == State::kChunkData ||
               s == State::kChunkDataEnd || s == State::kTrailers) {
      FinishMessage(dir, /*incomplete=*/true);
    }
    if (dirs_[DirectionIndex(dir)].state == State::kHead) {
      dirs_[DirectionIndex(dir)].state = State::kOpaque;  // nothing more will come
    }
  }
}

}  // namespace mw::analyzers::http
