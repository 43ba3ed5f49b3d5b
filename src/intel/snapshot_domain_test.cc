// The domain lookup path (snapshot_domain.cc): filter, ancestors, key records, MatchBatch.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "intel/feed_parser.h"
#include "intel/snapshot.h"
#include "intel/snapshot_builder.h"
#include "intel/snapshot_format.h"

namespace mw::intel {
namespace {

Bytes BuildDomains(const std::vector<std::string>& names, Category category = Category::kPool) {
  std::string text;
  for (const auto& n : names) text += n + "\n";
  SnapshotBuilder b;
  b.AddFeed(ParseFeed(text, FeedSource{"names", Format::kDomains, category}));
  return b.Build().value();
}

uint32_t SeedOf(const Bytes& snapshot) {
  format::FileHeader h;
  std::memcpy(&h, snapshot.data(), sizeof(h));
  return h.hash_seed;
}

// The domain buckets of a built snapshot, copied out (the bytes are not aligned), and where
// they sit in `snapshot` so that a test can write them back.
struct BucketTable {
  std::vector<format::DomainBucket> buckets;
  size_t offset = 0;
};
BucketTable DomainBuckets(const Bytes& snapshot) {
  format::FileHeader h;
  std::memcpy(&h, snapshot.data(), sizeof(h));
  BucketTable t;
  for (uint32_t i = 0; i < h.section_count; ++i) {
    format::SectionRecord r;
    std::memcpy(&r, snapshot.data() + format::kHeaderBytes + i * sizeof(r), sizeof(r));
    if (r.id != format::kDomainBuckets) continue;
    t.offset = r.offset;
    t.buckets.resize(r.bytes / sizeof(format::DomainBucket));
    std::memcpy(t.buckets.data(), snapshot.data() + r.offset, r.bytes);
  }
  return t;
}

std::vector<std::string> Texts(const Snapshot& s, const MatchResult& m) {
  std::vector<std::string> out;
  for (uint32_t i = 0; i < m.count; ++i) out.emplace_back(s.Entry(m.entries[i]).text);
  std::sort(out.begin(), out.end());
  return out;
}

// The entries a suffix walk over `names` must find for `query` (already lower case, no dot).
std::vector<std::string> Reference(const std::set<std::string>& names, std::string query) {
  std::vector<std::string> out;
  while (true) {
    if (names.count(query)) out.push_back(query);
    const size_t dot = query.find('.');
    if (dot == std::string::npos) break;
    query.erase(0, dot + 1);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SnapshotDomain, FingerprintCollisionNeverMatches) {
  const std::string key = "pool0000.example";
  const Bytes bytes = BuildDomains({key});
  const uint32_t seed = SeedOf(bytes);
  const uint16_t want = format::Fingerprint(format::HashName(key, seed));
  // One key: a one-bucket table, so a name with the same 14-bit fingerprint (and, chosen here,
  // the same length) reaches the text comparison.
  std::string twin;
  for (int i = 1; i < 1'000'000 && twin.empty(); ++i) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "pool%04d.example", i % 10000);
    std::string name = buf;
    if (i >= 10000) name[1] = static_cast<char>('a' + (i / 10000) % 26);
    if (name != key && format::Fingerprint(format::HashName(name, seed)) == want) twin = name;
  }
  ASSERT_FALSE(twin.empty());
  ASSERT_EQ(twin.size(), key.size());
  Snapshot s = Snapshot::FromBytes(bytes).value();
  MatchResult m;
  EXPECT_TRUE(s.Match(key, &m));
  EXPECT_FALSE(s.Match(twin, &m)) << twin;
  EXPECT_EQ(m.count, 0u);
  EXPECT_FALSE(s.Match("eu." + twin, &m)) << twin;
  EXPECT_TRUE(s.Match("eu." + key, &m));
}

TEST(SnapshotDomain, AncestorsOnlyCarryTheWalkAndNeverMatch) {
  Snapshot s = Snapshot::FromBytes(BuildDomains({"deep.a.b.c.example", "b.c.example"})).value();
  MatchResult m;
  EXPECT_TRUE(s.Match("x.deep.a.b.c.example", &m));
  EXPECT_EQ(Texts(s, m), (std::vector<std::string>{"b.c.example", "deep.a.b.c.example"}));
  // Suffixes of a key that are not keys themselves are in the table as ancestors only: the
  // ancestor "a.b.c.example" is not reported, the key "b.c.example" above it is.
  EXPECT_TRUE(s.Match("a.b.c.example", &m));
  EXPECT_EQ(Texts(s, m), (std::vector<std::string>{"b.c.example"}));
  EXPECT_FALSE(s.Match("c.example", &m));
  EXPECT_EQ(m.count, 0u);
  EXPECT_FALSE(s.Match("x.a.c.example", &m));
  // More labels than any key: the walk ends at the label-count mask, the key still matches.
  EXPECT_TRUE(s.Match("1.2.3.4.5.6.7.deep.a.b.c.example", &m));
  EXPECT_FALSE(s.Match("deep.a.b.c.example.org", &m));
}

TEST(SnapshotDomain, EverySuffixOfEveryKeyMatchesAsAWalkWould) {
  std::mt19937_64 rng(11);
  auto label = [&](size_t max) {
    std::string l(1 + rng() % max, 'a');
    for (char& c : l) c = "abcdefghijklmnopqrstuvwxyz0123456789-"[rng() % 37];
    if (l.front() == '-') l.front() = 'q';
    if (l.back() == '-') l.back() = 'z';
    return l;
  };
  static const char* kTlds[] = {"com", "net", "example", "io"};
  std::set<std::string> names;
  std::vector<std::string> list;
  while (list.size() < 3000) {
    std::string n = kTlds[rng() % 4];
    const size_t labels = 1 + rng() % 5;
    for (size_t i = 0; i < labels; ++i) n = label(i == 0 ? 20 : 9) + "." + n;
    if (names.insert(n).second) list.push_back(n);
  }
  // Parent names of some keys are keys too, so keys are also ancestors.
  for (size_t i = 0; i < 300; ++i) {
    const std::string& n = list[i];
    const std::string parent = n.substr(n.find('.') + 1);
    if (parent.find('.') != std::string::npos && names.insert(parent).second) list.push_back(parent);
  }
  const Bytes bytes = BuildDomains(list);
  // The table is full enough that some names sit past their own bucket, so the walk's step to
  // the next bucket is exercised.
  size_t passed = 0;
  for (const format::DomainBucket& b : DomainBuckets(bytes).buckets) {
    passed += (b.flags & format::kBucketOverflow) != 0;
  }
  ASSERT_GT(passed, 10u);
  Snapshot s = Snapshot::FromBytes(bytes, LoadOptions{true, 0}).value();  // MatchBatch staged
  ASSERT_EQ(s.domain_entry_count(), names.size());
  std::vector<std::string> queries;
  for (size_t i = 0; i < list.size(); ++i) {
    queries.push_back(list[i]);
    queries.push_back(label(6) + "." + list[i]);
    queries.push_back(label(6) + "." + label(6) + "." + list[i]);
    queries.push_back(list[i].substr(list[i].find('.') + 1));  // the parent: key, ancestor or neither
    queries.push_back(label(8) + list[i]);                   // same tail, not a label boundary
  }
  MatchResult m;
  for (const std::string& q : queries) {
    const auto want = Reference(names, q);
    EXPECT_EQ(s.Match(q, &m), !want.empty()) << q;
    ASSERT_EQ(Texts(s, m), want) << q;
    // Case and a trailing dot do not matter.
    std::string upper = q;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    ASSERT_EQ(s.Match(upper + ".", &m), !want.empty()) << upper;
    ASSERT_EQ(Texts(s, m), want) << upper;
  }
  // The staged batch walks the same chains, in rounds.
  std::vector<std::string_view> views(queries.begin(), queries.end());
  std::vector<MatchResult> batch(views.size());
  s.MatchBatch(views, batch.data());
  for (size_t i = 0; i < queries.size(); ++i) ASSERT_EQ(Texts(s, batch[i]), Reference(names, queries[i])) << queries[i];
}

TEST(SnapshotDomain, MatchBatchEqualsMatchOneByOne) {
  Bytes bytes = BuildDomains({"pool.example", "xmr.pool.example", "\xD0\xBF\xD1\x83\xD0\xBB.example"});
  SnapshotBuilder with_more;
  with_more.AddFeed(ParseFeed("pool.example\nexact.example\n",
                              FeedSource{"second", Format::kDomains, Category::kMalwareInfrastructure}));
  with_more.AddFeed(ParseFeed("safe.pool.example\n", FeedSource{"allow", Format::kDomains, Category::kAllowlist}));
  with_more.AddFeed(ParseFeed("domain,port,scheme,coin\nport.example,3333,stratum+tcp,btc\n",
                              FeedSource{"lab", Format::kCsv, Category::kPool}));
  // Both ways MatchBatch serves a batch: staged, and (small snapshot) one Match per name.
  for (const Bytes& b : {bytes, with_more.Build().value()}) {
  for (size_t staged_min : {size_t(0), size_t(1) << 30}) {
    Snapshot s = Snapshot::FromBytes(b, LoadOptions{true, staged_min}).value();
    std::vector<std::string> names = {
        "pool.example", "A.XMR.Pool.Example.", "otherpool.example", "", ".", "example",
        "x.safe.pool.example", "eu.\xD0\x9F\xD1\x83\xD0\xBB.example", "\xFF\xFE.example",
        std::string(300, 'a') + ".example", "port.example", "a..pool.example", "exact.example",
        std::string(240, '.') + "pool.example"};
    for (int i = 0; i < 20; ++i) names.push_back("n" + std::to_string(i) + ".pool.example");
    std::vector<std::string_view> views(names.begin(), names.end());
    for (uint16_t port : {uint16_t(0), uint16_t(3333), uint16_t(80)}) {
      std::vector<MatchResult> batch(names.size());
      size_t hits = s.MatchBatch(views, batch.data(), port);
      size_t want_hits = 0;
      for (size_t i = 0; i < names.size(); ++i) {
        MatchResult one;
        want_hits += s.Match(names[i], &one, port);
        EXPECT_EQ(Texts(s, batch[i]), Texts(s, one)) << i;
        EXPECT_EQ(batch[i].allowed_by, one.allowed_by) << i;
        EXPECT_EQ(batch[i].suppressed, one.suppressed) << i;
        EXPECT_EQ(batch[i].hit(), one.hit()) << i;
      }
      EXPECT_EQ(hits, want_hits);
      EXPECT_GT(hits, 3u);
    }
  }
  }
}

TEST(SnapshotDomain, MoreFingerprintHitsThanCandidatesStillConfirmEachKey) {
  std::vector<std::string> names_in = {"a.example"};
  for (int i = 0; i < 20; ++i) names_in.push_back("n" + std::to_string(i) + ".example");
  Bytes bytes = BuildDomains(names_in);  // three buckets
  const uint32_t seed = SeedOf(bytes);
  BucketTable t = DomainBuckets(bytes);
  std::vector<format::DomainBucket>& buckets = t.buckets;
  // Every slot claims to be "a.example" and points at whichever record it held, so a lookup of
  // a.example sees 16+ fingerprint hits (more than it queues) and must still confirm each.
  const uint16_t word = format::Fingerprint(format::HashName("a.example", seed)) | format::kFilterKey;
  uint32_t some_record = format::kNoKeyRecord;
  for (const format::DomainBucket& b : buckets) {
    for (uint32_t rec : b.record) some_record = rec != format::kNoKeyRecord ? rec : some_record;
  }
  for (format::DomainBucket& b : buckets) {
    b.flags |= format::kBucketOverflow;  // every bucket full and passed: the probe sees them all
    for (uint32_t i = 0; i < format::kSlotsPerBucket; ++i) {
      b.filter[i] = word;
      if (b.record[i] == format::kNoKeyRecord) b.record[i] = some_record;
    }
  }
  std::memcpy(bytes.data() + t.offset, buckets.data(), buckets.size() * sizeof(format::DomainBucket));
  ASSERT_GT(buckets.size() * format::kSlotsPerBucket, 16u);
  Snapshot s = Snapshot::FromBytes(bytes, LoadOptions{false, 0}).value();
  MatchResult m;
  EXPECT_TRUE(s.Match("x.a.example", &m));
  EXPECT_EQ(Texts(s, m), (std::vector<std::string>{"a.example"}));
  EXPECT_FALSE(s.Match("c.example", &m));  // a's fingerprint everywhere, no other name matches
  std::vector<std::string_view> names = {"x.a.example", "c.example", "a.example"};
  MatchResult batch[3];
  EXPECT_EQ(s.MatchBatch(names, batch), 2u);
  EXPECT_EQ(Texts(s, batch[0]), (std::vector<std::string>{"a.example"}));
}

TEST(SnapshotDomain, KeysWithManyEntriesReportEachFromTheirRecord) {
  SnapshotBuilder b;
  for (int f = 0; f < 40; ++f) {
    b.AddFeed(ParseFeed("shared.example\n", FeedSource{"f" + std::to_string(f), Format::kDomains, Category::kPool}));
  }
  Snapshot s = Snapshot::FromBytes(b.Build().value()).value();
  MatchResult m;
  ASSERT_TRUE(s.Match("a.shared.example", &m));
  EXPECT_EQ(m.count, MatchResult::kMaxEntries);
  EXPECT_TRUE(m.truncated);
}

}  // namespace
}  // namespace mw::intel
