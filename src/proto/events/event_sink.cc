#include "proto/events/event_sink.h"

#include <cerrno>
#include <cstring>

namespace mw::events {

Result<std::unique_ptr<JsonLinesSink>> JsonLinesSink::Open(const std::string& path) {
  if (path == "-") return std::unique_ptr<JsonLinesSink>(new JsonLinesSink(stdout, false, "stdout"));
  FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  return std::unique_ptr<JsonLinesSink>(new JsonLinesSink(f, true, path));
}

JsonLinesSink::~JsonLinesSink() {
  (void)Flush();
  if (owned_) std::fclose(file_);
}

void JsonLinesSink::Emit(const Event& e) {
  std::string line = ToJsonLine(e);
  line.push_back('\n');
  std::lock_guard<std::mutex> l(mu_);
  errno = 0;
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size()) NoteFailure();
  ++written_;
}

Status JsonLinesSink::Flush() {
  std::lock_guard<std::mutex> l(mu_);
  errno = 0;
  if (std::fflush(file_) != 0) NoteFailure();
  if (!failed_) return Status::Ok();
  return Status::IoError("writing events to " + name_ + " failed" +
                         (error_ != 0 ? std::string(": ") + std::strerror(error_) : std::string()) +
                         "; events handed to it since then may be lost");
}

Status JsonLinesSink::Reopen() {
  std::lock_guard<std::mutex> l(mu_);
  if (!owned_) return Status::Ok();
  errno = 0;
  if (std::fflush(file_) != 0) NoteFailure();
  FILE* f = std::fopen(name_.c_str(), "a");
  if (f == nullptr) {
    return Status::IoError("cannot reopen " + name_ + ": " + std::strerror(errno) +
                           "; events still go to the file open before");
  }
  errno = 0;
  if (std::fclose(file_) != 0) NoteFailure();
  file_ = f;
  return Status::Ok();
}

bool JsonLinesSink::ReaderGone() {
  std::lock_guard<std::mutex> l(mu_);
  return failed_ && error_ == EPIPE;
}

void JsonLinesSink::NoteFailure() {
  if (!failed_) error_ = errno;
  failed_ = true;
}

}  // namespace mw::events
