#include "net/capture/buffered_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace mw::net::internal {

ReadBuffer::ReadBuffer(Input input_in, int fd_in, Bytes head, uint64_t offset)
    : input(input_in), fd(input_in == Input::kMemory ? -1 : fd_in) {
  if (input == Input::kFile) {
    bytes.resize(kFileReadBufferBytes);
    file_offset = offset;
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return;
  }
  bytes = std::move(head);
  pos = std::min<size_t>(bytes.size(), offset);
  end = bytes.size();
  if (input == Input::kMemory) {
    eof = true;
  } else if (bytes.size() < kFileReadBufferBytes) {
    bytes.resize(kFileReadBufferBytes);
  }
}

ReadBuffer::~ReadBuffer() {
  if (fd >= 0) close(fd);
}

std::string ReadBuffer::Refill(size_t want) {
  const size_t left = end - pos;
  if (pos > 0 && left > 0) std::memmove(bytes.data(), bytes.data() + pos, left);
  pos = 0;
  end = left;
  if (want > bytes.size()) bytes.resize(want);
  while (end < bytes.size()) {
    const ssize_t got =
        input == Input::kStream
            ? read(fd, bytes.data() + end, bytes.size() - end)
            : pread(fd, bytes.data() + end, bytes.size() - end, off_t(file_offset));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      eof = true;
      return std::string("error reading dump file: ") + std::strerror(errno);
    }
    if (got == 0) {
      eof = true;
      break;
    }
    end += size_t(got);
    file_offset += uint64_t(got);
    if (input == Input::kStream) break;  // what arrived is read; more may take its time
  }
  return "";
}

bool ReadUpTo(int fd, Bytes& out, size_t want) {
  while (out.size() < want) {
    const size_t have = out.size();
    out.resize(want);
    const ssize_t got = read(fd, out.data() + have, want - have);
    out.resize(have + size_t(std::max<ssize_t>(got, 0)));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return got == 0;
  }
  return true;
}

void NoteReadError(Status& status, CaptureStats& stats, const std::string& name,
                   const std::string& why) {
  if (!status.ok()) return;
  ++stats.read_errors;
  status = Status::Corruption(name + ": read error after " + std::to_string(stats.packets) +
                              " packet(s): " + why);
}

}  // namespace mw::net::internal
