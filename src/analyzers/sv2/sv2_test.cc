#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "analyzers/sv2/sv2_analyzer.h"
#include "analyzers/sv2/byte_entropy.h"
#include "proto/sv2/sv2_frame.h"

namespace mw::analyzers::sv2 {
namespace {

namespace wire = ::mw::sv2;

constexpr int64_t kSecond = 1'000'000;

Bytes RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes b(n);
  for (auto& x : b) x = uint8_t(rng());
  return b;
}

Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

void PutStr(Bytes& b, std::string_view s) {
  b.push_back(uint8_t(s.size()));
  b.insert(b.end(), s.begin(), s.end());
}

Bytes Frame(uint16_t ext, uint8_t type, const Bytes& payload) {
  Bytes b;
  b.reserve(wire::kHeaderBytes + payload.size());
  for (uint32_t v : {uint32_t(ext), uint32_t(ext >> 8), uint32_t(type), uint32_t(payload.size()),
                     uint32_t(payload.size() >> 8), uint32_t(payload.size() >> 16)}) {
    b.push_back(uint8_t(v));
  }
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Bytes SetupConnectionPayload() {
  Bytes p = {0x00, 0x02, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00};  // mining, v2..v2, flags 1
  PutStr(p, "127.0.0.1");
  p.push_back(0xce);  // port 34254 LE
  p.push_back(0x85);
  PutStr(p, "minelab");
  PutStr(p, "cpu");
  PutStr(p, "0.1");
  PutStr(p, "dev-7");
  return p;
}

TEST(Sv2Entropy, SeparatesKeysFromText) {
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    EXPECT_GT(ByteEntropy(RandomBytes(64, seed)), kMinHandshakeEntropy) << seed;
  }
  EXPECT_LT(ByteEntropy(AsBytes("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer\"]}")),
            kMinHandshakeEntropy);
  Bytes all(256);
  for (size_t i = 0; i < all.size(); ++i) all[i] = uint8_t(i);
  EXPECT_DOUBLE_EQ(ByteEntropy(all), 8.0);
  EXPECT_DOUBLE_EQ(ByteEntropy(Bytes(64, 7)), 0.0);
}

// An encrypted SV2 session: 64-byte key, 234-byte answer in two segments, encrypted
// SetupConnection, then a share every `share_period` seconds with +-`jitter_ms` and job pushes.
void RunEncryptedSession(Sv2Analyzer& a, int shares, int64_t jitter_ms) {
  int64_t t = 1000 * kSecond;
  a.Feed(Direction::kToServer, RandomBytes(64, 42), t);
  a.Feed(Direction::kToClient, RandomBytes(100, 43), t + 2000);
  a.Feed(Direction::kToClient, RandomBytes(134, 44), t + 2100);
  const size_t setup_record = kEncryptedHeaderBytes + SetupConnectionPayload().size() + kMacBytes;
  a.Feed(Direction::kToServer, RandomBytes(setup_record, 45), t + 3000);
  a.Feed(Direction::kToClient, RandomBytes(22 + 6 + 16, 46), t + 4000);
  std::mt19937 rng(7);
  for (int i = 0; i < shares; ++i) {
    const int64_t jitter = jitter_ms ? int64_t(rng() % (2 * jitter_ms)) - jitter_ms : 0;
    a.Feed(Direction::kToServer, RandomBytes(kShareRecordBytes, 100 + i),
           t + (i + 1) * 10 * kSecond + jitter * 1000);
    if (i % 3 == 0) a.Feed(Direction::kToClient, RandomBytes(300, 500 + i), t + i * 10 * kSecond);
  }
}

TEST(Sv2Analyzer, EncryptedHandshakeAndShareCadence) {
  CounterSet counters;
  Sv2Analyzer a(&counters);
  RunEncryptedSession(a, 20, /*jitter_ms=*/200);
  const Sv2Features& f = a.features();
  EXPECT_TRUE(f.handshake_match);
  EXPECT_FALSE(f.not_sv2);
  EXPECT_EQ(f.client_first_flight, 64u);
  EXPECT_EQ(f.server_first_flight, 234u);
  EXPECT_EQ(f.n_share_sized_records, 20u);
  EXPECT_EQ(f.client_records, 21u);
  EXPECT_EQ(f.n_undersized_records, 0u);
  EXPECT_NEAR(f.share_intervals.mean_s(), 10.0, 0.1);
  EXPECT_GT(f.periodicity(), 0.9);
  EXPECT_EQ(counters.Value("handshake_matched"), 1u);
  auto events = a.TakeEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Sv2Event::Kind::kHandshakeMatched);

  // Irregular "shares" give a lower periodicity.
  Sv2Analyzer b;
  RunEncryptedSession(b, 20, /*jitter_ms=*/9000);
  EXPECT_LT(b.features().periodicity(), a.features().periodicity());
}

TEST(Sv2Analyzer, WithoutEventsTheFeaturesAndCountersAreTheSame) {
  CounterSet with_counters, without_counters;
  Sv2Analyzer with(&with_counters), without(&without_counters, /*keep_events=*/false);
  RunEncryptedSession(with, 12, /*jitter_ms=*/300);
  RunEncryptedSession(without, 12, /*jitter_ms=*/300);
  EXPECT_TRUE(without.features().handshake_match);
  EXPECT_EQ(without.features().n_share_sized_records, with.features().n_share_sized_records);
  EXPECT_EQ(without.features().client_records, with.features().client_records);
  EXPECT_DOUBLE_EQ(without.features().periodicity(), with.features().periodicity());
  EXPECT_EQ(without_counters.Snapshot(), with_counters.Snapshot());
  EXPECT_FALSE(with.TakeEvents().empty());
  EXPECT_TRUE(without.TakeEvents().empty());

  Sv2Analyzer tls(&without_counters, /*keep_events=*/false);
  tls.Feed(Direction::kToServer, Bytes{0x16, 0x03, 0x01, 0x00, 0x05}, 1);
  EXPECT_TRUE(tls.features().not_sv2);
  EXPECT_EQ(without_counters.Value("not_sv2.tls"), 1u);
  EXPECT_TRUE(tls.TakeEvents().empty());
}

TEST(Sv2Analyzer, RejectsWhatIsNotAnSv2Handshake) {
  struct Case {
    const char* name;
    Bytes client;
    size_t server;
  };
  const Case cases[] = {
      {"tls", [] { Bytes b = RandomBytes(64, 1); b[0] = 0x16; return b; }(), 234},
      {"json", ToBytes(R"({"id":1,"method":"mining.subscribe","params":["x"]}....)"), 234},
      {"65 bytes", RandomBytes(65, 2), 234},
      {"63 bytes", RandomBytes(63, 3), 234},
      {"low entropy", Bytes(64, 0x41), 234},
      {"server 233", RandomBytes(64, 4), 233},
      {"server 235", RandomBytes(64, 5), 235},
  };
  for (const Case& c : cases) {
    Sv2Analyzer a;
    a.Feed(Direction::kToServer, c.client, 0);
    a.Feed(Direction::kToClient, RandomBytes(c.server, 9), 1);
    a.Feed(Direction::kToServer, RandomBytes(kShareRecordBytes, 10), 2);
    EXPECT_FALSE(a.features().handshake_match) << c.name;
    EXPECT_TRUE(a.features().not_sv2) << c.name;
    EXPECT_EQ(a.features().n_share_sized_records, 0u) << c.name;
  }
  Sv2Analyzer server_first;
  server_first.Feed(Direction::kToClient, RandomBytes(234, 1), 0);
  EXPECT_TRUE(server_first.features().not_sv2);
}

// RuledOutByFirstSegment says what Feed() decides about a first segment, with the same counter
// (the sensor asks it first and builds no analyzer for ruled-out flows).
TEST(Sv2Analyzer, FirstSegmentVerdictMatchesFeed) {
  Bytes setup = Frame(0, wire::kSetupConnection, SetupConnectionPayload());
  setup.push_back('{');  // a plaintext SetupConnection is not JSON even with a brace in it
  Bytes tls = RandomBytes(64, 1);
  tls[0] = 0x16;
  Bytes random = RandomBytes(64, 2);
  std::replace(random.begin(), random.end(), uint8_t('{'), uint8_t('x'));
  Bytes longer = random;
  longer.push_back('x');
  struct Case {
    Direction dir;
    Bytes first;
    std::string_view verdict;
  };
  const Case cases[] = {
      {Direction::kToClient, RandomBytes(234, 3), "not_sv2.server_spoke_first"},
      {Direction::kToServer, tls, "not_sv2.tls"},
      {Direction::kToServer, ToBytes(R"({"id":1,"method":"login"})"), "not_sv2.json"},
      {Direction::kToServer, ToBytes("GET / HTTP/1.1\r\nX: {}\r\n"), "not_sv2.json"},
      {Direction::kToServer, random, ""},       // a whole encrypted flight (64 bytes)
      {Direction::kToServer, longer, "not_sv2.client_flight_size"},  // 65 bytes
      {Direction::kToServer,
       ToBytes("GET / HTTP/1.1\r\nHost: a.example\r\nUser-Agent: curl/8.4.0\r\n"
               "Accept: */*\r\n\r\n"),
       "not_sv2.client_flight_size"},
      {Direction::kToServer, setup, ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Sv2Analyzer::RuledOutByFirstSegment(c.dir, c.first), c.verdict) << c.verdict;
    CounterSet counters;
    Sv2Analyzer a(&counters);
    a.Feed(c.dir, c.first, 0);
    EXPECT_EQ(a.features().not_sv2, !c.verdict.empty()) << c.verdict;
    if (!c.verdict.empty()) {
      EXPECT_EQ(counters.Value(c.verdict), 1u) << c.verdict;
    }
  }
  EXPECT_EQ(Sv2Analyzer::RuledOutByFirstSegment(Direction::kToServer, {}), "");
}

TEST(Sv2Analyzer, PlaintextSessionSplitAtEveryByte) {
  Bytes client = Frame(0, wire::kSetupConnection, SetupConnectionPayload());
  Bytes open = {7, 0, 0, 0};  // OpenStandardMiningChannel: request 7, login, rate, max target
  PutStr(open, "wallet.rig9");
  open.resize(open.size() + 4 + 32, 0xff);
  Append(client, Frame(0, wire::kOpenStandardMiningChannel, open));
  const Bytes share = Frame(wire::kChannelMsgBit, wire::kSubmitSharesStandard, Bytes(24, 0x01));
  Append(client, share);
  Append(client, share);
  Bytes server = Frame(0, wire::kSetupConnectionSuccess, {0x02, 0x00, 0x00, 0x00, 0x00, 0x00});
  Append(server, Frame(wire::kChannelMsgBit, wire::kNewMiningJob, Bytes(40, 0x02)));
  for (size_t cut = 1; cut < client.size(); ++cut) {
    if (cut < wire::kHeaderBytes + 5) continue;  // the first segment must show the frame prefix
    Sv2Analyzer a;
    a.Feed(Direction::kToServer, ByteSpan(client).first(cut), 0);
    a.Feed(Direction::kToServer, ByteSpan(client).subspan(cut), 1);
    a.Feed(Direction::kToClient, ByteSpan(server).first(cut % server.size() + 1), 2);
    a.Feed(Direction::kToClient, ByteSpan(server).subspan(cut % server.size() + 1), 3);
    const Sv2Features& f = a.features();
    ASSERT_TRUE(f.plaintext) << cut;
    EXPECT_EQ(f.n_share_sized_records, 2u) << cut;
    EXPECT_EQ(f.server_jobs, 1u) << cut;
    EXPECT_EQ(f.client_records, 4u) << cut;
    EXPECT_EQ(f.device, "minelab cpu 0.1 dev-7") << cut;
    EXPECT_EQ(f.user_identity, "wallet.rig9") << cut;
    auto events = a.TakeEvents();
    ASSERT_EQ(events.size(), 2u) << cut;
    EXPECT_EQ(events[0].kind, Sv2Event::Kind::kPlaintextSetup);
    EXPECT_EQ(events[0].setup.vendor, "minelab");
    EXPECT_EQ(events[1].kind, Sv2Event::Kind::kSetupSuccess);
    EXPECT_EQ(events[1].success.used_version, 2);
  }
}

TEST(Sv2Analyzer, OversizedPlaintextFramesAreSkippedNotBuffered) {
  CounterSet counters;
  Sv2Analyzer a(&counters);
  a.Feed(Direction::kToServer, Frame(0, wire::kSetupConnection, SetupConnectionPayload()), 0);
  Bytes big = {0, 0, 0x70, 0x00, 0x00, 0x10};  // 1 MiB template-distribution frame
  a.Feed(Direction::kToClient, big, 1);
  a.Feed(Direction::kToClient, Bytes(100000, 0), 2);
  EXPECT_EQ(counters.Value("plaintext_oversized_frames"), 1u);
  EXPECT_EQ(a.features().server_records, 1u);
}

}  // namespace
}  // namespace mw::analyzers::sv2
