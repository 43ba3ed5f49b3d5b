#include "detectors/mining_rhythm/mining_rhythm_detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace mw::detectors {
namespace {

constexpr int64_t kSec = 1'000'000;

void Add(FlowRecord& r, int dir, uint32_t size, int64_t ts) {
  auto& s = r.seg[dir];
  ++s.segments;
  s.payload_bytes += size;
  if (s.samples.size() < SegmentStats::kMaxSamples) s.samples.emplace_back(size, ts);
  r.last_ts_us = std::max(r.last_ts_us, ts);
}

// Payload segments given out of order, added in capture order.
struct Segment {
  int64_t ts;
  int dir;
  uint32_t size;
};
void AddInOrder(FlowRecord& r, std::vector<Segment> segs) {
  std::stable_sort(segs.begin(), segs.end(),
                   [](const Segment& a, const Segment& b) { return a.ts < b.ts; });
  for (const Segment& s : segs) Add(r, s.dir, s.size, s.ts);
}

// A TLS flow's record up to its handshake, to `port`.
FlowRecord TlsHandshake(uint16_t port, bool self_signed) {
  FlowRecord r;
  r.ip_proto = 6;
  r.server.port = port;
  r.first_ts_us = 0;
  r.tls = TlsFacts{};
  r.tls->client_hello = true;
  r.tls->self_signed = self_signed;
  Add(r, 0, 300, 0);          // ClientHello
  Add(r, 1, 1200, 10'000);    // ServerHello..Done
  Add(r, 0, 120, 20'000);     // key exchange, Finished
  Add(r, 1, 60, 30'000);
  return r;
}

// A miner over TLS: handshake, subscribe and authorize, then shares found at random times
// (exponential gaps of 3 s on average: hashing finds them as a Poisson process) each answered
// in 20 ms, and a job pushed 1.5 s after every third share.
FlowRecord MiningOverTls(uint16_t port) {
  FlowRecord r = TlsHandshake(port, true);
  Add(r, 0, 180, 40'000);     // subscribe
  Add(r, 1, 700, 50'000);     // reply + first job
  Add(r, 0, 150, 60'000);     // authorize
  std::mt19937 rng(7);
  std::exponential_distribution<double> gap(1.0 / 3.0);
  std::vector<Segment> segs;
  int shares = 0;
  for (int64_t t = 3 * kSec; t < 60 * kSec; t += int64_t(gap(rng) * kSec) + 1) {
    segs.push_back({t, 0, 190});
    segs.push_back({t + 20'000, 1, 70});
    if (++shares % 3 == 0) segs.push_back({t + 1'500'000, 1, 820});
  }
  AddInOrder(r, std::move(segs));
  return r;
}

// An IoT device over MQTT in TLS (port 8883, a CA-issued certificate, no ALPN): telemetry every
// `period` (plus up to `jitter` of delay) that the broker acknowledges at once, and a command
// pushed every 7 s that the device acknowledges 2 ms later.
FlowRecord TelemetryOverTls(int64_t period, int64_t jitter) {
  FlowRecord r = TlsHandshake(8883, false);
  Add(r, 0, 60, 40'000);   // CONNECT
  Add(r, 1, 30, 50'000);   // CONNACK
  std::mt19937 rng(3);
  std::vector<Segment> segs;
  for (int64_t t = kSec; t < 60 * kSec; t += period) {
    const int64_t at = t + (jitter > 0 ? int64_t(rng() % uint64_t(jitter)) : 0);
    segs.push_back({at, 0, 75});
    segs.push_back({at + 300, 1, 26});
  }
  for (int64_t t = 2'500'000; t < 60 * kSec; t += 7 * kSec) {
    segs.push_back({t, 1, 60});
    segs.push_back({t + 2'000, 0, 26});
  }
  AddInOrder(r, std::move(segs));
  return r;
}

TEST(RhythmFeatures, SeparatesRepliesFromPushes) {
  FlowRecord r = MiningOverTls(3334);
  RhythmFeatures f = ComputeRhythm(r, 3);
  EXPECT_GE(f.client_records, 15u);
  EXPECT_GE(f.server_pushes, 5u);
  EXPECT_GE(f.replied_client_records, 15u);
  EXPECT_NEAR(f.client_mean_interval_s, 3.0, 0.5);
}

// The client's own records (not the answers to pushes) on a clock are periodic; shares are not.
TEST(RhythmFeatures, TelemetryOnAClockIsPeriodicSharesAreNot) {
  const RhythmFeatures mining = ComputeRhythm(MiningOverTls(3334), 3);
  EXPECT_GE(mining.client_intervals, 10u);
  EXPECT_LT(mining.client_periodic_share, 0.3);
  const RhythmFeatures device = ComputeRhythm(TelemetryOverTls(3 * kSec, 40'000), 3);
  // 20 telemetry records, 19 intervals; the acknowledgements of the 9 commands are left out.
  EXPECT_EQ(device.client_intervals, 19u);
  EXPECT_GT(device.client_periodic_share, 0.9);
  EXPECT_GE(device.server_pushes, 8u);
  EXPECT_GE(device.replied_client_records, 18u);
}

// Everything else the rhythm looks at matches mining: a long flow, small client records the
// server answers at once, unsolicited pushes, no ALPN, a non-web port. Only the clock tells.
TEST(MiningRhythmDetector, ADeviceSendingOnAClockDoesNotFire) {
  MiningRhythmDetector d;
  std::vector<Finding> out;
  d.Inspect(TelemetryOverTls(3 * kSec, 0), out);
  EXPECT_TRUE(out.empty()) << "telemetry every 3 s";
  d.Inspect(TelemetryOverTls(3 * kSec, 200'000), out);
  EXPECT_TRUE(out.empty()) << "telemetry every 3 s, up to 0.2 s late";
  d.Inspect(TelemetryOverTls(3 * kSec, 3 * kSec), out);
  EXPECT_EQ(out.size(), 1u) << "the same device sending at random times looks like a miner";
}

TEST(MiningRhythmDetector, MiningOverTlsOnAnOddPortFires) {
  FlowRecord r = MiningOverTls(3334);
  MiningRhythmDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].signature_id, sid::kMiningRhythm);
  EXPECT_GE(out[0].confidence, 0.79);
  EXPECT_FALSE(out[0].evidence.empty());
}

// The alert names the client's TLS fingerprints, computed from the hello the record keeps.
TEST(MiningRhythmDetector, AlertCarriesTheClientsTlsFingerprints) {
  FlowRecord r = MiningOverTls(3334);
  analyzers::tls::ClientHello& hello = r.tls->hello;
  hello.legacy_version = 0x0303;
  hello.cipher_suites = {0x1301, 0x1302, 0xc02f};
  hello.extensions = {10, 11, 13, 43, 51};
  hello.supported_groups = {29, 23};
  hello.ec_point_formats = {0};
  hello.signature_algorithms = {0x0403, 0x0804};
  hello.supported_versions = {0x0304, 0x0303};
  MiningRhythmDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  const std::string ja4 = analyzers::tls::Ja4(hello);
  EXPECT_EQ(ja4.substr(0, 10), "t13i030500");  // TLS 1.3, no SNI, 3 ciphers, 5 extensions
  const std::string expected = "TLS client fingerprints JA4 " + ja4 + ", JA3 " +
                               analyzers::tls::Md5Hex("771,4865-4866-49199,10-11-13-43-51,29-23,0");
  EXPECT_NE(std::find(out[0].evidence.begin(), out[0].evidence.end(), expected),
            out[0].evidence.end());
}

TEST(MiningRhythmDetector, SelfSignedOnPort443StillFires) {
  FlowRecord r = MiningOverTls(443);
  MiningRhythmDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  auto says = [&](const std::string& text) {
    for (const std::string& e : out[0].evidence) {
      if (e.find(text) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(says(", self-signed certificate"));
  // A self-issued certificate whose signature was not checked (the sensor was shedding that
  // load) is told as such.
  r.tls->self_signed_assumed = true;
  out.clear();
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(says(", self-signed certificate"));
  EXPECT_TRUE(says("self-issued certificate (signature not checked"));
  // The certificate's name, the pool operator's own choice, is shown when it was read.
  r.tls->self_signed_assumed = false;
  r.tls->cert_subject = "CN=pool.local,O=Pool";
  out.clear();
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(says(", self-signed certificate 'CN=pool.local,O=Pool'"));
}

TEST(MiningRhythmDetector, WebTrafficIsLeftAlone) {
  FlowRecord r = MiningOverTls(443);
  r.tls->self_signed = false;
  MiningRhythmDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty()) << "CA-issued certificate on a web port";
  r = MiningOverTls(3334);
  r.tls->hello.alpn = {"h2", "http/1.1"};
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty()) << "HTTP ALPN offered";
}

TEST(MiningRhythmDetector, ShortFlowsAndBulkTransfersDoNotFire) {
  FlowRecord r = MiningOverTls(3334);
  r.last_ts_us = 10 * kSec;
  MiningRhythmDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty()) << "too short";

  FlowRecord bulk;
  bulk.ip_proto = 6;
  bulk.server.port = 9000;
  for (int64_t t = 0; t < 60 * kSec; t += kSec) {
    Add(bulk, 0, 90, t);             // a request
    Add(bulk, 1, 1448, t + 30'000);  // a large answer
  }
  d.Inspect(bulk, out);
  EXPECT_TRUE(out.empty()) << "no unsolicited pushes";
}

TEST(MiningRhythmDetector, SshIsLeftAlone) {
  FlowRecord r = MiningOverTls(2222);
  r.tls.reset();
  r.head[0] = "SSH-2.0-OpenSSH_9.2";
  MiningRhythmDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty());
}

// Mail and chat that turn to TLS after a greeting in the clear (STARTTLS) are left alone: an
// XMPP client's stream header, an SMTP, IMAP or POP3 server's greeting.
TEST(MiningRhythmDetector, StartTlsProtocolsAreLeftAlone) {
  MiningRhythmDetector d;
  std::vector<Finding> out;
  FlowRecord r = MiningOverTls(5222);
  r.tls.reset();  // (the handshake comes after the greeting: not read as a TLS flow)
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u) << "the same rhythm without a greeting";
  // {direction, first bytes}: 0 the client's, 1 the server's.
  const std::pair<int, const char*> greetings[] = {
      {0, "<?xml version='1.0'?><stream:stream to='example.org'"},
      {0, "<stream:stream xmlns='jabber:client'"},
      {1, "220 mail.example.org ESMTP Postfix"},
      {1, "220-smtp.example.org"},
      {1, "* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready."},
      {1, "+OK POP3 ready"}};
  for (const auto& [dir, bytes] : greetings) {
    FlowRecord x = r;
    x.head[dir] = bytes;
    out.clear();
    d.Inspect(x, out);
    EXPECT_TRUE(out.empty()) << bytes;
  }
}

TEST(MiningRhythmDetector, StratumV2Handshake) {
  analyzers::sv2::Sv2Features v;
  v.handshake_match = true;
  v.client_first_flight = 64;
  v.server_first_flight = 234;
  v.client_first_entropy = 5.7;
  v.n_share_sized_records = 5;
  v.server_records = 3;
  FlowRecord r;
  r.ip_proto = 6;
  r.sv2 = &v;
  MiningRhythmDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].signature_id, sid::kStratumV2Encrypted);
  v.handshake_match = false;
  out.clear();
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty());
}

// Plaintext SV2: the alert waits for the channel open that names the login (or for the flow to
// end without one), and carries login and device.
TEST(MiningRhythmDetector, StratumV2PlaintextNamesTheLogin) {
  analyzers::sv2::Sv2Features v;
  v.plaintext = true;
  v.client_records = 1;
  v.device = "minelab cpu minelab-sv2/0.1 rig1";
  FlowRecord r;
  r.ip_proto = 6;
  r.sv2 = &v;
  MiningRhythmDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty());  // only the SetupConnection so far
  v.client_records = 2;
  v.user_identity = "ml1wallet.rig1";
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].signature_id, sid::kStratumV2Plaintext);
  EXPECT_EQ(out[0].login, "ml1wallet.rig1");
  EXPECT_EQ(out[0].agent_string, v.device);
  ASSERT_GE(out[0].evidence.size(), 2u);
  EXPECT_NE(out[0].evidence[1].find("ml1wallet.rig1"), std::string::npos);

  analyzers::sv2::Sv2Features setup_only;
  setup_only.plaintext = true;
  setup_only.client_records = 1;
  FlowRecord ended;
  ended.ip_proto = 6;
  ended.sv2 = &setup_only;
  ended.ended = true;
  out.clear();
  d.Inspect(ended, out);
  ASSERT_EQ(out.size(), 1u);  // the SetupConnection alone still counts at the end
  EXPECT_TRUE(out[0].login.empty());
}

}  // namespace
}  // namespace mw::detectors
