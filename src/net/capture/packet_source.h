// PacketSource: where captured frames come from. Implementations read pcap / pcapng files (from
// a path or a memory buffer) and live interfaces, all through libpcap, which already knows both
// file formats, every byte order and timestamp precision, and the kernel capture interfaces.
//
// Threading: a source is used by one thread at a time. Live sources return kTimeout when no
// packet arrived within the read timeout, so the caller can check its own stop flag.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/bytes.h"
#include "core/counters.h"
#include "core/status.h"

namespace mw::net {

// One captured frame. `data` is owned by the source and valid until the next Next() call.
struct RawPacket {
  int64_t ts_us = 0;
  uint32_t cap_len = 0;
  uint32_t wire_len = 0;
  int link_type = 0;
  const uint8_t* data = nullptr;
};

enum class NextResult {
  kPacket,   // `out` holds a frame
  kEnd,      // end of file (never for live sources)
  kTimeout,  // live source: nothing within the timeout, call again
  kError,    // status() says why; the source is finished
};

struct CaptureStats {
  uint64_t packets = 0, bytes = 0;  // bytes = captured bytes
  uint64_t read_errors = 0;         // truncated or corrupt records, read failures
  uint64_t kernel_dropped = 0;      // live: dropped by the kernel or interface (pcap_stats)
  // Timestamps before 1970 or after kMaxCaptureSeconds (a corrupt pcapng timestamp can be any
  // 64-bit number) are clamped into that range and counted.
  uint64_t timestamps_clamped = 0;
  // Sets "capture.packets", "capture.bytes", "capture.read_errors", "capture.kernel_dropped",
  // "capture.timestamps_clamped".
  void ExportTo(CounterSet& counters) const;
};

class PacketSource {
 public:
  virtual ~PacketSource() = default;
  virtual NextResult Next(RawPacket& out) = 0;
  // The same, but a live source never waits: kTimeout at once when no frame is ready. (A file
  // source always has one ready: the same as Next().)
  virtual NextResult NextReady(RawPacket& out) { return Next(out); }
  // OK, or the one-line reason the last Next() returned kError.
  virtual const Status& status() const = 0;
  virtual int link_type() const = 0;
  virtual const CaptureStats& stats() = 0;
  // "file /tmp/x.pcap", "memory", "interface eth0".
  virtual std::string name() const = 0;
};

// Options shared by file and live sources.
struct CaptureOptions {
  std::string bpf_filter;  // empty = everything
};

// Latest capture time kept as is (about the year 5100); packet times are microseconds in an
// int64_t, with room left for the timeouts added to them.
inline constexpr int64_t kMaxCaptureSeconds = 100'000'000'000;

// Capture files are read through a stdio stream with a buffer of this size (see OpenPcapFile).
inline constexpr size_t kFileReadBufferBytes = size_t{1} << 20;

// Opens a pcap or pcapng file, read through a kFileReadBufferBytes buffer. Errors (one line, naming the file): missing or unreadable file,
// not a capture file, a link type the decoder does not support, a BPF filter that does not
// compile.
Result<std::unique_ptr<PacketSource>> OpenPcapFile(const std::string& path,
                                                   const CaptureOptions& options = {});
// The same over bytes in memory (the bytes are copied; read through fmemopen).
Result<std::unique_ptr<PacketSource>> OpenPcapMemory(ByteSpan bytes,
                                                     const CaptureOptions& options = {});

struct LiveOptions {
  std::string interface;       // e.g. "eth0", "lo"
  std::string bpf_filter;
  uint32_t snaplen = 262144;
  bool promiscuous = false;
  int read_timeout_ms = 200;   // Next() returns kTimeout after this long without packets
  int buffer_bytes = 0;        // kernel buffer size; 0 = libpcap default
};
Result<std::unique_ptr<PacketSource>> OpenLiveInterface(const LiveOptions& options);

}  // namespace mw::net
