// What our capture loops (pcap_record_source.h, pcapng_record_source.h) share: ReadBuffer, their
// input, and BufferedSource, the PacketSource side of a loop over it.
//
// Internal to net/capture. Used by one thread at a time.
#pragma once

#include <pcap/pcap.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "net/capture/packet_source.h"

namespace mw::net::internal {

// A regular file read with pread in chunks of kFileReadBufferBytes (more when one record or
// block needs it), or bytes in memory, there at once. [pos, end) of `bytes` is not consumed yet.
// The bytes move only in Refill(), so frames that point into them stay valid until the next one.
struct ReadBuffer {
  // fd >= 0: that file (closed by the destructor), read from `offset` on; `memory` is unused.
  // Otherwise `memory`, from `offset` on.
  ReadBuffer(int fd, Bytes memory, uint64_t offset);
  ~ReadBuffer();
  ReadBuffer(const ReadBuffer&) = delete;
  ReadBuffer& operator=(const ReadBuffer&) = delete;

  size_t avail() const { return end - pos; }
  // Moves the unread bytes to the front, grows the buffer to hold at least `want` bytes, and
  // reads after them until it is full or the file ends (then `eof`). Empty on success; why,
  // when a read failed (`eof` is set then too).
  std::string Refill(size_t want = 0);

  int fd;
  Bytes bytes;
  size_t pos = 0, end = 0;
  uint64_t file_offset = 0;  // of bytes[end]
  bool eof = false;
};

// The first read error of a source, counted, with the one-line message both loops give:
// "<name>: read error after <n> packet(s): <why>". Later calls keep the first.
void NoteReadError(Status& status, CaptureStats& stats, const std::string& name,
                   const std::string& why);

// A PacketSource whose frames point into a ReadBuffer: whole batches without copies.
// `Loop` provides
//   NextResult Read(RawPacket* out, size_t max, size_t* count);
// which reads up to `max` frames into `out`, all pointing into in_.bytes (which moves only at
// the start of a call). With `count` (a batch): kPacket when at least one frame was read and
// more may follow (even fewer than max: the rest of the buffer held no whole record); kEnd with
// the last frames when they used the input up; an error is returned by the next call. Without
// it: exactly one frame, or the end, or the error.
template <typename Loop>
class BufferedSource : public PacketSource {
 public:
  NextResult Next(RawPacket& out) override { return loop().Read(&out, 1, nullptr); }
  bool ReadsStableBatches() const override { return true; }
  NextResult NextBatch(std::vector<RawPacket>& out, size_t max) override {
    out.resize(max);  // a no-op after a full batch: no frame is constructed again
    size_t n = 0;
    const NextResult r = loop().Read(out.data(), max, &n);
    out.resize(n);
    return r;
  }
  const Status& status() const override { return status_; }
  int link_type() const override { return link_type_; }
  const CaptureStats& stats() override { return stats_; }
  std::string name() const override { return name_; }

 protected:
  // Owns `handle` (libpcap opened the file: its link type, snapshot length, filters) and the
  // input (see ReadBuffer).
  BufferedSource(pcap_t* handle, std::string name, int fd, Bytes memory, uint64_t offset)
      : handle_(handle), name_(std::move(name)), in_(fd, std::move(memory), offset),
        link_type_(pcap_datalink(handle)) {}
  ~BufferedSource() override { pcap_close(handle_); }
  BufferedSource(const BufferedSource&) = delete;
  BufferedSource& operator=(const BufferedSource&) = delete;

  void Refill(size_t want = 0) {
    if (std::string why = in_.Refill(want); !why.empty()) Fail(why);
  }
  void Fail(const std::string& why) { NoteReadError(status_, stats_, name_, why); }

  pcap_t* handle_;
  std::string name_;
  ReadBuffer in_;
  int link_type_;  // libpcap's: the file's, or a pcapng file's first interface's
  Status status_;
  CaptureStats stats_;

 private:
  Loop& loop() { return static_cast<Loop&>(*this); }
};

}  // namespace mw::net::internal
