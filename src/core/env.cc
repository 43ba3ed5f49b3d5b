#include "core/env.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

namespace mw {
namespace {

class PosixEnv : public Env {
 public:
  int64_t NowMicros() override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
  }
  int64_t MonotonicMicros() override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch()).count();
  }
  void SleepMicros(int64_t us) override {
    if (us <= 0) return;
    timespec ts{static_cast<time_t>(us / 1'000'000), static_cast<long>(us % 1'000'000) * 1000};
    ::nanosleep(&ts, nullptr);
  }
  Result<std::string> ReadFile(const std::string& path) override {
    // read(2) itself, so that a directory (EISDIR) or an I/O error is an error with its
    // reason, not an empty file (an ifstream opens a directory and reads nothing from it).
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
    std::string data;
    struct stat st{};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      data.reserve(static_cast<size_t>(st.st_size));
    }
    char buf[65536];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        data.append(buf, static_cast<size_t>(n));
      } else if (n == 0) {
        break;
      } else if (errno != EINTR) {
        const int error = errno;
        ::close(fd);
        return Status::IoError("cannot read " + path + ": " + std::strerror(error));
      }
    }
    ::close(fd);
    return data;
  }
  Status WriteFileAtomic(const std::string& path, const std::string& data, int mode) override {
    const std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return Status::IoError("cannot create " + tmp + ": " + std::strerror(errno));
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::write(fd, data.data() + off, data.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        ::close(fd);
        return Status::IoError("cannot write " + tmp + ": " + std::strerror(errno));
      }
      off += size_t(n);
    }
    ::fchmod(fd, mode_t(mode));
    if (::fsync(fd) != 0 || ::close(fd) != 0) return Status::IoError("cannot sync " + tmp);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      return Status::IoError("cannot rename " + tmp + ": " + std::strerror(errno));
    }
    return Status::Ok();
  }
  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }
  std::string ProcRoot() override { return "/proc"; }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv env;
  return &env;
}

int64_t FakeEnv::NowMicros() { std::lock_guard<std::mutex> l(mu_); return now_us_; }
int64_t FakeEnv::MonotonicMicros() { std::lock_guard<std::mutex> l(mu_); return mono_us_; }
void FakeEnv::AdvanceMicros(int64_t us) {
  std::lock_guard<std::mutex> l(mu_);
  now_us_ += us;
  mono_us_ += us;
}
void FakeEnv::SetNowMicros(int64_t us) { std::lock_guard<std::mutex> l(mu_); now_us_ = us; }
Result<std::string> FakeEnv::ReadFile(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound(path);
  return it->second;
}
Status FakeEnv::WriteFileAtomic(const std::string& path, const std::string& data, int) {
  std::lock_guard<std::mutex> l(mu_);
  files_[path] = data;
  return Status::Ok();
}
bool FakeEnv::FileExists(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  return files_.count(path) != 0;
}

}  // namespace mw
