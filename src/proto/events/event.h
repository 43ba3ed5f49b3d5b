// The event schema shared by every sensor, agent and scanner and by the center
// (DESIGN.md section 4). One JSON object per line; alerts are Suricata EVE-compatible.
//
// Events are plain values. ToJson/ParseEvent are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace mw::events {

// Alert categories: anything saying mining is happening, and cryptocurrency activity that is
// not mining (reported, never counted as mining).
inline constexpr std::string_view kCategoryMining = "Crypto Mining";
inline constexpr std::string_view kCategoryCurrency = "Crypto Currency";
inline constexpr std::string_view kMitreResourceHijacking = "T1496";

struct Alert {
  uint32_t signature_id = 0;
  std::string signature;
  std::string category{kCategoryMining};
  int severity = 2;  // 1 high ... 3 low
  std::vector<std::string> mitre_technique_ids{std::string(kMitreResourceHijacking)};
};

// minewatch's own fields (under "minewatch" in the JSON). Empty strings / nullopt are omitted.
struct Details {
  std::string detector;
  std::optional<double> confidence;  // 0..1
  std::string dialect;
  std::string pool;
  std::string login;
  std::string agent_string;
  std::optional<int64_t> pid;
  std::string exe;
  std::string cmdline;
  std::string sha256;
  std::string rule;
  std::vector<std::string> evidence;
};

struct Event {
  std::string timestamp;   // ISO 8601 UTC with microseconds, e.g. 2026-11-30T02:03:04.123456Z
  std::string event_type;  // "alert", "stratum", "flow", "dns", "tls", "process", "file", "health"
  std::string event_id;    // unique; equal for a re-sent copy of the same event
  std::string sensor;      // name of the sensor/agent that produced it
  std::string host;        // the monitored host this is about (agent) or "" (sensor)
  std::string src_ip, dest_ip;
  uint16_t src_port = 0, dest_port = 0;
  std::string proto;       // "TCP", "UDP"
  uint64_t flow_id = 0;    // 0 = not about a flow
  std::optional<Alert> alert;
  Details details;
  // Type-specific metadata placed under the key named like event_type ("stratum": {...}).
  nlohmann::ordered_json payload;
};

// Formats microseconds since the epoch as the schema's timestamp.
std::string FormatTimestamp(int64_t unix_micros);

// A stable id from the parts that make an event what it is (hex of 16 bytes of SHA-256), so
// that re-sending the same event yields the same id and the center can drop the copy.
std::string MakeEventId(std::string_view sensor, std::string_view kind, uint64_t flow_id,
                        std::string_view distinguisher);

nlohmann::ordered_json ToJson(const Event& e);
// One line, no trailing newline.
std::string ToJsonLine(const Event& e);

// Parses one JSON line (the center's ingest path). Checks types and required fields
// (timestamp, event_type, event_id); alerts need signature_id, signature, category, severity.
Result<Event> ParseEvent(std::string_view line);

// Size limit of one event line accepted by ParseEvent.
inline constexpr size_t kMaxEventBytes = 256 * 1024;
// Nesting limit of one event line accepted by ParseEvent (objects and arrays, the event itself
// included): the JSON library copies and prints values recursively, and a line of nested
// brackets that fits kMaxEventBytes would otherwise overflow the stack. Events nest a few
// levels.
inline constexpr size_t kMaxEventDepth = 64;

}  // namespace mw::events
