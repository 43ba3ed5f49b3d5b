// Status and Result<T>: failures are values, never exceptions across module boundaries.
//
// A Status is either OK or carries a code and a one-line human message. Result<T> holds either a
// T or a non-OK Status. Both are cheap to move and safe to copy. Not thread-safe to mutate from
// two threads at once (like any value type).
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mw {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // the caller's input is malformed (bad hex, wrong length, bad JSON ...)
  kNotFound,          // the thing asked for does not exist
  kAlreadyExists,
  kOutOfRange,        // a size or count limit was exceeded
  kIoError,           // the OS said no (files, sockets)
  kCorruption,        // stored or received data fails its own checks
  kUnavailable,       // a peer or service cannot be reached right now
  kFailedPrecondition,
  kInternal,          // a bug: an invariant of ours does not hold
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid argument: odd number of hex digits"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T>: a T, or the Status saying why there is none. Accessing value() of a failed Result
// is a bug (asserted in debug builds).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T& value() & { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The failure; OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  T value_or(T fallback) const { return ok() ? std::get<T>(v_) : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace mw

// Propagates a non-OK Status from an expression returning Status.
#define MW_RETURN_IF_ERROR(expr)            \
  do {                                      \
    ::mw::Status mw_status_ = (expr);       \
    if (!mw_status_.ok()) return mw_status_; \
  } while (0)

#define MW_CONCAT_INNER_(a, b) a##b
#define MW_CONCAT_(a, b) MW_CONCAT_INNER_(a, b)
// MW_ASSIGN_OR_RETURN(auto x, ComputeX()); propagates the failure of a Result<T>.
#define MW_ASSIGN_OR_RETURN(lhs, expr)                                   \
  auto MW_CONCAT_(mw_result_, __LINE__) = (expr);                        \
  if (!MW_CONCAT_(mw_result_, __LINE__).ok())                            \
    return MW_CONCAT_(mw_result_, __LINE__).status();                    \
  lhs = std::move(MW_CONCAT_(mw_result_, __LINE__)).value()
