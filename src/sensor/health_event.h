// The sensor's "health" event (DESIGN.md section 4): a live sensor's heartbeat. It carries every
// stage's counters, so that whoever reads the EVE stream (an analyst, a SIEM, the center) can
// tell a sensor that is alive and saw nothing from one that is gone, dropping packets, or seeing
// no traffic, and why nothing fired.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/counters.h"
#include "proto/events/event.h"

namespace mw::sensor {

// Whether the sensor is capturing ("running"), alive but waiting for its interface to come back
// ("interface_down": it disappeared; net::ReopeningLiveSource), or giving its last word before
// it stops ("stopped").
enum class HealthState { kRunning, kInterfaceDown, kStopped };
std::string_view HealthStateName(HealthState state);

// Counters that are in every health event even at zero (a zero here is news: no packets, no
// kernel drops, no alerts, no intel loaded); every other counter is there when it is not zero.
inline constexpr std::string_view kHealthCountersAlways[] = {
    "capture.packets", "capture.kernel_dropped", "sensor.alerts", "intel.entries"};

// `source` names what is captured ("interface eth0"); times are microseconds since the epoch.
// JSON: {"timestamp", "event_type": "health", "event_id", "sensor",
//        "health": {"state", "source", "uptime_s", "counters": {name: value, ...}}}.
events::Event MakeHealthEvent(std::string_view sensor_name, std::string_view source,
                              HealthState state, int64_t now_us, int64_t started_us,
                              const CounterSet& counters);

}  // namespace mw::sensor
