// Env: the seam between code and the operating system (files, clock, /proc), so that tests can
// substitute a FakeEnv. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"

namespace mw {

class Env {
 public:
  virtual ~Env() = default;
  // Wall-clock time, microseconds since the Unix epoch.
  virtual int64_t NowMicros() = 0;
  // Monotonic time, microseconds from an arbitrary start.
  virtual int64_t MonotonicMicros() = 0;
  // Waits about `us` microseconds (a signal may end the wait early). A FakeEnv's clocks move.
  virtual void SleepMicros(int64_t us) = 0;
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Writes via a temporary file and rename, so readers see the old or the new content only.
  virtual Status WriteFileAtomic(const std::string& path, const std::string& data,
                                 int mode = 0644) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  // Root of the proc filesystem ("/proc" on the real system).
  virtual std::string ProcRoot() = 0;

  // The real operating system. The returned object lives for the whole program.
  static Env* Default();
};

// An in-memory Env for tests: files in a map, a clock that only moves when told.
class FakeEnv : public Env {
 public:
  int64_t NowMicros() override;
  int64_t MonotonicMicros() override;
  void SleepMicros(int64_t us) override { AdvanceMicros(us); }
  Result<std::string> ReadFile(const std::string& path) override;
  Status WriteFileAtomic(const std::string& path, const std::string& data, int mode) override;
  bool FileExists(const std::string& path) override;
  std::string ProcRoot() override { return proc_root_; }

  void AdvanceMicros(int64_t us);
  void SetNowMicros(int64_t us);
  void set_proc_root(std::string root) { proc_root_ = std::move(root); }

 private:
  std::mutex mu_;
  int64_t now_us_ = 1'700'000'000'000'000;
  int64_t mono_us_ = 0;
  std::map<std::string, std::string> files_;
  std::string proc_root_ = "/proc";
};

}  // namespace mw
