#include "intel/snapshot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cstring>

#include "intel/snapshot_format.h"

namespace mw::intel {

using namespace format;  // NOLINT: the record types are this file's vocabulary

namespace {

const EntryRecord* Entries(const void* p) { return static_cast<const EntryRecord*>(p); }

bool InStrings(uint64_t off, uint64_t len, size_t strings_size) {
  return off <= strings_size && len <= strings_size - off;
}

}  // namespace

Snapshot::Snapshot(Snapshot&& other) noexcept { *this = std::move(other); }

Snapshot& Snapshot::operator=(Snapshot&& other) noexcept {
  if (this == &other) return *this;
  base_ = other.base_;
  size_ = other.size_;
  owned_ = std::move(other.owned_);
  seed_ = other.seed_;
  strings_ = other.strings_;
  strings_size_ = other.strings_size_;
  feeds_ = other.feeds_;
  feeds_count_ = other.feeds_count_;
  entries_ = other.entries_;
  entries_count_ = other.entries_count_;
  table_ = other.table_;
  buckets_ = other.buckets_;
  staged_batch_ = other.staged_batch_;
  label_mask_[0] = other.label_mask_[0];
  label_mask_[1] = other.label_mask_[1];
  segments_ = other.segments_;
  segments_count_ = other.segments_count_;
  ip_prefix_bits_ = std::move(other.ip_prefix_bits_);
  refs_ = other.refs_;
  refs_count_ = other.refs_count_;
  patterns_ = other.patterns_;
  patterns_count_ = other.patterns_count_;
  skipped_ = other.skipped_;
  skipped_count_ = other.skipped_count_;
  coins_ = other.coins_;
  coins_count_ = other.coins_count_;
  other.base_ = nullptr;
  other.size_ = 0;
  return *this;
}

Snapshot::~Snapshot() = default;

Result<Snapshot> Snapshot::Load(const std::string& path, LoadOptions options) {
  // Read into memory, not mapped: a file written over in place (`cp new.mwintel FILE`) while a
  // sensor matches against it would change the bytes under the checks Validate() made, or, cut
  // shorter, end the process with SIGBUS. The copy is the snapshot's; the file may change.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  struct stat st{};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Status::IoError(path + ": not a regular file");
  }
  if (st.st_size < static_cast<off_t>(kHeaderBytes)) {
    close(fd);
    return Status::Corruption(path + ": too short for an intel snapshot");
  }
  Snapshot s;
  const auto size = static_cast<size_t>(st.st_size);
  s.owned_.resize((size + 7) / 8);
  auto* at = reinterpret_cast<uint8_t*>(s.owned_.data());
  size_t got = 0;
  while (got < size) {
    const ssize_t n = read(fd, at + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      close(fd);
      return Status::IoError("cannot read " + path + ": " + std::strerror(e));
    }
    if (n == 0) break;  // (shortened while read: the size check below says so)
    got += size_t(n);
  }
  close(fd);
  s.base_ = at;
  s.size_ = got;
  Status v = s.Validate(options);
  if (!v.ok()) return Status(v.code(), path + ": " + v.message());
  return s;
}

Result<Snapshot> Snapshot::FromBytes(ByteSpan data, LoadOptions options) {
  Snapshot s;
  s.owned_.resize((data.size() + 7) / 8);
  if (!data.empty()) std::memcpy(s.owned_.data(), data.data(), data.size());
  s.base_ = reinterpret_cast<const uint8_t*>(s.owned_.data());
  s.size_ = data.size();
  MW_RETURN_IF_ERROR(s.Validate(options));
  return s;
}

Status Snapshot::Validate(LoadOptions options) {
  if constexpr (std::endian::native != std::endian::little) {
    return Status::FailedPrecondition("intel snapshots are read on little-endian hosts only");
  }
  if (size_ < kHeaderBytes) return Status::Corruption("too short for an intel snapshot");
  FileHeader h;
  std::memcpy(&h, base_, sizeof(h));
  if (std::memcmp(h.magic, kMagic, sizeof(kMagic)) != 0) {
    return Status::Corruption("not an intel snapshot (bad magic)");
  }
  if (h.version != kVersion) {
    return Status::Corruption("intel snapshot version " + std::to_string(h.version) +
                              ", this build reads version " + std::to_string(kVersion) +
                              " (re-run `minewatch intel import`)");
  }
  if (h.header_bytes != kHeaderBytes || h.file_bytes != size_) {
    return Status::Corruption("intel snapshot truncated or padded (size mismatch)");
  }
  if (options.verify_checksum && Checksum64(base_ + kHeaderBytes, size_ - kHeaderBytes) != h.checksum) {
    return Status::Corruption("intel snapshot checksum mismatch");
  }
  if (h.section_count > kMaxSections ||
      kHeaderBytes + uint64_t(h.section_count) * sizeof(SectionRecord) > size_) {
    return Status::Corruption("bad section table");
  }
  seed_ = h.hash_seed;
  struct Want {
    uint32_t id;
    uint32_t record;
    const void** where;
    size_t* count;
  };
  const void* table = nullptr;
  const void* strings = nullptr;
  const void* refs = nullptr;
  const void* labels = nullptr;
  size_t bucket_count = 0, refs_count = 0, labels_count = 0;
  const Want wants[] = {
      {kStrings, 1, &strings, &strings_size_},
      {kFeeds, sizeof(FeedRecord), &feeds_, &feeds_count_},
      {kEntries, sizeof(EntryRecord), &entries_, &entries_count_},
      {kDomainBuckets, sizeof(DomainBucket), &table, &bucket_count},
      {kIpSegments, sizeof(IpSegment), &segments_, &segments_count_},
      {kIpRefs, 4, &refs, &refs_count},
      {kPatterns, sizeof(PatternRecord), &patterns_, &patterns_count_},
      {kSkipped, sizeof(SkippedRecord), &skipped_, &skipped_count_},
      {kCoins, sizeof(CoinRecord), &coins_, &coins_count_},
      {kDomainLabels, 8, &labels, &labels_count},
  };
  bool found[std::size(wants)] = {};
  for (uint32_t i = 0; i < h.section_count; ++i) {
    SectionRecord r;
    std::memcpy(&r, base_ + kHeaderBytes + i * sizeof(SectionRecord), sizeof(r));
    if (r.offset % kSectionAlign != 0 || r.offset > size_ || r.bytes > size_ - r.offset) {
      return Status::Corruption("section " + std::to_string(r.id) + " lies outside the file");
    }
    for (size_t w = 0; w < std::size(wants); ++w) {
      if (wants[w].id != r.id) continue;
      if (found[w]) return Status::Corruption("section " + std::to_string(r.id) + " appears twice");
      if (r.record_bytes != wants[w].record || r.bytes % r.record_bytes != 0) {
        return Status::Corruption("section " + std::to_string(r.id) + " has a bad record size");
      }
      found[w] = true;
      *wants[w].where = base_ + r.offset;
      *wants[w].count = r.bytes / r.record_bytes;
    }
  }
  for (size_t w = 0; w < std::size(wants); ++w) {
    if (!found[w]) return Status::Corruption("section " + std::to_string(wants[w].id) + " missing");
  }
  strings_ = static_cast<const char*>(strings);
  table_ = static_cast<const DomainBucket*>(table);
  refs_ = static_cast<const uint32_t*>(refs);
  refs_count_ = refs_count;
  if (feeds_count_ > 0xFFFF) return Status::Corruption("too many feeds");
  if (bucket_count == 0 || bucket_count > kMaxBuckets) return Status::Corruption("bad domain table size");
  buckets_ = static_cast<uint32_t>(bucket_count);
  staged_batch_ = bucket_count * sizeof(DomainBucket) + strings_size_ >= options.staged_batch_min_bytes;
  if (labels_count != 2) return Status::Corruption("bad label-count mask");
  std::memcpy(label_mask_, labels, sizeof(label_mask_));
  if (entries_count_ >= kNoEntry) return Status::Corruption("too many entries");

  const auto* feeds = static_cast<const FeedRecord*>(feeds_);
  for (size_t i = 0; i < feeds_count_; ++i) {
    if (!InStrings(feeds[i].name_off, feeds[i].name_len, strings_size_) || feeds[i].format > 7 ||
        feeds[i].category >= kCategoryCount) {
      return Status::Corruption("bad feed record " + std::to_string(i));
    }
  }
  const EntryRecord* entries = Entries(entries_);
  for (size_t i = 0; i < entries_count_; ++i) {
    const EntryRecord& e = entries[i];
    if (!InStrings(e.text_off, e.text_len, strings_size_) || e.feed >= feeds_count_ ||
        e.category >= kCategoryCount || (e.flags & kEntryKindMask) > 2 ||
        (e.flags >> kEntrySchemeShift) > 6) {
      return Status::Corruption("bad entry record " + std::to_string(i));
    }
  }
  if (entries_count_ > 0 && (entries[entries_count_ - 1].flags & kEntryMore)) {
    return Status::Corruption("last entry continues past the table");
  }
  // Slots are checked where they are used (a key record outside the strings or naming an entry
  // past the table is skipped), so that loading a large snapshot stays one sequential pass.
  const auto* segs = static_cast<const IpSegment*>(segments_);
  for (size_t i = 0; i < segments_count_; ++i) {
    if (std::memcmp(segs[i].first, segs[i].last, 16) > 0 ||
        (i > 0 && std::memcmp(segs[i - 1].last, segs[i].first, 16) >= 0) ||
        segs[i].ref_off > refs_count_ || segs[i].ref_count > refs_count_ - segs[i].ref_off) {
      return Status::Corruption("bad address segment " + std::to_string(i));
    }
  }
  for (size_t i = 0; i < refs_count_; ++i) {
    if (refs_[i] >= entries_count_) return Status::Corruption("address reference past the entries");
  }
  BuildIpPrefixBits();
  const auto* pats = static_cast<const PatternRecord*>(patterns_);
  for (size_t i = 0; i < patterns_count_; ++i) {
    if (pats[i].entry >= entries_count_ || !InStrings(pats[i].host_off, pats[i].host_len, strings_size_) ||
        !InStrings(pats[i].pattern_off, pats[i].pattern_len, strings_size_)) {
      return Status::Corruption("bad pattern record " + std::to_string(i));
    }
  }
  const auto* skips = static_cast<const SkippedRecord*>(skipped_);
  for (size_t i = 0; i < skipped_count_; ++i) {
    if (skips[i].feed >= feeds_count_ || skips[i].reason >= kSkipReasonCount ||
        !InStrings(skips[i].detail_off, skips[i].detail_len, strings_size_) ||
        !InStrings(skips[i].text_off, skips[i].text_len, strings_size_)) {
      return Status::Corruption("bad skipped-line record " + std::to_string(i));
    }
  }
  const auto* coins = static_cast<const CoinRecord*>(coins_);
  for (size_t i = 0; i < coins_count_; ++i) {
    if (coins[i].entry >= entries_count_ || !InStrings(coins[i].coin_off, coins[i].coin_len, strings_size_) ||
        (i > 0 && coins[i - 1].entry >= coins[i].entry)) {
      return Status::Corruption("bad coin record " + std::to_string(i));
    }
  }
  return Status::Ok();
}

}  // namespace mw::intel
