// A live capture that outlives its interface: when the interface disappears (a VM's tap or a
// container's veth re-created, ppp0 or tun0 after a reconnect, a USB adapter re-plugged, a VLAN
// or bond rebuilt by a network reload), libpcap's handle fails for good ("The interface
// disappeared"). This source then closes it, tells its listener, and tries to open the interface
// by its name again, at once and then every `retry_us`, until it can. Meanwhile Next() waits up
// to the read timeout and returns kTimeout, so that the caller's loop goes on: heartbeats, flow
// timeouts, signals, --duration. What the opener reports as lasting (any error but
// Status::Unavailable: no permission any more, e.g. after --user gave up root; a filter that no
// longer compiles) ends the source: kError, and status() says what was lost and why it could not
// be opened again.
//
// (An interface that is only taken down and up again keeps its handle: libpcap reports nothing,
// and packets resume when it is up; tests/e2e/sensor_live_test.sh checks both cases.)
//
// Not thread-safe. The opener, env and listener must outlive the source.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/env.h"
#include "core/status.h"
#include "net/capture/packet_source.h"

namespace mw::net {

// What a ReopeningLiveSource tells about its interface. Called from Next()/NextReady().
class CaptureLossListener {
 public:
  virtual ~CaptureLossListener() = default;
  // The capture failed (`why`: one line naming the interface); the source waits for it now.
  virtual void OnCaptureLost(const Status& why) = 0;
  // The interface was opened again, `down_us` microseconds after it was lost.
  virtual void OnCaptureBack(int64_t down_us) = 0;
};

class ReopeningLiveSource final : public PacketSource {
 public:
  // Opens the interface again; Status::Unavailable means "not there or not up yet, try later".
  using Opener = std::function<Result<std::unique_ptr<PacketSource>>()>;

  static constexpr int64_t kDefaultRetryUs = 1'000'000;

  // `first` is the handle already open (the sensor opens it itself, so that a wrong name or
  // missing privileges stop it at once). `wait_us`: how long Next() waits while the interface
  // is away (the live read timeout).
  ReopeningLiveSource(std::unique_ptr<PacketSource> first, Opener opener, Env* env,
                      CaptureLossListener* listener, int64_t wait_us,
                      int64_t retry_us = kDefaultRetryUs);

  NextResult Next(RawPacket& out) override { return Read(out, /*wait=*/true); }
  NextResult NextReady(RawPacket& out) override { return Read(out, /*wait=*/false); }
  const Status& status() const override { return status_; }
  int link_type() const override { return link_type_; }
  // The counts of every handle so far, the lost ones included.
  const CaptureStats& stats() override;
  std::string name() const override { return name_; }

  // Whether the interface is away (between OnCaptureLost and OnCaptureBack).
  bool down() const { return current_ == nullptr && status_.ok(); }

 private:
  NextResult Read(RawPacket& out, bool wait);
  void Lose();
  // Next(): one attempt if one is due (after waiting up to wait_us_ for it); true once open
  // again. NextReady() (`wait` false) neither waits nor tries.
  bool TryReopen(bool wait);

  std::unique_ptr<PacketSource> current_;
  Opener opener_;
  Env* env_;
  CaptureLossListener* listener_;
  int64_t wait_us_;
  int64_t retry_us_;
  std::string name_;
  int link_type_;
  Status status_;
  Status lost_why_;
  int64_t lost_at_us_ = 0;
  int64_t next_attempt_us_ = 0;
  CaptureStats closed_;  // the handles lost so far
  CaptureStats stats_;   // closed_ + the current handle's
};

}  // namespace mw::net
