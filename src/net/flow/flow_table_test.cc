#include "net/flow/flow_table.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "net/decode/decoder.h"
#include "net/testing/packet_builder.h"

namespace mw::net {
namespace {

using testing::PacketBuilder;

constexpr char kClient[] = "10.0.0.1";
constexpr char kServer[] = "10.0.0.2";

// Records every callback as text plus the delivered bytes per (flow id, direction).
class Recorder : public FlowListener {
 public:
  void OnFlowStart(Flow& f) override {
    events.push_back("start " + f.orig_addr.ToString() + ":" + std::to_string(f.orig_port) +
                     " > " + f.resp_addr.ToString() + ":" + std::to_string(f.resp_port));
  }
  void OnData(Flow& f, Direction d, ByteSpan data, int64_t) override {
    streams[{f.id, Index(d)}] += std::string(AsString(data));
    ++data_calls;
  }
  void OnGap(Flow& f, Direction d, uint32_t bytes, int64_t) override {
    streams[{f.id, Index(d)}] += "<gap " + std::to_string(bytes) + ">";
  }
  void OnFlowEnd(Flow& f, EndReason r) override {
    events.push_back("end " + std::string(EndReasonName(r)) + " pkts " +
                     std::to_string(f.packets[0]) + "/" + std::to_string(f.packets[1]));
    ended_ids.push_back(f.id);
  }
  std::string Stream(int dir) const {
    std::string all;
    for (const auto& [key, s] : streams) {
      if (key.second == dir) all += s;
    }
    return all;
  }

  std::vector<std::string> events;
  std::map<std::pair<uint64_t, int>, std::string> streams;
  std::vector<uint64_t> ended_ids;
  int data_calls = 0;
};

class FlowTableTest : public ::testing::Test {
 protected:
  void Make(FlowTableConfig config = {}) { table = std::make_unique<FlowTable>(config, &rec); }
  void Feed(const PacketBuilder& b, int64_t ts_us) {
    const Bytes ip = b.BuildIp();
    DecodedPacket p;
    ASSERT_EQ(decoder.Decode(kLinkRaw, ip.data(), uint32_t(ip.size()), uint32_t(ip.size()), ts_us,
                             p),
              DecodeResult::kIp);
    table->Process(p);
  }
  // Client -> server segment; seq numbers relative to ISNs 1000 (client) and 5000 (server).
  void C(uint32_t rel, std::string_view data, uint8_t flags = kTcpAck | kTcpPsh,
         int64_t ts = 1'000'000, uint32_t ack_rel = 1) {
    Feed(PacketBuilder().Ipv4(kClient, kServer).Tcp(40000, 3333, 1000 + rel, 5000 + ack_rel,
                                                    flags).Payload(data), ts);
  }
  void S(uint32_t rel, std::string_view data, uint8_t flags = kTcpAck | kTcpPsh,
         int64_t ts = 1'000'000, uint32_t ack_rel = 1) {
    Feed(PacketBuilder().Ipv4(kServer, kClient).Tcp(3333, 40000, 5000 + rel, 1000 + ack_rel,
                                                    flags).Payload(data), ts);
  }
  void Handshake() {
    C(0, "", kTcpSyn, 1'000'000, 0);
    S(0, "", kTcpSyn | kTcpAck);
    C(1, "", kTcpAck);
  }

  Decoder decoder;
  Recorder rec;
  std::unique_ptr<FlowTable> table;
};

TEST_F(FlowTableTest, HandshakeSetsDirectionAndDeliversBothWays) {
  Make();
  Handshake();
  C(1, "GET / HTTP/1.0\r\n");
  S(1, "HTTP/1.0 200 OK\r\n", kTcpAck | kTcpPsh, 1'000'000, 17);
  table->Flush();
  ASSERT_EQ(rec.events.size(), 2u);
  EXPECT_EQ(rec.events[0], "start 10.0.0.1:40000 > 10.0.0.2:3333");
  EXPECT_EQ(rec.events[1], "end shutdown pkts 3/2");
  EXPECT_EQ(rec.Stream(0), "GET / HTTP/1.0\r\n");
  EXPECT_EQ(rec.Stream(1), "HTTP/1.0 200 OK\r\n");
  EXPECT_EQ(table->stats().tcp_mid_session, 0u);
}

TEST_F(FlowTableTest, SynAckFirstMakesTheReceiverTheOriginator) {
  Make();
  S(0, "", kTcpSyn | kTcpAck);
  C(1, "hello");
  table->Flush();
  EXPECT_EQ(rec.events[0], "start 10.0.0.1:40000 > 10.0.0.2:3333");
  EXPECT_EQ(rec.Stream(0), "hello");
}

TEST_F(FlowTableTest, MidSessionFlowStillDeliversData) {
  Make();
  S(700, "late reply ");
  C(300, "request");
  S(711, "more");
  table->Flush();
  EXPECT_EQ(rec.events[0], "start 10.0.0.2:3333 > 10.0.0.1:40000");
  EXPECT_EQ(rec.Stream(0), "late reply more");
  EXPECT_EQ(rec.Stream(1), "request");
  EXPECT_EQ(table->stats().tcp_mid_session, 1u);
}

TEST_F(FlowTableTest, OutOfOrderRetransmitAndOverlap) {
  Make();
  Handshake();
  C(7, "world");   // ahead: pending
  C(12, "!!");     // ahead: pending
  C(1, "hello ");  // fills the hole; pending drains
  C(1, "hello ");  // pure retransmission
  C(10, "XD!!x");  // 4 bytes already delivered (different "ld" not re-delivered), 1 new
  table->Flush();
  EXPECT_EQ(rec.Stream(0), "hello world!!x");
  const ReassemblyStats& r = table->reassembly_stats();
  EXPECT_EQ(r.segments_out_of_order, 2u);
  EXPECT_EQ(r.segments_retransmitted, 1u);
  EXPECT_EQ(r.overlap_bytes, 6u + 4u);
  EXPECT_EQ(r.pending_bytes_now, 0u);
}

TEST_F(FlowTableTest, OverlapInPendingKeepsFirstCopyAndCountsMismatch) {
  Make();
  Handshake();
  C(5, "EFGH");
  C(3, "cdXY");  // overlaps pending "EF" with different bytes
  C(1, "ab");
  table->Flush();
  EXPECT_EQ(rec.Stream(0), "abcdEFGH");
  EXPECT_EQ(table->reassembly_stats().overlap_mismatch_bytes, 2u);
}

TEST_F(FlowTableTest, HoleAcknowledgedByPeerIsAGap) {
  Make();
  Handshake();
  C(1, "aaaa");
  C(9, "cccc");  // bytes 5..8 were lost by the capture
  S(1, "", kTcpAck, 1'000'000, 13);  // the server acknowledged all of it
  C(13, "dd");
  table->Flush();
  EXPECT_EQ(rec.Stream(0), "aaaa<gap 4>ccccdd");
  EXPECT_EQ(table->reassembly_stats().gaps, 1u);
  EXPECT_EQ(table->reassembly_stats().gap_bytes, 4u);
}

TEST_F(FlowTableTest, HoleIsSkippedAfterTheGapTimeout) {
  FlowTableConfig config;
  config.reassembly.gap_timeout_us = 500'000;
  Make(config);
  Handshake();
  C(1, "aa");
  C(5, "cc", kTcpAck, 1'100'000);
  EXPECT_EQ(rec.Stream(0), "aa");
  C(7, "dd", kTcpAck, 1'700'000);
  EXPECT_EQ(rec.Stream(0), "aa<gap 2>ccdd");
  table->Flush();
}

TEST_F(FlowTableTest, FlowEndFlushesPendingWithGaps) {
  Make();
  Handshake();
  C(3, "cc");
  C(7, "ee");
  table->Flush();
  EXPECT_EQ(rec.Stream(0), "<gap 2>cc<gap 2>ee");
}

TEST_F(FlowTableTest, DeliveryStopsAtTheLimit) {
  FlowTableConfig config;
  config.reassembly.max_bytes_per_direction = 10;
  Make(config);
  Handshake();
  C(1, "0123456");
  C(8, "789abcdef");
  C(17, "ghij");
  C(30, "zzz");  // out of order beyond the limit: not kept
  table->Flush();
  EXPECT_EQ(rec.Stream(0), "0123456789");
  const ReassemblyStats& r = table->reassembly_stats();
  EXPECT_EQ(r.limit_reached, 1u);
  EXPECT_EQ(r.bytes_delivered, 10u);
  EXPECT_EQ(r.bytes_beyond_limit, 6u + 4u + 3u);
}

TEST_F(FlowTableTest, PendingBoundForcesAGapInsteadOfGrowing) {
  FlowTableConfig config;
  config.reassembly.max_pending_per_direction = 8;
  Make(config);
  Handshake();
  C(3, "cccc");
  C(9, "eeee");  // 8 bytes pending now
  C(15, "gg");   // over the bound: the first hole is given up
  table->Flush();
  EXPECT_EQ(rec.Stream(0), "<gap 2>cccc<gap 2>eeee<gap 2>gg");
  EXPECT_LE(table->reassembly_stats().pending_bytes_now, 8u);
}

TEST_F(FlowTableTest, UdpDatagramsAreDeliveredOneByOne) {
  Make();
  Feed(PacketBuilder().Ipv6("fd00::1", "fd00::2").Udp(5000, 53).Payload("q1"), 1'000'000);
  Feed(PacketBuilder().Ipv6("fd00::2", "fd00::1").Udp(53, 5000).Payload("a1"), 1'000'100);
  Feed(PacketBuilder().Ipv6("fd00::1", "fd00::2").Udp(5000, 53).Payload("q2"), 1'000'200);
  table->Flush();
  EXPECT_EQ(rec.data_calls, 3);
  EXPECT_EQ(rec.Stream(0), "q1q2");
  EXPECT_EQ(rec.Stream(1), "a1");
  EXPECT_EQ(rec.events[0], "start fd00::1:5000 > fd00::2:53");
}

TEST_F(FlowTableTest, IdleAndActiveTimeoutsFollowPacketTime) {
  FlowTableConfig config;
  config.idle_timeout_us = 10'000'000;
  config.active_timeout_us = 100'000'000;
  Make(config);
  Feed(PacketBuilder().Ipv4("1.0.0.1", "1.0.0.2").Udp(1, 2), 0);
  for (int64_t t = 5'000'000; t <= 120'000'000; t += 5'000'000) {
    Feed(PacketBuilder().Ipv4("1.0.0.3", "1.0.0.4").Udp(1, 2), t);
  }
  CounterSet counters;
  table->ExportTo(counters);
  EXPECT_EQ(counters.Value("flow.ended.idle_timeout"), 1u);    // the first flow, at t = 10 s
  EXPECT_EQ(counters.Value("flow.ended.active_timeout"), 1u);  // the busy flow, at t = 105 s
  EXPECT_EQ(counters.Value("flow.created"), 3u);
  table->Advance(200'000'000);
  EXPECT_EQ(table->active_flows(), 0u);
  EXPECT_EQ(table->stats().Ended(EndReason::kIdleTimeout), 2u);
}

TEST_F(FlowTableTest, FinBothWaysAndResetCloseTcpFlows) {
  FlowTableConfig config;
  config.tcp_close_timeout_us = 1'000'000;
  Make(config);
  Handshake();
  C(1, "x", kTcpAck | kTcpFin);
  S(1, "", kTcpAck | kTcpFin, 1'000'000, 3);
  C(3, "", kTcpAck);  // the last ACK still belongs to the flow
  EXPECT_EQ(table->stats().flows_created, 1u);
  Feed(PacketBuilder().Ipv4("1.0.0.1", "1.0.0.2").Tcp(9, 10, 1, 0, kTcpRst), 1'500'000);
  table->Advance(3'000'000);
  EXPECT_EQ(table->stats().Ended(EndReason::kTcpClosed), 1u);
  EXPECT_EQ(table->stats().Ended(EndReason::kTcpReset), 1u);
  EXPECT_EQ(rec.events[2], "end tcp_closed pkts 4/2");
}

TEST_F(FlowTableTest, FullTableEvictsLeastRecentlyUsed) {
  FlowTableConfig config;
  config.max_flows = 2;
  Make(config);
  Feed(PacketBuilder().Ipv4("1.0.0.1", "1.0.0.2").Udp(1, 2), 1);
  Feed(PacketBuilder().Ipv4("1.0.0.3", "1.0.0.4").Udp(1, 2), 2);
  Feed(PacketBuilder().Ipv4("1.0.0.1", "1.0.0.2").Udp(1, 2), 3);  // refreshes the first
  Feed(PacketBuilder().Ipv4("1.0.0.5", "1.0.0.6").Udp(1, 2), 4);  // evicts the second
  EXPECT_EQ(table->stats().Ended(EndReason::kEvicted), 1u);
  EXPECT_EQ(rec.events[2], "end evicted pkts 1/0");
  Feed(PacketBuilder().Ipv4("1.0.0.1", "1.0.0.2").Udp(1, 2), 5);
  EXPECT_EQ(table->stats().flows_created, 3u);
}

TEST_F(FlowTableTest, MemoryIsBoundedByMaxFlowsAndIdsAreUnique) {
  FlowTableConfig config;
  config.max_flows = 500;
  Make(config);
  size_t memory_after_first_round = 0;
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 5000; ++i) {
      const std::string src = "10." + std::to_string(round) + "." + std::to_string(i / 250) +
                              "." + std::to_string(i % 250);
      C(0, "", kTcpSyn, 1'000'000 + round * 10'000 + i);  // one long-lived busy flow
      Feed(PacketBuilder().Ipv4(src, "192.0.2.1").Tcp(uint16_t(1024 + i), 443, 7, 0, kTcpSyn),
           1'000'000 + round * 10'000 + i);
    }
    EXPECT_LE(table->active_flows(), 500u);
    if (round == 0) memory_after_first_round = table->MemoryBytes();
  }
  EXPECT_EQ(table->MemoryBytes(), memory_after_first_round);
  table->Flush();
  const std::set<uint64_t> unique(rec.ended_ids.begin(), rec.ended_ids.end());
  EXPECT_EQ(unique.size(), rec.ended_ids.size());
  EXPECT_EQ(rec.ended_ids.size(), 20001u);
}

// Client ports that a reader of our source could pick, knowing the seed, so that every flow
// lands in one slot of a table of `slots`: each packet would walk the whole probe run.
std::vector<DecodedPacket> CollidingSyns(const FlowTable& table, uint32_t slots, size_t n) {
  Decoder decoder;
  std::vector<DecodedPacket> found;
  uint32_t target = 0;
  for (uint32_t i = 0; found.size() < n && i < 4'000'000; ++i) {
    const Bytes ip = PacketBuilder()
                         .Ipv4("10." + std::to_string(i >> 16) + "." +
                                   std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255),
                               "192.0.2.1")
                         .Tcp(40000, 443, 7, 0, kTcpSyn)
                         .BuildIp();
    DecodedPacket p;
    if (decoder.Decode(kLinkRaw, ip.data(), uint32_t(ip.size()), uint32_t(ip.size()), 0, p) !=
        DecodeResult::kIp) {
      continue;
    }
    const uint32_t slot = table.HashOf(p) & (slots - 1);
    if (found.empty()) target = slot;
    if (slot == target) found.push_back(p);
  }
  return found;
}

TEST_F(FlowTableTest, KeysCollidingUnderOneHashSeedSpreadUnderAnother) {
  FlowTableConfig known;
  known.hash_seed = 0x1234;  // the seed an attacker prepared the capture for
  known.max_flows = 512;     // an index of 1,024 slots
  const FlowTable prepared_for(known, nullptr);
  const std::vector<DecodedPacket> flood = CollidingSyns(prepared_for, 1024, 64);
  ASSERT_EQ(flood.size(), 64u);

  for (const uint64_t seed : {uint64_t{0x5678}, uint64_t{0}}) {  // another; one drawn
    FlowTableConfig other = known;
    other.hash_seed = seed;
    const FlowTable reseeded(other, nullptr);
    std::map<uint32_t, int> per_slot;
    int most = 0;
    for (const DecodedPacket& p : flood) {
      most = std::max(most, ++per_slot[reseeded.HashOf(p) & 1023]);
    }
    EXPECT_LE(most, 6) << "seed " << seed;
    EXPECT_GE(per_slot.size(), 50u) << "seed " << seed;
  }
}

TEST_F(FlowTableTest, FlowIdsDoNotDependOnTheHashSeed) {
  std::vector<std::vector<uint64_t>> ids;
  for (const uint64_t seed : {uint64_t{1}, uint64_t{2}, uint64_t{0}}) {
    FlowTableConfig config;
    config.hash_seed = seed;
    Make(config);
    rec.ended_ids.clear();
    for (int i = 0; i < 50; ++i) {
      Feed(PacketBuilder().Ipv4("10.0.1." + std::to_string(i), kServer).Tcp(50000, 443, 7, 0,
                                                                            kTcpSyn),
           1'000'000 + i);
    }
    table->Flush();
    ids.push_back(rec.ended_ids);
  }
  ASSERT_EQ(ids[0].size(), 50u);
  EXPECT_EQ(ids[0], ids[1]);
  EXPECT_EQ(ids[0], ids[2]);
  FlowTableConfig other_ids;
  other_ids.id_seed = 99;
  Make(other_ids);
  rec.ended_ids.clear();
  Feed(PacketBuilder().Ipv4("10.0.1.0", kServer).Tcp(50000, 443, 7, 0, kTcpSyn), 1'000'000);
  table->Flush();
  ASSERT_EQ(rec.ended_ids.size(), 1u);
  EXPECT_NE(rec.ended_ids[0], ids[0][0]);
}

TEST_F(FlowTableTest, FlushEndsClosingFlowsFirstThenByIdleOrderAndLeavesAnEmptyTable) {
  Make();
  const auto a = PacketBuilder().Ipv4("1.0.0.1", "1.0.0.2").Udp(1, 2);
  const auto b = PacketBuilder().Ipv4("1.0.0.3", "1.0.0.4").Udp(1, 2);
  Feed(a, 1);
  Feed(b, 2);
  Feed(a, 3);
  Feed(b, 4);
  Feed(b, 5);
  Feed(PacketBuilder().Ipv4("1.0.0.5", "1.0.0.6").Tcp(9, 10, 1, 0, kTcpRst), 6);  // closing
  table->Flush();
  ASSERT_EQ(rec.events.size(), 6u);
  EXPECT_EQ(rec.events[3], "end shutdown pkts 1/0");
  EXPECT_EQ(rec.events[4], "end shutdown pkts 2/0");
  EXPECT_EQ(rec.events[5], "end shutdown pkts 3/0");
  EXPECT_EQ(table->active_flows(), 0u);
  EXPECT_EQ(table->stats().active_flows, 0u);
  EXPECT_EQ(table->stats().Ended(EndReason::kShutdown), 3u);
  // The table works on: the same key makes a new flow, found again by its next packet.
  Feed(a, 7);
  Feed(PacketBuilder().Ipv4("1.0.0.2", "1.0.0.1").Udp(2, 1), 8);
  EXPECT_EQ(table->stats().flows_created, 4u);
  EXPECT_EQ(table->active_flows(), 1u);
  table->Flush();
  EXPECT_EQ(rec.events.back(), "end shutdown pkts 1/1");
  EXPECT_EQ(table->stats().Ended(EndReason::kShutdown), 4u);
}

TEST_F(FlowTableTest, ListenerCanStopDelivery) {
  class StopAfterFirst : public Recorder {
   public:
    void OnData(Flow& f, Direction d, ByteSpan data, int64_t ts) override {
      Recorder::OnData(f, d, data, ts);
      f.want_data[Index(d)] = false;
    }
  } stopper;
  table = std::make_unique<FlowTable>(FlowTableConfig{}, &stopper);
  Handshake();
  C(1, "one");
  C(4, "two");
  table->Flush();
  EXPECT_EQ(stopper.Stream(0), "one");
}

}  // namespace
}  // namespace mw::net
