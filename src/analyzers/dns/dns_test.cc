#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "analyzers/dns/dns_analyzer.h"
#include "analyzers/dns/dns_cache.h"
#include "analyzers/dns/dns_message.h"

namespace mw::analyzers::dns {
namespace {

void Put16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
void PutName(Bytes& b, std::string_view dotted) {
  size_t start = 0;
  while (start < dotted.size()) {
    size_t dot = dotted.find('.', start);
    if (dot == std::string_view::npos) dot = dotted.size();
    b.push_back(uint8_t(dot - start));
    for (size_t i = start; i < dot; ++i) b.push_back(uint8_t(dotted[i]));
    start = dot + 1;
  }
  b.push_back(0);
}

// A response to "Pool.Example.ORG A": pool.example.org CNAME eu.pool.example.org (compressed
// against the question), then eu.pool... A 192.0.2.7 and an AAAA, both through pointers.
Bytes BuildResponse() {
  Bytes b;
  Put16(b, 0x1234);
  Put16(b, 0x8180);  // response, RD, RA, rcode 0
  Put16(b, 1);
  Put16(b, 3);
  Put16(b, 0);
  Put16(b, 0);
  PutName(b, "Pool.Example.ORG");  // at offset 12
  Put16(b, kTypeA);
  Put16(b, 1);
  // Answer 1: owner = pointer to 12, CNAME -> "eu" + pointer to 12.
  Put16(b, 0xc00c);
  Put16(b, kTypeCname);
  Put16(b, 1);
  b.insert(b.end(), {0, 0, 1, 0x2c});  // ttl 300
  Put16(b, 5);
  const size_t cname_target = b.size();
  b.insert(b.end(), {2, 'e', 'u', 0xc0, 0x0c});
  // Answer 2: owner = pointer to the CNAME target, A 192.0.2.7.
  Put16(b, uint16_t(0xc000 | cname_target));
  Put16(b, kTypeA);
  Put16(b, 1);
  b.insert(b.end(), {0, 0, 0, 30});  // ttl 30 (stretched to the minimum by the cache)
  Put16(b, 4);
  b.insert(b.end(), {192, 0, 2, 7});
  // Answer 3: AAAA 2001:db8::7.
  Put16(b, uint16_t(0xc000 | cname_target));
  Put16(b, kTypeAaaa);
  Put16(b, 1);
  b.insert(b.end(), {0, 0, 0x0e, 0x10});  // 3600
  Put16(b, 16);
  b.insert(b.end(), {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7});
  return b;
}

TEST(DnsMessage, ParsesCompressedResponse) {
  Message m;
  ASSERT_EQ(ParseMessage(BuildResponse(), m), ParseError::kOk);
  EXPECT_TRUE(m.is_response);
  EXPECT_EQ(m.id, 0x1234);
  ASSERT_EQ(m.questions.size(), 1u);
  EXPECT_EQ(m.questions[0].name, "pool.example.org");
  ASSERT_EQ(m.answers.size(), 3u);
  EXPECT_EQ(m.answers[0].type, kTypeCname);
  EXPECT_EQ(m.answers[0].target, "eu.pool.example.org");
  EXPECT_EQ(m.answers[1].name, "eu.pool.example.org");
  EXPECT_EQ(IpToString(m.answers[1].address), "192.0.2.7");
  EXPECT_EQ(m.answers[1].ttl, 30u);
  EXPECT_EQ(IpToString(m.answers[2].address), "2001:db8:0:0:0:0:0:7");
}

// Names are lowercased as they are read, eight bytes at a time where a label allows: every byte
// value, at every position of labels of every length up to 63, comes out as the one-byte rule
// says ('A'..'Z' to 'a'..'z', everything else, bytes above 0x7f included, unchanged).
TEST(DnsMessage, ReadNameLowercasesAsciiLettersOnly) {
  for (size_t len = 1; len <= 63; ++len) {
    for (unsigned first = 0; first < 256; first += len) {
      Bytes wire;
      std::string expected;
      for (size_t label = 0; label < 2; ++label) {
        if (label > 0) expected.push_back('.');
        wire.push_back(uint8_t(len));
        for (size_t i = 0; i < len; ++i) {
          const auto c = uint8_t(first + 7 * label + i);
          wire.push_back(c);
          expected.push_back(char(c >= 'A' && c <= 'Z' ? c + 32 : c));
        }
      }
      wire.push_back(0);
      std::string name = "left over";
      size_t next = 0;
      ASSERT_EQ(ReadName(wire, 0, name, next), ParseError::kOk);
      EXPECT_EQ(name, expected) << "label length " << len << ", first byte " << first;
      EXPECT_EQ(next, wire.size());
    }
  }
}

TEST(DnsMessage, RejectsPointerLoopsAndForwardPointers) {
  Bytes b;
  Put16(b, 1); Put16(b, 0); Put16(b, 1); Put16(b, 0); Put16(b, 0); Put16(b, 0);
  Put16(b, 0xc00c);  // the name at 12 points at itself
  Put16(b, 1); Put16(b, 1);
  Message m;
  EXPECT_EQ(ParseMessage(b, m), ParseError::kPointerLoop);
  b[12] = 0xc0;
  b[13] = 0x20;  // forward pointer
  EXPECT_EQ(ParseMessage(b, m), ParseError::kPointerLoop);
}

TEST(DnsMessage, RejectsOverlongNamesBadLabelsAndTruncation) {
  Bytes b;
  Put16(b, 1); Put16(b, 0); Put16(b, 1); Put16(b, 0); Put16(b, 0); Put16(b, 0);
  Bytes longname = b;
  for (int i = 0; i < 5; ++i) {
    longname.push_back(63);
    longname.insert(longname.end(), 63, 'a');
  }
  longname.push_back(0);
  Message m;
  EXPECT_EQ(ParseMessage(longname, m), ParseError::kNameTooLong);
  Bytes bad = b;
  bad.push_back(0x41);  // reserved label type
  EXPECT_EQ(ParseMessage(bad, m), ParseError::kBadLabel);
  EXPECT_EQ(ParseMessage(ByteSpan(b).first(11), m), ParseError::kTruncatedHeader);
  const Bytes good = BuildResponse();
  for (size_t cut = 12; cut < good.size(); ++cut) {
    EXPECT_NE(ParseMessage(ByteSpan(good).first(cut), m), ParseError::kOk) << cut;
  }
}

// Messages parsed one after another into one Message (as the sensor does) come out exactly as
// parsed into fresh ones, failures included: whole and cut-off responses, queries, a
// response whose answer of another type (MX) follows a CNAME.
TEST(DnsMessage, ParsingIntoAUsedMessageEqualsAFreshOne) {
  std::vector<Bytes> inputs;
  const Bytes full = BuildResponse();
  for (size_t cut = 0; cut <= full.size(); ++cut) {
    inputs.emplace_back(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
  }
  Bytes query;
  Put16(query, 7);
  Put16(query, 0x0100);
  Put16(query, 1);
  Put16(query, 0);
  Put16(query, 0);
  Put16(query, 0);
  PutName(query, "a-long-enough-name.example.org");
  Put16(query, kTypeA);
  Put16(query, 1);
  inputs.push_back(query);
  Bytes mx = full;
  mx[7] = 4;  // ancount 4: an MX record follows
  Put16(mx, 0xc00c);
  Put16(mx, 15);
  Put16(mx, 1);
  mx.insert(mx.end(), {0, 0, 0, 60});
  Put16(mx, 4);
  mx.insert(mx.end(), {0, 10, 0xc0, 0x0c});
  inputs.push_back(mx);
  Bytes a_only;  // an A record where the other responses have their CNAME
  Put16(a_only, 9);
  Put16(a_only, 0x8180);
  Put16(a_only, 1);
  Put16(a_only, 1);
  Put16(a_only, 0);
  Put16(a_only, 0);
  PutName(a_only, "b.example");
  Put16(a_only, kTypeA);
  Put16(a_only, 1);
  Put16(a_only, 0xc00c);
  Put16(a_only, kTypeA);
  Put16(a_only, 1);
  a_only.insert(a_only.end(), {0, 0, 0, 60});
  Put16(a_only, 4);
  a_only.insert(a_only.end(), {198, 51, 100, 1});
  inputs.push_back(a_only);
  std::mt19937 rng(3);
  Message reused;
  for (int i = 0; i < 3000; ++i) {
    const Bytes& in = inputs[rng() % inputs.size()];
    Message fresh;
    const ParseError want = ParseMessage(in, fresh);
    ASSERT_EQ(ParseMessage(in, reused), want) << i;
    ASSERT_EQ(reused, fresh) << i << " (" << in.size() << " bytes)";
  }
}

// A listener gets every message the record queue would have held, parsed into its target.
TEST(DnsAnalyzer, ListenerGetsWhatTheRecordsWouldHold) {
  struct Taker final : DnsListener {
    Message target[2];
    std::vector<Message> got;
    Message* MessageTarget(Direction d) override { return &target[DirectionIndex(d)]; }
    void OnMessage(Direction d, Message& m) override {
      EXPECT_EQ(&m, &target[DirectionIndex(d)]);
      got.push_back(m);
    }
  };
  const Bytes response = BuildResponse();
  Bytes stream;
  for (int i = 0; i < 3; ++i) {
    Put16(stream, uint16_t(response.size()));
    stream.insert(stream.end(), response.begin(), response.end());
  }
  Taker taker;
  DnsAnalyzer queued(DnsAnalyzer::Transport::kTcp);
  DnsAnalyzer heard(DnsAnalyzer::Transport::kTcp, nullptr, &taker);
  for (DnsAnalyzer* a : {&queued, &heard}) {
    a->Feed(Direction::kToClient, ByteSpan(stream).first(40));
    a->Feed(Direction::kToClient, ByteSpan(stream).subspan(40));
  }
  EXPECT_TRUE(heard.TakeRecords().empty());
  const std::vector<DnsRecord> records = queued.TakeRecords();
  ASSERT_EQ(records.size(), 3u);
  ASSERT_EQ(taker.got.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(taker.got[i], records[i].message);
}

TEST(DnsAnalyzer, TcpMessagesSplitAtEveryByte) {
  const Bytes msg = BuildResponse();
  Bytes stream;
  for (int k = 0; k < 2; ++k) {
    Put16(stream, uint16_t(msg.size()));
    Append(stream, msg);
  }
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    DnsAnalyzer a(DnsAnalyzer::Transport::kTcp);
    a.Feed(Direction::kToClient, ByteSpan(stream).first(cut));
    a.Feed(Direction::kToClient, ByteSpan(stream).subspan(cut));
    auto recs = a.TakeRecords();
    ASSERT_EQ(recs.size(), 2u) << cut;
    EXPECT_EQ(recs[1].message.answers.size(), 3u);
    EXPECT_EQ(recs[1].dir, Direction::kToClient);
  }
}

TEST(DnsAnalyzer, CountsMalformedAndStopsALostTcpDirection) {
  CounterSet counters;
  DnsAnalyzer a(DnsAnalyzer::Transport::kTcp, &counters);
  const Bytes junk = {0x00, 0x05, 1, 2, 3, 4, 5};  // length 5 < a header
  a.Feed(Direction::kToServer, junk);
  EXPECT_TRUE(a.Lost(Direction::kToServer));
  EXPECT_FALSE(a.Lost(Direction::kToClient));
  EXPECT_EQ(counters.Value("malformed.tcp_length_too_small"), 1u);
  DnsAnalyzer udp(DnsAnalyzer::Transport::kUdp, &counters);
  udp.Feed(Direction::kToServer, junk);
  EXPECT_EQ(counters.Value("malformed.truncated_header"), 1u);
  udp.Feed(Direction::kToClient, BuildResponse());
  EXPECT_EQ(counters.Value("responses"), 1u);
  EXPECT_EQ(udp.TakeRecords().size(), 1u);
}

TEST(DnsCache, RemembersNameAndChainUntilTtl) {
  Message m;
  ASSERT_EQ(ParseMessage(BuildResponse(), m), ParseError::kOk);
  DnsCache cache;
  const int64_t t0 = 1'000'000'000;
  EXPECT_EQ(cache.Insert(m, t0), 2u);
  const uint8_t v4[4] = {192, 0, 2, 7};
  const CachedName* hit = cache.Find(IpFromV4(v4), t0 + 1);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->query_name, "pool.example.org");
  ASSERT_EQ(hit->cname_chain.size(), 1u);
  EXPECT_EQ(hit->cname_chain[0], "eu.pool.example.org");
  // TTL 30 was stretched to the 60 s minimum.
  EXPECT_NE(cache.Find(IpFromV4(v4), t0 + 59'000'000), nullptr);
  EXPECT_EQ(cache.Find(IpFromV4(v4), t0 + 60'000'000), nullptr);
  const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
  EXPECT_NE(cache.Find(IpFromV6(v6), t0 + 3000'000'000ll), nullptr);
}

TEST(DnsCache, EvictsOldestBeyondCapacityAndIgnoresFailures) {
  DnsCache cache(DnsCache::Options{.capacity = 2});
  for (uint8_t i = 1; i <= 3; ++i) {
    Message m;
    m.is_response = true;
    std::string qname = "h0.test";
    qname[1] = char('0' + i);
    m.questions.push_back({qname, kTypeA, 1});
    Answer a;
    a.name = m.questions[0].name;
    a.type = kTypeA;
    a.ttl = 600;
    const uint8_t v4[4] = {10, 0, 0, i};
    a.address = IpFromV4(v4);
    m.answers.push_back(a);
    EXPECT_EQ(cache.Insert(m, 0), 1u);
  }
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.evictions(), 1u);
  const uint8_t first[4] = {10, 0, 0, 1}, third[4] = {10, 0, 0, 3};
  EXPECT_EQ(cache.Find(IpFromV4(first), 1), nullptr);
  EXPECT_EQ(cache.Find(IpFromV4(third), 1)->query_name, "h3.test");
  Message nx;
  nx.is_response = true;
  nx.rcode = 3;
  nx.questions.push_back({"x.test", kTypeA, 1});
  EXPECT_EQ(cache.Insert(nx, 0), 0u);
}

// A response to an A query for `qname`: one answer, `ip`, for 600 s.
Message OneAnswer(const std::string& qname, const IpAddress& ip) {
  Message m;
  m.is_response = true;
  m.questions.push_back({qname, kTypeA, 1});
  Answer a;
  a.name = qname;
  a.type = kTypeA;
  a.ttl = 600;
  a.address = ip;
  m.answers.push_back(a);
  return m;
}

// A response for an address already cached refreshes that entry in place: it takes the new
// name and TTL and becomes the newest, so the next eviction takes another.
TEST(DnsCache, RefreshTakesTheNewNameAndMovesToTheBack) {
  DnsCache cache(DnsCache::Options{.capacity = 2});
  auto answer = [&](const std::string& qname, uint8_t last, int64_t now_us) {
    const uint8_t v4[4] = {10, 0, 0, last};
    EXPECT_EQ(cache.Insert(OneAnswer(qname, IpFromV4(v4)), now_us), 1u);
    return IpFromV4(v4);
  };
  const IpAddress one = answer("one.test", 1, 0);
  const IpAddress two = answer("two.test", 2, 0);
  answer("one-again.test", 1, 500'000'000);  // refresh: .1 is now the newest
  EXPECT_EQ(cache.size(), 2u);
  const IpAddress three = answer("three.test", 3, 500'000'000);
  EXPECT_EQ(cache.evictions(), 1u);
  EXPECT_EQ(cache.Find(two, 1), nullptr);  // the oldest went
  ASSERT_NE(cache.Find(one, 1), nullptr);
  EXPECT_EQ(cache.Find(one, 1)->query_name, "one-again.test");
  // The refreshed TTL counts from the refresh.
  EXPECT_NE(cache.Find(one, 1'000'000'000), nullptr);
  EXPECT_EQ(cache.Find(three, 1)->query_name, "three.test");
}

// Against a plain model (a list in store order) under a random mix of new addresses, refreshes
// and lookups, with a capacity small enough to evict all the time: the same names, sizes and
// evictions.
TEST(DnsCache, BehavesLikeAListInStoreOrder) {
  for (const size_t capacity : {size_t{1}, size_t{7}, size_t{50}, size_t{1000}}) {
    DnsCache cache(DnsCache::Options{.capacity = capacity});
    struct Model {
      IpAddress ip;
      std::string name;
    };
    std::vector<Model> model;  // oldest first
    uint64_t model_evictions = 0;
    std::mt19937 rng{uint32_t(capacity)};
    for (int step = 0; step < 20000; ++step) {
      // About three addresses per entry the cache holds, IPv4 and IPv6.
      const uint8_t third = uint8_t(rng() % (3 + capacity / 30));
      const uint8_t fourth = uint8_t(rng() % 90);
      IpAddress ip;
      if (rng() % 2 == 0) {
        const uint8_t v4[4] = {10, 1, third, fourth};
        ip = IpFromV4(v4);
      } else {
        uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
        v6[14] = third;
        v6[15] = fourth;
        ip = IpFromV6(v6);
      }
      auto it = std::find_if(model.begin(), model.end(),
                             [&](const Model& x) { return x.ip == ip; });
      if (rng() % 3 == 0) {  // a lookup
        const CachedName* got = cache.Find(ip, 0);
        ASSERT_EQ(got != nullptr, it != model.end()) << "step " << step;
        if (got != nullptr) {
          ASSERT_EQ(got->query_name, it->name) << "step " << step;
        }
        continue;
      }
      const std::string name = "n" + std::to_string(step) + ".test";
      ASSERT_EQ(cache.Insert(OneAnswer(name, ip), 0), 1u);
      if (it != model.end()) {
        model.erase(it);
      } else if (model.size() >= capacity) {
        model.erase(model.begin());
        ++model_evictions;
      }
      model.push_back({ip, name});
      ASSERT_EQ(cache.size(), model.size()) << "step " << step;
    }
    EXPECT_EQ(cache.evictions(), model_evictions);
    EXPECT_GT(model_evictions, 0u);
    for (const Model& m : model) {
      const CachedName* got = cache.Find(m.ip, 0);
      ASSERT_NE(got, nullptr);
      EXPECT_EQ(got->query_name, m.name);
    }
  }
}

TEST(DnsCache, AddressesCollidingUnderOneHashSeedSpreadUnderAnother) {
  // Answers a DNS server's owner could pick, knowing the seed, so that they share one slot of
  // the index (every lookup would then walk them all).
  const DnsCache prepared_for(DnsCache::Options{.hash_seed = 0x1234});
  std::vector<IpAddress> flood;
  uint64_t target = 0;
  for (uint32_t i = 0; flood.size() < 64 && i < 4'000'000; ++i) {
    uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
    std::memcpy(v6 + 12, &i, 4);
    const IpAddress ip = IpFromV6(v6);
    const uint64_t slot = prepared_for.HashOf(ip) & 1023;
    if (flood.empty()) target = slot;
    if (slot == target) flood.push_back(ip);
  }
  ASSERT_EQ(flood.size(), 64u);
  for (const uint64_t seed : {uint64_t{0x5678}, uint64_t{0}}) {  // another; one drawn
    const DnsCache cache(DnsCache::Options{.hash_seed = seed});
    std::map<uint64_t, int> per_slot;
    int most = 0;
    for (const IpAddress& ip : flood) most = std::max(most, ++per_slot[cache.HashOf(ip) & 1023]);
    EXPECT_LE(most, 6) << "seed " << seed;
    EXPECT_GE(per_slot.size(), 50u) << "seed " << seed;
  }
  // Two caches that draw their seeds draw different ones.
  EXPECT_NE(DnsCache().HashOf(flood[0]), DnsCache().HashOf(flood[0]));
}

}  // namespace
}  // namespace mw::analyzers::dns
