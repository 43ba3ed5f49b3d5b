#include "proto/events/event_sink.h"

#include <cerrno>
#include <cstring>

namespace mw::events {

Result<std::unique_ptr<JsonLinesSink>> JsonLinesSink::Open(const std::string& path) {
  if (path == "-") return std::unique_ptr<JsonLinesSink>(new JsonLinesSink(stdout, false));
  FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  return std::unique_ptr<JsonLinesSink>(new JsonLinesSink(f, true));
}

JsonLinesSink::~JsonLinesSink() {
  (void)Flush();
  if (owned_) std::fclose(file_);
}

void JsonLinesSink::Emit(const Event& e) {
  std::string line = ToJsonLine(e);
  line.push_back('\n');
  std::lock_guard<std::mutex> l(mu_);
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size()) failed_ = true;
  ++written_;
}

Status JsonLinesSink::Flush() {
  std::lock_guard<std::mutex> l(mu_);
  if (std::fflush(file_) != 0 || failed_) return Status::IoError("writing events failed");
  return Status::Ok();
}

}  // namespace mw::events
