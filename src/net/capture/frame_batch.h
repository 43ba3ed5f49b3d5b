// FrameBatch: up to kMaxFrames frames read from a PacketSource, all valid together. A source
// that ReadsStableBatches() hands them out so; from the others (libpcap's frame is valid only
// until its next Next()) their bytes are copied. A caller that decodes a batch ahead of
// processing it (prefetching each packet's flow) reads through it.
//
// Not thread-safe; the frames are valid until the next Fill() or Clear().
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "core/bytes.h"
#include "net/capture/packet_source.h"

namespace mw::net {

class FrameBatch {
 public:
  static constexpr size_t kMaxFrames = 32;

  // Empties the batch, then reads frames until it holds kMaxFrames or the source has no more:
  // the first frame with Next() (a live source waits up to its read timeout), the others with
  // NextReady() (a live source does not wait). Returns kPacket when the batch is full, else what
  // the source returned last (kEnd, kTimeout: nothing ready on a live source, or kError); the
  // frames read before it are in the batch either way. From a source that ReadsStableBatches(),
  // kPacket may come with fewer than kMaxFrames frames (more follow), and kEnd or kError with
  // none.
  NextResult Fill(PacketSource& source);
  void Clear();

  std::span<const RawPacket> frames() const { return {frames_.data(), frames_.size()}; }
  size_t size() const { return frames_.size(); }
  bool empty() const { return frames_.empty(); }

 private:
  std::vector<RawPacket> frames_;
  std::vector<size_t> offsets_;  // of each frame's bytes in bytes_
  Bytes bytes_;                  // grows to the largest batch seen, then stays
};

}  // namespace mw::net
