#include "net/flow/flow_table.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "core/prefetch.h"
#include "core/random_seed.h"

namespace mw::net {
namespace {

constexpr std::string_view kEndReasonNames[] = {"idle_timeout", "active_timeout", "tcp_closed",
                                                "tcp_reset", "evicted", "shutdown"};

inline uint64_t Mum(uint64_t a, uint64_t b) {
  const __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t EndpointHash(const IpAddress& a, uint16_t port, uint64_t seed) {
  return Mum(Load64(a.bytes.data()) ^ seed ^ 0xa0761d6478bd642full,
             Load64(a.bytes.data() + 8) ^ (uint64_t(port) << 16) ^ 0xe7037ed1a0b428dbull);
}

// splitmix64: a bijection, so distinct counters give distinct ids.
inline uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

std::string_view EndReasonName(EndReason r) {
  const auto i = static_cast<size_t>(r);
  return i < std::size(kEndReasonNames) ? kEndReasonNames[i] : "unknown";
}

void FlowStats::ExportTo(CounterSet& counters) const {
  counters.Get("flow.packets").Set(packets);
  counters.Get("flow.packets_without_flow").Set(packets_without_flow);
  counters.Get("flow.created").Set(flows_created);
  counters.Get("flow.tcp_mid_session").Set(tcp_mid_session);
  counters.Get("flow.udp_datagrams_delivered").Set(udp_datagrams_delivered);
  counters.Get("flow.active").Set(active_flows);
  for (size_t i = 0; i < ended.size(); ++i) {
    counters.Get("flow.ended." + std::string(kEndReasonNames[i])).Set(ended[i]);
  }
  counters.Get("flow.evicted").Set(Ended(EndReason::kEvicted));
}

FlowTable::FlowTable(const FlowTableConfig& config, FlowListener* listener)
    : config_(config),
      hash_seed_(config.hash_seed != 0 ? config.hash_seed : RandomSeed()),
      listener_(listener),
      reassembler_(config.reassembly, listener) {
  if (config_.max_flows == 0) config_.max_flows = 1;
  if (config_.max_flows > (1u << 30)) config_.max_flows = 1u << 30;
  lru_granularity_us_ = std::max<int64_t>(0, config_.idle_timeout_us / 16);
  uint32_t capacity = 16;
  while (capacity < config_.max_flows * 2ull) capacity <<= 1;
  slots_.assign(capacity, Slot{0, kNil});
  mask_ = capacity - 1;
}

FlowTable::~FlowTable() = default;

void FlowTable::ExportTo(CounterSet& counters) const {
  stats_.ExportTo(counters);
  reassembler_.stats().ExportTo(counters);
  counters.Get("flow.memory_bytes").Set(MemoryBytes());
}

size_t FlowTable::MemoryBytes() const {
  const size_t per_chunk = std::min<size_t>(size_t{1} << kChunkShift, config_.max_flows);
  return chunks_.size() * per_chunk * sizeof(Flow) + slots_.size() * sizeof(Slot) +
         free_.capacity() * sizeof(uint32_t) + reassembler_.stats().pending_bytes_now;
}

uint32_t FlowTable::Hash(const DecodedPacket& p) const {
  const uint64_t a = EndpointHash(p.src, p.src_port, hash_seed_);
  const uint64_t b = EndpointHash(p.dst, p.dst_port, hash_seed_);
  const uint64_t h = Mum(std::min(a, b) ^ (uint64_t(p.ip_proto) << 8 | p.vlan_ids[0]),
                         std::max(a, b) ^ hash_seed_);
  // Never kNoFlowHash, so that HashOf() can use it for "no lookup".
  return std::max<uint32_t>(static_cast<uint32_t>(h ^ (h >> 32)), 1);
}

uint32_t FlowTable::HashOf(const DecodedPacket& p) const {
  if (p.ip_version == 0) return kNoFlowHash;
  const bool ported = p.ip_proto == kProtoTcp || p.ip_proto == kProtoUdp;
  if (ported && !p.has_l4) return kNoFlowHash;
  return Hash(p);
}

const Flow* FlowTable::PrefetchFlow(uint32_t hash) const {
  for (uint32_t i = hash & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.index == kNil) return nullptr;
    if (s.hash != hash) continue;
    const Flow* f = &At(s.index);
    // All of it: the key, the counters and state pointer, and the reassembly state (lines 2-3).
    PrefetchBytes(f, sizeof(Flow));
    return f;
  }
}

uint32_t FlowTable::Find(const DecodedPacket& p, uint32_t hash, Direction& dir) {
  const uint16_t vlan = p.vlan_count > 0 ? p.vlan_ids[0] : 0;
  for (uint32_t i = hash & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.index == kNil) return kNil;
    if (s.hash != hash) continue;
    Flow& f = At(s.index);
    if (f.ip_proto != p.ip_proto || f.vlan != vlan) continue;
    if (f.orig_port == p.src_port && f.resp_port == p.dst_port && f.orig_addr == p.src &&
        f.resp_addr == p.dst) {
      dir = Direction::kToResponder;
      return s.index;
    }
    if (f.orig_port == p.dst_port && f.resp_port == p.src_port && f.orig_addr == p.dst &&
        f.resp_addr == p.src) {
      dir = Direction::kToOriginator;
      return s.index;
    }
  }
}

uint32_t FlowTable::Create(const DecodedPacket& p, uint32_t hash, Direction& dir) {
  if (active_ >= config_.max_flows) {
    uint32_t victim = closing_.head;
    if (victim == kNil) {
      // The LRU head, unless it was seen since it last moved (lazy LRU): requeue such flows,
      // a bounded number of times.
      victim = lru_.head;
      for (int i = 0; i < 8 && At(victim).last_us - At(victim).lru_us > 0 && lru_.head != lru_.tail;
           ++i) {
        Flow& v = At(victim);
        Unlink(lru_, victim, false);
        PushBack(lru_, victim, false);
        v.lru_us = v.last_us;
        victim = lru_.head;
      }
    }
    End(victim, EndReason::kEvicted);
    PrefetchNextVictims();
  }
  uint32_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    if ((allocated_ >> kChunkShift) >= chunks_.size()) {
      // Small tables get one chunk of exactly max_flows (all their indices fit in it).
      chunks_.push_back(std::make_unique<Flow[]>(
          std::min<size_t>(size_t{1} << kChunkShift, config_.max_flows)));
    }
    index = allocated_++;
  }
  Flow& f = At(index);
  f.in_use = true;
  f.id = SplitMix(config_.id_seed + ++next_id_) >> 1;  // positive as a signed 64-bit number
  f.hash = hash;
  f.ip_proto = p.ip_proto;
  f.vlan = p.vlan_count > 0 ? p.vlan_ids[0] : 0;
  // A SYN-ACK without the SYN before it comes from the responder.
  const bool reply = p.ip_proto == kProtoTcp && (p.tcp_flags & (kTcpSyn | kTcpAck)) ==
                                                    (kTcpSyn | kTcpAck);
  dir = reply ? Direction::kToOriginator : Direction::kToResponder;
  f.orig_addr = reply ? p.dst : p.src;
  f.resp_addr = reply ? p.src : p.dst;
  f.orig_port = reply ? p.dst_port : p.src_port;
  f.resp_port = reply ? p.src_port : p.dst_port;
  f.start_us = f.last_us = f.lru_us = p.ts_us;
  if (p.ip_proto == kProtoTcp && (p.tcp_flags & kTcpSyn) == 0) {
    f.mid_session = true;
    ++stats_.tcp_mid_session;
  }
  uint32_t i = hash & mask_;
  while (slots_[i].index != kNil) i = (i + 1) & mask_;
  slots_[i] = Slot{hash, index};
  PushBack(lru_, index, false);
  PushBack(by_start_, index, true);
  NoteDeadline(std::min(p.ts_us + config_.idle_timeout_us, p.ts_us + config_.active_timeout_us));
  ++active_;
  ++stats_.flows_created;
  stats_.active_flows = active_;
  if (listener_ != nullptr) listener_->OnFlowStart(f);
  return index;
}

void FlowTable::PrefetchNextVictims() {
  const uint32_t next = closing_.head != kNil ? closing_.head : lru_.head;
  if (next != kNil) HintNextToEnd(next);
}

void FlowTable::HintNextToEnd(uint32_t index) {
  const Flow& f = At(index);  // prefetched one step before, when it was the one after
  if (listener_ != nullptr) listener_->WillEnd(f);
  // The one after: its key line and the line with its state pointer.
  if (f.lru_next != kNil) PrefetchBytes(&At(f.lru_next), 2 * kCacheLineBytes);
}

void FlowTable::Process(const DecodedPacket& p) { Process(p, HashOf(p)); }

void FlowTable::Process(const DecodedPacket& p, uint32_t hash) {
  ++stats_.packets;
  if (p.ip_version == 0) return;
  if (p.ts_us > now_us_) {
    now_us_ = p.ts_us;
    Expire();
  }
  if (hash == kNoFlowHash) {  // TCP or UDP without its ports
    ++stats_.packets_without_flow;
    return;
  }
  Direction dir = Direction::kToResponder;
  uint32_t index = Find(p, hash, dir);
  if (index != kNil && p.ip_proto == kProtoTcp && At(index).closing &&
      (p.tcp_flags & (kTcpSyn | kTcpAck)) == kTcpSyn) {
    End(index, At(index).close_reason);  // the port pair is reused by a new connection
    index = kNil;
  }
  if (index == kNil) index = Create(p, hash, dir);
  Flow& f = At(index);
  const int d = Index(dir);
  ++f.packets[d];
  f.bytes[d] += p.wire_len;
  if (p.ts_us > f.last_us) f.last_us = p.ts_us;
  // Lazy LRU: a flow moves to the tail at most once per lru_granularity_us; Expire() checks
  // the real last_us before ending a flow, so timeouts stay exact to that granularity.
  if (!f.closing && p.ts_us - f.lru_us > lru_granularity_us_ && lru_.tail != index) {
    Unlink(lru_, index, false);
    PushBack(lru_, index, false);
    f.lru_us = p.ts_us;
  }

  if (p.ip_proto == kProtoTcp) {
    f.tcp_flags[d] |= p.tcp_flags;
    reassembler_.OnSegment(f, dir, p.tcp_flags, p.seq, p.ack, ByteSpan(p.payload, p.payload_len),
                           p.ts_us);
    if (!f.closing) {
      if ((p.tcp_flags & kTcpRst) != 0) {
        BeginClosing(index, EndReason::kTcpReset);
      } else if ((f.tcp_flags[0] & kTcpFin) != 0 && (f.tcp_flags[1] & kTcpFin) != 0) {
        BeginClosing(index, EndReason::kTcpClosed);
      }
    }
  } else if (p.ip_proto == kProtoUdp && p.payload_len > 0 && f.want_data[d]) {
    ++stats_.udp_datagrams_delivered;
    if (listener_ != nullptr) {
      listener_->OnData(f, dir, ByteSpan(p.payload, p.payload_len), p.ts_us);
    }
  }
}

void FlowTable::BeginClosing(uint32_t index, EndReason reason) {
  Flow& f = At(index);
  f.closing = true;
  f.close_reason = reason;
  f.last_us = std::max(f.last_us, now_us_);
  Unlink(lru_, index, false);
  PushBack(closing_, index, false);
  NoteDeadline(f.last_us + config_.tcp_close_timeout_us);
}

void FlowTable::Advance(int64_t now_us) {
  if (now_us > now_us_) {
    now_us_ = now_us;
    Expire();
  }
}

void FlowTable::Expire() {
  if (now_us_ < next_expiry_us_) return;
  while (closing_.head != kNil &&
         At(closing_.head).last_us + config_.tcp_close_timeout_us <= now_us_) {
    End(closing_.head, At(closing_.head).close_reason);
  }
  while (lru_.head != kNil && At(lru_.head).lru_us + config_.idle_timeout_us <= now_us_) {
    const uint32_t head = lru_.head;
    Flow& f = At(head);
    if (f.last_us + config_.idle_timeout_us <= now_us_) {
      End(head, EndReason::kIdleTimeout);
    } else {  // seen since it last moved: requeue it
      Unlink(lru_, head, false);
      PushBack(lru_, head, false);
      f.lru_us = f.last_us;
    }
  }
  while (by_start_.head != kNil &&
         At(by_start_.head).start_us + config_.active_timeout_us <= now_us_) {
    End(by_start_.head, EndReason::kActiveTimeout);
  }
  next_expiry_us_ = INT64_MAX;
  if (closing_.head != kNil) NoteDeadline(At(closing_.head).last_us + config_.tcp_close_timeout_us);
  if (lru_.head != kNil) NoteDeadline(At(lru_.head).lru_us + config_.idle_timeout_us);
  if (by_start_.head != kNil) {
    NoteDeadline(At(by_start_.head).start_us + config_.active_timeout_us);
  }
}

void FlowTable::Flush() {
  // Every flow ends, in the order End() one by one would take (closing flows, then the LRU
  // order); the index and the lists are then cleared at once instead of unlinking each flow
  // from them, which touched a neighbour in the start order and probed the index per flow.
  // (Listeners do not call back into the table, so none can see it half cleared.)
  for (List* list : {&closing_, &lru_}) {
    for (uint32_t i = list->head; i != kNil;) {
      Flow& f = At(i);
      const uint32_t next = f.lru_next;
      if (next != kNil) HintNextToEnd(next);
      reassembler_.FlushFlow(f, std::max(now_us_, f.last_us));
      if (listener_ != nullptr) listener_->OnFlowEnd(f, EndReason::kShutdown);
      ++stats_.ended[static_cast<size_t>(EndReason::kShutdown)];
      f = Flow{};
      free_.push_back(i);
      i = next;
    }
    *list = List{kNil, kNil};
  }
  by_start_ = List{kNil, kNil};
  next_expiry_us_ = INT64_MAX;
  std::fill(slots_.begin(), slots_.end(), Slot{0, kNil});
  active_ = 0;
  stats_.active_flows = 0;
}

void FlowTable::End(uint32_t index, EndReason reason) {
  Flow& f = At(index);
  reassembler_.FlushFlow(f, std::max(now_us_, f.last_us));
  if (listener_ != nullptr) listener_->OnFlowEnd(f, reason);
  ++stats_.ended[static_cast<size_t>(reason)];
  EraseSlot(index, f.hash);
  Unlink(f.closing ? closing_ : lru_, index, false);
  Unlink(by_start_, index, true);
  f = Flow{};
  free_.push_back(index);
  --active_;
  stats_.active_flows = active_;
}

void FlowTable::EraseSlot(uint32_t index, uint32_t hash) {
  uint32_t i = hash & mask_;
  while (slots_[i].index != index) i = (i + 1) & mask_;
  // Backward-shift deletion keeps every probe chain unbroken without tombstones.
  for (uint32_t j = i;;) {
    slots_[i].index = kNil;
    for (;;) {
      j = (j + 1) & mask_;
      if (slots_[j].index == kNil) return;
      const uint32_t ideal = slots_[j].hash & mask_;
      // Stay when the ideal slot lies cyclically in (i, j].
      const bool stays = i <= j ? (i < ideal && ideal <= j) : (i < ideal || ideal <= j);
      if (!stays) break;
    }
    slots_[i] = slots_[j];
    i = j;
  }
}

void FlowTable::PushBack(List& list, uint32_t i, bool by_start) {
  Flow& f = At(i);
  uint32_t& prev = by_start ? f.start_prev : f.lru_prev;
  uint32_t& next = by_start ? f.start_next : f.lru_next;
  prev = list.tail;
  next = kNil;
  if (list.tail != kNil) {
    Flow& t = At(list.tail);
    (by_start ? t.start_next : t.lru_next) = i;
  } else {
    list.head = i;
  }
  list.tail = i;
}

void FlowTable::Unlink(List& list, uint32_t i, bool by_start) {
  Flow& f = At(i);
  const uint32_t prev = by_start ? f.start_prev : f.lru_prev;
  const uint32_t next = by_start ? f.start_next : f.lru_next;
  if (prev != kNil) {
    Flow& p = At(prev);
    (by_start ? p.start_next : p.lru_next) = next;
  } else {
    list.head = next;
  }
  if (next != kNil) {
    Flow& n = At(next);
    (by_start ? n.start_prev : n.lru_prev) = prev;
  } else {
    list.tail = prev;
  }
}

}  // namespace mw::net
