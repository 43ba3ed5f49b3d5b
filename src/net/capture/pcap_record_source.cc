#include "net/capture/pcap_record_source.h"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>
#include <vector>

#include "net/capture/buffered_source.h"
#include "net/decode/packet.h"

namespace mw::net::internal {
namespace {

constexpr uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr uint32_t kMagicNano = 0xa1b23c4d;

uint32_t LoadLe32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}

uint16_t LoadLe16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }

struct FileFormat {
  bool swapped = false;  // the writer's byte order is big-endian
  bool nanos = false;    // the timestamp's second field counts nanoseconds
};

bool ParseFormat(ByteSpan head, FileFormat& format) {
  if (head.size() < kPcapFileHeaderBytes) return false;
  const uint32_t magic = LoadLe32(head.data());
  if (magic == kMagicMicro || magic == kMagicNano) {
    format.swapped = false;
  } else if (magic == __builtin_bswap32(kMagicMicro) || magic == __builtin_bswap32(kMagicNano)) {
    format.swapped = true;
  } else {
    return false;
  }
  format.nanos = magic == kMagicNano || magic == __builtin_bswap32(kMagicNano);
  uint16_t major = LoadLe16(head.data() + 4), minor = LoadLe16(head.data() + 6);
  if (format.swapped) {
    major = __builtin_bswap16(major);
    minor = __builtin_bswap16(minor);
  }
  return major == 2 && minor == 4;
}

class PcapRecordSource final : public BufferedSource<PcapRecordSource> {
 public:
  PcapRecordSource(pcap_t* handle, std::string name, LoopInput input, FileFormat format)
      : BufferedSource(handle, std::move(name), std::move(input), kPcapFileHeaderBytes),
        format_(format), signed_times_(format.swapped == (std::endian::native == std::endian::big)),
        snapshot_(uint32_t(std::clamp<int>(pcap_snapshot(handle), 1, int(kMaxRecordBytes)))) {}
  ~PcapRecordSource() override {
    if (has_filter_) pcap_freecode(&filter_);
  }

  Status Prepare(const std::string& bpf_filter) {
    MW_RETURN_IF_ERROR(CheckLinkType(name_, link_type_));
    if (bpf_filter.empty()) return Status::Ok();
    MW_RETURN_IF_ERROR(CompileFilter(handle_, name_, bpf_filter, filter_));
    has_filter_ = true;
    take_whole_ = nullptr;  // each record goes through the filter in Read()'s loop
    return Status::Ok();
  }


 private:
  friend class BufferedSource<PcapRecordSource>;

  // BufferedSource's loop: records, one after the other.
  NextResult Read(RawPacket* out, size_t max, size_t* count) {
    size_t n = 0;
    if (count != nullptr) *count = 0;
    if (!status_.ok()) return NextResult::kError;
    while (n < max) {
      if (take_whole_ != nullptr) {
        n = (this->*take_whole_)(out, n, max);
        if (n == max) break;
      }
      const size_t avail = in_.end - in_.pos;
      uint32_t cap_len = 0;
      bool whole = false;
      if (avail >= kPcapRecordHeaderBytes) {
        cap_len = Field(in_.pos + 8);
        if (cap_len > kMaxRecordBytes) {
          // (snapshot_ <= kMaxRecordBytes: libpcap's wording for this case.)
          Fail("invalid packet capture length " + std::to_string(cap_len) +
               ", bigger than snaplen of " + std::to_string(snapshot_));
          break;
        }
        whole = avail >= kPcapRecordHeaderBytes + cap_len;
      }
      if (!whole) {
        if (n > 0) break;  // the frames read so far point into the buffer: refill next call
        if (!in_.eof) {
          Refill();
          continue;
        }
        if (avail == 0) {
          if (count != nullptr) *count = n;
          return NextResult::kEnd;
        }
        Fail(avail < kPcapRecordHeaderBytes
                 ? "truncated dump file; tried to read " + std::to_string(kPcapRecordHeaderBytes) +
                       " header bytes, only got " + std::to_string(avail)
                 : "truncated dump file; tried to read " + std::to_string(cap_len) +
                       " captured bytes, only got " +
                       std::to_string(avail - kPcapRecordHeaderBytes));
        break;
      }
      const size_t record = in_.pos;  // offset of the record header in in_.bytes
      in_.pos += kPcapRecordHeaderBytes + cap_len;
      RawPacket& frame = out[n];
      frame.cap_len = std::min(cap_len, snapshot_);
      frame.wire_len = Field(record + 12);
      frame.data = in_.bytes.data() + record + kPcapRecordHeaderBytes;
      frame.link_type = link_type_;
      if (has_filter_) {
        pcap_pkthdr header{};
        header.caplen = frame.cap_len;
        header.len = frame.wire_len;
        if (pcap_offline_filter(&filter_, &header, frame.data) == 0) {
          ++stats_.filtered;
          continue;
        }
      }
      // As libpcap 1.10 reads them: a file in the host's byte order has signed 32-bit time
      // fields, one in the other order unsigned ones (its byte swap yields an unsigned int);
      // nanoseconds are divided down to microseconds.
      int64_t sec = Field(record);
      int64_t usec = Field(record + 4);
      if (signed_times_) {
        sec = int32_t(uint32_t(sec));
        usec = int32_t(uint32_t(usec));
      }
      if (format_.nanos) usec /= 1000;
      frame.ts_us = TimestampUs(sec, usec);
      ++stats_.packets;
      stats_.bytes += frame.cap_len;
      ++n;
    }
    if (count != nullptr) *count = n;
    // A batch that took the last bytes of a file already read to its end says so itself.
    if (n > 0 && !(count != nullptr && in_.eof && in_.pos == in_.end && status_.ok())) {
      return NextResult::kPacket;
    }
    return status_.ok() ? NextResult::kEnd : NextResult::kError;
  }

  // The common case of Read()'s loop, for a file read without a filter: takes the whole
  // records already in the buffer (after out[0..n), up to max), with the file's byte order and
  // time unit fixed at compile time; the result is Read()'s, record for record. Stops at the
  // first record that is not whole or is too long, which Read() then handles. Returns the new n.
  template <bool kSwapped, bool kNanos>
  size_t TakeWholeRecords(RawPacket* out, size_t n, size_t max) {
    constexpr bool kSignedTimes = kSwapped == (std::endian::native == std::endian::big);
    const uint8_t* const base = in_.bytes.data();
    const size_t end = in_.end;
    const size_t first = n;
    size_t pos = in_.pos;
    uint64_t bytes = 0;
    auto field = [](const uint8_t* p) {
      const uint32_t v = LoadLe32(p);
      return kSwapped ? __builtin_bswap32(v) : v;
    };
    while (n < max && end - pos >= kPcapRecordHeaderBytes) {
      const uint8_t* record = base + pos;
      const uint32_t cap_len = field(record + 8);
      if (cap_len > kMaxRecordBytes || end - pos - kPcapRecordHeaderBytes < cap_len) break;
      pos += kPcapRecordHeaderBytes + cap_len;
      RawPacket& frame = out[n++];
      frame.cap_len = std::min(cap_len, snapshot_);
      frame.wire_len = field(record + 12);
      frame.data = record + kPcapRecordHeaderBytes;
      frame.link_type = link_type_;
      // (Signed time fields for a file in the host's byte order: see Read().)
      int64_t sec = kSignedTimes ? int64_t(int32_t(field(record))) : int64_t(field(record));
      int64_t usec = kSignedTimes ? int64_t(int32_t(field(record + 4))) : int64_t(field(record + 4));
      if (kNanos) usec /= 1000;
      frame.ts_us = TimestampUs(sec, usec);
      bytes += frame.cap_len;
    }
    in_.pos = pos;
    stats_.packets += n - first;
    stats_.bytes += bytes;
    return n;
  }
  using TakeWholeFn = size_t (PcapRecordSource::*)(RawPacket*, size_t, size_t);
  TakeWholeFn ChooseTakeWhole() const {
    if (format_.swapped) {
      return format_.nanos ? &PcapRecordSource::TakeWholeRecords<true, true>
                           : &PcapRecordSource::TakeWholeRecords<true, false>;
    }
    return format_.nanos ? &PcapRecordSource::TakeWholeRecords<false, true>
                         : &PcapRecordSource::TakeWholeRecords<false, false>;
  }

  // A record's time in microseconds; seconds before 1970 or microseconds outside a second are
  // clamped (and counted), as both of Read()'s loops take them.
  int64_t TimestampUs(int64_t sec, int64_t usec) {
    if (sec < 0 || usec < 0 || usec > 999'999) [[unlikely]] {
      ++stats_.timestamps_clamped;
      sec = std::max<int64_t>(sec, 0);
      usec = std::clamp<int64_t>(usec, 0, 999'999);
    }
    return sec * 1'000'000 + usec;
  }

  uint32_t Field(size_t at) const {
    const uint32_t v = LoadLe32(in_.bytes.data() + at);
    return format_.swapped ? __builtin_bswap32(v) : v;
  }

  FileFormat format_;
  bool signed_times_;
  uint32_t snapshot_;
  bpf_program filter_{};
  bool has_filter_ = false;
  TakeWholeFn take_whole_ = ChooseTakeWhole();  // null: every record takes Read()'s loop
};

}  // namespace

Status CheckLinkType(const std::string& source_name, int link_type) {
  if (IsSupportedLinkType(link_type)) return Status::Ok();
  const char* dlt = pcap_datalink_val_to_name(link_type);
  return Status::InvalidArgument(source_name + ": unsupported link type " +
                                 std::to_string(link_type) + " (" +
                                 (dlt != nullptr ? dlt : "unknown") + ")");
}

Status CompileFilter(pcap_t* handle, const std::string& source_name, const std::string& filter,
                     bpf_program& program) {
  if (pcap_compile(handle, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    return Status::InvalidArgument(source_name + ": bad BPF filter '" + filter +
                                   "': " + pcap_geterr(handle));
  }
  return Status::Ok();
}

bool IsPcapV24(ByteSpan head) {
  FileFormat format;
  return ParseFormat(head, format);
}

Result<std::unique_ptr<PacketSource>> OpenPcapRecordSource(pcap_t* handle, std::string name,
                                                           LoopInput input, ByteSpan head,
                                                           const std::string& bpf_filter) {
  FileFormat format;
  if (!ParseFormat(head, format)) {
    pcap_close(handle);
    if (input.fd >= 0) close(input.fd);
    return Status::InvalidArgument(name + ": not a pcap 2.4 file");
  }
  auto source =
      std::make_unique<PcapRecordSource>(handle, std::move(name), std::move(input), format);
  MW_RETURN_IF_ERROR(source->Prepare(bpf_filter));
  return std::unique_ptr<PacketSource>(std::move(source));
}

}  // namespace mw::net::internal
