// FlowTable: bounded flow tracking keyed by the normalised 5-tuple (+ outer VLAN), with idle,
// active and TCP-close timeouts driven by packet timestamps, LRU eviction when full, and TCP
// reassembly of the first N KiB per direction (see tcp_reassembler.h).
//
// The LRU order is kept lazily: a flow moves to the tail at most once per idle_timeout / 16, so
// idle expiry is exact to within that and eviction picks a flow unused for about as long as the
// least recently used one (closed TCP flows are evicted first).
//
// Memory is bounded by max_flows (flows are allocated in chunks as needed, the hash index is
// sized once) plus the out-of-order bound of the reassembler, never by the input size.
// Single-threaded; see flow.h for the threading model and callback rules.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/counters.h"
#include "net/decode/packet.h"
#include "net/flow/flow.h"
#include "net/flow/tcp_reassembler.h"

namespace mw::net {

struct FlowTableConfig {
  uint32_t max_flows = 262144;
  int64_t idle_timeout_us = 120'000'000;     // no packet for this long ends a flow
  int64_t active_timeout_us = 3'600'000'000; // a flow older than this is ended (and restarts)
  int64_t tcp_close_timeout_us = 5'000'000;  // a closed/reset TCP flow lingers for late packets
  // Flow ids are drawn from this and a counter: a capture read twice gets the same ids.
  uint64_t id_seed = 0x6d696e6577617463;
  // Seeds the index's hash. 0 (the default) draws one per table (RandomSeed()): flows whose
  // addresses and ports were chosen to collide under a seed known in advance (hash flooding,
  // every packet then walking one long probe run) do not collide under it.
  uint64_t hash_seed = 0;
  ReassemblyConfig reassembly;
};

struct FlowStats {
  uint64_t packets = 0;               // IP packets offered
  uint64_t packets_without_flow = 0;  // TCP/UDP without ports (later fragments, malformed)
  uint64_t flows_created = 0;
  uint64_t tcp_mid_session = 0;       // TCP flows first seen without their SYN
  uint64_t udp_datagrams_delivered = 0;
  uint64_t active_flows = 0;
  std::array<uint64_t, 6> ended{};    // indexed by EndReason
  uint64_t Ended(EndReason r) const { return ended[static_cast<size_t>(r)]; }
  // Sets "flow.created", "flow.active", "flow.ended.idle_timeout", "flow.evicted", ...
  void ExportTo(CounterSet& counters) const;
};

class FlowTable {
 public:
  // `listener` may be null (flow accounting only); it must outlive the table.
  FlowTable(const FlowTableConfig& config, FlowListener* listener);
  ~FlowTable();  // releases flows without callbacks; call Flush() first to report them
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // One decoded IP packet (ip_version != 0). Expires flows whose timeouts passed, finds or
  // creates the packet's flow, updates it and delivers payload.
  void Process(const DecodedPacket& packet);
  // The same with the packet's HashOf() already computed (batched callers).
  void Process(const DecodedPacket& packet, uint32_t hash);

  // Prefetch hints for callers that decode a batch of packets before processing them in order
  // (a packet's flow is then in cache when Process() reaches it). They change nothing: a stale
  // hint costs a wasted prefetch, never a wrong result.
  // The packet's hash, or kNoFlowHash when Process() would not look up a flow for it.
  static constexpr uint32_t kNoFlowHash = 0;
  uint32_t HashOf(const DecodedPacket& packet) const;
  // Prefetches the index entry for `hash`.
  void PrefetchIndex(uint32_t hash) const { __builtin_prefetch(&slots_[hash & mask_]); }
  // The flow the first index entry with `hash` points to, with its cache lines prefetched; null when there is none. Call after PrefetchIndex(hash) had time to land. The
  // flow may not be the packet's (another key with the same hash): treat it as a hint.
  const Flow* PrefetchFlow(uint32_t hash) const;

  // Moves the table's clock to now_us (live capture with no traffic) and expires flows.
  void Advance(int64_t now_us);
  // Ends every flow (reason kShutdown), delivering pending data first.
  void Flush();

  size_t active_flows() const { return active_; }
  // Bytes held by flows, the index and pending segments (the bounded part of memory).
  size_t MemoryBytes() const;
  const FlowStats& stats() const { return stats_; }
  const ReassemblyStats& reassembly_stats() const { return reassembler_.stats(); }
  void ExportTo(CounterSet& counters) const;

 private:
  struct Slot {
    uint32_t hash;
    uint32_t index;
  };
  struct List {
    uint32_t head, tail;
  };
  static constexpr uint32_t kNil = 0xFFFFFFFFu;
  static constexpr uint32_t kChunkShift = 12;

  Flow& At(uint32_t i) { return chunks_[i >> kChunkShift][i & ((1u << kChunkShift) - 1)]; }
  const Flow& At(uint32_t i) const {
    return chunks_[i >> kChunkShift][i & ((1u << kChunkShift) - 1)];
  }
  uint32_t Hash(const DecodedPacket& p) const;
  uint32_t Find(const DecodedPacket& p, uint32_t hash, Direction& dir);
  uint32_t Create(const DecodedPacket& p, uint32_t hash, Direction& dir);
  void End(uint32_t index, EndReason reason);
  void Expire();
  // Lowers next_expiry_us_ to `deadline` (a flow joined a list with that deadline).
  void NoteDeadline(int64_t deadline) { next_expiry_us_ = std::min(next_expiry_us_, deadline); }
  void BeginClosing(uint32_t index, EndReason reason);
  void EraseSlot(uint32_t index, uint32_t hash);
  // After an eviction: the next victim's state and the one after's flow are prefetched (evicted
  // flows are the coldest there are).
  void PrefetchNextVictims();
  // `index` is the next flow to end: its listener gets WillEnd(), and the flow after it in the
  // idle order is prefetched.
  void HintNextToEnd(uint32_t index);

  void PushBack(List& list, uint32_t i, bool by_start);
  void Unlink(List& list, uint32_t i, bool by_start);

  FlowTableConfig config_;
  uint64_t hash_seed_;  // config_.hash_seed, or the one drawn
  FlowListener* listener_;
  TcpReassembler reassembler_;
  std::vector<std::unique_ptr<Flow[]>> chunks_;
  uint32_t allocated_ = 0;  // flow slots handed out so far (high-water mark)
  std::vector<uint32_t> free_;
  std::vector<Slot> slots_;
  uint32_t mask_ = 0;
  List lru_{kNil, kNil}, closing_{kNil, kNil}, by_start_{kNil, kNil};
  size_t active_ = 0;
  int64_t now_us_ = INT64_MIN;
  // No list head's timeout falls before this: Expire() has nothing to do until the clock
  // reaches it (saves reading three cold list heads per packet). Never later than the earliest
  // head deadline; it may be earlier (a head left its list), which only costs a check.
  int64_t next_expiry_us_ = INT64_MAX;
  int64_t lru_granularity_us_ = 0;
  uint64_t next_id_ = 0;
  FlowStats stats_;
};

}  // namespace mw::net
