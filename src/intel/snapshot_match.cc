// Snapshot address and URL lookups and entry views (domain lookups: snapshot_domain.cc).
#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <vector>

#include "intel/snapshot.h"
#include "intel/snapshot_format.h"
#include "intel/url_pattern.h"

namespace mw::intel {

using namespace format;  // NOLINT: the record types are this file's vocabulary

namespace {

const EntryRecord* Entries(const void* p) { return static_cast<const EntryRecord*>(p); }

}  // namespace

void Snapshot::Add(MatchResult* out, uint32_t entry, uint32_t level, uint16_t* levels,
                   uint32_t* allow_level) const {
  const EntryRecord& e = Entries(entries_)[entry];
  if (e.category == static_cast<uint8_t>(Category::kAllowlist)) {
    if (out->allowed_by == kNoEntry || level > *allow_level) {
      out->allowed_by = entry;
      *allow_level = level;
    }
    return;
  }
  AddFeedEntry(out, entry, level, levels);
}

void Snapshot::AddFeedEntry(MatchResult* out, uint32_t entry, uint32_t level, uint16_t* levels) {
  for (uint32_t i = 0; i < out->count; ++i) {
    if (out->entries[i] == entry) return;
  }
  if (out->count == MatchResult::kMaxEntries) {
    out->truncated = true;
    return;
  }
  levels[out->count] = static_cast<uint16_t>(level);
  out->entries[out->count++] = entry;
}

void Snapshot::ApplyAllowlist(MatchResult* out, const uint16_t* levels, uint32_t allow_level) {
  if (out->allowed_by == kNoEntry) return;
  for (uint32_t i = 0; i < out->count; ++i) {
    if (levels[i] <= allow_level) out->suppressed |= 1u << i;
  }
}

namespace {

constexpr size_t kPrefixBits = 65536;  // per map: IPv4 /16s, then IPv6 top 16 bits

// ::ffff:0.0.0.0 and ::ffff:255.255.255.255, the IPv4-mapped range.
constexpr std::array<uint8_t, 16> kV4First = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
constexpr std::array<uint8_t, 16> kV4Last = {0,    0,    0,    0,    0,    0,    0,    0,
                                             0,    0,    0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

bool InV4Mapped(const uint8_t* a) {
  return std::memcmp(a, kV4First.data(), 12) == 0;
}

void SetRange(std::vector<uint64_t>& bits, size_t base, size_t from, size_t to) {
  for (size_t i = from; i <= to; ++i) bits[(base + i) / 64] |= uint64_t{1} << ((base + i) % 64);
}

}  // namespace

void Snapshot::BuildIpPrefixBits() {
  ip_prefix_bits_.assign(2 * kPrefixBits / 64, 0);
  const auto* segs = static_cast<const IpSegment*>(segments_);
  for (size_t i = 0; i < segments_count_; ++i) {
    const uint8_t* first = segs[i].first;
    const uint8_t* last = segs[i].last;
    // The part inside the IPv4-mapped range, by /16.
    const uint8_t* lo = std::memcmp(first, kV4First.data(), 16) > 0 ? first : kV4First.data();
    const uint8_t* hi = std::memcmp(last, kV4Last.data(), 16) < 0 ? last : kV4Last.data();
    if (std::memcmp(lo, hi, 16) <= 0) {
      SetRange(ip_prefix_bits_, 0, size_t(lo[12]) << 8 | lo[13], size_t(hi[12]) << 8 | hi[13]);
    }
    // Everything, by the top 16 bits (the IPv4-mapped part too: harmless, never asked).
    SetRange(ip_prefix_bits_, kPrefixBits, size_t(first[0]) << 8 | first[1],
             size_t(last[0]) << 8 | last[1]);
  }
}

bool Snapshot::IpPrefixMayMatch(const IpAddress& ip) const {
  const uint8_t* a = ip.bytes.data();
  const size_t bit = InV4Mapped(a) ? (size_t(a[12]) << 8 | a[13])
                                   : kPrefixBits + (size_t(a[0]) << 8 | a[1]);
  return (ip_prefix_bits_[bit / 64] >> (bit % 64)) & 1;
}

bool Snapshot::MatchIp(const IpAddress& ip, uint16_t port, MatchResult* out) const {
  out->Clear();
  if (segments_count_ == 0 || !IpPrefixMayMatch(ip)) return false;
  const auto* segs = static_cast<const IpSegment*>(segments_);
  size_t lo = 0;
  size_t hi = segments_count_;  // first segment with first > ip
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (std::memcmp(segs[mid].first, ip.bytes.data(), 16) <= 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0) return false;
  const IpSegment& seg = segs[lo - 1];
  if (std::memcmp(ip.bytes.data(), seg.last, 16) > 0) return false;
  const EntryRecord* entries = Entries(entries_);
  uint16_t levels[MatchResult::kMaxEntries];
  uint32_t allow_level = 0;
  for (uint32_t i = 0; i < seg.ref_count; ++i) {
    const uint32_t idx = refs_[seg.ref_off + i];
    if (port == 0 || entries[idx].port == 0 || entries[idx].port == port) {
      Add(out, idx, 0, levels, &allow_level);  // every range level 0: an allowlisted range wins
    }
  }
  ApplyAllowlist(out, levels, allow_level);
  return out->hit();
}

bool Snapshot::MatchUrl(std::string_view url, MatchResult* out) const {
  out->Clear();
  UrlParts parts;
  if (!SplitUrl(url, &parts)) return false;
  if (auto ip = ParseIp(parts.host)) {
    MatchIp(*ip, parts.port, out);
  } else {
    Match(parts.host, out, parts.port);
  }
  DomainBuffer host;
  if (NormalizeDomainInto(parts.host, &host) != nullptr) {
    if (auto ip = ParseIp(parts.host)) {
      const std::string text = FormatIp(*ip);
      std::memcpy(host.data.data(), text.data(), std::min(text.size(), host.data.size()));
      host.size = std::min(text.size(), host.data.size());
    }
  }
  const std::string_view h = host.view();
  uint16_t levels[MatchResult::kMaxEntries];
  for (uint32_t i = 0; i < out->count; ++i) levels[i] = 0;
  uint32_t allow_level = 0;
  const std::string full = parts.scheme.empty() ? std::string(url) : std::string(url);
  const auto* pats = static_cast<const PatternRecord*>(patterns_);
  const EntryRecord* entries = Entries(entries_);
  for (size_t i = 0; i < patterns_count_; ++i) {
    const PatternRecord& r = pats[i];
    const EntryRecord& e = entries[r.entry];
    const auto scheme = static_cast<Scheme>(e.flags >> kEntrySchemeShift);
    if (scheme != Scheme::kAny && SchemeName(scheme) != parts.scheme) continue;
    const std::string_view pattern(strings_ + r.pattern_off, r.pattern_len);
    if (r.host_len > 0) {
      const std::string_view want(strings_ + r.host_off, r.host_len);
      const bool exact = h == want;
      const bool below = (e.flags & kEntrySubdomains) && h.size() > want.size() &&
                         h.substr(h.size() - want.size()) == want &&
                         h[h.size() - want.size() - 1] == '.';
      if (!exact && !below) continue;
      if (UrlPatternMatches(pattern, parts.path)) Add(out, r.entry, 0xFFFF, levels, &allow_level);
    } else if (UrlPatternMatches(pattern, full)) {
      Add(out, r.entry, 0xFFFF, levels, &allow_level);  // patterns are never allowlisted
    }
  }
  return out->hit();
}

EntryInfo Snapshot::Entry(uint32_t index) const {
  EntryInfo info;
  if (index >= entries_count_) return info;
  const EntryRecord& e = Entries(entries_)[index];
  const auto* feeds = static_cast<const FeedRecord*>(feeds_);
  info.kind = static_cast<EntryKind>(e.flags & kEntryKindMask);
  info.text = std::string_view(strings_ + e.text_off, e.text_len);
  info.feed = std::string_view(strings_ + feeds[e.feed].name_off, feeds[e.feed].name_len);
  info.category = static_cast<Category>(e.category);
  info.line = e.line;
  info.port = e.port;
  info.scheme = static_cast<Scheme>(e.flags >> kEntrySchemeShift);
  info.subdomains = (e.flags & kEntrySubdomains) != 0;
  info.third_party = (e.flags & kEntryThirdParty) != 0;
  const auto* coins = static_cast<const CoinRecord*>(coins_);
  const auto* end = coins + coins_count_;
  const auto* it = std::lower_bound(coins, end, index,
                                    [](const CoinRecord& c, uint32_t v) { return c.entry < v; });
  if (it != end && it->entry == index) info.coin = std::string_view(strings_ + it->coin_off, it->coin_len);
  return info;
}

std::string Snapshot::DescribeEntry(const EntryInfo& e) {
  std::string s(e.text);
  switch (e.kind) {
    case EntryKind::kDomain: s += e.subdomains ? " (name and below)" : " (exact name)"; break;
    case EntryKind::kIpRange: s += " (address)"; break;
    case EntryKind::kUrlPattern: s += " (URL pattern)"; break;
  }
  s += " category=" + std::string(CategoryName(e.category));
  s += " feed=" + std::string(e.feed) + " line=" + std::to_string(e.line);
  if (e.port != 0) s += " port=" + std::to_string(e.port);
  if (e.scheme != Scheme::kAny) s += " scheme=" + std::string(SchemeName(e.scheme));
  if (!e.coin.empty()) s += " coin=" + std::string(e.coin);
  if (e.third_party) s += " third-party";
  return s;
}

std::string Snapshot::Explain(const MatchResult& result) const {
  std::string out;
  if (result.allowed_by != kNoEntry) {
    out += "allowlisted by " + DescribeEntry(Entry(result.allowed_by)) + "\n";
  }
  for (uint32_t i = 0; i < result.count; ++i) {
    out += result.is_suppressed(i) ? "suppressed: " : "match: ";
    out += DescribeEntry(Entry(result.entries[i]));
    out += '\n';
  }
  if (result.truncated) out += "(more matches not shown)\n";
  if (result.count == 0 && result.allowed_by == kNoEntry) out += "no match\n";
  return out;
}

FeedInfo Snapshot::Feed(size_t index) const {
  FeedInfo info;
  if (index >= feeds_count_) return info;
  const FeedRecord& f = static_cast<const FeedRecord*>(feeds_)[index];
  info.name = std::string_view(strings_ + f.name_off, f.name_len);
  info.format = static_cast<Format>(f.format);
  info.category = static_cast<Category>(f.category);
  info.lines = f.lines;
  info.entries = f.entries;
  info.comment_lines = f.comment_lines;
  for (int k = 0; k < kSkipReasonCount; ++k) info.skipped[k] = f.skipped[k];
  return info;
}

SkippedInfo Snapshot::Skipped(size_t index) const {
  SkippedInfo info;
  if (index >= skipped_count_) return info;
  const SkippedRecord& r = static_cast<const SkippedRecord*>(skipped_)[index];
  const FeedRecord& f = static_cast<const FeedRecord*>(feeds_)[r.feed];
  info.feed = std::string_view(strings_ + f.name_off, f.name_len);
  info.line = r.line;
  info.reason = static_cast<SkipReason>(r.reason);
  info.detail = std::string_view(strings_ + r.detail_off, r.detail_len);
  info.text = std::string_view(strings_ + r.text_off, r.text_len);
  return info;
}

size_t Snapshot::domain_entry_count() const {
  size_t n = 0;
  for (size_t i = 0; i < entries_count_; ++i) {
    n += (Entries(entries_)[i].flags & kEntryKindMask) == uint8_t(EntryKind::kDomain);
  }
  return n;
}

size_t Snapshot::ip_entry_count() const {
  size_t n = 0;
  for (size_t i = 0; i < entries_count_; ++i) {
    n += (Entries(entries_)[i].flags & kEntryKindMask) == uint8_t(EntryKind::kIpRange);
  }
  return n;
}

size_t Snapshot::domain_bytes() const {
  size_t bytes = size_t(buckets_) * sizeof(DomainBucket);
  for (size_t i = 0; i < entries_count_; ++i) {
    const EntryRecord& e = Entries(entries_)[i];
    if ((e.flags & kEntryKindMask) != uint8_t(EntryKind::kDomain)) continue;
    bytes += sizeof(EntryRecord);
    if (i == 0 || !(Entries(entries_)[i - 1].flags & kEntryMore)) {
      bytes += kKeyRecordHeaderBytes + e.text_len;
    }
  }
  return bytes;
}

}  // namespace mw::intel
