#include "net/capture/pcapng_record_source.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>
#include <vector>

#include "net/capture/pcap_record_source.h"
#include "net/capture/buffered_source.h"
#include "net/decode/packet.h"

namespace mw::net::internal {
namespace {

// Block types (pcapng specification, section 11.1).
constexpr uint32_t kSectionHeader = 0x0A0D0D0A;
constexpr uint32_t kInterfaceDescription = 1;
constexpr uint32_t kObsoletePacket = 2;
constexpr uint32_t kSimplePacket = 3;
constexpr uint32_t kEnhancedPacket = 6;
constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;
// Interface description options.
constexpr uint16_t kOptEnd = 0;
constexpr uint16_t kOptTsResol = 9;
constexpr uint16_t kOptTsOffset = 14;

constexpr size_t kBlockHeaderBytes = 8;   // type, total length
constexpr size_t kBlockTrailerBytes = 4;  // total length again
constexpr uint64_t kMicrosPerSecond = 1'000'000;

// Fields of a section written little-endian, or big-endian when `big`.
uint32_t Load32(const uint8_t* p, bool big) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return big ? __builtin_bswap32(v) : v;
}

uint16_t Load16(const uint8_t* p, bool big) {
  const uint16_t v = uint16_t(p[0] | (p[1] << 8));
  return big ? __builtin_bswap16(v) : v;
}

uint64_t Load64(const uint8_t* p, bool big) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return big ? __builtin_bswap64(v) : v;
}

// A file's LINKTYPE_ value as libpcap reports it (a DLT_ value): they differ, among the link
// types the decoder knows, only for raw IP (LINKTYPE_RAW 101 is DLT_RAW). Others are kept: the
// decoder counts frames of a link type it does not know.
int LinkTypeToDlt(int link_type) { return link_type == kLinkRawAlt ? DLT_RAW : link_type; }

// How an interface's time ticks become microseconds (libpcap's cases, for a caller that asked
// for microseconds).
enum class Scale { kPass, kUpDecimal, kDownDecimal, kBinary };

struct Interface {
  int link_type = 0;
  uint32_t snaplen = kMaxRecordBytes;  // 0 and anything above kMaxRecordBytes read as that
  uint64_t ticks_per_second = kMicrosPerSecond;
  int64_t offset_seconds = 0;
  Scale scale = Scale::kPass;
  uint64_t factor = 1;
  const bpf_program* filter = nullptr;  // null: no filter, or none for this link type
};

class PcapngRecordSource final : public BufferedSource<PcapngRecordSource> {
 public:
  PcapngRecordSource(pcap_t* handle, std::string name, LoopInput input)
      : BufferedSource(handle, std::move(name), std::move(input), 0) {}
  ~PcapngRecordSource() override {
    for (auto& [link, program] : filters_) pcap_freecode(program.get());
  }

  Status Prepare(const std::string& bpf_filter) {
    MW_RETURN_IF_ERROR(CheckLinkType(name_, link_type_));
    filter_text_ = bpf_filter;
    if (bpf_filter.empty()) return Status::Ok();
    // The first interface's link type is compiled now, on libpcap's handle, so that a filter
    // that does not compile is refused at open with the usual message.
    auto program = std::make_unique<bpf_program>();
    MW_RETURN_IF_ERROR(CompileFilter(handle_, name_, bpf_filter, *program));
    filters_.emplace_back(link_type_, std::move(program));
    return Status::Ok();
  }

 private:
  friend class BufferedSource<PcapngRecordSource>;

  // BufferedSource's loop: blocks, one after the other; packet blocks give frames.
  NextResult Read(RawPacket* out, size_t max, size_t* count) {
    size_t n = 0;
    if (count != nullptr) *count = 0;
    if (!status_.ok()) return NextResult::kError;
    while (n < max && status_.ok()) {
      const size_t avail = in_.end - in_.pos;
      uint32_t length = 0;
      bool whole = false;
      bool header_known = false;
      bool section_start = false;     // a new section starts here
      bool big_endian = big_endian_;  // how this block's fields read
      if (avail >= kBlockHeaderBytes) {
        const uint8_t* block = in_.bytes.data() + in_.pos;
        // A section header's type reads the same in either byte order; its byte order magic,
        // after the length, says how to read the length and the rest of the section. (As
        // libpcap reads them: section headers met before the file's first interface are
        // skipped like unknown blocks.)
        section_start = Load32(block, false) == kSectionHeader && (!started_ || seen_interface_);
        if (!section_start || avail >= kBlockHeaderBytes + 4) {
          header_known = true;
          if (section_start) {
            const uint32_t magic = Load32(block + 8, false);
            if (magic == kByteOrderMagic) {
              big_endian = false;
            } else if (magic == __builtin_bswap32(kByteOrderMagic)) {
              big_endian = true;
            } else {
              Fail("the file has a section with a bad byte order magic field");
              break;
            }
          }
          length = Load32(block + 4, big_endian);
          if (length < kBlockHeaderBytes + kBlockTrailerBytes) {
            Fail("block in pcapng dump file has a length of " + std::to_string(length) + " < " +
                 std::to_string(kBlockHeaderBytes + kBlockTrailerBytes));
            break;
          }
          if (length % 4 != 0 && started_) {
            Fail("block in pcapng dump file has a length of " + std::to_string(length) +
                 " that is not a multiple of 4");
            break;
          }
          if (length > kMaxPcapngBlockBytes) {
            Fail("pcapng block size " + std::to_string(length) + " > maximum " +
                 std::to_string(kMaxPcapngBlockBytes));
            break;
          }
          whole = avail >= length;
        }
      }
      if (!whole) {
        if (n > 0) break;  // the frames read so far point into the buffer: refill next call
        if (!in_.eof) {
          Refill(length);
          continue;
        }
        if (avail == 0) {
          if (count != nullptr) *count = n;
          return NextResult::kEnd;
        }
        const size_t wanted = header_known ? length : kBlockHeaderBytes + 4;
        Fail("truncated pcapng dump file; tried to read " + std::to_string(wanted) +
             " bytes, only got " + std::to_string(avail));
        break;
      }
      const uint8_t* block = in_.bytes.data() + in_.pos;
      in_.pos += length;
      big_endian_ = big_endian;
      if (!started_) {
        // The file's first section header: libpcap has checked it (its length but not its
        // trailer); what it holds past the version (options) is not needed.
        started_ = true;
        continue;
      }
      if (Load32(block + length - kBlockTrailerBytes, big_endian_) != length) {
        Fail("block total length in header " + std::to_string(length) + " and trailer " +
             std::to_string(Load32(block + length - kBlockTrailerBytes, big_endian_)) +
             " don't match");
        break;
      }
      const uint32_t type = Load32(block, big_endian_);
      const ByteSpan body(block + kBlockHeaderBytes,
                          length - kBlockHeaderBytes - kBlockTrailerBytes);
      if (type == kEnhancedPacket || type == kSimplePacket || type == kObsoletePacket) {
        if (TakePacket(type, body, out[n])) ++n;
      } else if (type == kInterfaceDescription) {
        AddInterface(body);
      } else if (section_start) {
        StartSection(body);
      }
      // Any other block (name resolution, interface statistics, secrets, custom) is skipped.
    }
    if (count != nullptr) *count = n;
    if (n > 0 && !(count != nullptr && in_.eof && in_.pos == in_.end && status_.ok())) {
      return NextResult::kPacket;
    }
    return status_.ok() ? NextResult::kEnd : NextResult::kError;
  }

  void StartSection(ByteSpan body) {
    if (body.size() < 16) {
      Fail("block of type " + std::to_string(kSectionHeader) + " in pcapng dump file is too short");
      return;
    }
    const uint16_t major = Load16(body.data() + 4, big_endian_);
    if (major != 1) {
      Fail("unknown pcapng savefile major version number " + std::to_string(major));
      return;
    }
    interfaces_.clear();  // each section describes its own interfaces
  }

  void AddInterface(ByteSpan body) {
    if (body.size() < 8) {
      Fail("block of type 1 in pcapng dump file is too short");
      return;
    }
    if (interfaces_.size() >= kMaxPcapngInterfaces) {
      Fail("more than " + std::to_string(kMaxPcapngInterfaces) +
           " interfaces in one section (an interface description block per interface)");
      return;
    }
    Interface iface;
    iface.link_type = LinkTypeToDlt(Load16(body.data(), big_endian_));
    const uint32_t snaplen = Load32(body.data() + 4, big_endian_);
    iface.snaplen = snaplen == 0 || snaplen > kMaxRecordBytes ? kMaxRecordBytes : snaplen;
    bool binary = false, saw_resolution = false, saw_offset = false;
    size_t at = 8;
    while (at < body.size()) {
      if (body.size() - at < 4) {
        Fail("block of type 1 in pcapng dump file is too short");
        return;
      }
      const uint16_t code = Load16(body.data() + at, big_endian_);
      const uint16_t size = Load16(body.data() + at + 2, big_endian_);
      const size_t padded = (size_t{size} + 3) / 4 * 4;
      at += 4;
      if (body.size() - at < padded) {
        Fail("block of type 1 in pcapng dump file is too short");
        return;
      }
      const uint8_t* value = body.data() + at;
      at += padded;
      if (code == kOptEnd) {
        if (size != 0) {
          Fail("Interface Description Block has opt_endofopt option with length " +
               std::to_string(size) + " != 0");
          return;
        }
        break;
      }
      if (code == kOptTsResol) {
        if (size != 1 || saw_resolution) {
          Fail(size != 1 ? "Interface Description Block has if_tsresol option with length " +
                               std::to_string(size) + " != 1"
                         : "Interface Description Block has more than one if_tsresol option");
          return;
        }
        saw_resolution = true;
        const uint8_t resolution = value[0];
        if ((resolution & 0x80) != 0) {  // 2^-n seconds
          const int shift = resolution & 0x7F;
          if (shift > 63) {
            Fail("Interface Description Block if_tsresol option resolution 2^-" +
                 std::to_string(shift) + " is too high");
            return;
          }
          binary = true;
          iface.ticks_per_second = uint64_t{1} << shift;
        } else {  // 10^-n seconds
          if (resolution > 19) {
            Fail("Interface Description Block if_tsresol option resolution 10^-" +
                 std::to_string(resolution) + " is too high");
            return;
          }
          binary = false;
          iface.ticks_per_second = 1;
          for (int i = 0; i < resolution; ++i) iface.ticks_per_second *= 10;
        }
      } else if (code == kOptTsOffset) {
        if (size != 8 || saw_offset) {
          Fail(size != 8 ? "Interface Description Block has if_tsoffset option with length " +
                               std::to_string(size) + " != 8"
                         : "Interface Description Block has more than one if_tsoffset option");
          return;
        }
        saw_offset = true;
        iface.offset_seconds = int64_t(Load64(value, big_endian_));
      }
    }
    if (iface.ticks_per_second == kMicrosPerSecond) {
      iface.scale = Scale::kPass;
    } else if (binary) {
      iface.scale = Scale::kBinary;
    } else if (iface.ticks_per_second > kMicrosPerSecond) {
      iface.scale = Scale::kDownDecimal;
      iface.factor = iface.ticks_per_second / kMicrosPerSecond;
    } else {
      iface.scale = Scale::kUpDecimal;
      iface.factor = kMicrosPerSecond / iface.ticks_per_second;
    }
    if (!filter_text_.empty()) {
      iface.filter = FilterFor(iface.link_type, interfaces_.size());
      if (!status_.ok()) return;
    }
    interfaces_.push_back(iface);
    seen_interface_ = true;
  }

  // The filter compiled for `link_type` (compiled now if this is its first interface), or null
  // for a link type the decoder does not know: its frames are counted there, unfiltered.
  const bpf_program* FilterFor(int link_type, size_t interface) {
    for (const auto& [link, program] : filters_) {
      if (link == link_type) return program.get();
    }
    if (!IsSupportedLinkType(link_type)) return nullptr;
    pcap_t* dead = pcap_open_dead(link_type, int(kMaxRecordBytes));
    if (dead == nullptr) {
      Fail("cannot compile the BPF filter for link type " + std::to_string(link_type));
      return nullptr;
    }
    auto program = std::make_unique<bpf_program>();
    const bool compiled = pcap_compile(dead, program.get(), filter_text_.c_str(), 1,
                                       PCAP_NETMASK_UNKNOWN) == 0;
    const std::string why = compiled ? "" : pcap_geterr(dead);
    pcap_close(dead);
    if (!compiled) {
      Fail("BPF filter '" + filter_text_ + "' does not compile for interface " +
           std::to_string(interface) + " (link type " + LinkTypeName(link_type) + "): " + why);
      return nullptr;
    }
    filters_.emplace_back(link_type, std::move(program));
    return filters_.back().second.get();
  }

  // Fills `frame` from a packet block; false when the frame is not handed out (the filter
  // rejected it, or the block is bad: then status_ says why).
  bool TakePacket(uint32_t type, ByteSpan body, RawPacket& frame) {
    const size_t fixed = type == kSimplePacket ? 4 : 20;
    if (body.size() < fixed) {
      Fail("block of type " + std::to_string(type) + " in pcapng dump file is too short");
      return false;
    }
    const uint8_t* b = body.data();
    uint32_t interface = 0, cap_len = 0, wire_len = 0;
    uint64_t ticks = 0;
    if (type == kSimplePacket) {
      wire_len = Load32(b, big_endian_);
    } else {
      interface = type == kEnhancedPacket ? Load32(b, big_endian_) : Load16(b, big_endian_);
      ticks = uint64_t{Load32(b + 4, big_endian_)} << 32 | Load32(b + 8, big_endian_);
      cap_len = Load32(b + 12, big_endian_);
      wire_len = Load32(b + 16, big_endian_);
    }
    if (interface >= interfaces_.size()) {
      Fail("a packet arrived on interface " + std::to_string(interface) +
           ", but there's no Interface Description Block for that interface");
      return false;
    }
    const Interface& iface = interfaces_[interface];
    // A simple packet block does not say how much was captured: the packet up to the snapshot
    // length.
    if (type == kSimplePacket) cap_len = std::min(wire_len, iface.snaplen);
    if (cap_len > iface.snaplen) {
      Fail("invalid packet capture length " + std::to_string(cap_len) +
           ", bigger than snaplen of " + std::to_string(iface.snaplen));
      return false;
    }
    if (body.size() - fixed < cap_len) {
      Fail("block of type " + std::to_string(type) + " in pcapng dump file is too short");
      return false;
    }
    frame.data = b + fixed;
    frame.cap_len = cap_len;
    frame.wire_len = wire_len;
    frame.link_type = iface.link_type;
    if (iface.filter != nullptr) {
      pcap_pkthdr header{};
      header.caplen = cap_len;
      header.len = wire_len;
      if (pcap_offline_filter(iface.filter, &header, frame.data) == 0) {
        ++stats_.filtered;
        return false;
      }
    }
    frame.ts_us = TimestampUs(iface, ticks);
    ++stats_.packets;
    stats_.bytes += cap_len;
    return true;
  }

  // Ticks to microseconds with libpcap's arithmetic (unsigned, wrapping: a corrupt resolution
  // or offset gives the time libpcap gives), then clamped into the range of capture times.
  int64_t TimestampUs(const Interface& iface, uint64_t ticks) {
    const uint64_t whole = ticks / iface.ticks_per_second + uint64_t(iface.offset_seconds);
    uint64_t frac = ticks % iface.ticks_per_second;
    switch (iface.scale) {
      case Scale::kPass: break;
      case Scale::kUpDecimal: frac *= iface.factor; break;
      case Scale::kDownDecimal: frac /= iface.factor; break;
      case Scale::kBinary: frac = frac * kMicrosPerSecond / iface.ticks_per_second; break;
    }
    int64_t sec = int64_t(whole);
    int64_t usec = int32_t(uint32_t(frac));
    if (sec < 0 || sec >= kMaxCaptureSeconds || usec < 0 || usec > 999'999) [[unlikely]] {
      ++stats_.timestamps_clamped;
      sec = std::clamp<int64_t>(sec, 0, kMaxCaptureSeconds - 1);
      usec = std::clamp<int64_t>(usec, 0, 999'999);
    }
    return sec * 1'000'000 + usec;
  }

  std::string filter_text_;
  // One compiled filter per link type met; unique_ptr keeps each program where it is.
  std::vector<std::pair<int, std::unique_ptr<bpf_program>>> filters_;
  std::vector<Interface> interfaces_;  // of the current section
  bool big_endian_ = false;            // the current section was written big-endian
  bool started_ = false;               // past the file's first section header
  bool seen_interface_ = false;        // past the file's first interface description
};

}  // namespace

bool IsPcapng(ByteSpan head) {
  return head.size() >= 4 && Load32(head.data(), false) == kSectionHeader;
}

bool ReadPcapngOpening(int fd, Bytes& head) {
  if (head.size() < kBlockHeaderBytes + 4) return true;
  const uint32_t magic = Load32(head.data() + 8, false);
  if (magic != kByteOrderMagic && magic != __builtin_bswap32(kByteOrderMagic)) return true;
  const bool big_endian = magic != kByteOrderMagic;
  constexpr size_t kMostBytes = size_t{2} * kMaxPcapngBlockBytes;
  size_t at = 0;
  while (at < kMostBytes) {
    if (!ReadUpTo(fd, head, at + kBlockHeaderBytes)) return false;
    if (head.size() < at + kBlockHeaderBytes) return true;
    const uint32_t type = Load32(head.data() + at, big_endian);
    const uint32_t length = Load32(head.data() + at + 4, big_endian);
    if (length < kBlockHeaderBytes + kBlockTrailerBytes || length > kMaxPcapngBlockBytes) {
      return true;
    }
    if (!ReadUpTo(fd, head, at + length)) return false;
    if (head.size() < at + length) return true;
    at += length;
    if (type == kInterfaceDescription || type == kEnhancedPacket || type == kSimplePacket ||
        type == kObsoletePacket) {
      return true;
    }
  }
  return true;
}

Result<std::unique_ptr<PacketSource>> OpenPcapngRecordSource(pcap_t* handle, std::string name,
                                                             LoopInput input,
                                                             const std::string& bpf_filter) {
  auto source = std::make_unique<PcapngRecordSource>(handle, std::move(name), std::move(input));
  MW_RETURN_IF_ERROR(source->Prepare(bpf_filter));
  return std::unique_ptr<PacketSource>(std::move(source));
}

}  // namespace mw::net::internal
