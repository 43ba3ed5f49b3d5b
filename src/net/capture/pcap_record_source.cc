#include "net/capture/pcap_record_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

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

class PcapRecordSource final : public PacketSource {
 public:
  PcapRecordSource(pcap_t* handle, std::string name, int fd, Bytes memory, FileFormat format)
      : handle_(handle), name_(std::move(name)), fd_(fd), format_(format),
        signed_times_(format.swapped == (std::endian::native == std::endian::big)),
        link_type_(pcap_datalink(handle)),
        snapshot_(uint32_t(std::clamp<int>(pcap_snapshot(handle), 1, int(kMaxRecordBytes)))) {
    if (fd_ >= 0) {
      buffer_.resize(kFileReadBufferBytes);
      file_offset_ = kPcapFileHeaderBytes;
      posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    } else {
      buffer_ = std::move(memory);
      pos_ = std::min(buffer_.size(), kPcapFileHeaderBytes);
      end_ = buffer_.size();
      eof_ = true;
    }
  }
  ~PcapRecordSource() override {
    if (has_filter_) pcap_freecode(&filter_);
    pcap_close(handle_);
    if (fd_ >= 0) close(fd_);
  }
  PcapRecordSource(const PcapRecordSource&) = delete;
  PcapRecordSource& operator=(const PcapRecordSource&) = delete;

  Status Prepare(const std::string& bpf_filter) {
    MW_RETURN_IF_ERROR(CheckLinkType(name_, link_type_));
    if (bpf_filter.empty()) return Status::Ok();
    MW_RETURN_IF_ERROR(CompileFilter(handle_, name_, bpf_filter, filter_));
    has_filter_ = true;
    take_whole_ = nullptr;  // each record goes through the filter in Read()'s loop
    return Status::Ok();
  }

  NextResult Next(RawPacket& out) override { return Read(&out, 1, nullptr); }
  bool ReadsStableBatches() const override { return true; }
  NextResult NextBatch(std::vector<RawPacket>& out, size_t max) override {
    out.resize(max);  // a no-op after a full batch: no frame is constructed again
    size_t n = 0;
    const NextResult r = Read(out.data(), max, &n);
    out.resize(n);
    return r;
  }

  const Status& status() const override { return status_; }
  int link_type() const override { return link_type_; }
  const CaptureStats& stats() override { return stats_; }
  std::string name() const override { return name_; }

 private:
  // Reads up to `max` frames into `out`; all point into buffer_, which moves only at the start
  // of the next call. With `count` (a batch): kPacket when at least one frame was read and more
  // may follow (even fewer than max: the rest of the buffer held no whole record); kEnd with the
  // last frames when they used the input up; an error is returned by the next call. Without
  // it: exactly one frame, or the end, or the error.
  NextResult Read(RawPacket* out, size_t max, size_t* count) {
    size_t n = 0;
    if (count != nullptr) *count = 0;
    if (!status_.ok()) return NextResult::kError;
    while (n < max) {
      if (take_whole_ != nullptr) {
        n = (this->*take_whole_)(out, n, max);
        if (n == max) break;
      }
      const size_t avail = end_ - pos_;
      uint32_t cap_len = 0;
      bool whole = false;
      if (avail >= kPcapRecordHeaderBytes) {
        cap_len = Field(pos_ + 8);
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
        if (!eof_) {
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
      const size_t record = pos_;  // offset of the record header in buffer_
      pos_ += kPcapRecordHeaderBytes + cap_len;
      RawPacket& frame = out[n];
      frame.cap_len = std::min(cap_len, snapshot_);
      frame.wire_len = Field(record + 12);
      frame.data = buffer_.data() + record + kPcapRecordHeaderBytes;
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
    if (n > 0 && !(count != nullptr && eof_ && pos_ == end_ && status_.ok())) {
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
    const uint8_t* const base = buffer_.data();
    const size_t end = end_;
    const size_t first = n;
    size_t pos = pos_;
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
    pos_ = pos;
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
    const uint32_t v = LoadLe32(buffer_.data() + at);
    return format_.swapped ? __builtin_bswap32(v) : v;
  }

  // Moves the unread bytes to the front of the buffer and reads after them. Sets eof_ when the
  // file has no more, or a read failed (then status_ says why).
  void Refill() {
    const size_t avail = end_ - pos_;
    if (pos_ > 0 && avail > 0) std::memmove(buffer_.data(), buffer_.data() + pos_, avail);
    pos_ = 0;
    end_ = avail;
    while (end_ < buffer_.size()) {
      const ssize_t got = pread(fd_, buffer_.data() + end_, buffer_.size() - end_, off_t(file_offset_));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        Fail(std::string("error reading dump file: ") + std::strerror(errno));
        eof_ = true;
        return;
      }
      if (got == 0) {
        eof_ = true;
        return;
      }
      end_ += size_t(got);
      file_offset_ += uint64_t(got);
    }
  }

  void Fail(const std::string& why) {
    if (!status_.ok()) return;
    ++stats_.read_errors;
    status_ = Status::Corruption(name_ + ": read error after " + std::to_string(stats_.packets) +
                                 " packet(s): " + why);
  }

  pcap_t* handle_;
  std::string name_;
  int fd_;
  FileFormat format_;
  bool signed_times_;
  int link_type_;
  uint32_t snapshot_;
  bpf_program filter_{};
  bool has_filter_ = false;
  TakeWholeFn take_whole_ = ChooseTakeWhole();  // null: every record takes Read()'s loop
  Bytes buffer_;
  size_t pos_ = 0, end_ = 0;   // unread bytes of buffer_
  uint64_t file_offset_ = 0;   // of buffer_[end_]
  bool eof_ = false;
  Status status_;
  CaptureStats stats_;
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
                                                           int fd, Bytes memory, ByteSpan head,
                                                           const std::string& bpf_filter) {
  FileFormat format;
  if (!ParseFormat(head, format)) {
    pcap_close(handle);
    if (fd >= 0) close(fd);
    return Status::InvalidArgument(name + ": not a pcap 2.4 file");
  }
  auto source = std::make_unique<PcapRecordSource>(handle, std::move(name), fd, std::move(memory),
                                                   format);
  MW_RETURN_IF_ERROR(source->Prepare(bpf_filter));
  return std::unique_ptr<PacketSource>(std::move(source));
}

}  // namespace mw::net::internal
