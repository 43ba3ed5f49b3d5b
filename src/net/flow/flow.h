// Flows and the interface analyzers implement to consume them.
//
// A flow is one bidirectional conversation: (addresses, ports, IP protocol, outer VLAN). Its
// originator is the sender of the first SYN seen (the receiver of a SYN-ACK when the SYN was
// missed), otherwise the sender of the first packet.
//
// Threading model: a FlowTable and everything it calls run on one thread (one pipeline per
// thread; shard traffic by flow hash to use more cores). Listener callbacks run synchronously
// inside FlowTable::Process()/Advance()/Flush(); they must not call back into the table.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "net/decode/packet.h"

namespace mw::net {

enum class Direction : uint8_t {
  kToResponder = 0,   // originator -> responder ("client to server")
  kToOriginator = 1,  // responder -> originator
};
inline int Index(Direction d) { return static_cast<int>(d); }

enum class EndReason : uint8_t {
  kIdleTimeout, kActiveTimeout, kTcpClosed, kTcpReset, kEvicted, kShutdown,
};
std::string_view EndReasonName(EndReason r);  // "idle_timeout", ...

// State an analyzer hangs on a flow; destroyed when the flow ends (after OnFlowEnd).
class FlowAttachment {
 public:
  virtual ~FlowAttachment() = default;
};

// A segment waiting for the bytes before it (TCP out-of-order data).
struct PendingSegment {
  uint32_t seq = 0;
  Bytes data;
};

// Reassembly state of one direction of a TCP flow. Out-of-order data is allocated only when
// needed, so an in-order stream costs no heap memory.
struct TcpStreamState {
  bool started = false;   // next_seq is known (SYN seen, or first data of a mid-session flow)
  bool finished = false;  // the delivery limit was reached; later data is only counted
  bool fin = false;
  uint32_t fin_seq = 0;   // sequence number the FIN occupies
  uint32_t base_seq = 0;  // sequence number of stream offset 0 (the first byte after the SYN)
  uint32_t next_seq = 0;  // sequence number of the next byte to deliver
  uint32_t delivered = 0; // stream bytes consumed so far: delivered, or skipped as gaps
  int64_t pending_since_us = 0;  // when the oldest pending segment arrived
  uint32_t pending_bytes = 0;
  std::unique_ptr<std::vector<PendingSegment>> pending;  // sorted by seq, non-overlapping
};

// Fields are ordered so that a lookup touches the first cache line only, and a packet's update
// the next one or two.
class alignas(64) Flow {
 public:
  IpAddress orig_addr, resp_addr;
  uint16_t orig_port = 0, resp_port = 0;
  uint16_t vlan = 0;  // outer VLAN id, 0 when untagged
  uint8_t ip_proto = 0;
  bool mid_session = false;  // TCP flow first seen without its SYN
  uint32_t hash = 0;         // internal: the table's hash of the key
  int64_t last_us = 0;
  int64_t lru_us = 0;  // internal: when the flow last moved to the LRU tail
  std::array<uint64_t, 2> packets{}, bytes{};  // indexed by Index(Direction); wire bytes
  std::array<uint8_t, 2> tcp_flags{};          // union of TCP flags seen per direction
  // Set either to false from a listener to stop data delivery for that direction (saves work
  // once an analyzer has seen enough); flow accounting goes on.
  std::array<bool, 2> want_data{true, true};
  bool closing = false;  // internal
  bool in_use = false;   // internal
  EndReason close_reason = EndReason::kTcpClosed;  // internal
  uint64_t id = 0;  // stable for the flow's lifetime, unique per table; EVE flow_id
  int64_t start_us = 0;
  std::unique_ptr<FlowAttachment> attachment;  // owned by the flow

  // Internal to FlowTable / TcpReassembler.
  uint32_t lru_prev = 0, lru_next = 0;      // idle order (or the closing list)
  uint32_t start_prev = 0, start_next = 0;  // creation order (active timeout)
  std::array<TcpStreamState, 2> tcp;
};

// What the analyzers implement. Spans passed in are valid only during the call.
class FlowListener {
 public:
  virtual ~FlowListener() = default;
  virtual void OnFlowStart(Flow& flow) { (void)flow; }
  // In-order payload: TCP stream bytes (first N KiB per direction) or one UDP datagram.
  virtual void OnData(Flow& flow, Direction dir, ByteSpan data, int64_t ts_us) {
    (void)flow, (void)dir, (void)data, (void)ts_us;
  }
  // `bytes` of the TCP stream were never seen (capture loss, timeout or buffer limit) and are
  // skipped; data after the gap follows.
  virtual void OnGap(Flow& flow, Direction dir, uint32_t bytes, int64_t ts_us) {
    (void)flow, (void)dir, (void)bytes, (void)ts_us;
  }
  virtual void OnFlowEnd(Flow& flow, EndReason reason) { (void)flow, (void)reason; }
  // A hint: `flow` is likely the next to end (the next eviction, or the next flow Flush() ends),
  // so a listener may prefetch the state it will read then. It must change nothing.
  virtual void WillEnd(const Flow& flow) { (void)flow; }
};

}  // namespace mw::net
