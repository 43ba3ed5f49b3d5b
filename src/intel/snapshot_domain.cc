// Domain lookups (Snapshot::Match, Snapshot::MatchBatch): the hot path. No allocation, no locks.
//
// A lookup runs in four stages so that its memory accesses can overlap, within one name (the
// buckets of longer suffixes are fetched at once) and across names (MatchBatch runs each stage
// over a group of names before the next):
//   1. PrepareQuery: lower-case the name into a padded buffer a word at a time, find its labels,
//      hash the two-label suffix and prefetch its bucket (one line: filter words and records).
//   2. CheckFilter: compare the bucket's 10 fingerprints; while the suffix is an ancestor of
//      some key, hash the next longer one (NextProbe) and go on.
//   3. ReadSlots: read each candidate's key-record offset from its bucket; prefetch the record.
//   4. Confirm: compare the record's name with the suffix and collect the key's entries.
// Most queries stop at stage 2 after one or two suffixes.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "intel/snapshot.h"
#include "intel/snapshot_format.h"

namespace mw::intel {

using namespace format;  // NOLINT: the record types are this file's vocabulary

struct Snapshot::DomainQuery {
  // 253 bytes rounded up to whole words, plus one word of zeros for LabelHash's last read.
  static constexpr size_t kTextBytes = 264;
  static constexpr size_t kMaxCandidates = 16;
  struct Candidate {
    uint32_t slot;
    uint32_t probe;
    uint32_t record;
  };
  alignas(8) char text[kTextBytes];
  uint32_t size;
  uint16_t port;
  bool valid;   // false: the name cannot match anything
  bool direct;  // more fingerprint hits than kMaxCandidates: Confirm walks the table itself
  uint32_t label_count;  // labels found, at most kMaxLabels
  uint32_t hashed;       // labels chained into `state` so far, from the right
  uint64_t state;
  // Probe p is the suffix of p + 2 labels, text[ProbeStart(p), size); only the newest probe's
  // hash is kept (the walk looks at one suffix at a time).
  uint32_t probe_count;
  uint64_t probe_hash;   // hash of probe probe_count - 1
  uint32_t bucket;       // the bucket of that probe's chain to look at next
  uint32_t chain_steps;  // buckets passed in that chain
  bool ancestor;         // a slot of that chain so far was an ancestor with its fingerprint
  uint32_t candidate_count;
  uint8_t label_start[kMaxLabels];  // [k - 1]: where the suffix of k labels starts (< 253)
  Candidate candidates[kMaxCandidates];
  uint32_t ProbeStart(uint32_t p) const { return label_start[p + 1]; }
};

namespace {

const EntryRecord* Entries(const void* p) { return static_cast<const EntryRecord*>(p); }

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;

// ASCII upper case to lower case in all 8 bytes of `w` (every byte below 0x80).
[[gnu::always_inline]] inline uint64_t LowerWord(uint64_t w) {
  const uint64_t at_least_a = w + kOnes * (0x80 - 'A');
  const uint64_t above_z = w + kOnes * (0x80 - 'Z' - 1);
  return w | (((at_least_a & ~above_z) & kHighBits) >> 2);
}

// High bit of each byte of `w` that equals '.', exactly (no carries between bytes).
[[gnu::always_inline]] inline uint64_t DotBytes(uint64_t w) {
  const uint64_t x = w ^ (kOnes * '.');
  const uint64_t low7 = kOnes * 0x7F;
  return ~(((x & low7) + low7) | x | low7);
}

// Slot ids name a slot of the whole table: bucket * 16 + slot within the bucket.
constexpr uint32_t kSlotIdShift = 4;
static_assert(kSlotsPerBucket <= (1u << kSlotIdShift) &&
              (uint64_t(kMaxBuckets) << kSlotIdShift) <= 0x100000000ull);
[[gnu::always_inline]] inline uint32_t RecordOf(const DomainBucket* table, uint32_t slot_id) {
  return table[slot_id >> kSlotIdShift].record[slot_id & ((1u << kSlotIdShift) - 1)];
}

// The slots of one bucket: which hold the fingerprint (any flags), which of those are keys and
// ancestors, and whether an item passed the bucket (the probe goes on).
struct BucketMatch {
  uint32_t keys;
  uint32_t ancestors;
  bool overflow;
};

[[gnu::always_inline]] inline BucketMatch MatchBucket(const DomainBucket& bucket, uint16_t fingerprint) {
  constexpr uint32_t kSlots = (1u << kSlotsPerBucket) - 1;
#if defined(__SSE2__)
  // Words 0-7, then 8-9 with the flags and reserved words; lanes past slot 9 are masked off.
  static_assert(kSlotsPerBucket == 10 && offsetof(DomainBucket, flags) == 20);
  const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bucket.filter));
  const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(bucket.filter + 8));
  const __m128i flags = _mm_set1_epi16(static_cast<short>(kFilterFlags));
  const __m128i want = _mm_set1_epi16(static_cast<short>(fingerprint | kFilterFlags));
  const __m128i key = _mm_set1_epi16(static_cast<short>(kFilterKey));
  const __m128i anc = _mm_set1_epi16(static_cast<short>(kFilterAncestor));
  auto mask = [](__m128i lo, __m128i hi) {
    return static_cast<uint32_t>(_mm_movemask_epi8(_mm_packs_epi16(lo, hi)));
  };
  const uint32_t fp = mask(_mm_cmpeq_epi16(_mm_or_si128(a, flags), want),
                           _mm_cmpeq_epi16(_mm_or_si128(b, flags), want));
  const uint32_t keys = mask(_mm_cmpeq_epi16(_mm_and_si128(a, key), key),
                             _mm_cmpeq_epi16(_mm_and_si128(b, key), key));
  const uint32_t ancestors = mask(_mm_cmpeq_epi16(_mm_and_si128(a, anc), anc),
                                  _mm_cmpeq_epi16(_mm_and_si128(b, anc), anc));
  return BucketMatch{fp & keys & kSlots, fp & ancestors & kSlots, (bucket.flags & kBucketOverflow) != 0};
#else
  BucketMatch m{0, 0, false};
  for (uint32_t s = 0; s < kSlotsPerBucket; ++s) {
    const uint16_t w = bucket.filter[s];
    const bool fp = (w | kFilterFlags) == (fingerprint | kFilterFlags);
    m.keys |= uint32_t(fp && (w & kFilterKey)) << s;
    m.ancestors |= uint32_t(fp && (w & kFilterAncestor)) << s;
  }
  m.overflow = (bucket.flags & kBucketOverflow) != 0;
  (void)kSlots;
  return m;
#endif
}

// Walks the probe chain of `hash` through the table (`buckets` buckets), calling
// on_key(slot id) for every key slot with the hash's fingerprint until on_key returns false. Returns
// whether a slot with the fingerprint is an ancestor (a longer suffix may be a key), and sets
// *stopped when on_key asked to stop.
template <typename OnKey>
[[gnu::always_inline]] inline bool ScanChain(const DomainBucket* table, uint32_t buckets, uint64_t hash,
                                             bool* stopped, OnKey&& on_key) {
  const uint16_t fp = Fingerprint(hash);
  uint32_t b = BucketOf(hash, buckets);
  bool ancestor = false;
  for (uint32_t step = 0; step < buckets; ++step) {
    const BucketMatch m = MatchBucket(table[b], fp);
    ancestor |= m.ancestors != 0;
    for (uint32_t hits = m.keys; hits != 0; hits &= hits - 1) {
      if (!on_key((b << kSlotIdShift) + uint32_t(std::countr_zero(hits)))) {
        *stopped = true;
        return ancestor;
      }
    }
    if (!m.overflow) break;
    b = b + 1 == buckets ? 0 : b + 1;
  }
  return ancestor;
}

// Copies `name` (at most 253 bytes) into `text` a word at a time, lower-cased and zero padded.
// Returns false when a byte is not ASCII.
[[gnu::always_inline]] inline bool CopyLowered(std::string_view name, char* text) {
  const size_t n = name.size();
  uint64_t high = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, name.data() + i, 8);
    high |= w;
    w = LowerWord(w & ~kHighBits);
    std::memcpy(text + i, &w, 8);
  }
  uint64_t w = 0;
  if (i < n) {
    const size_t rest = n - i;  // 1..7 bytes
    if (n >= 8) {
      // The last 8 bytes of the name, shifted so that only the rest remains (no libc call).
      std::memcpy(&w, name.data() + n - 8, 8);
      w >>= 8 * (8 - rest);
    } else {
      for (size_t k = 0; k < rest; ++k) w |= uint64_t(static_cast<uint8_t>(name[i + k])) << (8 * k);
    }
  }
  high |= w;
  w = LowerWord(w & ~kHighBits);
  std::memcpy(text + i, &w, 8);
  const uint64_t zero = 0;
  std::memcpy(text + i + 8, &zero, 8);
  return (high & kHighBits) == 0;
}

}  // namespace

bool Snapshot::PrepareQuery(std::string_view name, uint16_t port, DomainQuery* q) const {
  q->valid = false;
  q->direct = false;
  q->port = port;
  q->probe_count = 0;
  q->candidate_count = 0;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return false;
  DomainBuffer normalized;
  if (name.size() > kMaxDomainLength || !CopyLowered(name, q->text)) {
    // Unicode (or too long to be a name): the full normalisation, then the ASCII path.
    if (NormalizeDomainInto(name, &normalized) != nullptr) return false;
    name = normalized.view();
    if (name.size() > kMaxDomainLength || !CopyLowered(name, q->text)) return false;
  }
  const auto n = static_cast<uint32_t>(name.size());
  q->size = n;
  q->valid = true;
  // Label starts right to left: the dots of each word, highest byte first.
  uint32_t labels = 0;
  for (uint32_t word = (n + 7) / 8; word > 0 && labels < kMaxLabels; --word) {
    uint64_t w;
    std::memcpy(&w, q->text + (word - 1) * 8, 8);
    for (uint64_t dots = DotBytes(w); dots != 0 && labels < kMaxLabels;) {
      const int bit = 63 - std::countl_zero(dots);
      dots &= ~(uint64_t(1) << bit);
      q->label_start[labels++] = static_cast<uint8_t>((word - 1) * 8 + uint32_t(bit / 8) + 1);
    }
  }
  if (labels < kMaxLabels) q->label_start[labels++] = 0;
  q->label_count = labels;
  q->hashed = 0;
  q->state = SeedState(seed_);
  return NextProbe(q);
}

bool Snapshot::NextProbe(DomainQuery* q) const {
  while (q->hashed < q->label_count) {
    const uint32_t k = q->hashed + 1;  // the suffix of k labels
    const uint32_t start = q->label_start[k - 1];
    const uint32_t end = k == 1 ? q->size : q->label_start[k - 2] - 1u;
    q->state = ChainLabel(q->state, LabelHash(q->text + start, end - start));
    q->hashed = k;
    if (k < 2) continue;
    if (((label_mask_[k / 64] >> (k % 64)) & 1u) == 0) {
      q->hashed = q->label_count;  // no key or ancestor has k labels: none has more
      return false;
    }
    const uint64_t h = FinishSuffix(q->state, q->size - start);
    q->bucket = BucketOf(h, buckets_);
    __builtin_prefetch(table_ + q->bucket);
    q->probe_hash = h;
    q->chain_steps = 0;
    q->ancestor = false;
    ++q->probe_count;
    return true;
  }
  return false;
}

void Snapshot::PrefetchLongerSuffixes(const DomainQuery& q) const {
  uint64_t state = q.state;
  for (uint32_t k = q.hashed + 1; k <= q.label_count; ++k) {
    const uint32_t start = q.label_start[k - 1];
    const uint32_t end = q.label_start[k - 2] - 1u;  // k >= 3 here: hashed >= 2 after a probe
    state = ChainLabel(state, LabelHash(q.text + start, end - start));
    if (((label_mask_[k / 64] >> (k % 64)) & 1u) == 0) return;
    __builtin_prefetch(table_ + BucketOf(FinishSuffix(state, q.size - start), buckets_));
  }
}

bool Snapshot::CheckFilter(DomainQuery* q, bool defer_next) const {
  for (;;) {
    const uint32_t p = q->probe_count - 1;  // the newest probe
    const BucketMatch m = MatchBucket(table_[q->bucket], Fingerprint(q->probe_hash));
    q->ancestor |= m.ancestors != 0;
    for (uint32_t hits = m.keys; hits != 0; hits &= hits - 1) {
      if (q->candidate_count == DomainQuery::kMaxCandidates) {
        q->direct = true;
        return false;
      }
      const uint32_t slot = (q->bucket << kSlotIdShift) + uint32_t(std::countr_zero(hits));
      q->candidates[q->candidate_count++] = DomainQuery::Candidate{slot, p, 0};
    }
    if (m.overflow && ++q->chain_steps < buckets_) {
      // An item passed this bucket: the suffix may sit in the next one.
      q->bucket = q->bucket + 1 == buckets_ ? 0 : q->bucket + 1;
      if (!defer_next) continue;
      __builtin_prefetch(table_ + q->bucket);
      return true;  // its line is on the way; look at it in the next round
    }
    // A suffix that ends no key ends the walk: no longer suffix can be a key.
    if (!q->ancestor || !NextProbe(q)) return false;
    if (defer_next) return true;  // its bucket is on the way; check it in the next round
  }
}

void Snapshot::ReadSlots(DomainQuery* q) const {
  if (q->direct) return;
  for (uint32_t c = 0; c < q->candidate_count; ++c) {
    DomainQuery::Candidate& cand = q->candidates[c];
    cand.record = RecordOf(table_, cand.slot);
    const size_t last = size_t(cand.record) + kKeyRecordHeaderBytes + q->size - q->ProbeStart(cand.probe);
    if (last <= strings_size_) {  // the record and the name it must hold
      __builtin_prefetch(strings_ + cand.record);
      __builtin_prefetch(strings_ + last - 1);
    }
  }
}

void Snapshot::ConfirmKey(const DomainQuery& q, uint32_t probe, uint32_t record, MatchResult* out,
                          uint16_t* levels, uint32_t* allow_level) const {
  const uint32_t start = q.ProbeStart(probe);
  const uint32_t length = q.size - start;
  // Bounds first: a hostile file (checksum off) may point anywhere.
  if (strings_size_ < kKeyRecordHeaderBytes || record > strings_size_ - kKeyRecordHeaderBytes ||
      length > strings_size_ - kKeyRecordHeaderBytes - record) {
    return;
  }
  const char* r = strings_ + record;
  if (static_cast<uint8_t>(r[4]) != length || length == 0) return;
  const char* stored = r + kKeyRecordHeaderBytes;
  const char* asked = q.text + start;  // padded: readable to the next whole word
  const size_t words = (length + 7) / 8;
  if (size_t(stored - strings_) + words * 8 <= strings_size_) {
    uint64_t diff = 0;
    for (size_t i = 0; i + 8 < length; i += 8) {
      uint64_t a, b;
      std::memcpy(&a, stored + i, 8);
      std::memcpy(&b, asked + i, 8);
      diff |= a ^ b;
    }
    uint64_t a, b;
    const size_t tail = (words - 1) * 8;
    std::memcpy(&a, stored + tail, 8);
    std::memcpy(&b, asked + tail, 8);
    diff |= (a ^ b) & (~0ull >> (8 * (words * 8 - length)));
    if (diff != 0) return;
  } else if (std::memcmp(stored, asked, length) != 0) {
    return;
  }
  uint32_t idx;
  std::memcpy(&idx, r, 4);
  if (idx >= entries_count_) return;
  if ((static_cast<uint8_t>(r[5]) & kKeySimple) != 0) {
    AddFeedEntry(out, idx, length, levels);  // one subdomain-covering, port-less feed entry
    return;
  }
  const EntryRecord* entries = Entries(entries_);
  if ((entries[idx].flags & kEntryKindMask) != uint8_t(EntryKind::kDomain)) return;
  for (; idx < entries_count_; ++idx) {
    const EntryRecord& e = entries[idx];
    const bool covers = start == 0 || (e.flags & kEntrySubdomains);
    if (covers && (q.port == 0 || e.port == 0 || e.port == q.port)) {
      Add(out, idx, length, levels, allow_level);
    }
    if ((e.flags & kEntryMore) == 0) break;
  }
}

void Snapshot::Confirm(DomainQuery* q, MatchResult* out) const {
  out->Clear();
  if (!q->valid) return;
  // (Read only where written; zeroed for GCC, whose flow analysis cannot tell.)
  uint16_t levels[MatchResult::kMaxEntries] = {};
  uint32_t allow_level = 0;
  if (!q->direct) {
    for (uint32_t c = 0; c < q->candidate_count; ++c) {
      ConfirmKey(*q, q->candidates[c].probe, q->candidates[c].record, out, levels, &allow_level);
    }
  } else {
    // Many fingerprint hits (only a hostile or degenerate table): walk the suffixes again from
    // the shortest, confirming as we go.
    q->hashed = 0;
    q->state = SeedState(seed_);
    q->probe_count = 0;
    while (NextProbe(q)) {
      const uint32_t p = q->probe_count - 1;
      bool never = false;
      const bool ancestor = ScanChain(table_, buckets_, q->probe_hash, &never, [&](uint32_t slot) {
        ConfirmKey(*q, p, RecordOf(table_, slot), out, levels, &allow_level);
        return true;
      });
      if (!ancestor) break;
    }
  }
  ApplyAllowlist(out, levels, allow_level);
}

bool Snapshot::Match(std::string_view name, MatchResult* out, uint16_t port) const {
  DomainQuery q;
  if (PrepareQuery(name, port, &q)) {
    PrefetchLongerSuffixes(q);
    CheckFilter(&q, false);
    ReadSlots(&q);
  }
  Confirm(&q, out);
  return out->hit();
}

size_t Snapshot::MatchBatch(std::span<const std::string_view> names, MatchResult* out,
                            uint16_t port) const {
  if (!staged_batch_) {
    size_t hits = 0;
    for (size_t i = 0; i < names.size(); ++i) hits += Match(names[i], &out[i], port);
    return hits;
  }
  // Two groups in flight: while group g's key records are on their way, group g + 1 is
  // normalised, hashed and checked against the filter.
  DomainQuery groups[2][kMatchBatchWidth];
  auto front = [&](size_t base, DomainQuery* group) {
    const size_t n = std::min(kMatchBatchWidth, names.size() - base);
    // The names after this group are read while this group waits for memory.
    const size_t next_end = std::min(names.size(), base + n + kMatchBatchWidth);
    for (size_t i = base + n; i < next_end; ++i) __builtin_prefetch(names[i].data());
    bool pending[kMatchBatchWidth];
    for (size_t i = 0; i < n; ++i) pending[i] = PrepareQuery(names[base + i], port, &group[i]);
    // Filter rounds: a name whose suffix is an ancestor waits for the next round, so that the
    // bucket of its longer suffix arrives while the other names are checked.
    for (bool again = true; again;) {
      again = false;
      for (size_t i = 0; i < n; ++i) {
        if (pending[i]) again |= pending[i] = CheckFilter(&group[i], true);
      }
    }
    for (size_t i = 0; i < n; ++i) {
      if (group[i].valid) ReadSlots(&group[i]);
    }
  };
  size_t hits = 0;
  for (size_t i = 0; i < std::min(kMatchBatchWidth, names.size()); ++i) __builtin_prefetch(names[i].data());
  if (!names.empty()) front(0, groups[0]);
  for (size_t base = 0, g = 0; base < names.size(); base += kMatchBatchWidth, g ^= 1) {
    if (base + kMatchBatchWidth < names.size()) front(base + kMatchBatchWidth, groups[g ^ 1]);
    const size_t n = std::min(kMatchBatchWidth, names.size() - base);
    for (size_t i = 0; i < n; ++i) {
      Confirm(&groups[g][i], &out[base + i]);
      hits += out[base + i].hit();
    }
  }
  return hits;
}

}  // namespace mw::intel
