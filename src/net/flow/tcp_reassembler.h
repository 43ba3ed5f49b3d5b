// TCP reassembly of the first N bytes of each direction of a flow.
//
// In-order bytes go straight to the listener (no copy). Out-of-order segments are copied and
// kept, bounded per direction and in total. Retransmitted and overlapping bytes are trimmed:
// the first copy seen wins (a differing later copy is counted as overlap_mismatch_bytes). When a
// hole cannot be filled — the other side acknowledged bytes we never saw, the oldest pending
// segment waited longer than the gap timeout, the buffer is full, or the flow ends — the hole is
// reported with OnGap and delivery continues after it. Streams seen without their SYN start at
// the first sequence number seen.
#pragma once

#include <cstdint>

#include "core/counters.h"
#include "net/flow/flow.h"

namespace mw::net {

struct ReassemblyConfig {
  uint32_t max_bytes_per_direction = 64 * 1024;     // deliver at most this much per direction
  uint32_t max_pending_per_direction = 64 * 1024;   // out-of-order bytes kept per direction
  uint64_t max_pending_total = 64ull * 1024 * 1024; // out-of-order bytes kept by the table
  int64_t gap_timeout_us = 2'000'000;               // skip a hole after waiting this long
};

struct ReassemblyStats {
  uint64_t bytes_delivered = 0;
  uint64_t segments_in_order = 0, segments_out_of_order = 0;
  uint64_t segments_retransmitted = 0;  // nothing new in them
  uint64_t overlap_bytes = 0;           // bytes seen before and trimmed
  uint64_t overlap_mismatch_bytes = 0;  // ... whose content differed from the first copy
  uint64_t gaps = 0, gap_bytes = 0;
  uint64_t limit_reached = 0;           // directions that hit max_bytes_per_direction
  uint64_t bytes_beyond_limit = 0;      // payload bytes not delivered because of the limit
  uint64_t pending_dropped_bytes = 0;   // out-of-order bytes refused by the total bound
  uint64_t pending_bytes_now = 0;       // out-of-order bytes held right now
  // Sets "reassembly.bytes_delivered", ...
  void ExportTo(CounterSet& counters) const;
};

class TcpReassembler {
 public:
  TcpReassembler(const ReassemblyConfig& config, FlowListener* listener)
      : config_(config), listener_(listener) {}

  // One TCP segment of `flow` in direction `dir`. `payload` is the captured payload.
  void OnSegment(Flow& flow, Direction dir, uint8_t flags, uint32_t seq, uint32_t ack,
                 ByteSpan payload, int64_t ts_us);
  // Delivers whatever is pending in both directions, reporting holes (the flow is ending).
  void FlushFlow(Flow& flow, int64_t ts_us);

  const ReassemblyStats& stats() const { return stats_; }

 private:
  void Deliver(Flow& flow, Direction dir, const uint8_t* data, uint32_t len, int64_t ts_us);
  void Insert(Flow& flow, Direction dir, uint32_t seq, ByteSpan data, int64_t ts_us);
  void Drain(Flow& flow, Direction dir, int64_t ts_us);
  // Skips the hole before the first pending segment (or up to `upto` when nothing is pending).
  void SkipHole(Flow& flow, Direction dir, uint32_t upto, int64_t ts_us);
  void DropPending(TcpStreamState& s);

  ReassemblyConfig config_;
  FlowListener* listener_;
  ReassemblyStats stats_;
};

}  // namespace mw::net
