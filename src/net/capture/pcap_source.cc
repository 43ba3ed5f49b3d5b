// libpcap-backed PacketSource implementations (files, memory buffers, live interfaces).
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include "net/capture/packet_source.h"
#include "net/capture/pcap_record_source.h"
#include "net/capture/pcapng_record_source.h"
#include "net/decode/packet.h"

namespace mw::net {
namespace {

class PcapSource final : public PacketSource {
 public:
  PcapSource(pcap_t* handle, std::string name, bool live, Bytes memory, int timeout_ms = 0)
      : handle_(handle), name_(std::move(name)), live_(live), memory_(std::move(memory)),
        link_type_(pcap_datalink(handle)), timeout_ms_(timeout_ms) {}
  ~PcapSource() override {
    if (has_filter_) pcap_freecode(&filter_);
    pcap_close(handle_);
  }
  PcapSource(const PcapSource&) = delete;
  PcapSource& operator=(const PcapSource&) = delete;

  NextResult Next(RawPacket& out) override { return Read(out, /*wait=*/true); }
  NextResult NextReady(RawPacket& out) override { return Read(out, /*wait=*/false); }

  const Status& status() const override { return status_; }
  int link_type() const override { return link_type_; }
  std::string name() const override { return name_; }

  const CaptureStats& stats() override {
    pcap_stat ps{};
    if (live_ && pcap_stats(handle_, &ps) == 0) stats_.kernel_dropped = ps.ps_drop + ps.ps_ifdrop;
    return stats_;
  }

  // Checks the link type and installs the filter; the one-line error names the source.
  Status Prepare(const std::string& bpf_filter) {
    MW_RETURN_IF_ERROR(internal::CheckLinkType(name_, link_type_));
    if (bpf_filter.empty()) return Status::Ok();
    bpf_program program{};
    MW_RETURN_IF_ERROR(internal::CompileFilter(handle_, name_, bpf_filter, program));
    if (!live_) {
      // A file's filter runs here, in Read(), so that what it rejects is counted (pcap_setfilter
      // would skip those records silently inside pcap_next_ex).
      filter_ = program;
      has_filter_ = true;
      return Status::Ok();
    }
    const int rc = pcap_setfilter(handle_, &program);
    pcap_freecode(&program);
    if (rc != 0) {
      return Status::InvalidArgument(name_ + ": cannot set BPF filter: " + pcap_geterr(handle_));
    }
    return Status::Ok();
  }

 private:
  // One frame; a live source without one ready waits up to the read timeout when `wait`.
  NextResult Read(RawPacket& out, bool wait) {
    if (!status_.ok()) return NextResult::kError;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    int rc = pcap_next_ex(handle_, &header, &data);
    while (rc == 1 && has_filter_ && pcap_offline_filter(&filter_, header, data) == 0) {
      ++stats_.filtered;
      rc = pcap_next_ex(handle_, &header, &data);
    }
    if (rc == 0 && live_ && wait) {
      // Live handles are non-blocking (with TPACKET_V3 a blocking read may never time out
      // when no packet arrives), so wait here for at most the read timeout.
      pollfd pfd{pcap_get_selectable_fd(handle_), POLLIN, 0};
      if (pfd.fd >= 0 && poll(&pfd, 1, timeout_ms_) > 0) rc = pcap_next_ex(handle_, &header, &data);
    }
    if (rc == 1) {
      ++stats_.packets;
      stats_.bytes += header->caplen;
      int64_t sec = int64_t(header->ts.tv_sec);
      int64_t usec = int64_t(header->ts.tv_usec);
      if (sec < 0 || sec >= kMaxCaptureSeconds || usec < 0 || usec > 999'999) {
        ++stats_.timestamps_clamped;
        sec = std::clamp<int64_t>(sec, 0, kMaxCaptureSeconds - 1);
        usec = std::clamp<int64_t>(usec, 0, 999'999);
      }
      out.ts_us = sec * 1'000'000 + usec;
      out.cap_len = header->caplen;
      out.wire_len = header->len;
      out.link_type = link_type_;
      out.data = data;
      return NextResult::kPacket;
    }
    if (rc == 0) return NextResult::kTimeout;
    if (rc == PCAP_ERROR_BREAK && !live_) return NextResult::kEnd;
    ++stats_.read_errors;
    status_ = Status::Corruption(name_ + ": read error after " + std::to_string(stats_.packets) +
                                 " packet(s): " + pcap_geterr(handle_));
    return NextResult::kError;
  }

  pcap_t* handle_;
  std::string name_;
  bool live_;
  Bytes memory_;  // backs the fmemopen stream of a memory source, or a file stream's buffer
  int link_type_;
  int timeout_ms_;
  Status status_;
  CaptureStats stats_;
  bpf_program filter_{};  // a file's filter (has_filter_); a live one is in the kernel
  bool has_filter_ = false;
};

Result<std::unique_ptr<PacketSource>> Finish(std::unique_ptr<PcapSource> source,
                                             const std::string& filter) {
  MW_RETURN_IF_ERROR(source->Prepare(filter));
  return std::unique_ptr<PacketSource>(std::move(source));
}

}  // namespace

void CaptureStats::ExportTo(CounterSet& counters) const {
  counters.Get("capture.packets").Set(packets);
  counters.Get("capture.bytes").Set(bytes);
  counters.Get("capture.read_errors").Set(read_errors);
  counters.Get("capture.kernel_dropped").Set(kernel_dropped);
  counters.Get("capture.timestamps_clamped").Set(timestamps_clamped);
  counters.Get("capture.filtered").Set(filtered);
  counters.Get("capture.interface_lost").Set(interface_lost);
  counters.Get("capture.interface_reopened").Set(interface_reopened);
}

CaptureStats& CaptureStats::operator+=(const CaptureStats& other) {
  packets += other.packets;
  bytes += other.bytes;
  read_errors += other.read_errors;
  kernel_dropped += other.kernel_dropped;
  timestamps_clamped += other.timestamps_clamped;
  filtered += other.filtered;
  interface_lost += other.interface_lost;
  interface_reopened += other.interface_reopened;
  return *this;
}

namespace {

// libpcap reads a file through stdio, one record header and one packet at a time; with stdio's
// default buffer (the file system's block size, 4 KiB) that is a read(2) per 4 KiB, and those
// system calls cost more than the rest of the read path. The stream gets a kFileReadBufferBytes
// buffer instead, owned by the source and freed after pcap_close. Takes `stream` (closed on
// failure too).
Result<std::unique_ptr<PacketSource>> OpenLibpcapStream(FILE* stream, const std::string& path,
                                                        const CaptureOptions& options) {
  Bytes buffer(kFileReadBufferBytes);
  if (std::setvbuf(stream, reinterpret_cast<char*>(buffer.data()), _IOFBF, buffer.size()) != 0) {
    buffer = Bytes{};  // stdio keeps its own buffer: slower, still correct
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  // On success libpcap owns `stream` and closes it in pcap_close.
  pcap_t* handle =
      pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
  if (handle == nullptr) {
    std::fclose(stream);
    return Status::InvalidArgument("cannot read capture file " + path + ": " + errbuf);
  }
  return Finish(std::make_unique<PcapSource>(handle, "file " + path, false, std::move(buffer)),
                options.bpf_filter);
}

Result<std::unique_ptr<PacketSource>> OpenWithLibpcap(const std::string& path,
                                                      const CaptureOptions& options) {
  FILE* stream = std::fopen(path.c_str(), "rb");
  if (stream == nullptr) {
    return Status::InvalidArgument("cannot read capture file " + path + ": " +
                                   std::strerror(errno));
  }
  return OpenLibpcapStream(stream, path, options);
}

// A stdio stream that gives `head` (bytes already read from `fd`), then the rest of `fd`: how
// libpcap reads a pipe whose first bytes we looked at.
struct PrefixedStream {
  Bytes head;
  size_t pos = 0;
  int fd = -1;
};
ssize_t PrefixedRead(void* cookie, char* out, size_t size) {
  auto* s = static_cast<PrefixedStream*>(cookie);
  if (s->pos < s->head.size()) {
    const size_t n = std::min(size, s->head.size() - s->pos);
    std::memcpy(out, s->head.data() + s->pos, n);
    s->pos += n;
    return ssize_t(n);
  }
  while (true) {
    const ssize_t got = read(s->fd, out, size);
    if (got >= 0 || errno != EINTR) return got;
  }
}
int PrefixedClose(void* cookie) {
  auto* s = static_cast<PrefixedStream*>(cookie);
  const int rc = close(s->fd);
  delete s;
  return rc;
}

// A pipe (standard input, a FIFO): its first bytes say the format. Classic pcap 2.4 and pcapng
// are read by our loops with read(2), libpcap parsing the header from a copy of those bytes;
// anything else goes to libpcap whole. Takes `fd`.
Result<std::unique_ptr<PacketSource>> OpenStream(const std::string& path, int fd,
                                                 const CaptureOptions& options) {
  Bytes head;
  if (!internal::ReadUpTo(fd, head, internal::kPcapFileHeaderBytes) ||
      (head.size() >= 12 && internal::IsPcapng(head) && !internal::ReadPcapngOpening(fd, head))) {
    const int error = errno;
    close(fd);
    return Status::InvalidArgument("cannot read capture file " + path + ": " +
                                   std::strerror(error));
  }
  const bool pcap = internal::IsPcapV24(head);
  const bool pcapng = head.size() >= 12 && internal::IsPcapng(head);
  if (!pcap && !pcapng) {
    FILE* stream = fopencookie(new PrefixedStream{std::move(head), 0, fd}, "rb",
                               {PrefixedRead, nullptr, nullptr, PrefixedClose});
    if (stream == nullptr) {
      close(fd);
      return Status::IoError("cannot read capture file " + path + ": fopencookie failed");
    }
    return OpenLibpcapStream(stream, path, options);
  }
  Bytes view = head;  // what libpcap parses the header from; lives as long as its handle
  FILE* stream = fmemopen(view.data(), view.size(), "rb");
  if (stream == nullptr) {
    close(fd);
    return Status::IoError("cannot read capture file " + path + ": fmemopen failed");
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle =
      pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
  if (handle == nullptr) {
    std::fclose(stream);
    close(fd);
    return Status::InvalidArgument("cannot read capture file " + path + ": " + errbuf);
  }
  const size_t header_bytes = std::min(head.size(), internal::kPcapFileHeaderBytes);
  const Bytes file_header(head.begin(), head.begin() + long(header_bytes));
  internal::LoopInput input{internal::Input::kStream, fd, std::move(head), std::move(view)};
  if (pcapng) {
    return internal::OpenPcapngRecordSource(handle, "file " + path, std::move(input),
                                            options.bpf_filter);
  }
  return internal::OpenPcapRecordSource(handle, "file " + path, std::move(input), file_header,
                                        options.bpf_filter);
}

// A regular file that starts as a classic pcap 2.4 file or as a pcapng file: libpcap opens it
// from a duplicate of the descriptor (its checks and messages for the file header), our loop
// reads the records or blocks with pread. A pipe: OpenStream. nullptr = neither (the caller
// opens it with libpcap, which also gives the error messages).
Result<std::unique_ptr<PacketSource>> OpenWithRecordLoop(const std::string& path,
                                                         const CaptureOptions& options) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unique_ptr<PacketSource>();
  struct stat st {};
  if (fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
    return OpenStream(path, fd, options);
  }
  uint8_t head[internal::kPcapFileHeaderBytes];
  const bool regular = S_ISREG(st.st_mode);
  const ssize_t got = regular ? pread(fd, head, sizeof head, 0) : -1;
  const bool pcap = got == ssize_t(sizeof head) && internal::IsPcapV24(head);
  const bool pcapng = got >= 4 && internal::IsPcapng(ByteSpan(head, size_t(got)));
  if (!pcap && !pcapng) {
    close(fd);
    return std::unique_ptr<PacketSource>();
  }
  const int header_fd = dup(fd);
  FILE* stream = header_fd >= 0 ? fdopen(header_fd, "rb") : nullptr;
  if (stream == nullptr) {
    if (header_fd >= 0) close(header_fd);
    close(fd);
    return std::unique_ptr<PacketSource>();
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle =
      pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
  if (handle == nullptr) {
    std::fclose(stream);
    close(fd);
    return Status::InvalidArgument("cannot read capture file " + path + ": " + errbuf);
  }
  internal::LoopInput input{internal::Input::kFile, fd, Bytes{}, Bytes{}};
  if (pcapng) {
    return internal::OpenPcapngRecordSource(handle, "file " + path, std::move(input),
                                            options.bpf_filter);
  }
  return internal::OpenPcapRecordSource(handle, "file " + path, std::move(input), head,
                                        options.bpf_filter);
}

}  // namespace

Result<std::unique_ptr<PacketSource>> OpenPcapFile(const std::string& path,
                                                   const CaptureOptions& options) {
  if (options.records == PcapRecords::kOwnLoop) {
    auto own = OpenWithRecordLoop(path, options);
    if (!own.ok() || *own != nullptr) return own;
  }
  return OpenWithLibpcap(path, options);
}

Result<std::unique_ptr<PacketSource>> OpenPcapMemory(ByteSpan bytes,
                                                     const CaptureOptions& options) {
  if (bytes.empty()) return Status::InvalidArgument("capture in memory: empty input");
  Bytes copy(bytes.begin(), bytes.end());
  const bool own_loop = options.records == PcapRecords::kOwnLoop &&
                        (internal::IsPcapV24(copy) || internal::IsPcapng(copy));
  // libpcap parses the header (and, without our loop, the records) from this stream.
  FILE* stream = fmemopen(copy.data(), copy.size(), "rb");
  if (stream == nullptr) return Status::IoError("capture in memory: fmemopen failed");
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  // On success libpcap owns `stream` and closes it in pcap_close.
  pcap_t* handle =
      pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
  if (handle == nullptr) {
    std::fclose(stream);
    return Status::InvalidArgument(std::string("capture in memory: ") + errbuf);
  }
  if (own_loop && internal::IsPcapng(copy)) {
    // The stream reads `copy`, which moves into the source: its heap buffer stays where it is.
    return internal::OpenPcapngRecordSource(
        handle, "memory", {internal::Input::kMemory, -1, std::move(copy), Bytes{}},
        options.bpf_filter);
  }
  if (own_loop) {
    const Bytes head(copy.begin(), copy.begin() + internal::kPcapFileHeaderBytes);
    return internal::OpenPcapRecordSource(handle, "memory",
                                          {internal::Input::kMemory, -1, std::move(copy), Bytes{}},
                                          head,
                                          options.bpf_filter);
  }
  return Finish(std::make_unique<PcapSource>(handle, "memory", false, std::move(copy)),
                options.bpf_filter);
}

Result<std::unique_ptr<PacketSource>> OpenLiveInterface(const LiveOptions& options) {
  const std::string name = "interface " + options.interface;
  if (options.interface.empty()) return Status::InvalidArgument("no capture interface given");
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_create(options.interface.c_str(), errbuf);
  if (handle == nullptr) return Status::InvalidArgument(name + ": " + errbuf);
  pcap_set_snaplen(handle, int(options.snaplen));
  pcap_set_promisc(handle, options.promiscuous ? 1 : 0);
  pcap_set_timeout(handle, options.read_timeout_ms);
  if (options.buffer_bytes > 0) pcap_set_buffer_size(handle, options.buffer_bytes);
  const int rc = pcap_activate(handle);
  if (rc < 0) {
    std::string why = pcap_statustostr(rc);
    const std::string detail = pcap_geterr(handle);
    // pcap_geterr often repeats the status text ("No such device exists"): say it once.
    if (!detail.empty() && detail != why) why += ": " + detail;
    if (rc == PCAP_ERROR_PERM_DENIED) {
      why += " (capturing needs root, or CAP_NET_RAW and CAP_NET_ADMIN: see docs/deploy.md)";
    }
    pcap_close(handle);
    // Unavailable: the interface is not there or not up (it may be later); anything else lasts.
    const bool may_come = rc == PCAP_ERROR_NO_SUCH_DEVICE || rc == PCAP_ERROR_IFACE_NOT_UP;
    return may_come ? Status::Unavailable(name + ": cannot capture: " + why)
                    : Status::FailedPrecondition(name + ": cannot capture: " + why);
  }
  if (pcap_setnonblock(handle, 1, errbuf) != 0) {
    pcap_close(handle);
    return Status::FailedPrecondition(name + ": cannot set non-blocking mode: " + errbuf);
  }
  return Finish(std::make_unique<PcapSource>(handle, name, true, Bytes{}, options.read_timeout_ms),
                options.bpf_filter);
}

}  // namespace mw::net
