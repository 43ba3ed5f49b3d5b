// Stratum analyzer: finds the line-based mining dialects (V1, XMRig, EthereumStratum, eth-proxy,
// and the browser dialects) in the two byte streams of one flow, using the codec the pool and
// miners use (proto/stratum). Works on captures that start mid-session (the first bytes may be
// the tail of a line, or server notifications), across any segment boundaries, in both
// directions. Text from WebSocket frames enters through FeedText().
//
// One StratumAnalyzer per flow; not thread-safe. Gives up on a flow (stops parsing, keeps its
// summary) after kMaxFailuresBeforeGivingUp undecodable lines without any decoded message, or
// when the first kSegmentsBeforeNotJson segments of both directions are clearly not JSON. A
// direction's segments before its first JSON-looking one are skipped, not parsed: a proxy's
// handshake (SOCKS) or a decoy can come before the Stratum lines.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "analyzers/common/direction.h"
#include "core/bytes.h"
#include "core/counters.h"
#include "proto/stratum/stratum_codec.h"

namespace mw::analyzers {

struct StratumFlowSummary {
  stratum::Dialect dialect = stratum::Dialect::kUnknown;
  uint32_t decoded[2] = {0, 0};   // messages decoded per direction (DirectionIndex)
  uint32_t failed_lines = 0;      // lines that were not a message of any dialect
  uint32_t client_submits = 0;    // share submissions (any dialect)
  uint32_t server_jobs = 0;       // job pushes / notifies (any dialect)
  uint32_t keepalives = 0;
  std::set<std::string> methods;  // wire methods seen (at most kMaxMethods)
  std::string login, agent, algo;
  int64_t first_ts_us = 0, last_ts_us = 0;
  bool role_mismatch = false;     // a client-only message came from the server side or vice versa

  bool any() const { return decoded[0] + decoded[1] > 0; }
  // Both sides spoke the dialect, or one side sent messages only a miner or pool sends.
  bool confirmed() const;
};

class StratumAnalyzer {
 public:
  static constexpr uint32_t kMaxFailuresBeforeGivingUp = 4;
  static constexpr uint32_t kSegmentsBeforeNotJson = 4;
  static constexpr size_t kMaxMethods = 16;

  // Called for each decoded message (for "stratum" metadata events); may be empty.
  using MessageCallback =
      std::function<void(Direction, const stratum::Message&, const stratum::StratumMeta&)>;

  // `counters` must outlive the analyzer (shared by all flows of a pipeline).
  explicit StratumAnalyzer(CounterSet& counters, MessageCallback on_message = {});
  // Uses a decoder shared by every flow of a pipeline (it holds only counters), which saves
  // setting one up per flow. `decoder` must outlive the analyzer.
  StratumAnalyzer(CounterSet& counters, stratum::Decoder& decoder, MessageCallback on_message);

  // Reassembled stream bytes of one direction, in order.
  void Feed(Direction dir, ByteSpan data, int64_t ts_us);
  // A hole in the stream: the partial line is dropped and parsing resynchronises.
  void OnGap(Direction dir);
  // One complete text message (a WebSocket text frame's payload); may hold several lines.
  void FeedText(Direction dir, std::string_view text, int64_t ts_us);

  bool gave_up() const { return gave_up_; }
  const StratumFlowSummary& summary() const { return summary_; }

 private:
  void HandleLine(Direction dir, std::string_view line, int64_t ts_us);

  CounterSet& counters_;
  std::unique_ptr<stratum::Decoder> owned_decoder_;
  stratum::Decoder& decoder_;
  MessageCallback on_message_;
  stratum::LineSplitter splitter_[2];
  bool json_seen_[2] = {false, false};  // a segment of this direction looked like JSON
  bool not_json_[2] = {false, false};   // its first kSegmentsBeforeNotJson segments did not
  uint8_t binary_segments_[2] = {0, 0};
  bool gave_up_ = false;
  StratumFlowSummary summary_;
};

}  // namespace mw::analyzers
