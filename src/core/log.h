// A small leveled logger: one line per record to a stream (stderr by default), with a UTC
// timestamp, level and component. Thread-safe. Programs create one Logger and hand it down.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace mw {

enum class LogLevel { kDebug = 0, kInfo, kWarn, kError, kOff };

// "debug", "info", "warn", "error", "off"; false for anything else.
bool ParseLogLevel(std::string_view s, LogLevel* out);

class Logger {
 public:
  explicit Logger(LogLevel level = LogLevel::kInfo, FILE* sink = stderr)
      : level_(level), sink_(sink) {}

  void set_level(LogLevel l) { level_ = l; }
  LogLevel level() const { return level_; }
  bool Enabled(LogLevel l) const { return l >= level_ && level_ != LogLevel::kOff; }

  void Log(LogLevel l, std::string_view component, std::string_view message);
  void Debug(std::string_view c, std::string_view m) { Log(LogLevel::kDebug, c, m); }
  void Info(std::string_view c, std::string_view m) { Log(LogLevel::kInfo, c, m); }
  void Warn(std::string_view c, std::string_view m) { Log(LogLevel::kWarn, c, m); }
  void Error(std::string_view c, std::string_view m) { Log(LogLevel::kError, c, m); }

 private:
  LogLevel level_;
  FILE* sink_;
  std::mutex mu_;
};

}  // namespace mw
