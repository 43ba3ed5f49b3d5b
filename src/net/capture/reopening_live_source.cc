#include "net/capture/reopening_live_source.h"

#include <algorithm>
#include <utility>

namespace mw::net {

ReopeningLiveSource::ReopeningLiveSource(std::unique_ptr<PacketSource> first, Opener opener,
                                         Env* env, CaptureLossListener* listener, int64_t wait_us,
                                         int64_t retry_us)
    : current_(std::move(first)),
      opener_(std::move(opener)),
      env_(env),
      listener_(listener),
      wait_us_(std::max<int64_t>(wait_us, 0)),
      retry_us_(std::max<int64_t>(retry_us, 1)),
      name_(current_->name()),
      link_type_(current_->link_type()) {}

const CaptureStats& ReopeningLiveSource::stats() {
  stats_ = closed_;
  if (current_) stats_ += current_->stats();
  return stats_;
}

NextResult ReopeningLiveSource::Read(RawPacket& out, bool wait) {
  if (!status_.ok()) return NextResult::kError;
  if (!current_ && !TryReopen(wait)) {
    return status_.ok() ? NextResult::kTimeout : NextResult::kError;
  }
  const NextResult r = wait ? current_->Next(out) : current_->NextReady(out);
  if (r == NextResult::kPacket || r == NextResult::kTimeout) return r;
  // A live capture has no end: whatever stopped the handle, the interface is lost.
  Lose();
  return NextResult::kTimeout;
}

void ReopeningLiveSource::Lose() {
  lost_why_ = current_->status().ok()
                  ? Status::Unavailable(name_ + ": the capture ended")
                  : current_->status();
  closed_ += current_->stats();
  ++closed_.interface_lost;
  current_.reset();
  lost_at_us_ = env_->MonotonicMicros();
  next_attempt_us_ = lost_at_us_;  // the first attempt at once: a quick re-creation is back
  if (listener_) listener_->OnCaptureLost(lost_why_);
}

bool ReopeningLiveSource::TryReopen(bool wait) {
  if (!wait) return false;  // (NextReady: nothing is ready while the interface is away)
  int64_t now = env_->MonotonicMicros();
  if (now < next_attempt_us_) {
    env_->SleepMicros(std::min(next_attempt_us_ - now, wait_us_));
    now = env_->MonotonicMicros();
    if (now < next_attempt_us_) return false;
  }
  auto opened = opener_();
  if (!opened.ok()) {
    if (opened.status().code() != StatusCode::kUnavailable) {
      status_ = Status(opened.status().code(), lost_why_.message() + "; cannot open it again: " +
                                                   opened.status().message());
      return false;
    }
    next_attempt_us_ = now + retry_us_;
    return false;
  }
  current_ = std::move(opened).value();
  link_type_ = current_->link_type();
  ++closed_.interface_reopened;
  if (listener_) listener_->OnCaptureBack(now - lost_at_us_);
  return true;
}

}  // namespace mw::net
