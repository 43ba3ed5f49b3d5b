// PacketSource: where captured frames come from. Implementations read pcap / pcapng files (from
// a path or a memory buffer) and live interfaces. libpcap opens every file, knows both file
// formats, every byte order and timestamp precision, and the kernel capture interfaces; the
// records of a classic pcap 2.4 file and the blocks of a pcapng file are read by our own loops
// (pcap_record_source.h, pcapng_record_source.h), which hand out whole batches of frames
// without copying them. A frame carries its own link type: a pcapng file's interfaces may
// differ.
//
// Threading: a source is used by one thread at a time. Live sources return kTimeout when no
// packet arrived within the read timeout, so the caller can check its own stop flag.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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
  // File records the BPF filter rejected (not in `packets`). A live capture's filter runs in the
  // kernel, which does not report what it rejected, so it stays 0 there.
  uint64_t filtered = 0;
  // Live (ReopeningLiveSource): times the interface was lost (its handle failed: the read error
  // is in `read_errors` too), and times it was opened again.
  uint64_t interface_lost = 0;
  uint64_t interface_reopened = 0;
  // Sets "capture.packets", "capture.bytes", "capture.read_errors", "capture.kernel_dropped",
  // "capture.timestamps_clamped", "capture.filtered", "capture.interface_lost",
  // "capture.interface_reopened".
  void ExportTo(CounterSet& counters) const;
  // Adds another source's counts (several files read into one pipeline).
  CaptureStats& operator+=(const CaptureStats& other);
};

class PacketSource {
 public:
  virtual ~PacketSource() = default;
  virtual NextResult Next(RawPacket& out) = 0;
  // The same, but a live source never waits: kTimeout at once when no frame is ready. (A file
  // source always has one ready: the same as Next().)
  virtual NextResult NextReady(RawPacket& out) { return Next(out); }
  // Whether NextBatch() works: frames stay in the source's buffer until its next read call, so
  // a batch of them needs no copy (net::FrameBatch copies frames of the other sources).
  virtual bool ReadsStableBatches() const { return false; }
  // Only when ReadsStableBatches(): replaces `out` with up to `max` frames, all valid until the
  // next call of Next, NextReady or NextBatch. kPacket when it read at least one frame (possibly
  // fewer than `max`; more may follow), else kEnd or kError.
  virtual NextResult NextBatch(std::vector<RawPacket>& out, size_t max) {
    (void)max;
    out.clear();
    return NextResult::kError;
  }
  // OK, or the one-line reason the last Next() returned kError.
  virtual const Status& status() const = 0;
  virtual int link_type() const = 0;
  virtual const CaptureStats& stats() = 0;
  // "file /tmp/x.pcap", "memory", "interface eth0".
  virtual std::string name() const = 0;
};

// Who reads the records of a classic pcap 2.4 file.
enum class PcapRecords {
  kOwnLoop,  // our loop over a buffer (pcap_record_source.h), batches without copies
  kLibpcap,  // pcap_next_ex (for comparison: tests, fuzzing, the bench)
};

// Options of file sources.
struct CaptureOptions {
  std::string bpf_filter;  // empty = everything
  PcapRecords records = PcapRecords::kOwnLoop;
};

// Latest capture time kept as is (about the year 5100); packet times are microseconds in an
// int64_t, with room left for the timeouts added to them.
inline constexpr int64_t kMaxCaptureSeconds = 100'000'000'000;

// Capture files are read in chunks of this size (see OpenPcapFile).
inline constexpr size_t kFileReadBufferBytes = size_t{1} << 20;

// Opens a pcap or pcapng file. Classic pcap 2.4 and pcapng are read by our loops: a regular
// file in kFileReadBufferBytes chunks, a pipe (a FIFO, standard input) as bytes arrive, a frame
// never waiting for later ones. Other formats (older pcap versions) go to libpcap, through a
// stdio stream with a kFileReadBufferBytes buffer (a pipe's first bytes, already read to tell
// the format, given back to it). Errors (one line, naming the
// file): missing or unreadable file, not a capture file, a first interface whose link type the
// decoder does not support, a BPF filter that does not compile. link_type() is the first
// interface's; a pcapng file's later interfaces may have others (RawPacket::link_type).
Result<std::unique_ptr<PacketSource>> OpenPcapFile(const std::string& path,
                                                   const CaptureOptions& options = {});
// The same over bytes in memory (the bytes are copied; libpcap reads them through fmemopen).
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
// Errors: Status::Unavailable when the interface does not exist or is not up (it may be
// later: ReopeningLiveSource retries those), other codes for what lasts (no permission, a
// filter that does not compile).
Result<std::unique_ptr<PacketSource>> OpenLiveInterface(const LiveOptions& options);

}  // namespace mw::net
