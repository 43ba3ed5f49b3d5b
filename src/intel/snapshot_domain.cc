// Domain lookups (Snapshot::Match, Snapshot::MatchBatch): the hot path. No allocation, no locks.
//
// A lookup runs in four stages so that its memory accesses can overlap, within one name (every
// suffix's filter bucket is fetched at once) and across names (MatchBatch runs each stage over
// a group of names before the next):
//   1. PrepareQuery: lower-case the name into a padded buffer a word at a time, find its labels,
//      hash every suffix that has a label count some key has, prefetch each filter bucket.
//   2. CheckFilter: compare 16 fingerprints per bucket; prefetch the slot of each hit.
//   3. ReadSlots: read each candidate's key-record offset; prefetch the record.
//   4. Confirm: compare the record's name with the suffix and collect the key's entries.
// Most suffixes of most queries stop at stage 2 in a cache-resident filter.
#include <algorithm>
#include <bit>
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
  struct Probe {
    uint64_t hash;
    uint32_t start;  // the suffix is text[start, size)
  };
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
  uint32_t probe_count;
  uint32_t candidate_count;
  Probe probes[kMaxLabels];
  Candidate candidates[kMaxCandidates];
};

namespace {

const EntryRecord* Entries(const void* p) { return static_cast<const EntryRecord*>(p); }

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;

// ASCII upper case to lower case in all 8 bytes of `w` (every byte below 0x80).
uint64_t LowerWord(uint64_t w) {
  const uint64_t at_least_a = w + kOnes * (0x80 - 'A');
  const uint64_t above_z = w + kOnes * (0x80 - 'Z' - 1);
  return w | (((at_least_a & ~above_z) & kHighBits) >> 2);
}

// High bit of each byte of `w` that equals '.', exactly (no carries between bytes).
uint64_t DotBytes(uint64_t w) {
  const uint64_t x = w ^ (kOnes * '.');
  const uint64_t low7 = kOnes * 0x7F;
  return ~(((x & low7) + low7) | x | low7);
}

// Bit s set when slot s of the 16-slot filter bucket holds `value`.
uint32_t SlotMask(const uint16_t* bucket, uint16_t value) {
#if defined(__SSE2__)
  const __m128i v = _mm_set1_epi16(static_cast<short>(value));
  const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bucket));
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bucket + 8));
  const __m128i eq = _mm_packs_epi16(_mm_cmpeq_epi16(a, v), _mm_cmpeq_epi16(b, v));
  return static_cast<uint32_t>(_mm_movemask_epi8(eq));
#else
  uint32_t mask = 0;
  for (uint32_t s = 0; s < kSlotsPerBucket; ++s) mask |= uint32_t(bucket[s] == value) << s;
  return mask;
#endif
}

// Copies `name` (at most 253 bytes) into `text` a word at a time, lower-cased and zero padded.
// Returns false when a byte is not ASCII.
bool CopyLowered(std::string_view name, char* text) {
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
  if (i < n) std::memcpy(&w, name.data() + i, n - i);
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
  // Labels right to left: the dots of each word, highest byte first.
  uint64_t state = SeedState(seed_);
  uint32_t end = n;     // the current label is text[dot + 1, end)
  uint32_t labels = 0;  // labels of the suffix hashed so far
  auto take_label = [&](uint32_t start) {
    state = ChainLabel(state, LabelHash(q->text + start, end - start));
    ++labels;
    if (labels >= 2 && labels <= kMaxLabels &&
        ((label_mask_[labels / 64] >> (labels % 64)) & 1u) != 0) {
      const uint64_t h = FinishSuffix(state, n - start);
      __builtin_prefetch(filter_ + size_t(BucketOf(h, buckets_)) * kSlotsPerBucket);
      q->probes[q->probe_count++] = DomainQuery::Probe{h, start};
    }
  };
  for (uint32_t word = (n + 7) / 8; word > 0 && labels < kMaxLabels; --word) {
    uint64_t w;
    std::memcpy(&w, q->text + (word - 1) * 8, 8);
    for (uint64_t dots = DotBytes(w); dots != 0 && labels < kMaxLabels;) {
      const int bit = 63 - std::countl_zero(dots);
      dots &= ~(uint64_t(1) << bit);
      const uint32_t dot = (word - 1) * 8 + uint32_t(bit / 8);
      take_label(dot + 1);
      end = dot;
    }
  }
  if (labels < kMaxLabels) take_label(0);
  return q->probe_count > 0;
}

void Snapshot::CheckFilter(DomainQuery* q) const {
  for (uint32_t p = 0; p < q->probe_count; ++p) {
    const uint64_t h = q->probes[p].hash;
    const uint16_t fp = Fingerprint(h);
    uint32_t b = BucketOf(h, buckets_);
    for (uint32_t step = 0; step < buckets_; ++step) {
      const uint16_t* f = filter_ + size_t(b) * kSlotsPerBucket;
      for (uint32_t hits = SlotMask(f, fp); hits != 0; hits &= hits - 1) {
        if (q->candidate_count == DomainQuery::kMaxCandidates) {
          q->direct = true;
          return;
        }
        const uint32_t slot = b * kSlotsPerBucket + uint32_t(std::countr_zero(hits));
        __builtin_prefetch(slots_ + slot);
        q->candidates[q->candidate_count++] = DomainQuery::Candidate{slot, p, 0};
      }
      if (SlotMask(f, 0) != 0) break;
      b = b + 1 == buckets_ ? 0 : b + 1;
    }
  }
}

void Snapshot::ReadSlots(DomainQuery* q) const {
  if (q->direct) return;
  for (uint32_t c = 0; c < q->candidate_count; ++c) {
    DomainQuery::Candidate& cand = q->candidates[c];
    cand.record = slots_[cand.slot];
    const size_t last = size_t(cand.record) + kKeyRecordHeaderBytes + q->size - q->probes[cand.probe].start;
    if (last <= strings_size_) {  // the record and the name it must hold
      __builtin_prefetch(strings_ + cand.record);
      __builtin_prefetch(strings_ + last - 1);
    }
  }
}

void Snapshot::ConfirmKey(const DomainQuery& q, uint32_t probe, uint32_t record, MatchResult* out,
                          uint16_t* levels, uint32_t* allow_level) const {
  const uint32_t start = q.probes[probe].start;
  const uint32_t length = q.size - start;
  // Bounds first: a hostile file (checksum off) may point anywhere.
  if (strings_size_ < kKeyRecordHeaderBytes || record > strings_size_ - kKeyRecordHeaderBytes ||
      length > strings_size_ - kKeyRecordHeaderBytes - record) {
    return;
  }
  const char* r = strings_ + record;
  if (static_cast<uint8_t>(r[4]) != length ||
      std::memcmp(r + kKeyRecordHeaderBytes, q.text + start, length) != 0) {
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

void Snapshot::Confirm(const DomainQuery& q, MatchResult* out) const {
  out->Clear();
  if (!q.valid) return;
  uint16_t levels[MatchResult::kMaxEntries];
  uint32_t allow_level = 0;
  if (!q.direct) {
    for (uint32_t c = 0; c < q.candidate_count; ++c) {
      ConfirmKey(q, q.candidates[c].probe, q.candidates[c].record, out, levels, &allow_level);
    }
  } else {
    // Many fingerprint hits (only a hostile or degenerate table): walk each probe's buckets.
    for (uint32_t p = 0; p < q.probe_count; ++p) {
      const uint16_t fp = Fingerprint(q.probes[p].hash);
      uint32_t b = BucketOf(q.probes[p].hash, buckets_);
      for (uint32_t step = 0; step < buckets_; ++step) {
        const uint16_t* f = filter_ + size_t(b) * kSlotsPerBucket;
        for (uint32_t hits = SlotMask(f, fp); hits != 0; hits &= hits - 1) {
          const uint32_t slot = b * kSlotsPerBucket + uint32_t(std::countr_zero(hits));
          ConfirmKey(q, p, slots_[slot], out, levels, &allow_level);
        }
        if (SlotMask(f, 0) != 0) break;
        b = b + 1 == buckets_ ? 0 : b + 1;
      }
    }
  }
  ApplyAllowlist(out, levels, allow_level);
}

bool Snapshot::Match(std::string_view name, MatchResult* out, uint16_t port) const {
  DomainQuery q;
  if (PrepareQuery(name, port, &q)) {
    CheckFilter(&q);
    ReadSlots(&q);
  }
  Confirm(q, out);
  return out->hit();
}

size_t Snapshot::MatchBatch(std::span<const std::string_view> names, MatchResult* out,
                            uint16_t port) const {
  size_t hits = 0;
  DomainQuery group[kMatchBatchWidth];
  bool live[kMatchBatchWidth];
  for (size_t base = 0; base < names.size(); base += kMatchBatchWidth) {
    const size_t n = std::min(kMatchBatchWidth, names.size() - base);
    for (size_t i = 0; i < n; ++i) live[i] = PrepareQuery(names[base + i], port, &group[i]);
    for (size_t i = 0; i < n; ++i) {
      if (live[i]) CheckFilter(&group[i]);
    }
    for (size_t i = 0; i < n; ++i) {
      if (live[i]) ReadSlots(&group[i]);
    }
    for (size_t i = 0; i < n; ++i) {
      Confirm(group[i], &out[base + i]);
      hits += out[base + i].hit();
    }
  }
  return hits;
}

}  // namespace mw::intel
