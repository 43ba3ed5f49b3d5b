// On-disk layout of a compiled intel snapshot (internal to src/intel; readers use snapshot.h).
//
// The file is position independent: a 64-byte header, a table of sections, then the sections,
// each addressed by its byte offset from the start of the file and aligned to 16 bytes. All
// integers are little-endian. The header carries a format version and a 64-bit checksum of
// every byte after the header; loading checks both and every offset and index in the sections,
// so a corrupt or hostile file is an error, never a crash.
//
// Domain lookup: each distinct name is a key, stored once in the string section as a key record
// (KeyRecord below: first entry index, length, summary bits, then the name) that the name's
// entries point into. A name's 64-bit hash (labels hashed a word at a time and chained from the
// right, so every label suffix of a query costs one step more) picks a bucket: one 64-byte line
// (DomainBucket) of 10 slots, each a 16-bit filter word (0 = empty) - a 14-bit fingerprint, a
// "key" bit and an "ancestor" bit - and, in the same line, the key record's offset. A probe is
// one cache line and one page. Besides the keys, the table holds every proper suffix of two or
// more labels of a key (an ancestor: "pool.example" for the key "eu.pool.example"), with the
// ancestor bit. A lookup walks a query's suffixes from the shortest and stops at the first one
// that is not an ancestor: no longer suffix can be a key. Only a fingerprint hit with the key
// bit reads the key record; a hit is confirmed by comparing the record's text with the suffix,
// so a fingerprint collision never yields a match (and at worst costs one more read). A full
// bucket that an item had to pass sends the probe on to the next one. A 128-bit mask of the label counts present ends
// the walk at the longest. Entries of one key are consecutive; all but the last carry
// kEntryMore.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "intel/types.h"

namespace mw::intel::format {

inline constexpr char kMagic[8] = {'M', 'W', 'I', 'N', 'T', 'E', 'L', 0};
inline constexpr uint32_t kVersion = 3;
inline constexpr size_t kHeaderBytes = 64;
inline constexpr size_t kSectionAlign = 64;  // a domain bucket is exactly one line
inline constexpr uint32_t kMaxSections = 32;
inline constexpr uint32_t kSlotsPerBucket = 10;

struct FileHeader {
  char magic[8];
  uint32_t version;
  uint32_t header_bytes;
  uint64_t file_bytes;
  uint64_t checksum;       // Checksum64 of bytes [header_bytes, file_bytes)
  uint32_t section_count;
  uint32_t hash_seed;
  uint8_t reserved[24];
};
static_assert(sizeof(FileHeader) == kHeaderBytes);

enum SectionId : uint32_t {
  kStrings = 1,             // bytes
  kFeeds = 2,               // FeedRecord[]
  kEntries = 3,             // EntryRecord[]
  // 4 was the version-1 fingerprint table, 5 and 11 the version-2 slot and filter arrays
  kIpSegments = 6,          // IpSegment[], sorted, disjoint
  kIpRefs = 7,              // uint32_t[] entry indices referenced by segments
  kPatterns = 8,            // PatternRecord[]
  kSkipped = 9,             // SkippedRecord[]
  kCoins = 10,              // CoinRecord[] sorted by entry
  kDomainLabels = 12,       // uint64_t[2]: bit k set when a key or ancestor has k labels
  kDomainBuckets = 13,      // DomainBucket[]
};

struct SectionRecord {
  uint32_t id;
  uint32_t record_bytes;
  uint64_t offset;
  uint64_t bytes;
};
static_assert(sizeof(SectionRecord) == 24);

struct FeedRecord {
  uint32_t name_off;
  uint32_t name_len;
  uint8_t format;
  uint8_t category;
  uint16_t reserved;
  uint32_t lines;
  uint32_t entries;
  uint32_t comment_lines;
  uint32_t skipped[kSkipReasonCount];
};
static_assert(sizeof(FeedRecord) == 48);

// flags bits
inline constexpr uint8_t kEntryKindMask = 0x03;
inline constexpr uint8_t kEntrySubdomains = 0x04;
inline constexpr uint8_t kEntryThirdParty = 0x08;
inline constexpr uint8_t kEntryMore = 0x10;
inline constexpr int kEntrySchemeShift = 5;

struct EntryRecord {
  uint32_t text_off;   // display text (domain entries: exactly the normalised name)
  uint16_t text_len;
  uint16_t feed;
  uint32_t line;
  uint16_t port;       // 0 = any
  uint8_t category;
  uint8_t flags;
};
static_assert(sizeof(EntryRecord) == 16);

struct IpSegment {
  uint8_t first[16];
  uint8_t last[16];
  uint32_t ref_off;
  uint32_t ref_count;
};
static_assert(sizeof(IpSegment) == 40);

struct PatternRecord {
  uint32_t entry;
  uint32_t host_off;
  uint32_t pattern_off;
  uint16_t host_len;
  uint16_t pattern_len;
};
static_assert(sizeof(PatternRecord) == 16);

struct SkippedRecord {
  uint32_t line;
  uint32_t detail_off;
  uint32_t text_off;
  uint16_t detail_len;
  uint16_t text_len;
  uint16_t feed;
  uint8_t reason;
  uint8_t reserved;
};
static_assert(sizeof(SkippedRecord) == 20);

struct CoinRecord {
  uint32_t entry;
  uint32_t coin_off;
  uint32_t coin_len;
};
static_assert(sizeof(CoinRecord) == 12);

// One bucket of the domain table, one cache line. Slot s is filter[s] and record[s]: the
// string-section offset of the key record, kNoKeyRecord for an ancestor that is no key (and for
// an empty slot). An item goes to the first bucket from its own with a free slot; every full
// bucket it passes gets kBucketOverflow, and a lookup goes on to the next bucket only past one
// with that flag. `reserved` is zero.
struct DomainBucket {
  uint16_t filter[kSlotsPerBucket];
  uint16_t flags;
  uint16_t reserved;
  uint32_t record[kSlotsPerBucket];
};
inline constexpr uint16_t kBucketOverflow = 0x1;
static_assert(sizeof(DomainBucket) == 64);
inline constexpr uint32_t kMaxBuckets = 1u << 27;  // slot ids (bucket * 16 + slot) fit 32 bits

// Integrity checksum (not a MAC): four multiply-rotate lanes over 8-byte words.
uint64_t Checksum64(const uint8_t* data, size_t size);

// A key record in the string section: this header, then `length` bytes of the name (which the
// key's domain entries use as their text). Not aligned: read with memcpy.
struct KeyRecordHeader {
  uint32_t first_entry;
  uint8_t length;
  uint8_t summary;
};
inline constexpr size_t kKeyRecordHeaderBytes = 6;
// summary bit: the key has exactly one entry, a feed (not allowlist) domain entry covering
// subdomains with no port, so a lookup can report it without reading the entry record.
inline constexpr uint8_t kKeySimple = 0x01;
inline constexpr size_t kMaxKeyLength = 255;
inline constexpr uint32_t kMaxLabels = 127;  // 253 bytes hold at most 127 labels

// Suffix hashing. A query is lower-cased into a zero-padded buffer; each label is hashed a word
// at a time (LabelHash), and label hashes are chained from the rightmost label leftwards
// (ChainLabel), so the state after k labels is shared by every name ending in those k labels.
// FinishSuffix mixes the state with the suffix length into the table hash. `p` must be readable
// for `len` rounded up to a multiple of 8 (the buffers are padded); bytes past `len` are ignored.
inline uint64_t SeedState(uint32_t seed) { return 0x243f6a8885a308d3ull ^ (uint64_t(seed) << 17); }

inline uint64_t LabelHash(const char* p, size_t len) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    __builtin_memcpy(&w, p + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 29;
  }
  if (i < len) {
    uint64_t w;
    __builtin_memcpy(&w, p + i, 8);
    w &= ~0ull >> (8 * (8 - (len - i)));
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 29;
  }
  return h;
}

__extension__ typedef unsigned __int128 Uint128;

inline uint64_t ChainLabel(uint64_t state, uint64_t label_hash) {
  const Uint128 m = static_cast<Uint128>(state ^ label_hash) * 0xc4ceb9fe1a85ec53ull;
  return uint64_t(m) ^ uint64_t(m >> 64);
}

inline uint64_t FinishSuffix(uint64_t state, size_t suffix_len) {
  uint64_t h = state ^ (uint64_t(suffix_len) * 0x9e3779b97f4a7c15ull);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

// The table hash of a whole name, already lower case (the builder's side of the walk).
uint64_t HashName(std::string_view lower_name, uint32_t seed);

// Filter words: fingerprint in bits 2..15 (never 0), kFilterKey, kFilterAncestor.
inline constexpr uint16_t kFilterKey = 0x1;
inline constexpr uint16_t kFilterAncestor = 0x2;
inline constexpr uint16_t kFilterFlags = kFilterKey | kFilterAncestor;
inline constexpr uint32_t kNoKeyRecord = 0xFFFFFFFFu;
inline uint16_t Fingerprint(uint64_t hash) {
  const auto f = static_cast<uint16_t>((hash >> 48) & ~uint64_t(kFilterFlags));
  return f == 0 ? uint16_t(1u << 2) : f;
}
inline uint32_t BucketOf(uint64_t hash, uint32_t buckets) {
  return uint32_t((uint64_t(uint32_t(hash)) * buckets) >> 32);
}

}  // namespace mw::intel::format
