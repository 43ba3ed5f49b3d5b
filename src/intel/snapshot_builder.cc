#include "intel/snapshot_builder.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "core/env.h"
#include "intel/normalize.h"
#include "intel/snapshot_format.h"

namespace mw::intel {
namespace {

using namespace format;  // NOLINT: the record types are this file's vocabulary

constexpr uint32_t kHashSeed = 0x6d77u;
constexpr double kMaxLoad = 0.75;

// Text pool with sharing of equal strings.
class StringPool {
 public:
  Result<uint32_t> Add(std::string_view s) {
    auto it = index_.find(std::string(s));
    if (it != index_.end()) return it->second;
    if (bytes_.size() + s.size() > 0xFFFFFFFFull) return Status::OutOfRange("snapshot text over 4 GiB");
    const auto off = static_cast<uint32_t>(bytes_.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    index_.emplace(std::string(s), off);
    return off;
  }
  // Appends a key record (header, then the name) and makes later Add(name) calls share its
  // text. Returns the record's offset.
  Result<uint32_t> AddKeyRecord(uint32_t first_entry, std::string_view name) {
    if (bytes_.size() + kKeyRecordHeaderBytes + name.size() > 0xFFFFFFFFull) {
      return Status::OutOfRange("snapshot text over 4 GiB");
    }
    const auto off = static_cast<uint32_t>(bytes_.size());
    KeyRecordHeader h{first_entry, static_cast<uint8_t>(name.size()), 0};
    char raw[kKeyRecordHeaderBytes];
    std::memcpy(raw, &h.first_entry, 4);
    raw[4] = static_cast<char>(h.length);
    raw[5] = static_cast<char>(h.summary);
    bytes_.append(raw, sizeof(raw));
    bytes_.append(name);
    index_[std::string(name)] = off + static_cast<uint32_t>(kKeyRecordHeaderBytes);
    return off;
  }
  void SetKeySummary(uint32_t record, uint8_t summary) { bytes_[record + 5] = static_cast<char>(summary); }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
  std::unordered_map<std::string, uint32_t> index_;
};

struct Pending {
  const ParsedEntry* entry;
  uint16_t feed;
};

bool Increment(IpAddress* ip) {
  for (int i = 15; i >= 0; --i) {
    if (++ip->bytes[size_t(i)] != 0) return true;
  }
  return false;
}

IpAddress Decrement(IpAddress ip) {
  for (int i = 15; i >= 0; --i) {
    if (ip.bytes[size_t(i)]-- != 0) break;
  }
  return ip;
}

template <typename T>
void AppendRecords(std::string* out, const std::vector<T>& records) {
  out->append(reinterpret_cast<const char*>(records.data()), records.size() * sizeof(T));
}

}  // namespace

void SnapshotBuilder::AddFeed(ParsedFeed feed) { feeds_.push_back(std::move(feed)); }

Result<Bytes> SnapshotBuilder::Build() const {
  if (feeds_.size() > 0xFFFF) return Status::OutOfRange("more than 65535 feeds");
  // 1. The allowlist.
  std::unordered_set<std::string> allowed_names;
  std::vector<IpRange> allowed_ranges;
  for (const ParsedFeed& f : feeds_) {
    for (const ParsedEntry& e : f.entries) {
      if (e.category != Category::kAllowlist) continue;
      if (e.kind == EntryKind::kDomain) allowed_names.insert(e.host);
      if (e.kind == EntryKind::kIpRange) allowed_ranges.push_back(e.range);
    }
  }
  // 2. Entries kept, allowlisted drops recorded, duplicates within a feed removed.
  std::vector<Pending> domains, ranges, patterns;
  std::vector<std::vector<SkippedLine>> dropped(feeds_.size());
  std::vector<uint32_t> kept(feeds_.size(), 0);
  for (size_t fi = 0; fi < feeds_.size(); ++fi) {
    std::unordered_set<std::string> seen;
    for (const ParsedEntry& e : feeds_[fi].entries) {
      const bool allow = e.category == Category::kAllowlist;
      std::string why;
      if (!allow && e.kind == EntryKind::kDomain && allowed_names.count(e.host)) {
        why = "name is allowlisted";
      } else if (!allow && e.kind == EntryKind::kIpRange) {
        for (const IpRange& r : allowed_ranges) {
          if (RangeCovers(r, e.range)) {
            why = "address range is allowlisted";
            break;
          }
        }
      }
      if (!why.empty()) {
        dropped[fi].push_back(SkippedLine{e.line, SkipReason::kAllowlisted, why, e.value});
        continue;
      }
      std::string key = std::to_string(int(e.kind)) + '\t' + e.value + '\t' + e.host + '\t' +
                        std::to_string(e.port) + '\t' + std::to_string(int(e.category)) +
                        (e.subdomains ? "\ts" : "\te");
      if (!seen.insert(std::move(key)).second) continue;
      const Pending p{&e, static_cast<uint16_t>(fi)};
      ++kept[fi];
      if (e.kind == EntryKind::kDomain) domains.push_back(p);
      if (e.kind == EntryKind::kIpRange) ranges.push_back(p);
      if (e.kind == EntryKind::kUrlPattern) patterns.push_back(p);
    }
  }
  std::stable_sort(domains.begin(), domains.end(),
                   [](const Pending& a, const Pending& b) { return a.entry->host < b.entry->host; });

  // 3. Entry records: domains (grouped by name), then ranges, then patterns.
  StringPool pool;
  std::vector<EntryRecord> entries;
  std::vector<CoinRecord> coins;
  entries.reserve(domains.size() + ranges.size() + patterns.size());
  auto add_entry = [&](const Pending& p, std::string_view text) -> Status {
    const ParsedEntry& e = *p.entry;
    EntryRecord r{};
    MW_ASSIGN_OR_RETURN(r.text_off, pool.Add(text.substr(0, 0xFFFF)));
    r.text_len = static_cast<uint16_t>(std::min<size_t>(text.size(), 0xFFFF));
    r.feed = p.feed;
    r.line = e.line;
    r.port = e.port;
    r.category = static_cast<uint8_t>(e.category);
    r.flags = static_cast<uint8_t>(static_cast<uint8_t>(e.kind) |
                                   (e.subdomains ? kEntrySubdomains : 0) |
                                   (e.third_party ? kEntryThirdParty : 0) |
                                   (static_cast<uint8_t>(e.scheme) << kEntrySchemeShift));
    if (!e.coin.empty()) {
      CoinRecord c{};
      c.entry = static_cast<uint32_t>(entries.size());
      MW_ASSIGN_OR_RETURN(c.coin_off, pool.Add(e.coin));
      c.coin_len = static_cast<uint32_t>(e.coin.size());
      coins.push_back(c);
    }
    entries.push_back(r);
    return Status::Ok();
  };
  struct Key {
    std::string_view name;
    uint32_t first_entry;
    uint32_t record;  // offset of the key record in the string section
  };
  std::vector<Key> keys;
  for (size_t i = 0; i < domains.size(); ++i) {
    const std::string& name = domains[i].entry->host;
    if (i == 0 || name != domains[i - 1].entry->host) {
      const auto first = static_cast<uint32_t>(entries.size());
      if (name.size() <= kMaxKeyLength) {  // normalised names are at most 253 bytes
        MW_ASSIGN_OR_RETURN(const uint32_t record, pool.AddKeyRecord(first, name));
        keys.push_back(Key{name, first, record});
      }
    } else {
      entries.back().flags |= kEntryMore;
    }
    MW_RETURN_IF_ERROR(add_entry(domains[i], name));
  }
  for (const Key& k : keys) {
    const EntryRecord& e = entries[k.first_entry];
    const bool simple = (e.flags & kEntryMore) == 0 && (e.flags & kEntrySubdomains) != 0 &&
                        e.port == 0 && e.category != static_cast<uint8_t>(Category::kAllowlist);
    if (simple) pool.SetKeySummary(k.record, kKeySimple);
  }
  const auto first_range_entry = static_cast<uint32_t>(entries.size());
  for (const Pending& p : ranges) MW_RETURN_IF_ERROR(add_entry(p, p.entry->value));
  std::vector<PatternRecord> pattern_records;
  for (const Pending& p : patterns) {
    PatternRecord r{};
    r.entry = static_cast<uint32_t>(entries.size());
    MW_RETURN_IF_ERROR(add_entry(p, p.entry->value));
    MW_ASSIGN_OR_RETURN(r.host_off, pool.Add(p.entry->host));
    r.host_len = static_cast<uint16_t>(std::min<size_t>(p.entry->host.size(), 0xFFFF));
    const std::string_view pat = std::string_view(p.entry->pattern).substr(0, 0xFFFF);
    MW_ASSIGN_OR_RETURN(r.pattern_off, pool.Add(pat));
    r.pattern_len = static_cast<uint16_t>(pat.size());
    pattern_records.push_back(r);
  }

  // 4. Domain hash table: keys and their ancestors (proper suffixes of two labels or more),
  // filter words beside key-record offsets.
  struct TableItem {
    uint32_t record = kNoKeyRecord;
    uint16_t flags = 0;
  };
  std::unordered_map<std::string_view, TableItem> items;
  items.reserve(keys.size() * 2);
  for (const Key& k : keys) {
    TableItem& t = items[k.name];
    t.record = k.record;
    t.flags |= kFilterKey;
    for (size_t dot = k.name.find('.'); dot != std::string_view::npos; dot = k.name.find('.', dot + 1)) {
      const std::string_view ancestor = k.name.substr(dot + 1);
      if (ancestor.find('.') == std::string_view::npos) break;  // one label: never probed
      items[ancestor].flags |= kFilterAncestor;
    }
  }
  std::vector<std::string_view> placement;
  placement.reserve(items.size());
  for (const auto& [name, item] : items) placement.push_back(name);
  std::sort(placement.begin(), placement.end());  // deterministic placement
  const size_t bucket_count =
      std::max<size_t>(1, size_t(double(placement.size()) / (kSlotsPerBucket * kMaxLoad)) + 1);
  if (bucket_count > kMaxBuckets) return Status::OutOfRange("too many names for one snapshot");
  const auto buckets = static_cast<uint32_t>(bucket_count);
  DomainBucket empty{};
  std::fill(std::begin(empty.record), std::end(empty.record), kNoKeyRecord);
  std::vector<DomainBucket> domain_table(buckets, empty);
  std::vector<uint64_t> label_mask(2, 0);
  for (const std::string_view name : placement) {
    const TableItem& item = items[name];
    const uint64_t h = HashName(name, kHashSeed);
    const auto labels = static_cast<uint32_t>(std::min<size_t>(LabelCount(name), kMaxLabels));
    label_mask[labels / 64] |= uint64_t(1) << (labels % 64);
    uint32_t b = BucketOf(h, buckets);
    bool placed = false;
    while (!placed) {
      DomainBucket& bucket = domain_table[b];
      for (uint32_t s = 0; s < kSlotsPerBucket && !placed; ++s) {
        if (bucket.filter[s] == 0) {
          bucket.filter[s] = static_cast<uint16_t>(Fingerprint(h) | item.flags);
          bucket.record[s] = item.record;
          placed = true;
        }
      }
      if (!placed) bucket.flags |= kBucketOverflow;
      b = b + 1 == buckets ? 0 : b + 1;
    }
  }

  // 5. Address segments: the elementary intervals of all ranges, each with the entries covering
  // it, so that a lookup is one binary search.
  std::vector<IpSegment> segments;
  std::vector<uint32_t> refs;
  {
    std::vector<IpAddress> points;
    for (const Pending& p : ranges) {
      points.push_back(p.entry->range.first);
      IpAddress after = p.entry->range.last;
      if (Increment(&after)) points.push_back(after);
    }
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    std::vector<uint32_t> order(ranges.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return ranges[a].entry->range.first < ranges[b].entry->range.first;
    });
    std::vector<uint32_t> active;
    size_t next = 0;
    for (size_t i = 0; i < points.size(); ++i) {
      const IpAddress& p = points[i];
      while (next < order.size() && ranges[order[next]].entry->range.first <= p) {
        active.push_back(order[next++]);
      }
      std::erase_if(active, [&](uint32_t r) { return ranges[r].entry->range.last < p; });
      if (active.empty()) continue;
      IpSegment seg{};
      std::memcpy(seg.first, p.bytes.data(), 16);
      IpAddress last;
      if (i + 1 < points.size()) {
        last = Decrement(points[i + 1]);
      } else {
        last.bytes.fill(0xff);
      }
      std::memcpy(seg.last, last.bytes.data(), 16);
      seg.ref_off = static_cast<uint32_t>(refs.size());
      seg.ref_count = static_cast<uint32_t>(active.size());
      for (uint32_t r : active) refs.push_back(first_range_entry + r);
      segments.push_back(seg);
    }
  }

  // 6. Feeds and skipped lines.
  std::vector<FeedRecord> feed_records;
  std::vector<SkippedRecord> skipped_records;
  for (size_t fi = 0; fi < feeds_.size(); ++fi) {
    const ParsedFeed& f = feeds_[fi];
    FeedRecord r{};
    MW_ASSIGN_OR_RETURN(r.name_off, pool.Add(f.source.name));
    r.name_len = static_cast<uint32_t>(f.source.name.size());
    r.format = static_cast<uint8_t>(f.source.format);
    r.category = static_cast<uint8_t>(f.source.category);
    r.lines = f.lines;
    r.entries = kept[fi];
    r.comment_lines = f.comment_lines;
    for (int k = 0; k < kSkipReasonCount; ++k) r.skipped[k] = f.skipped_count[k];
    r.skipped[int(SkipReason::kAllowlisted)] += static_cast<uint32_t>(dropped[fi].size());
    feed_records.push_back(r);
    const std::vector<SkippedLine>* lists[] = {&f.skipped, &dropped[fi]};
    for (const std::vector<SkippedLine>* list : lists) {
      for (const SkippedLine& s : *list) {
        SkippedRecord sr{};
        sr.line = s.line;
        sr.feed = static_cast<uint16_t>(fi);
        sr.reason = static_cast<uint8_t>(s.reason);
        const std::string_view detail = std::string_view(s.detail).substr(0, 0xFFFF);
        const std::string_view text = std::string_view(s.text).substr(0, 0xFFFF);
        MW_ASSIGN_OR_RETURN(sr.detail_off, pool.Add(detail));
        MW_ASSIGN_OR_RETURN(sr.text_off, pool.Add(text));
        sr.detail_len = static_cast<uint16_t>(detail.size());
        sr.text_len = static_cast<uint16_t>(text.size());
        skipped_records.push_back(sr);
      }
    }
  }

  // 7. Layout.
  struct Section {
    uint32_t id;
    uint32_t record_bytes;
    std::string data;
  };
  std::vector<Section> sections(10);
  sections[0] = {kStrings, 1, pool.bytes()};
  sections[1] = {kFeeds, sizeof(FeedRecord), {}};
  AppendRecords(&sections[1].data, feed_records);
  sections[2] = {kEntries, sizeof(EntryRecord), {}};
  AppendRecords(&sections[2].data, entries);
  sections[3] = {kDomainBuckets, sizeof(DomainBucket), {}};
  AppendRecords(&sections[3].data, domain_table);
  sections[4] = {kIpSegments, sizeof(IpSegment), {}};
  AppendRecords(&sections[4].data, segments);
  sections[5] = {kIpRefs, 4, {}};
  AppendRecords(&sections[5].data, refs);
  sections[6] = {kPatterns, sizeof(PatternRecord), {}};
  AppendRecords(&sections[6].data, pattern_records);
  sections[7] = {kSkipped, sizeof(SkippedRecord), {}};
  AppendRecords(&sections[7].data, skipped_records);
  sections[8] = {kCoins, sizeof(CoinRecord), {}};
  AppendRecords(&sections[8].data, coins);
  sections[9] = {kDomainLabels, 8, {}};
  AppendRecords(&sections[9].data, label_mask);

  auto align = [](size_t v) { return (v + kSectionAlign - 1) / kSectionAlign * kSectionAlign; };
  size_t offset = align(kHeaderBytes + sections.size() * sizeof(SectionRecord));
  std::vector<SectionRecord> table;
  for (const Section& s : sections) {
    table.push_back(SectionRecord{s.id, s.record_bytes, offset, s.data.size()});
    offset = align(offset + s.data.size());
  }
  Bytes out(offset, 0);
  std::memcpy(out.data() + kHeaderBytes, table.data(), table.size() * sizeof(SectionRecord));
  for (size_t i = 0; i < sections.size(); ++i) {
    if (!sections[i].data.empty()) {
      std::memcpy(out.data() + table[i].offset, sections[i].data.data(), sections[i].data.size());
    }
  }
  FileHeader header{};
  std::memcpy(header.magic, kMagic, sizeof(kMagic));
  header.version = kVersion;
  header.header_bytes = kHeaderBytes;
  header.file_bytes = out.size();
  header.section_count = static_cast<uint32_t>(sections.size());
  header.hash_seed = kHashSeed;
  header.checksum = Checksum64(out.data() + kHeaderBytes, out.size() - kHeaderBytes);
  std::memcpy(out.data(), &header, sizeof(header));
  return out;
}

Status WriteSnapshotFile(const std::string& path, const Bytes& bytes) {
  return Env::Default()->WriteFileAtomic(
      path, std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), 0644);
}

}  // namespace mw::intel
