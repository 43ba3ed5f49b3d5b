// On-disk layout of a compiled intel snapshot (internal to src/intel; readers use snapshot.h).
//
// The file is position independent: a 64-byte header, a table of sections, then the sections,
// each addressed by its byte offset from the start of the file and aligned to 16 bytes. All
// integers are little-endian. The header carries a format version and a 64-bit checksum of
// every byte after the header; loading checks both and every offset and index in the sections,
// so a corrupt or hostile file is an error, never a crash.
//
// Domain lookup: each distinct name is a key. Its 64-bit hash (SuffixHasher below, computed
// from the last byte backwards so every label suffix of a query costs one step more) picks a
// bucket of 8 slots; a slot holds a 32-bit fingerprint (0 = empty) and, in a parallel array, the
// index of the key's first entry. Entries of one key are consecutive; all but the last carry
// kEntryMore. A fingerprint hit is confirmed by comparing the entry's text with the suffix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "intel/types.h"

namespace mw::intel::format {

inline constexpr char kMagic[8] = {'M', 'W', 'I', 'N', 'T', 'E', 'L', 0};
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kHeaderBytes = 64;
inline constexpr size_t kSectionAlign = 16;
inline constexpr uint32_t kMaxSections = 32;
inline constexpr uint32_t kSlotsPerBucket = 8;

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
  kDomainFingerprints = 4,  // uint32_t[buckets * 8]
  kDomainSlots = 5,         // uint32_t[buckets * 8]: first entry index of the key
  kIpSegments = 6,          // IpSegment[], sorted, disjoint
  kIpRefs = 7,              // uint32_t[] entry indices referenced by segments
  kPatterns = 8,            // PatternRecord[]
  kSkipped = 9,             // SkippedRecord[]
  kCoins = 10,              // CoinRecord[] sorted by entry
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

// Integrity checksum (not a MAC): four multiply-rotate lanes over 8-byte words.
uint64_t Checksum64(const uint8_t* data, size_t size);

// Hashes label suffixes of a name from its last byte backwards (ASCII case folded), so that
// Step() over "pool.example" from the right gives the state shared by every name ending in it.
class SuffixHasher {
 public:
  explicit SuffixHasher(uint32_t seed) : state_(0xcbf29ce484222325ull ^ seed) {}
  void Step(char c) {
    const auto b = static_cast<uint8_t>(c);
    const uint8_t lower = (b >= 'A' && b <= 'Z') ? uint8_t(b | 0x20) : b;
    state_ = (state_ ^ lower) * 0x100000001b3ull;
  }
  // The hash of the bytes stepped so far (`length` of them), well mixed.
  uint64_t Finish(size_t length) const {
    uint64_t h = state_ ^ (uint64_t(length) * 0x9e3779b97f4a7c15ull);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
  }

 private:
  uint64_t state_;
};

inline uint64_t HashName(std::string_view name, uint32_t seed) {
  SuffixHasher h(seed);
  for (size_t i = name.size(); i > 0; --i) h.Step(name[i - 1]);
  return h.Finish(name.size());
}
inline uint32_t Fingerprint(uint64_t hash) { return uint32_t(hash >> 32) | 1u; }
inline uint32_t BucketOf(uint64_t hash, uint32_t buckets) {
  return uint32_t((uint64_t(uint32_t(hash)) * buckets) >> 32);
}

}  // namespace mw::intel::format
