// Per-flow DNS analyzer: DNS over UDP (one message per datagram) and over TCP (each message
// behind a 2-byte big-endian length, split across segments in any way).
//
// Not thread-safe; one instance per flow. `counters` (optional) must outlive the analyzer; it is
// shared by all flows and receives "messages", "queries", "responses" and "malformed.<reason>".
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "analyzers/common/direction.h"
#include "analyzers/dns/dns_message.h"
#include "core/bytes.h"
#include "core/counters.h"

namespace mw::analyzers::dns {

struct DnsRecord {
  Direction dir = Direction::kToServer;
  Message message;
};

// Receives each message as it is parsed, in place of the record queue (TakeRecords).
class DnsListener {
 public:
  virtual ~DnsListener() = default;
  // Where the next message of `dir` is parsed into: the listener's own Message, reused message
  // after message (ParseMessage keeps its strings' storage), or nullptr for a fresh one.
  virtual Message* MessageTarget(Direction) { return nullptr; }
  // A message that parsed whole; valid during the call, and the listener may move from it.
  virtual void OnMessage(Direction dir, Message& message) = 0;
};

class DnsAnalyzer {
 public:
  enum class Transport : uint8_t { kUdp, kTcp };

  // `listener` (optional) must outlive the analyzer.
  explicit DnsAnalyzer(Transport transport, CounterSet* counters = nullptr,
                       DnsListener* listener = nullptr)
      : transport_(transport), counters_(counters), listener_(listener) {}

  // UDP: `data` is one datagram. TCP: `data` is the next chunk of the direction's byte stream.
  // A TCP direction that shows a malformed message (e.g. the capture began mid-stream) stops
  // being parsed; `Lost(dir)` then says so.
  void Feed(Direction dir, ByteSpan data);

  // Messages parsed since the last call, in arrival order (none when a listener takes them).
  std::vector<DnsRecord> TakeRecords() { return std::exchange(records_, {}); }
  bool Lost(Direction dir) const { return streams_[DirectionIndex(dir)].lost; }
  uint64_t malformed() const { return malformed_; }

  // Largest TCP message accepted (RFC 1035 allows 65535; we do not buffer more than this).
  static constexpr size_t kMaxTcpMessage = 16 * 1024;

 private:
  struct Stream {
    Bytes buf;  // unconsumed bytes of this direction
    bool lost = false;
  };
  void ParseOne(Direction dir, ByteSpan msg);
  void Count(std::string_view name);

  Transport transport_;
  CounterSet* counters_;
  DnsListener* listener_;
  Stream streams_[2];
  std::vector<DnsRecord> records_;
  uint64_t malformed_ = 0;
};

}  // namespace mw::analyzers::dns
