// Where events go: EVE-JSON lines to a file or stdout, or (later) the center. A sink is used by
// one pipeline thread at a time unless the implementation says otherwise.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/counters.h"
#include "core/status.h"
#include "proto/events/event.h"

namespace mw::events {

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Emit(const Event& e) = 0;
  virtual Status Flush() { return Status::Ok(); }
};

// Writes one JSON line per event. Thread-safe. "-" means stdout.
class JsonLinesSink : public EventSink {
 public:
  static Result<std::unique_ptr<JsonLinesSink>> Open(const std::string& path);
  ~JsonLinesSink() override;
  void Emit(const Event& e) override;
  Status Flush() override;
  // For log rotation: flushes what was written, then writes to `path` opened anew (appending),
  // so that a file renamed away is left whole and a new one starts under the name. On failure
  // (the folder is gone, no permission) the file in use stays in use and the error says why.
  // Writing to stdout, nothing to reopen: OK.
  Status Reopen();
  // Whether a write failed because nobody reads the destination any more: a pipe or socket whose
  // reader closed it (EPIPE). Nothing written later can arrive. (The process must ignore
  // SIGPIPE to see this: by default that signal ends it at the failing write.)
  bool ReaderGone();
  // Where lines go: the path, or "stdout".
  const std::string& destination() const { return name_; }
  uint64_t written() const { return written_; }

 private:
  JsonLinesSink(FILE* f, bool owned, std::string name)
      : file_(f), owned_(owned), name_(std::move(name)) {}
  void NoteFailure();  // under mu_: the first failure's errno is kept for the message
  std::mutex mu_;
  FILE* file_;
  bool owned_;
  std::string name_;  // the path, or "stdout"
  uint64_t written_ = 0;
  bool failed_ = false;
  int error_ = 0;
};

// Keeps events in memory (tests, and the in-process path to the center).
class MemorySink : public EventSink {
 public:
  void Emit(const Event& e) override {
    std::lock_guard<std::mutex> l(mu_);
    events_.push_back(e);
  }
  std::vector<Event> events() const {
    std::lock_guard<std::mutex> l(mu_);
    return events_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Event> events_;
};

}  // namespace mw::events
