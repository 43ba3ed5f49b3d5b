// A compiled threat-intel snapshot: the read side used by the sensor, the agent and the center.
//
//   auto snap = mw::intel::Snapshot::Load("build/rules/intel/default.mwintel");
//   mw::intel::MatchResult m;
//   if (snap->Match(sni, &m)) { ... snap->Explain(m) ... }
//   if (snap->MatchIp(ip, port, &m)) { ... }
//
// Load() reads the file into memory (a copy: the file may be replaced or written over while the
// snapshot is in use) and validates it (header, version, checksum, every offset and index), so
// a corrupt file is a kCorruption error and never a crash. Lookups do not allocate
// and do not lock: a Snapshot is immutable after loading and may be shared by any number of
// threads. Entry views (EntryInfo) point into the snapshot and live as long as it does.
//
// Matching rules: a domain entry matches its own name and, unless written as an exact host
// (WebExtension pattern without "*."), every name below it. An entry with a port matches only
// that port when the query gives one (port 0 in a query means "any").
// Allowlist: an address inside an allowlisted range never fires (shared CDN and cloud front
// ends). An allowlisted name suppresses feed entries at or above it ("infura-ipfs.io" on the
// allowlist silences a feed entry "infura-ipfs.io" for every gateway URL) but not feed entries
// more specific than it (a feed entry naming one bucket below a shared apex still fires).
// Suppressed entries stay in the result, marked, so Explain() can say what was silenced.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "intel/normalize.h"
#include "intel/types.h"

namespace mw::intel {

namespace format {
struct DomainBucket;
}  // namespace format

inline constexpr uint32_t kNoEntry = 0xFFFFFFFFu;

// The entries a lookup found, in a fixed array so that lookups never allocate.
struct MatchResult {
  static constexpr size_t kMaxEntries = 32;
  uint32_t entries[kMaxEntries];   // indices for Snapshot::Entry(), feed entries only
  uint32_t count = 0;
  bool truncated = false;          // more than kMaxEntries matched
  uint32_t allowed_by = kNoEntry;  // the most specific allowlist entry that matched, if any
  uint32_t suppressed = 0;         // bit i set: entries[i] is silenced by allowed_by
  // True when at least one feed entry matched and was not suppressed.
  bool hit() const {
    const uint32_t all = count >= 32 ? 0xFFFFFFFFu : (1u << count) - 1;
    return count > 0 && (suppressed & all) != all;
  }
  bool is_suppressed(uint32_t i) const { return i < 32 && ((suppressed >> i) & 1u) != 0; }
  void Clear() {
    count = 0;
    truncated = false;
    allowed_by = kNoEntry;
    suppressed = 0;
  }
};

// One entry with its provenance; string views point into the snapshot.
struct EntryInfo {
  EntryKind kind = EntryKind::kDomain;
  std::string_view text;     // the name, the CIDR, or the pattern line as written
  std::string_view feed;     // feed name
  Category category = Category::kPool;
  uint32_t line = 0;
  uint16_t port = 0;
  Scheme scheme = Scheme::kAny;
  bool subdomains = true;
  bool third_party = false;
  std::string_view coin;     // "" unless the feed said
};

struct FeedInfo {
  std::string_view name;
  Format format = Format::kAuto;
  Category category = Category::kPool;
  uint32_t lines = 0;
  uint32_t entries = 0;
  uint32_t comment_lines = 0;
  uint32_t skipped[kSkipReasonCount] = {};
};

struct SkippedInfo {
  std::string_view feed;
  uint32_t line = 0;
  SkipReason reason = SkipReason::kMalformed;
  std::string_view detail;
  std::string_view text;
};

struct LoadOptions {
  // Fuzzing only: skip the checksum so that mutated files reach the structural checks.
  bool verify_checksum = true;
  // MatchBatch stages its lookups (overlapping their memory accesses) only when the domain
  // table and names take at least this many bytes; below, they are cache-resident and plain
  // Match calls are faster. Tests and the fuzzer set 0 to reach the staged path on small files.
  size_t staged_batch_min_bytes = size_t(1) << 20;
};

class Snapshot {
 public:
  static Result<Snapshot> Load(const std::string& path, LoadOptions options = {});
  // Validates and copies `data` (any alignment).
  static Result<Snapshot> FromBytes(ByteSpan data, LoadOptions options = {});

  Snapshot(Snapshot&& other) noexcept;
  Snapshot& operator=(Snapshot&& other) noexcept;
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;
  ~Snapshot();

  // Domain lookup: `name` as seen (any case, optional trailing dot, UTF-8 or punycode). Fills
  // `out` and returns out->hit(). `port` 0 = any.
  bool Match(std::string_view name, MatchResult* out, uint16_t port = 0) const;
  // The same lookup for many names at once: fills out[i] exactly as Match(names[i], &out[i], port)
  // would (`out` holds names.size() results) and returns how many hit. Faster than a loop of
  // Match on snapshots larger than the CPU cache, because the memory accesses of up to
  // kMatchBatchWidth names overlap (two groups in flight; about 20 KB of stack, no allocation).
  // For callers that hold several names (a DNS batch, a log); 64 or more per call is best.
  // Small snapshots are served by plain Match calls (LoadOptions::staged_batch_min_bytes).
  static constexpr size_t kMatchBatchWidth = 16;
  size_t MatchBatch(std::span<const std::string_view> names, MatchResult* out, uint16_t port = 0) const;
  // Address lookup; `port` 0 = any.
  bool MatchIp(const IpAddress& ip, uint16_t port, MatchResult* out) const;
  // URL lookup: the host (name or address) and the URL patterns. Allocates (cold path).
  bool MatchUrl(std::string_view url, MatchResult* out) const;

  EntryInfo Entry(uint32_t index) const;
  // One line per matched entry with provenance, or "no match"; allowlisting is said first.
  std::string Explain(const MatchResult& result) const;
  static std::string DescribeEntry(const EntryInfo& e);

  size_t feed_count() const { return feeds_count_; }
  FeedInfo Feed(size_t index) const;
  size_t skipped_count() const { return skipped_count_; }
  SkippedInfo Skipped(size_t index) const;

  size_t entry_count() const { return entries_count_; }
  size_t domain_entry_count() const;
  size_t ip_entry_count() const;
  size_t pattern_count() const { return patterns_count_; }
  size_t file_bytes() const { return size_; }
  // Bytes of the domain table (buckets) and of domain entries with their key records.
  size_t domain_bytes() const;

 private:
  struct DomainQuery;  // one name in flight through the staged lookup (snapshot_domain.cc)

  Snapshot() = default;
  // The stages of a domain lookup, run over a group of names so their memory accesses overlap:
  // normalise, find the labels and hash the two-label suffix (prefetching its bucket), check
  // fingerprints suffix by suffix (hashing the next only while the last is an ancestor), read
  // the candidates' record offsets (prefetching key records), confirm and collect entries.
  bool PrepareQuery(std::string_view name, uint16_t port, DomainQuery* q) const;
  bool NextProbe(DomainQuery* q) const;
  // One name alone (Match): fetch the buckets of every longer suffix at once, so the walk's
  // steps wait for memory together rather than one after another.
  void PrefetchLongerSuffixes(const DomainQuery& q) const;
  // Returns true when `defer_next` stopped it before the next suffix's bucket.
  bool CheckFilter(DomainQuery* q, bool defer_next) const;
  void ReadSlots(DomainQuery* q) const;
  void Confirm(DomainQuery* q, MatchResult* out) const;
  // Confirms one candidate key record against a suffix and adds its entries.
  void ConfirmKey(const DomainQuery& q, uint32_t probe, uint32_t record, MatchResult* out,
                  uint16_t* levels, uint32_t* allow_level) const;
  Status Validate(LoadOptions options);
  // Adds a feed entry (or notes an allowlist entry) found at a suffix of `level` bytes.
  void Add(MatchResult* out, uint32_t entry, uint32_t level, uint16_t* levels,
           uint32_t* allow_level) const;
  // Adds a feed entry known not to be an allowlist entry (no entry record read).
  static void AddFeedEntry(MatchResult* out, uint32_t entry, uint32_t level, uint16_t* levels);
  // Marks the entries found at or above the allowlisted level as suppressed.
  static void ApplyAllowlist(MatchResult* out, const uint16_t* levels, uint32_t allow_level);

  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  std::vector<uint64_t> owned_;   // the snapshot's bytes, 8-byte aligned

  uint32_t seed_ = 0;
  const char* strings_ = nullptr;
  size_t strings_size_ = 0;
  const void* feeds_ = nullptr;
  size_t feeds_count_ = 0;
  const void* entries_ = nullptr;
  size_t entries_count_ = 0;
  const format::DomainBucket* table_ = nullptr;
  uint32_t buckets_ = 0;
  bool staged_batch_ = true;  // MatchBatch overlaps lookups (LoadOptions::staged_batch_min_bytes)
  uint64_t label_mask_[2] = {0, 0};
  const void* segments_ = nullptr;
  size_t segments_count_ = 0;
  // Built at load: one bit per IPv4 /16 (IPv4-mapped addresses) and one per top 16 bits of
  // other IPv6 addresses, set where some address segment reaches. MatchIp answers most
  // addresses (listed by no feed) from these 16 KB, without its binary search.
  std::vector<uint64_t> ip_prefix_bits_;
  void BuildIpPrefixBits();
  bool IpPrefixMayMatch(const IpAddress& ip) const;
  const uint32_t* refs_ = nullptr;
  size_t refs_count_ = 0;
  const void* patterns_ = nullptr;
  size_t patterns_count_ = 0;
  const void* skipped_ = nullptr;
  size_t skipped_count_ = 0;
  const void* coins_ = nullptr;
  size_t coins_count_ = 0;
};

}  // namespace mw::intel
