#include "net/capture/frame_batch.h"

#include <algorithm>
#include <cstring>

namespace mw::net {

void FrameBatch::Clear() {
  frames_.clear();
  offsets_.clear();
}

NextResult FrameBatch::Fill(PacketSource& source) {
  Clear();
  // The source keeps a whole batch valid by itself: no copy.
  if (source.ReadsStableBatches()) return source.NextBatch(frames_, kMaxFrames);
  size_t used = 0;
  NextResult r = NextResult::kPacket;
  RawPacket frame;
  while (frames_.size() < kMaxFrames) {
    // The first frame may be waited for (up to a live source's read timeout); the rest are
    // taken only if ready, so that a live frame never waits for a batch to fill.
    r = frames_.empty() ? source.Next(frame) : source.NextReady(frame);
    if (r != NextResult::kPacket) break;
    if (bytes_.size() < used + frame.cap_len) bytes_.resize(std::max(bytes_.size() * 2, used + frame.cap_len));
    if (frame.cap_len > 0) std::memcpy(bytes_.data() + used, frame.data, frame.cap_len);
    offsets_.push_back(used);
    frames_.push_back(frame);
    used += frame.cap_len;
  }
  // Pointers are set once the buffer stopped growing.
  for (size_t i = 0; i < frames_.size(); ++i) frames_[i].data = bytes_.data() + offsets_[i];
  return r;
}

}  // namespace mw::net
