#include "analyzers/stratum/stratum_analyzer.h"

#include <cctype>

namespace mw::analyzers {
namespace {

using stratum::Kind;
using stratum::Role;

bool IsSubmit(Kind k) {
  switch (k) {
    case Kind::kV1Submit: case Kind::kXmrSubmit: case Kind::kEthSubmit:
    case Kind::kEthSubmitWork: case Kind::kCoinhiveSubmit: case Kind::kWmpSolved:
      return true;
    default:
      return false;
  }
}

bool IsJob(Kind k) {
  switch (k) {
    case Kind::kV1Notify: case Kind::kXmrJob: case Kind::kEthNotify: case Kind::kCoinhiveJob:
    case Kind::kWmpJob: case Kind::kEthWork:
      return true;
    default:
      return false;
  }
}

// The first byte that is not white space, or -1 when there is none.
int FirstNonSpace(ByteSpan data) {
  for (uint8_t b : data) {
    if (b == ' ' || b == '\t' || b == '\r' || b == '\n') continue;
    return b;
  }
  return -1;
}

// The chunk starts a JSON object, or is all white space so far.
bool StartsLikeJson(ByteSpan data) {
  const int first = FirstNonSpace(data);
  return first == -1 || first == '{';
}

}  // namespace

bool StratumFlowSummary::confirmed() const {
  if (decoded[0] > 0 && decoded[1] > 0) return true;
  // One side only (a capture of one direction, or a mid-session start): jobs from a pool or
  // share submissions from a miner are specific enough on their own.
  return server_jobs > 0 || client_submits > 0;
}

StratumAnalyzer::StratumAnalyzer(CounterSet& counters, MessageCallback on_message)
    : counters_(counters),
      owned_decoder_(std::make_unique<stratum::Decoder>(counters)),
      decoder_(*owned_decoder_),
      on_message_(std::move(on_message)) {}

StratumAnalyzer::StratumAnalyzer(CounterSet& counters, stratum::Decoder& decoder,
                                 MessageCallback on_message)
    : counters_(counters), decoder_(decoder), on_message_(std::move(on_message)) {}

void StratumAnalyzer::Feed(Direction dir, ByteSpan data, int64_t ts_us) {
  if (gave_up_ || data.empty()) return;
  const int d = DirectionIndex(dir);
  if (!json_seen_[d] && !not_json_[d]) {
    // Binary or text other than JSON is not Stratum, unless the capture started mid-line (then
    // a newline and JSON follow) or a handshake of something else came first (a SOCKS proxy's,
    // a decoy): a direction counts as not JSON after kSegmentsBeforeNotJson such segments.
    bool looks_json = StartsLikeJson(data) || stratum::LooksLikeStratum(data);
    for (size_t i = 0; !looks_json && i + 1 < data.size(); ++i) {
      looks_json = data[i] == '\n' && FirstNonSpace(data.subspan(i + 1)) == '{';
    }
    if (looks_json) {
      json_seen_[d] = true;
    } else {
      if (++binary_segments_[d] >= kSegmentsBeforeNotJson) not_json_[d] = true;
      if (not_json_[0] && not_json_[1] && !summary_.any()) {
        gave_up_ = true;
        counters_.Get("stratum.flows_not_json").Inc();
        return;
      }
      if (!summary_.any()) return;  // skipped until this direction shows JSON
    }
  }
  if (not_json_[d] && !summary_.any()) return;
  splitter_[d].Append(data);
  while (auto next = splitter_[d].Next()) {
    if (!next->ok()) {
      counters_.Get("stratum.oversize_lines").Inc();
      ++summary_.failed_lines;
      continue;
    }
    HandleLine(dir, next->value(), ts_us);
    if (gave_up_) return;
  }
}

void StratumAnalyzer::OnGap(Direction dir) {
  splitter_[DirectionIndex(dir)].Reset(/*resync=*/true);
  counters_.Get("stratum.gaps").Inc();
}

void StratumAnalyzer::FeedText(Direction dir, std::string_view text, int64_t ts_us) {
  if (gave_up_) return;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    bool blank = true;
    for (char c : line) blank = blank && std::isspace(static_cast<unsigned char>(c));
    if (!blank) HandleLine(dir, line, ts_us);
    if (gave_up_) return;
    start = end + 1;
  }
}

void StratumAnalyzer::HandleLine(Direction dir, std::string_view line, int64_t ts_us) {
  auto msg = decoder_.Decode(line);
  if (!msg.ok()) {
    ++summary_.failed_lines;
    if (!summary_.any() && summary_.failed_lines >= kMaxFailuresBeforeGivingUp) {
      gave_up_ = true;
      counters_.Get("stratum.flows_given_up").Inc();
    }
    return;
  }
  stratum::StratumMeta meta = stratum::Classify(*msg);
  StratumFlowSummary& s = summary_;
  // EthereumStratum/1.0.0 reuses V1's extranonce.subscribe, authorize, set_difficulty and reply
  // shapes, and ethminer sends eth-proxy's eth_submitHashrate in it: in a flow that is
  // EthereumStratum, those are EthereumStratum messages (not a mixed-dialect flow).
  if (s.dialect == stratum::Dialect::kEthStratum &&
      (meta.dialect == stratum::Dialect::kV1 || msg->kind == Kind::kEthSubmitHashrate)) {
    meta.dialect = stratum::Dialect::kEthStratum;
  }
  // A bare JSON-RPC reply ({"id":1,"result":...}) is what any JSON-RPC service sends; it only
  // counts once the flow has shown a mining message.
  if (msg->kind == Kind::kResponse && !s.any()) {
    counters_.Get("stratum.bare_replies_skipped").Inc();
    return;
  }
  if (!s.any()) {
    s.first_ts_us = ts_us;
    counters_.Get("stratum.flows_detected").Inc();
  }
  s.last_ts_us = ts_us;
  ++s.decoded[DirectionIndex(dir)];
  // The first message that names a dialect decides it; later look-alikes (a reply shaped like
  // another dialect's) do not flip it.
  if (s.dialect == stratum::Dialect::kUnknown && meta.dialect != stratum::Dialect::kUnknown) {
    s.dialect = meta.dialect;
  } else if (meta.dialect != stratum::Dialect::kUnknown && meta.dialect != s.dialect) {
    counters_.Get("stratum.dialect_mixed").Inc();
  }
  if (!meta.method.empty() && s.methods.size() < StratumAnalyzer::kMaxMethods) {
    s.methods.insert(meta.method);
  }
  if (s.login.empty() && !meta.login.empty()) s.login = meta.login;
  if (s.agent.empty() && !meta.agent.empty()) s.agent = meta.agent;
  if (s.algo.empty() && !meta.algo.empty()) s.algo = meta.algo;
  const Role expected = dir == Direction::kToServer ? Role::kClient : Role::kServer;
  if (meta.role != Role::kUnknown && meta.role != expected) s.role_mismatch = true;
  if (IsSubmit(msg->kind)) ++s.client_submits;
  if (IsJob(msg->kind)) ++s.server_jobs;
  if (msg->kind == Kind::kXmrKeepalived) ++s.keepalives;
  if (on_message_) on_message_(dir, *msg, meta);
}

}  // namespace mw::analyzers
