#include "net/flow/tcp_reassembler.h"

#include <algorithm>
#include <cstring>

namespace mw::net {
namespace {

int32_t SeqDiff(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b); }

}  // namespace

void ReassemblyStats::ExportTo(CounterSet& counters) const {
  counters.Get("reassembly.bytes_delivered").Set(bytes_delivered);
  counters.Get("reassembly.segments_in_order").Set(segments_in_order);
  counters.Get("reassembly.segments_out_of_order").Set(segments_out_of_order);
  counters.Get("reassembly.segments_retransmitted").Set(segments_retransmitted);
  counters.Get("reassembly.overlap_bytes").Set(overlap_bytes);
  counters.Get("reassembly.overlap_mismatch_bytes").Set(overlap_mismatch_bytes);
  counters.Get("reassembly.gaps").Set(gaps);
  counters.Get("reassembly.gap_bytes").Set(gap_bytes);
  counters.Get("reassembly.limit_reached").Set(limit_reached);
  counters.Get("reassembly.bytes_beyond_limit").Set(bytes_beyond_limit);
  counters.Get("reassembly.pending_dropped_bytes").Set(pending_dropped_bytes);
  counters.Get("reassembly.pending_bytes_now").Set(pending_bytes_now);
}

void TcpReassembler::OnSegment(Flow& flow, Direction dir, uint8_t flags, uint32_t seq,
                               uint32_t ack, ByteSpan payload, int64_t ts_us) {
  TcpStreamState& s = flow.tcp[Index(dir)];
  uint32_t data_seq = seq;
  if ((flags & kTcpSyn) != 0) {
    data_seq = seq + 1;
    if (!s.started) {
      s.started = true;
      s.next_seq = s.base_seq = data_seq;
    }
  }

  // This side acknowledging bytes of the other stream that we never saw: they were lost by the
  // capture, so stop waiting for them.
  if ((flags & kTcpAck) != 0) {
    const Direction other_dir = dir == Direction::kToResponder ? Direction::kToOriginator
                                                               : Direction::kToResponder;
    TcpStreamState& o = flow.tcp[Index(other_dir)];
    uint32_t acked = ack;
    if (o.fin && acked == o.fin_seq + 1) acked = o.fin_seq;
    for (int rounds = 0; o.started && !o.finished && SeqDiff(acked, o.next_seq) > 0 && rounds < 64;
         ++rounds) {
      SkipHole(flow, other_dir, acked, ts_us);
    }
  }

  if (!s.started) {
    if (payload.empty()) return;
    s.started = true;  // mid-session: start at the first byte seen
    s.next_seq = s.base_seq = data_seq;
  }
  if ((flags & kTcpFin) != 0 && !s.fin) {
    s.fin = true;
    s.fin_seq = data_seq + static_cast<uint32_t>(payload.size());
  }
  if (payload.empty()) return;
  if (s.finished || !flow.want_data[Index(dir)]) {
    if (s.finished) stats_.bytes_beyond_limit += payload.size();
    return;
  }

  const int32_t diff = SeqDiff(data_seq, s.next_seq);
  if (diff < 0) {
    const uint32_t behind = static_cast<uint32_t>(-static_cast<int64_t>(diff));
    if (behind >= payload.size()) {
      ++stats_.segments_retransmitted;
      stats_.overlap_bytes += payload.size();
      return;
    }
    stats_.overlap_bytes += behind;
    payload = payload.subspan(behind);
    data_seq = s.next_seq;
  }
  if (data_seq == s.next_seq) {
    ++stats_.segments_in_order;
    Deliver(flow, dir, payload.data(), static_cast<uint32_t>(payload.size()), ts_us);
    Drain(flow, dir, ts_us);
  } else {
    ++stats_.segments_out_of_order;
    Insert(flow, dir, data_seq, payload, ts_us);
  }
  if (s.pending && !s.finished && ts_us - s.pending_since_us > config_.gap_timeout_us) {
    SkipHole(flow, dir, s.next_seq, ts_us);
  }
}

void TcpReassembler::Deliver(Flow& flow, Direction dir, const uint8_t* data, uint32_t len,
                             int64_t ts_us) {
  TcpStreamState& s = flow.tcp[Index(dir)];
  const uint32_t room = config_.max_bytes_per_direction - s.delivered;
  const uint32_t n = std::min(len, room);
  s.delivered += n;
  s.next_seq += len;
  stats_.bytes_delivered += n;
  stats_.bytes_beyond_limit += len - n;
  if (n > 0 && listener_ != nullptr) listener_->OnData(flow, dir, ByteSpan(data, n), ts_us);
  if (s.delivered >= config_.max_bytes_per_direction) {
    s.finished = true;
    ++stats_.limit_reached;
    DropPending(s);
  } else if (!flow.want_data[Index(dir)]) {
    s.finished = true;
    DropPending(s);
  }
}

void TcpReassembler::Drain(Flow& flow, Direction dir, int64_t ts_us) {
  TcpStreamState& s = flow.tcp[Index(dir)];
  while (s.pending && !s.finished && !s.pending->empty()) {
    PendingSegment& front = s.pending->front();
    const int32_t diff = SeqDiff(front.seq, s.next_seq);
    if (diff > 0) break;
    const uint32_t behind = static_cast<uint32_t>(-static_cast<int64_t>(diff));
    const uint32_t size = static_cast<uint32_t>(front.data.size());
    Bytes data = std::move(front.data);
    s.pending->erase(s.pending->begin());
    s.pending_bytes -= size;
    stats_.pending_bytes_now -= size;
    if (behind >= size) {
      stats_.overlap_bytes += size;
      continue;
    }
    stats_.overlap_bytes += behind;
    Deliver(flow, dir, data.data() + behind, size - behind, ts_us);
  }
  if (s.pending && s.pending->empty()) {
    s.pending.reset();
  } else if (s.pending) {
    s.pending_since_us = ts_us;  // progress was made: the remaining hole waits afresh
  }
}

void TcpReassembler::Insert(Flow& flow, Direction dir, uint32_t seq, ByteSpan data,
                            int64_t ts_us) {
  TcpStreamState& s = flow.tcp[Index(dir)];
  uint32_t start = 0, end = 0;
  for (;;) {
    if (s.finished) return;
    if (SeqDiff(seq, s.next_seq) <= 0) {
      // A skipped hole made this segment (partly) in order.
      OnSegment(flow, dir, 0, seq, 0, data, ts_us);
      return;
    }
    const uint32_t room = config_.max_bytes_per_direction - s.delivered;
    start = seq - s.next_seq;
    if (start >= room) {
      stats_.bytes_beyond_limit += data.size();
      return;
    }
    end = start + static_cast<uint32_t>(std::min<size_t>(data.size(), room - start));
    const uint32_t len = end - start;
    const bool over_direction = s.pending_bytes + len > config_.max_pending_per_direction;
    const bool over_total = stats_.pending_bytes_now + len > config_.max_pending_total;
    if (!over_direction && !over_total) break;
    if (!s.pending || s.pending->empty()) {
      stats_.pending_dropped_bytes += len;
      return;
    }
    // Give up on the oldest hole to make room, then place this segment again.
    SkipHole(flow, dir, s.next_seq, ts_us);
  }
  stats_.bytes_beyond_limit += data.size() - (end - start);

  if (!s.pending) {
    s.pending = std::make_unique<std::vector<PendingSegment>>();
    s.pending_since_us = ts_us;
  }
  std::vector<PendingSegment> pieces;
  // First copy wins: only the parts not already pending are kept.
  uint32_t at = start;
  for (const PendingSegment& p : *s.pending) {
    const uint32_t ps = p.seq - s.next_seq;
    const uint32_t pe = ps + static_cast<uint32_t>(p.data.size());
    if (pe <= at) continue;
    if (ps >= end) break;
    if (ps > at) {
      pieces.push_back({s.next_seq + at, Bytes(data.begin() + (at - start),
                                                 data.begin() + (ps - start))});
    }
    const uint32_t os = std::max(at, ps), oe = std::min(end, pe);
    stats_.overlap_bytes += oe - os;
    if (std::memcmp(data.data() + (os - start), p.data.data() + (os - ps), oe - os) != 0) {
      stats_.overlap_mismatch_bytes += oe - os;
    }
    at = std::max(at, pe);
    if (at >= end) break;
  }
  if (at < end) {
    pieces.push_back({s.next_seq + at, Bytes(data.begin() + (at - start),
                                               data.begin() + (end - start))});
  }
  for (PendingSegment& p : pieces) {
    s.pending_bytes += static_cast<uint32_t>(p.data.size());
    stats_.pending_bytes_now += p.data.size();
    s.pending->push_back(std::move(p));
  }
  const uint32_t base = s.next_seq;
  std::sort(s.pending->begin(), s.pending->end(),
            [base](const PendingSegment& a, const PendingSegment& b) {
              return a.seq - base < b.seq - base;
            });
}

void TcpReassembler::SkipHole(Flow& flow, Direction dir, uint32_t upto, int64_t ts_us) {
  TcpStreamState& s = flow.tcp[Index(dir)];
  uint32_t hole = upto - s.next_seq;
  if (s.pending && !s.pending->empty()) {
    const uint32_t to_pending = s.pending->front().seq - s.next_seq;
    if (hole == 0 || to_pending < hole) hole = to_pending;
  }
  if (hole != 0) {
    ++stats_.gaps;
    const uint32_t room = config_.max_bytes_per_direction - s.delivered;
    const uint32_t counted = std::min(hole, room);
    stats_.gap_bytes += counted;
    if (listener_ != nullptr && flow.want_data[Index(dir)]) {
      listener_->OnGap(flow, dir, counted, ts_us);
    }
    s.next_seq += hole;
    s.delivered += counted;
    if (s.delivered >= config_.max_bytes_per_direction) {
      s.finished = true;
      ++stats_.limit_reached;
      DropPending(s);
      return;
    }
  }
  Drain(flow, dir, ts_us);
}

void TcpReassembler::FlushFlow(Flow& flow, int64_t ts_us) {
  for (const Direction dir : {Direction::kToResponder, Direction::kToOriginator}) {
    TcpStreamState& s = flow.tcp[Index(dir)];
    for (int rounds = 0; s.pending && !s.pending->empty() && !s.finished && rounds < 100000;
         ++rounds) {
      SkipHole(flow, dir, s.next_seq, ts_us);
    }
    DropPending(s);
  }
}

void TcpReassembler::DropPending(TcpStreamState& s) {
  stats_.pending_bytes_now -= s.pending_bytes;
  s.pending_bytes = 0;
  s.pending.reset();
}

}  // namespace mw::net
