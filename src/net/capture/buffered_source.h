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
// block needs it), a stream (a pipe) read with read(2) as bytes arrive, or bytes in memory,
// there at once. [pos, end) of `bytes` is not consumed yet. The bytes move only in Refill(), so
// frames that point into them stay valid until the next one.
enum class Input { kFile, kStream, kMemory };
struct ReadBuffer {
  // kFile: `fd` (closed by the destructor) from `offset` on; `head` is unused.
  // kStream: `head` (bytes already read from `fd`) from `offset` on, then `fd` (closed by the
  //   destructor).
  // kMemory: `head` from `offset` on.
  ReadBuffer(Input input, int fd, Bytes head, uint64_t offset);
  ~ReadBuffer();
  ReadBuffer(const ReadBuffer&) = delete;
  ReadBuffer& operator=(const ReadBuffer&) = delete;

  size_t avail() const { return end - pos; }
  // Moves the unread bytes to the front, grows the buffer to hold at least `want` bytes, and
  // reads after them: a file until the buffer is full or the file ends, a stream once (what a
  // read(2) returns, so that a frame never waits for later ones), waiting if nothing is there
  // yet; at the end `eof` is set. Empty on success; why, when a read failed (`eof` is set then
  // too).
  std::string Refill(size_t want = 0);

  Input input;
  int fd;
  Bytes bytes;
  size_t pos = 0, end = 0;
  uint64_t file_offset = 0;  // of bytes[end]
  bool eof = false;
};

// Appends what `fd` gives to `out` until it holds `want` bytes or the stream ends. False on a
// read error (errno says which).
bool ReadUpTo(int fd, Bytes& out, size_t want);

// Where a loop reads from (see ReadBuffer), and the bytes libpcap's handle parsed the header
// from, when that was a memory stream over a copy (they must outlive the handle).
struct LoopInput {
  Input input = Input::kMemory;
  int fd = -1;         // kFile, kStream: closed by the source (also when opening it fails)
  Bytes head;          // kStream: the bytes already read; kMemory: all of them
  Bytes libpcap_view;  // backs the handle's fmemopen stream, or empty
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
  // input, from `offset` on.
  BufferedSource(pcap_t* handle, std::string name, LoopInput input, uint64_t offset)
      : handle_(handle), libpcap_view_(std::move(input.libpcap_view)), name_(std::move(name)),
        in_(input.input, input.fd, std::move(input.head), offset),
        link_type_(pcap_datalink(handle)) {}
  ~BufferedSource() override { pcap_close(handle_); }
  BufferedSource(const BufferedSource&) = delete;
  BufferedSource& operator=(const BufferedSource&) = delete;

  void Refill(size_t want = 0) {
    if (std::string why = in_.Refill(want); !why.empty()) Fail(why);
  }
  void Fail(const std::string& why) { NoteReadError(status_, stats_, name_, why); }

  pcap_t* handle_;
  Bytes libpcap_view_;
  std::string name_;
  ReadBuffer in_;
  int link_type_;  // libpcap's: the file's, or a pcapng file's first interface's
  Status status_;
  CaptureStats stats_;

 private:
  Loop& loop() { return static_cast<Loop&>(*this); }
};

}  // namespace mw::net::internal
