// Pcap in, events out: sessions built packet by packet go through the whole pipeline.
#include "sensor/sensor_pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "analyzers/tls/tls_analyzer.h"
#include "analyzers/tls/tls_test_util.h"
#include "detectors/common/detector.h"
#include "intel/feed_parser.h"
#include "intel/snapshot_builder.h"
#include "net/capture/frame_batch.h"
#include "net/testing/capture_gen.h"
#include "net/testing/packet_builder.h"

namespace mw::sensor {
namespace {

using net::testing::PacketBuilder;
using net::testing::PcapWriter;

constexpr int kEth = 1;

// A TCP conversation written as a pcap: handshake, then payloads alternating as given.
class Conversation {
 public:
  Conversation(std::string client, uint16_t cport, std::string server, uint16_t sport,
               PcapWriter& w)
      : c_(std::move(client)), s_(std::move(server)), cport_(cport), sport_(sport), w_(w) {}
  void Handshake(int64_t ts) {
    Add(ts, true, "", 0x02);
    Add(ts + 100, false, "", 0x12);
    Add(ts + 200, true, "", 0x10);
  }
  void ClientSends(int64_t ts, const std::string& data) { Add(ts, true, data, 0x18); }
  void ServerSends(int64_t ts, const std::string& data) { Add(ts, false, data, 0x18); }

 private:
  void Add(int64_t ts, bool from_client, const std::string& data, uint8_t flags) {
    PacketBuilder b;
    if (from_client) {
      b.Ipv4(c_, s_).Tcp(cport_, sport_, cseq_, sseq_, flags);
    } else {
      b.Ipv4(s_, c_).Tcp(sport_, cport_, sseq_, cseq_, flags);
    }
    b.Payload(data);
    w_.Add(ts, b.Build(kEth));
    uint32_t& seq = from_client ? cseq_ : sseq_;
    seq += uint32_t(data.size()) + ((flags & 0x02) ? 1 : 0);
  }
  std::string c_, s_;
  uint16_t cport_, sport_;
  uint32_t cseq_ = 1000, sseq_ = 5000;
  PcapWriter& w_;
};

std::vector<events::Event> RunSensor(const PcapWriter& w, SensorConfig config = {},
                                     CounterSet* counters_out = nullptr) {
  auto src = net::OpenPcapMemory(w.bytes());
  EXPECT_TRUE(src.ok()) << src.status().ToString();
  events::MemorySink sink;
  CounterSet own_counters;
  CounterSet& counters = counters_out != nullptr ? *counters_out : own_counters;
  SensorPipeline p(config, nullptr, &sink, &counters);
  net::RawPacket frame;
  while ((*src)->Next(frame) == net::NextResult::kPacket) p.ProcessFrame(frame);
  p.Finish();
  return sink.events();
}

std::vector<uint32_t> AlertIds(const std::vector<events::Event>& evs) {
  std::vector<uint32_t> ids;
  for (const auto& e : evs) {
    if (e.alert) ids.push_back(e.alert->signature_id);
  }
  return ids;
}

// The start of a V1 session from 1.1 s on: subscribe (with `prefix` glued in front), its reply,
// authorize as `login`, its reply.
void V1SessionStart(Conversation& c, const std::string& prefix, const std::string& login) {
  c.ClientSends(1'100'000,
                prefix + "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cpuminer/2.5.1\"]}\n");
  c.ServerSends(1'200'000,
                "{\"id\":1,\"result\":[[[\"mining.notify\",\"ae6812eb4cd7735a\"]],\"08000002\",4],"
                "\"error\":null}\n");
  c.ClientSends(1'300'000,
                "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"" + login + "\",\"x\"]}\n");
  c.ServerSends(1'400'000, "{\"id\":2,\"result\":true,\"error\":null}\n");
}

// An HTTP proxy's tunnel to `target` (host:port), opened from 1.01 s on.
void OpenConnectTunnel(Conversation& c, const std::string& target) {
  c.ClientSends(1'010'000, "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");
  c.ServerSends(1'020'000, "HTTP/1.1 200 Connection established\r\n\r\n");
}

// 40 shares found at random from `ts` (exponential gaps, 10 s on average, as hashing finds
// them), in bytes no analyzer claims: a 90-byte client record answered at once with 40 bytes,
// and after every third a 300-byte server push, halfway to the next share.
void SendMiningRhythm(Conversation& c, int64_t ts) {
  std::mt19937 rng(5);
  auto noise = [&](size_t n) {
    std::string s(n, ' ');
    for (char& ch : s) ch = char(rng() | 0x80);  // high bytes: neither JSON nor text
    return s;
  };
  std::exponential_distribution<double> gap(0.1);
  int64_t next = int64_t(gap(rng) * 1e6) + 100'000;
  for (int i = 0; i < 40; ++i) {
    ts += next;
    next = int64_t(gap(rng) * 1e6) + 100'000;
    c.ClientSends(ts, noise(90));
    c.ServerSends(ts + 30'000, noise(40));
    if (i % 3 == 0) c.ServerSends(ts + next / 2 + 15'000, noise(300));
  }
}

// A Chrome-like ClientHello record naming `sni`, and a TLS 1.2 ServerHello record.
Bytes ClientHelloBytes(const std::string& sni) {
  namespace t = analyzers::tls::testing;
  return t::Record(22, t::Handshake(1, t::ChromeLikeClientHelloBody(sni)));
}
Bytes ServerHelloBytes() {
  namespace t = analyzers::tls::testing;
  return t::Record(22, t::Handshake(2, t::ServerHello12Body(0xc02f)));
}
std::string AsText(const Bytes& b) { return std::string(b.begin(), b.end()); }

TEST(SensorPipeline, V1SessionOnAnOddPortRaisesOneAlertWithEvidence) {
  PcapWriter w(kEth);
  Conversation c("10.0.0.5", 40000, "10.0.0.9", 2053, w);
  c.Handshake(1'000'000);
  c.ClientSends(1'100'000,
                "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cpuminer/2.5.1\"]}\n");
  c.ServerSends(1'200'000,
                "{\"id\":1,\"result\":[[[\"mining.notify\",\"ae\"]],\"08000002\",4],\"error\":null}\n");
  c.ClientSends(1'300'000, "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"wallet.rig\",\"x\"]}\n");
  c.ServerSends(1'400'000, "{\"id\":2,\"result\":true,\"error\":null}\n");
  auto evs = RunSensor(w);
  auto ids = AlertIds(evs);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0], 9100001u);
  const events::Event* alert = nullptr;
  int stratum_events = 0, flow_events = 0;
  for (const auto& e : evs) {
    if (e.alert) alert = &e;
    if (e.event_type == "stratum") ++stratum_events;
    if (e.event_type == "flow") ++flow_events;
  }
  ASSERT_NE(alert, nullptr);
  EXPECT_EQ(alert->src_ip, "10.0.0.5");
  EXPECT_EQ(alert->dest_port, 2053);
  EXPECT_EQ(alert->details.detector, "stratum_session");
  EXPECT_EQ(alert->details.agent_string, "cpuminer/2.5.1");
  EXPECT_EQ(alert->details.login, "wallet.rig");
  EXPECT_EQ(stratum_events, 4);
  EXPECT_EQ(flow_events, 1);
}

TEST(SensorPipeline, GenericJsonRpcAndHttpStayQuiet) {
  PcapWriter w(kEth);
  Conversation rpc("10.0.0.5", 40001, "10.0.0.9", 8545, w);
  rpc.Handshake(1'000'000);
  rpc.ClientSends(1'100'000, "{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\",\"params\":[],\"id\":1}\n");
  rpc.ServerSends(1'200'000, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x10\"}\n");
  Conversation web("10.0.0.5", 40002, "10.0.0.10", 80, w);
  web.Handshake(2'000'000);
  web.ClientSends(2'100'000, "GET /index.html HTTP/1.1\r\nHost: example.org\r\nUser-Agent: curl/8\r\n\r\n");
  web.ServerSends(2'200'000, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
  auto evs = RunSensor(w);
  EXPECT_TRUE(AlertIds(evs).empty());
  EXPECT_TRUE(evs.empty()) << "no metadata for flows that are not mining-related";
}

// A mining RPC request whose body the capture cuts off (the flow ends first) is still seen:
// the request the end of the flow completes reaches the detectors' last look.
TEST(SensorPipeline, MiningRpcRequestCutOffByTheFlowsEndAlerts) {
  PcapWriter w(kEth);
  Conversation c("10.0.0.5", 40003, "10.0.0.11", 8332, w);
  c.Handshake(1'000'000);
  c.ClientSends(1'100'000,
                "POST / HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n"
                "Content-Length: 400\r\n\r\n"
                "{\"id\":1,\"method\":\"getblocktemplate\",\"params\":[{\"rules\":[\"segwit\"]");
  const auto ids = AlertIds(RunSensor(w));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), detectors::sid::kHttpMiningRpc), 1);
}

TEST(SensorPipeline, StratumInsideWebSocket) {
  PcapWriter w(kEth);
  Conversation c("10.0.0.5", 40003, "10.0.0.9", 8181, w);
  c.Handshake(1'000'000);
  c.ClientSends(1'100'000,
                "GET /proxy HTTP/1.1\r\nHost: miner.example\r\nUpgrade: websocket\r\nConnection: "
                "Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: "
                "13\r\n\r\n");
  c.ServerSends(1'200'000,
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
  // A masked client text frame with a Coinhive auth, then an unmasked server job frame.
  const std::string auth =
      "{\"type\":\"auth\",\"params\":{\"site_key\":\"SK\",\"type\":\"anonymous\",\"user\":null}}";
  std::string frame = {char(0x81), char(0x80 | auth.size())};
  const char key[4] = {0x11, 0x22, 0x33, 0x44};
  frame.append(key, 4);
  for (size_t i = 0; i < auth.size(); ++i) frame.push_back(char(auth[i] ^ key[i % 4]));
  c.ClientSends(1'300'000, frame);
  const std::string job = "{\"type\":\"job\",\"params\":{\"job_id\":\"1\",\"blob\":\"" +
                          std::string(152, 'a') + "\",\"target\":\"b88d0600\"}}";
  std::string sframe = {char(0x81), char(126), char(job.size() >> 8), char(job.size() & 0xff)};
  sframe += job;
  c.ServerSends(1'400'000, sframe);
  auto ids = AlertIds(RunSensor(w));
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0], 9100005u);
}

TEST(SensorPipeline, TruncatedCaptureIsCountedNotFatal) {
  PcapWriter w(kEth);
  Conversation c("10.0.0.5", 40004, "10.0.0.9", 3333, w);
  c.Handshake(1'000'000);
  c.ClientSends(1'100'000, "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}\n");
  Bytes cut(w.bytes().begin(), w.bytes().end() - 20);
  auto src = net::OpenPcapMemory(cut);
  ASSERT_TRUE(src.ok());
  events::MemorySink sink;
  CounterSet counters;
  SensorPipeline p({}, nullptr, &sink, &counters);
  net::RawPacket frame;
  net::NextResult r;
  while ((r = (*src)->Next(frame)) == net::NextResult::kPacket) p.ProcessFrame(frame);
  EXPECT_EQ(r, net::NextResult::kError);
  EXPECT_FALSE((*src)->status().message().empty());
  p.Finish();
  EXPECT_EQ(counters.Value("sensor.frames"), 3u);
}

// A long session: once its alert is out and its "stratum" events are spent, later lines are
// counted instead of decoded, and what is reported does not change.
TEST(SensorPipeline, LinesAfterTheVerdictAreCountedNotDecoded) {
  PcapWriter w(kEth);
  Conversation c("10.0.0.5", 40005, "10.0.0.9", 3333, w);
  c.Handshake(1'000'000);
  c.ClientSends(1'100'000, "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cpuminer/2.5.1\"]}\n");
  c.ServerSends(1'200'000, "{\"id\":1,\"result\":[[[\"mining.notify\",\"ae\"]],\"08000002\",4],\"error\":null}\n");
  c.ClientSends(1'300'000, "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"wallet.rig\",\"x\"]}\n");
  c.ServerSends(1'400'000, "{\"id\":2,\"result\":true,\"error\":null}\n");
  constexpr int kSubmits = 12;
  for (int i = 0; i < kSubmits; ++i) {
    c.ClientSends(2'000'000 + i * 100'000,
                  "{\"id\":" + std::to_string(10 + i) +
                      ",\"method\":\"mining.submit\",\"params\":[\"wallet.rig\",\"1\",\"00000001\","
                      "\"504e86ed\",\"b2957c02\"]}\n");
  }
  for (const FlowEvents mode : {FlowEvents::kNone, FlowEvents::kMining}) {
    auto src = net::OpenPcapMemory(w.bytes());
    ASSERT_TRUE(src.ok());
    events::MemorySink sink;
    CounterSet counters;
    SensorConfig config;
    config.flow_events = mode;
    SensorPipeline p(config, nullptr, &sink, &counters);
    net::RawPacket frame;
    while ((*src)->Next(frame) == net::NextResult::kPacket) p.ProcessFrame(frame);
    p.Finish();
    int stratum_events = 0;
    std::vector<uint32_t> ids;
    for (const auto& e : sink.events()) {
      if (e.event_type == "stratum") ++stratum_events;
      if (e.alert) ids.push_back(e.alert->signature_id);
    }
    EXPECT_EQ(ids, std::vector<uint32_t>{9100001u});
    EXPECT_EQ(counters.Value("stratum.flows_final"), 1u);
    // The alert follows the authorize (3rd message); with metadata on, 8 messages are decoded
    // for their "stratum" events first.
    const uint64_t decoded = mode == FlowEvents::kNone ? 3 : 8;
    EXPECT_EQ(stratum_events, mode == FlowEvents::kNone ? 0 : 8);
    EXPECT_EQ(counters.Value("stratum.lines_after_verdict"), 4 + kSubmits - decoded);
  }
}

// Each analyzer counts under its own name: "malformed.<reason>" from DNS and from TLS, or "lines"
// from two codecs, must not add up in one counter that names no component.
TEST(SensorPipeline, AnalyzerCountersCarryTheirComponentName) {
  PcapWriter w(kEth);
  Conversation tls("10.0.3.5", 44000, "10.0.3.9", 443, w);
  tls.Handshake(1'000'000);
  tls.ClientSends(1'100'000, std::string("\x16\x03\x01\xff\xff", 5) + "not a record");
  Conversation miner("10.0.3.6", 44001, "10.0.3.9", 3333, w);
  miner.Handshake(1'200'000);
  miner.ClientSends(1'300'000,
                    "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cpuminer/2.5.1\"]}\n");
  PacketBuilder dns;
  dns.Ipv4("10.0.3.7", "10.0.3.53").Udp(5353, 53).Payload(std::string("\x12\x34\x01", 3));
  w.Add(1'400'000, dns.Build(kEth));

  CounterSet counters;
  RunSensor(w, {}, &counters);
  EXPECT_EQ(counters.Value("tls.not_tls"), 1u);
  EXPECT_EQ(counters.Value("dns.malformed.truncated_header"), 1u);
  EXPECT_EQ(counters.Value("stratum.v1.lines"), 1u);
  EXPECT_GE(counters.Value("sv2.not_sv2.tls"), 1u);
  for (const auto& [name, value] : counters.Snapshot()) {
    const std::string component = name.substr(0, name.find('.'));
    EXPECT_TRUE(component == "tls" || component == "dns" || component == "http" ||
                component == "sv2" || component == "stratum" || component == "websocket" ||
                component == "capture" || component == "decode" || component == "flow" ||
                component == "reassembly" || component == "sensor" || component == "dns_cache")
        << name << " names no component";
  }
}

// A miner that puts a TLS record header in front of its first line (a decoy for sensors that
// take any flow starting 16 03 0x for TLS): the TLS analyzer rules the bytes out, and the
// Stratum analyzer gets the flow from the first line on (the prefix cut off).
TEST(SensorPipeline, StratumBehindATlsLookingPrefixIsStillSeen) {
  PcapWriter w(kEth);
  Conversation c("10.0.4.5", 45000, "10.0.4.9", 443, w);
  c.Handshake(1'000'000);
  V1SessionStart(c, std::string("\x16\x03\x01", 3), "w1");
  for (int i = 0; i < 3; ++i) {
    c.ClientSends(2'000'000 + i * 100'000,
                  "{\"id\":" + std::to_string(10 + i) +
                      ",\"method\":\"mining.submit\",\"params\":[\"w1\",\"1\",\"00000001\","
                      "\"504e86ed\",\"b2957c02\"]}\n");
  }
  CounterSet counters;
  const auto evs = RunSensor(w, {}, &counters);
  EXPECT_EQ(AlertIds(evs), std::vector<uint32_t>{9100001u});
  for (const auto& e : evs) {
    if (e.alert) {
      EXPECT_EQ(e.details.login, "w1");
    }
  }
  EXPECT_EQ(counters.Value("stratum.tls_decoys"), 1u);
  EXPECT_EQ(counters.Value("tls.not_tls_client"), 1u);
  EXPECT_EQ(counters.Value("stratum.v1.decoded"), 7u);  // the subscribe behind the prefix too
}

// The decoy can be whole, well-formed TLS records, in their own segment (the Stratum object
// then starts the next) or in front of the line in the same one.
TEST(SensorPipeline, StratumAfterAWholeDecoyRecordIsStillSeen) {
  PcapWriter w(kEth);
  Conversation c("10.0.4.7", 45002, "10.0.4.9", 8443, w);
  c.Handshake(1'000'000);
  c.ClientSends(1'050'000, std::string("\x16\x03\x01\x00\x05hello", 10));
  c.ClientSends(1'100'000, "{\"id\":1,\"method\":\"login\",\"params\":{\"login\":\"w2\",\"pass\":\"x\","
                           "\"agent\":\"XMRig/6.21.0\",\"algo\":[\"rx/0\"]}}\n");
  // A decoy record of 100 bytes in the same segment as the line behind it.
  Conversation c2("10.0.4.7", 45004, "10.0.4.9", 8443, w);
  c2.Handshake(1'500'000);
  c2.ClientSends(1'550'000, std::string("\x16\x03\x01\x00\x64", 5) + std::string(100, 'z') +
                                "{\"id\":1,\"method\":\"login\",\"params\":{\"login\":\"w4\","
                                "\"pass\":\"x\",\"agent\":\"XMRig/6.21.0\",\"algo\":[\"rx/0\"]}}\n");
  c2.ServerSends(1'600'000,
                 "{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":{\"id\":\"a2\",\"job\":{\"blob\":\"0707\","
                 "\"job_id\":\"j1\",\"target\":\"b88d0600\",\"algo\":\"rx/0\"},\"status\":\"OK\"},"
                 "\"error\":null}\n");
  c.ServerSends(1'200'000,
                "{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":{\"id\":\"a1\",\"job\":{\"blob\":\"0707\","
                "\"job_id\":\"j1\",\"target\":\"b88d0600\",\"algo\":\"rx/0\"},\"status\":\"OK\"},"
                "\"error\":null}\n");
  CounterSet counters;
  const auto evs = RunSensor(w, {}, &counters);
  EXPECT_EQ(AlertIds(evs), (std::vector<uint32_t>{9100002u, 9100002u}));
  EXPECT_EQ(counters.Value("stratum.tls_decoys"), 2u);
}

// Or a real ClientHello, then plain Stratum: no TLS client sends plaintext after its hello.
TEST(SensorPipeline, StratumAfterARealClientHelloIsStillSeen) {
  PcapWriter w(kEth);
  Conversation c("10.0.4.8", 45003, "10.0.4.9", 443, w);
  c.Handshake(1'000'000);
  c.ClientSends(1'050'000, AsText(ClientHelloBytes("pool.example.test")));
  V1SessionStart(c, "", "w3");
  CounterSet counters;
  const auto evs = RunSensor(w, {}, &counters);
  EXPECT_EQ(AlertIds(evs), std::vector<uint32_t>{9100001u});
  EXPECT_EQ(counters.Value("stratum.tls_decoys"), 1u);
  EXPECT_EQ(counters.Value("tls.client_hello"), 1u);
}

// A miner behind an HTTP proxy: CONNECT, "200 Connection established", then plain Stratum in
// the tunnel. The tunnel's bytes are a stream of their own and go to the Stratum analyzer; the
// alert names the pool the proxy was asked for.
TEST(SensorPipeline, StratumThroughAnHttpConnectTunnelIsSeen) {
  PcapWriter w(kEth);
  Conversation c("10.0.5.5", 46000, "10.0.5.1", 3128, w);
  c.Handshake(1'000'000);
  OpenConnectTunnel(c, "pool.example.test:3333");
  V1SessionStart(c, "", "w5");
  CounterSet counters;
  const auto evs = RunSensor(w, {}, &counters);
  EXPECT_EQ(AlertIds(evs), std::vector<uint32_t>{9100001u});
  EXPECT_EQ(counters.Value("http.tunnels"), 1u);
  EXPECT_EQ(counters.Value("stratum.v1.decoded"), 4u);
  for (const auto& e : evs) {
    if (!e.alert) continue;
    EXPECT_EQ(e.details.login, "w5");
    EXPECT_EQ(e.details.pool, "pool.example.test:3333");
    EXPECT_NE(std::find(e.details.evidence.begin(), e.details.evidence.end(),
                        "through the HTTP proxy 10.0.5.1:3128 (CONNECT pool.example.test:3333)"),
              e.details.evidence.end());
  }
}

// The same with TLS inside the tunnel: the TLS analyzer reads the tunnel's ClientHello.
TEST(SensorPipeline, TlsInsideAnHttpConnectTunnelIsRead) {
  PcapWriter w(kEth);
  Conversation c("10.0.5.6", 46001, "10.0.5.1", 3128, w);
  c.Handshake(1'000'000);
  OpenConnectTunnel(c, "tls.example.test:443");
  c.ClientSends(1'050'000, AsText(ClientHelloBytes("tls.example.test")));
  CounterSet counters;
  const auto evs = RunSensor(w, {}, &counters);
  EXPECT_EQ(counters.Value("tls.client_hello"), 1u);
  EXPECT_TRUE(AlertIds(evs).empty());
}

// A snapshot of one pool-category domain feed listing `names` (one a line).
intel::Snapshot PoolIntel(const std::string& names) {
  intel::SnapshotBuilder b;
  b.AddFeed(intel::ParseFeed(names, {"pools.txt", intel::Format::kDomains, intel::Category::kPool}));
  auto bytes = b.Build();
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto snap = intel::Snapshot::FromBytes(*bytes);
  EXPECT_TRUE(snap.ok()) << snap.status().ToString();
  return std::move(snap).value();
}

// An intel update while flows are open (SIGUSR2 in the CLI): a flow whose SNI was matched
// against the old snapshot is matched again against the new one at its next inspection (here
// after a few more segments), a flow that starts after the update is matched against it at
// once, and after an update to no snapshot nothing list-based fires. Each flow alerts once.
TEST(SensorPipeline, IntelReplacedWhileFlowsAreOpenIsMatchedByThem) {
  const intel::Snapshot before = PoolIntel("other.example\n");
  const intel::Snapshot after = PoolIntel("pool.reload.test\n");
  PcapWriter w(kEth);
  Conversation early("10.0.6.1", 47001, "10.0.6.2", 443, w);  // open across the update
  early.Handshake(1'000'000);
  early.ClientSends(1'050'000, AsText(ClientHelloBytes("eu.pool.reload.test")));
  early.ServerSends(1'060'000, AsText(ServerHelloBytes()));
  for (int i = 0; i < 8; ++i) early.ClientSends(3'000'000 + i * 1000, std::string(40, '\x17'));
  Conversation late("10.0.6.1", 47002, "10.0.6.2", 443, w);  // starts after it
  late.Handshake(4'000'000);
  late.ClientSends(4'050'000, AsText(ClientHelloBytes("eu.pool.reload.test")));
  Conversation unlisted("10.0.6.1", 47003, "10.0.6.2", 443, w);  // after an update to none
  unlisted.Handshake(7'000'000);
  unlisted.ClientSends(7'050'000, AsText(ClientHelloBytes("eu.pool.reload.test")));

  auto src = net::OpenPcapMemory(w.bytes());
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  events::MemorySink sink;
  CounterSet counters;
  SensorPipeline p({}, &before, &sink, &counters);
  net::RawPacket frame;
  bool updated = false, emptied = false;
  while ((*src)->Next(frame) == net::NextResult::kPacket) {
    if (!updated && frame.ts_us >= 2'000'000) {
      EXPECT_TRUE(AlertIds(sink.events()).empty()) << "the old snapshot lists no such name";
      p.SetIntel(&after);
      updated = true;
    }
    if (!emptied && frame.ts_us >= 6'000'000) {
      p.SetIntel(nullptr);
      emptied = true;
    }
    p.ProcessFrame(frame);
  }
  p.Finish();
  std::vector<uint16_t> alerted_ports;
  for (const auto& e : sink.events()) {
    if (!e.alert) continue;
    EXPECT_EQ(e.alert->signature_id, detectors::sid::kPoolNameTls);
    alerted_ports.push_back(e.src_port);
  }
  std::sort(alerted_ports.begin(), alerted_ports.end());
  EXPECT_EQ(alerted_ports, (std::vector<uint16_t>{47001, 47002}));
}

// A TLS flow's "flow" event names its SNI and the client's JA3 and JA4, computed by the sensor
// only for the flows it reports: the same values the analyzer computes itself when asked to.
TEST(SensorPipeline, TlsFlowEventCarriesSniAndFingerprints) {
  PcapWriter w(kEth);
  Conversation c("10.0.5.7", 46002, "10.0.5.2", 443, w);
  c.Handshake(1'000'000);
  const Bytes hello = ClientHelloBytes("www.example.test");
  c.ClientSends(1'050'000, AsText(hello));
  analyzers::tls::TlsAnalyzer reference;  // fingerprints computed by the analyzer
  reference.Feed(analyzers::Direction::kToServer, hello);
  const auto reference_events = reference.TakeEvents();
  ASSERT_EQ(reference_events.size(), 1u);
  const auto& want = std::get<analyzers::tls::ClientHelloRecord>(reference_events[0].what);
  ASSERT_FALSE(want.ja4.empty());

  SensorConfig all;
  all.flow_events = FlowEvents::kAll;
  const auto evs = RunSensor(w, all);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].payload.value("app_proto", ""), "tls");
  ASSERT_TRUE(evs[0].payload.contains("tls"));
  const auto& tls = evs[0].payload["tls"];
  EXPECT_EQ(tls.value("sni", ""), "www.example.test");
  EXPECT_EQ(tls.value("ja3", ""), want.ja3_md5);
  EXPECT_EQ(tls.value("ja4", ""), want.ja4);
}

// A TLS 1.2 flow's "flow" event also names what the server showed in the clear: the ALPN it
// chose and its certificate's subject and issuer, and whether it is self-signed.
TEST(SensorPipeline, TlsFlowEventCarriesTheServersCertificate) {
  using namespace analyzers::tls::testing;
  analyzers::tls::testing::KeyAndCert ca, leaf, self;
  MakeCert("Test Root", nullptr, ca);
  MakeCert("www.example.test", &ca, leaf);
  MakeCert("pool.example.test", nullptr, self);
  auto server_flight = [](const KeyAndCert& kc) {
    const Bytes der = CertDer(kc);
    Bytes chain;
    Put24(chain, der.size() + 3);
    Put24(chain, der.size());
    Append(chain, der);
    Bytes flight = Record(22, Handshake(2, ServerHello12Body(0xc02f)), 0x0303);
    Append(flight, Record(22, Handshake(11, chain), 0x0303));
    return flight;
  };
  PcapWriter w(kEth);
  Conversation web("10.0.5.8", 46003, "10.0.5.3", 443, w);
  web.Handshake(1'000'000);
  web.ClientSends(1'050'000, AsText(ClientHelloBytes("www.example.test")));
  web.ServerSends(1'060'000, AsText(server_flight(leaf)));
  Conversation pool("10.0.5.9", 46004, "10.0.5.4", 8443, w);
  pool.Handshake(2'000'000);
  pool.ClientSends(2'050'000, AsText(ClientHelloBytes("pool.example.test")));
  pool.ServerSends(2'060'000, AsText(server_flight(self)));

  SensorConfig all;
  all.flow_events = FlowEvents::kAll;
  const auto evs = RunSensor(w, all);
  ASSERT_EQ(evs.size(), 2u);
  for (const auto& ev : evs) {
    ASSERT_TRUE(ev.payload.contains("tls")) << ev.payload.dump();
    const auto& tls = ev.payload["tls"];
    EXPECT_EQ(tls.value("alpn", ""), "h2");
    ASSERT_TRUE(tls.contains("certificate")) << tls.dump();
    const auto& cert = tls["certificate"];
    if (tls.value("sni", "") == "www.example.test") {
      EXPECT_EQ(cert.value("subject", ""), "CN=www.example.test,O=Minewatch Test");
      EXPECT_EQ(cert.value("issuer", ""), "CN=Test Root,O=Minewatch Test");
      EXPECT_FALSE(cert.value("self_signed", true));
    } else {
      EXPECT_EQ(tls.value("sni", ""), "pool.example.test");
      EXPECT_EQ(cert.value("subject", ""), "CN=pool.example.test,O=Minewatch Test");
      EXPECT_EQ(cert.value("issuer", ""), cert.value("subject", "-"));
      EXPECT_TRUE(cert.value("self_signed", false));
      EXPECT_FALSE(cert.contains("signature_checked"));  // the first ones are checked
    }
  }
}

// Several requests on one connection: the flow keeps its first request's method and its
// User-Agent, and a later script fetch names that request's host and path.
TEST(SensorPipeline, LaterWebMinerScriptFetchNamesItsOwnRequest) {
  PcapWriter w(kEth);
  Conversation c("10.0.7.5", 48000, "10.0.7.1", 80, w);
  c.Handshake(1'000'000);
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  c.ClientSends(1'100'000,
                "POST /form HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: Browser/1\r\n"
                "Content-Length: 0\r\n\r\n");
  c.ServerSends(1'200'000, ok);
  c.ClientSends(1'300'000, "GET /lib/coinhive.min.js HTTP/1.1\r\nHost: cdn.example\r\n\r\n");
  c.ServerSends(1'400'000, ok);
  const auto evs = RunSensor(w);
  ASSERT_EQ(AlertIds(evs), std::vector<uint32_t>{detectors::sid::kWebMinerScript});
  for (const auto& e : evs) {
    if (!e.alert) continue;
    EXPECT_EQ(e.details.pool, "cdn.example");
    EXPECT_EQ(e.details.agent_string, "Browser/1");  // the first request's: the script had none
    ASSERT_FALSE(e.details.evidence.empty());
    EXPECT_EQ(e.details.evidence.back(),
              "script coinhive.min.js fetched from cdn.example/lib/coinhive.min.js");
  }
}

// A miner behind a SOCKS5 proxy: greeting, CONNECT to the pool, then plain Stratum.
TEST(SensorPipeline, StratumThroughASocks5ProxyIsSeen) {
  PcapWriter w(kEth);
  Conversation c("10.0.6.5", 47000, "10.0.6.1", 1080, w);
  c.Handshake(1'000'000);
  c.ClientSends(1'001'000, std::string("\x05\x01\x00", 3));
  c.ServerSends(1'002'000, std::string("\x05\x00", 2));
  c.ClientSends(1'003'000, std::string("\x05\x01\x00\x03\x09pool.test\x0d\x05", 16));
  c.ServerSends(1'004'000, std::string("\x05\x00\x00\x01\x0a\x00\x06\x01\x0d\x05", 10));
  V1SessionStart(c, "", "w6");
  CounterSet counters;
  const auto evs = RunSensor(w, {}, &counters);
  EXPECT_EQ(AlertIds(evs), std::vector<uint32_t>{9100001u});
  EXPECT_EQ(counters.Value("stratum.v1.decoded"), 4u);
  EXPECT_EQ(counters.Value("stratum.flows_not_json"), 0u);
}

// Bytes that start like a TLS record but carry no JSON stay out of the Stratum analyzer.
TEST(SensorPipeline, NonTlsBytesWithoutJsonAreNotHandedToStratum) {
  PcapWriter w(kEth);
  Conversation c("10.0.4.6", 45001, "10.0.4.9", 443, w);
  c.Handshake(1'000'000);
  c.ClientSends(1'100'000, std::string("\x16\x03\x01\xff\xff", 5) + std::string(300, 'x'));
  c.ServerSends(1'200'000, std::string(900, 'y'));
  CounterSet counters;
  SensorConfig all;
  all.flow_events = FlowEvents::kAll;
  const auto evs = RunSensor(w, all, &counters);
  EXPECT_EQ(counters.Value("tls.not_tls_client"), 1u);
  EXPECT_EQ(counters.Value("tls.not_tls"), 2u);  // the server's bytes are judged as TLS too
  EXPECT_EQ(counters.Value("stratum.tls_decoys"), 0u);
  EXPECT_EQ(counters.Value("stratum.flows_not_json"), 0u);  // no Stratum analyzer was built
  EXPECT_TRUE(AlertIds(evs).empty());
  // Bytes that only start like a TLS record do not make a TLS flow.
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].event_type, "flow");
  EXPECT_EQ(evs[0].payload.value("app_proto", ""), "unknown");
}

// A flow whose client bytes fail their first record header, but whose server answers with TLS
// records: the server's records are still read (as one analyzer fed both directions read them).
TEST(SensorPipeline, ServerTlsIsReadAfterTheClientsFirstHeaderFailed) {
  PcapWriter w(kEth);
  Conversation c("10.0.4.6", 45002, "10.0.4.9", 443, w);
  c.Handshake(1'000'000);
  c.ClientSends(1'100'000, std::string("\x16\x03\x01\xff\xff", 5) + std::string(300, 'x'));
  c.ServerSends(1'200'000, AsText(ServerHelloBytes()));
  CounterSet counters;
  RunSensor(w, {}, &counters);
  EXPECT_EQ(counters.Value("tls.not_tls_client"), 1u);
  EXPECT_EQ(counters.Value("tls.not_tls"), 1u);
  EXPECT_EQ(counters.Value("tls.server_hello"), 1u);
}

// The benchmark's generated capture is real traffic to every analyzer: each TLS flow's hellos,
// each HTTP flow's request and response and each DNS flow's query and answer are read, nothing
// is malformed, and only the Stratum sessions alert.
TEST(SensorPipeline, GeneratedCaptureIsReadAsRealTraffic) {
  net::testing::MixedCaptureOptions gen;
  gen.flows = 400;
  gen.concurrent_flows = 50;
  net::testing::CaptureSummary sum;
  const Bytes capture = net::testing::MixedCaptureBytes(gen, &sum);
  ASSERT_GT(sum.tls_flows, 100u);
  ASSERT_GT(sum.tls12_flows, 20u);
  ASSERT_LT(sum.tls12_flows, sum.tls_flows);
  ASSERT_GT(sum.http_flows, 10u);
  ASSERT_GT(sum.udp_flows, 60u);
  auto src = net::OpenPcapMemory(capture);
  ASSERT_TRUE(src.ok());
  CounterSet counters;
  events::MemorySink sink;
  SensorConfig config;
  config.flow_events = FlowEvents::kNone;
  SensorPipeline p(config, nullptr, &sink, &counters);
  net::RawPacket frame;
  while ((*src)->Next(frame) == net::NextResult::kPacket) p.ProcessFrame(frame);
  p.Finish();
  EXPECT_EQ(counters.Value("tls.client_hello"), sum.tls_flows);
  EXPECT_EQ(counters.Value("tls.server_hello"), sum.tls_flows);
  EXPECT_EQ(counters.Value("tls.certificate"), sum.tls12_flows);  // TLS 1.2: in the clear
  // Every chain's leaf went through the certificate cache (a hit or a parse).
  EXPECT_EQ(counters.Value("tls.certificate_cache.hits") +
                counters.Value("tls.certificate_cache.misses"),
            sum.tls12_flows);
  EXPECT_EQ(counters.Value("tls.not_tls"), 0u);
  EXPECT_EQ(counters.Value("http.requests"), sum.http_flows);
  EXPECT_EQ(counters.Value("http.responses"), sum.http_flows);
  EXPECT_EQ(counters.Value("dns.queries"), sum.udp_flows);
  EXPECT_EQ(counters.Value("dns.responses"), sum.udp_flows);
  for (const auto& [name, value] : counters.Snapshot()) {
    if (name.find("malformed") != std::string::npos) {
      EXPECT_EQ(value, 0u) << name;
    }
  }
  EXPECT_EQ(AlertIds(sink.events()).size(), sum.mining_flows);
}

// Flow states are reused after a flow ends: nothing of one flow may show in the next.
TEST(SensorPipeline, ReusedFlowStatesStartClean) {
  PcapWriter w(kEth);
  int64_t ts = 1'000'000;
  for (uint16_t i = 0; i < 40; ++i) {
    Conversation c("10.0.1.5", uint16_t(41000 + i), "10.0.1.9", 3333, w);
    c.Handshake(ts);
    if (i % 2 == 0) {  // a miner, then a quiet client on the same port, in turn
      c.ClientSends(ts + 1000, "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cpuminer/2.5.1\"]}\n");
      c.ServerSends(ts + 2000, "{\"id\":1,\"result\":[[[\"mining.notify\",\"ae\"]],\"08000002\",4],\"error\":null}\n");
      c.ClientSends(ts + 3000, "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"w" + std::to_string(i) + "\",\"x\"]}\n");
    } else {
      c.ClientSends(ts + 1000, "HELLO\n");
      c.ServerSends(ts + 2000, "WELCOME\n");
    }
    ts += 20'000'000;  // past the idle timeout of a small table: flows end one by one
  }
  SensorConfig config;
  config.flows.max_flows = 2;
  const auto evs = RunSensor(w, config);
  std::vector<std::string> logins;
  for (const auto& e : evs) {
    if (e.alert) logins.push_back(e.details.login);
  }
  ASSERT_EQ(logins.size(), 20u);
  for (size_t k = 0; k < logins.size(); ++k) EXPECT_EQ(logins[k], "w" + std::to_string(2 * k));
}

// Batched processing (decode a group ahead, prefetch flows) must change nothing: same events in
// the same order, same counters, also when evictions in a full table make its hints stale.
TEST(SensorPipeline, BatchedFramesGiveTheSameEventsAndCounters) {
  net::testing::MixedCaptureOptions gen;
  gen.flows = 3000;
  gen.mining_fraction = 0.05;
  gen.concurrent_flows = 300;
  const Bytes capture = net::testing::MixedCaptureBytes(gen);
  for (uint32_t max_flows : {64u, 65536u}) {
    SCOPED_TRACE("max_flows " + std::to_string(max_flows));
    SensorConfig config;
    config.flows.max_flows = max_flows;
    config.flow_events = FlowEvents::kAll;
    auto run = [&](bool batched, CounterSet& counters) {
      auto src = net::OpenPcapMemory(capture);
      EXPECT_TRUE(src.ok()) << src.status().ToString();
      events::MemorySink sink;
      SensorPipeline p(config, nullptr, &sink, &counters);
      if (batched) {
        net::FrameBatch batch;
        net::NextResult r;
        do {
          r = batch.Fill(**src);
          p.ProcessFrames(batch.frames());
        } while (r == net::NextResult::kPacket);
        EXPECT_EQ(r, net::NextResult::kEnd);
      } else {
        net::RawPacket frame;
        while ((*src)->Next(frame) == net::NextResult::kPacket) p.ProcessFrame(frame);
      }
      p.Finish();
      std::vector<std::string> lines;
      for (const auto& e : sink.events()) lines.push_back(events::ToJsonLine(e));
      return lines;
    };
    CounterSet one_counters, batch_counters;
    const auto one = run(false, one_counters);
    const auto batched = run(true, batch_counters);
    ASSERT_GT(one.size(), 3000u);  // a flow event per flow, plus alerts and stratum events
    ASSERT_EQ(one.size(), batched.size());
    for (size_t i = 0; i < one.size(); ++i) ASSERT_EQ(one[i], batched[i]) << "event " << i;
    EXPECT_EQ(one_counters.Snapshot(), batch_counters.Snapshot());
    EXPECT_GT(batch_counters.Value("sensor.alerts"), 100u);
    if (max_flows == 64) {
      EXPECT_GT(batch_counters.Value("flow.evicted"), 1000u);
      // Ended flows' states are reused: 3000 flows never needed more than the flow limit.
      EXPECT_GT(batch_counters.Value("sensor.flow_states"), 0u);
      EXPECT_LE(batch_counters.Value("sensor.flow_states"), 64u);
    }
  }
}

// A flow of unknown content (no analyzer claims it) is judged by its rhythm: its size samples
// must keep coming after its first bytes, or an encrypted miner on a custom protocol is never
// seen. Client records of 90 B every 10 s, each answered at once, and periodic server pushes.
TEST(SensorPipeline, UnknownProtocolWithAMiningRhythmAlerts) {
  PcapWriter w(kEth);
  Conversation c("10.0.2.5", 43000, "10.0.2.9", 7777, w);
  c.Handshake(1'000'000);
  SendMiningRhythm(c, 1'000'000);
  EXPECT_EQ(AlertIds(RunSensor(w)), std::vector<uint32_t>{detectors::sid::kMiningRhythm});
}

// The same rhythm inside an HTTP proxy's CONNECT tunnel: judged by the tunnel's bytes and the
// target's port, and reported with the pool the proxy was asked for.
TEST(SensorPipeline, MiningRhythmInsideAnHttpConnectTunnelAlerts) {
  PcapWriter w(kEth);
  Conversation c("10.0.5.7", 46002, "10.0.5.1", 8080, w);
  c.Handshake(1'000'000);
  OpenConnectTunnel(c, "pool.example.test:7777");
  SendMiningRhythm(c, 1'000'000);
  const auto evs = RunSensor(w);
  EXPECT_EQ(AlertIds(evs), std::vector<uint32_t>{detectors::sid::kMiningRhythm});
  for (const auto& e : evs) {
    if (e.alert) {
      EXPECT_EQ(e.details.pool, "pool.example.test:7777");
    }
  }
}

}  // namespace
}  // namespace mw::sensor
