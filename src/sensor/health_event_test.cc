#include "sensor/health_event.h"

#include <gtest/gtest.h>

namespace mw::sensor {
namespace {

TEST(HealthEvent, CarriesStateSourceUptimeAndCounters) {
  CounterSet counters;
  counters.Get("capture.packets").Set(1234);
  counters.Get("flow.created").Set(56);
  counters.Get("decode.weird.truncated_ip").Set(0);  // zero and not essential: left out
  const int64_t started = 1'700'000'000'000'000;
  const events::Event e = MakeHealthEvent("edge-1", "interface eth0", HealthState::kRunning,
                                          started + 61'500'000, started, counters);
  // Through the schema's own writer and parser, as a reader of the EVE stream sees it.
  auto parsed = events::ParseEvent(events::ToJsonLine(e));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->event_type, "health");
  EXPECT_EQ(parsed->sensor, "edge-1");
  EXPECT_EQ(parsed->timestamp, events::FormatTimestamp(started + 61'500'000));
  const auto& h = parsed->payload;
  EXPECT_EQ(h["state"], "running");
  EXPECT_EQ(h["source"], "interface eth0");
  EXPECT_DOUBLE_EQ(h["uptime_s"].get<double>(), 61.5);
  const auto& c = h["counters"];
  EXPECT_EQ(c["capture.packets"], 1234);
  EXPECT_EQ(c["flow.created"], 56);
  EXPECT_FALSE(c.contains("decode.weird.truncated_ip"));
  // Zero, but news: always there.
  EXPECT_EQ(c["capture.kernel_dropped"], 0);
  EXPECT_EQ(c["sensor.alerts"], 0);
  EXPECT_EQ(c["intel.entries"], 0);  // (a sensor matching against no list)
}

TEST(HealthEvent, IdsDifferByTimeAndStateAndRepeatForACopy) {
  CounterSet counters;
  auto make = [&](HealthState s, int64_t t) {
    return MakeHealthEvent("edge-1", "interface lo", s, t, 0, counters).event_id;
  };
  EXPECT_EQ(make(HealthState::kRunning, 5'000'000), make(HealthState::kRunning, 5'000'000));
  EXPECT_NE(make(HealthState::kRunning, 5'000'000), make(HealthState::kRunning, 6'000'000));
  EXPECT_NE(make(HealthState::kRunning, 5'000'000), make(HealthState::kStopped, 5'000'000));
  EXPECT_NE(make(HealthState::kRunning, 5'000'000),
            make(HealthState::kInterfaceDown, 5'000'000));
  const auto stopped = MakeHealthEvent("edge-1", "interface lo", HealthState::kStopped, 0, 0,
                                       counters);
  EXPECT_EQ(stopped.payload["state"], "stopped");
  const auto waiting = MakeHealthEvent("edge-1", "interface lo", HealthState::kInterfaceDown, 0,
                                       0, counters);
  EXPECT_EQ(waiting.payload["state"], "interface_down");
}

}  // namespace
}  // namespace mw::sensor
