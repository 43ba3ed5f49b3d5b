// How the analyzer fuzz targets read their input (each target folder has a copy of this file):
//   byte 0      chunk size = (b & 0x7f) + 1; bit 0x80 set = interleave the two directions
//   bytes 1..2  LE16 split: payload[0, split) is the client stream, the rest the server stream
//   bytes 3..   payload
// ForEachChunk calls fn(is_client, chunk, index) for every chunk in feeding order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace mw_fuzz {

template <typename Fn>
void ForEachChunk(const uint8_t* data, size_t size, Fn fn) {
  if (size < 3) return;
  const size_t chunk = size_t(data[0] & 0x7f) + 1;
  const bool interleave = data[0] & 0x80;
  const size_t split_at = size_t(data[1]) | size_t(data[2]) << 8;
  std::span<const uint8_t> payload(data + 3, size - 3);
  const size_t split = split_at < payload.size() ? split_at : payload.size();
  std::span<const uint8_t> streams[2] = {payload.first(split), payload.subspan(split)};
  size_t pos[2] = {0, 0};
  size_t index = 0;
  int side = 0;
  while (pos[0] < streams[0].size() || pos[1] < streams[1].size()) {
    if (pos[side] >= streams[side].size()) side ^= 1;
    const size_t n = chunk < streams[side].size() - pos[side] ? chunk : streams[side].size() - pos[side];
    fn(side == 0, streams[side].subspan(pos[side], n), index++);
    pos[side] += n;
    if (interleave) side ^= 1;
  }
}

}  // namespace mw_fuzz
