#include "sensor/health_event.h"

#include <algorithm>
#include <map>
#include <string>

namespace mw::sensor {

std::string_view HealthStateName(HealthState state) {
  switch (state) {
    case HealthState::kRunning: return "running";
    case HealthState::kInterfaceDown: return "interface_down";
    case HealthState::kStopped: return "stopped";
  }
  return "unknown";
}

events::Event MakeHealthEvent(std::string_view sensor_name, std::string_view source,
                              HealthState state, int64_t now_us, int64_t started_us,
                              const CounterSet& counters) {
  events::Event e;
  e.timestamp = events::FormatTimestamp(now_us);
  e.event_type = "health";
  e.sensor = std::string(sensor_name);
  const std::string state_name(HealthStateName(state));
  // One heartbeat per sensor, source, time and state: a copy sent again keeps its id.
  e.event_id = events::MakeEventId(sensor_name, "health", 0,
                                   std::string(source) + "/" + e.timestamp + "/" + state_name);
  std::map<std::string, uint64_t> shown;
  for (std::string_view name : kHealthCountersAlways) shown[std::string(name)] = 0;
  for (const auto& [name, value] : counters.Snapshot()) {
    if (value != 0 || shown.contains(name)) shown[name] = value;
  }
  nlohmann::ordered_json values = nlohmann::ordered_json::object();
  for (const auto& [name, value] : shown) values[name] = value;  // in name order
  e.payload = {{"state", state_name},
               {"source", std::string(source)},
               {"uptime_s", double(std::max<int64_t>(0, now_us - started_us)) / 1e6},
               {"counters", std::move(values)}};
  return e;
}

}  // namespace mw::sensor
