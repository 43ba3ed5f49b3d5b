#include "proto/events/event.h"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/json_depth.h"
#include "core/sha256.h"

namespace mw::events {
namespace {

using Json = nlohmann::ordered_json;

void PutIfSet(Json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}

// Reads an optional string field; false when present with another type.
bool GetString(const nlohmann::json& j, const char* key, std::string* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

bool GetPort(const nlohmann::json& j, const char* key, uint16_t* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_number_unsigned() || it->get<uint64_t>() > 65535) return false;
  *out = uint16_t(it->get<uint64_t>());
  return true;
}

}  // namespace

namespace {

// Days since 1970-01-01 to a date of the proleptic Gregorian calendar, counting in 400-year eras
// of 146,097 days that start on March 1st (so that the leap day ends a year).
void DateFromDays(int64_t days, int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;  // days from 0000-03-01 to 1970-01-01
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);                // [0, 146096]
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;  // [0, 399]
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned month_from_march = (5 * day_of_year + 2) / 153;                      // [0, 11]
  day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
  month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
  year = int64_t(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
}

char* PutDigits(char* p, uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = char('0' + value % 10);
    value /= 10;
  }
  return p + width;
}

}  // namespace

// As gmtime_r + strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" would print it (a test compares them),
// without either: events are formatted by the thousand.
std::string FormatTimestamp(int64_t unix_micros) {
  int64_t secs = unix_micros / 1000000;
  int64_t micros = unix_micros % 1000000;
  if (micros < 0) {
    micros += 1000000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t rest = secs % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  int64_t year = 0;
  unsigned month = 0, day = 0;
  DateFromDays(days, year, month, day);
  char out[64];
  char* p = out;
  if (year >= 1000 && year <= 9999) {
    p = PutDigits(p, uint64_t(year), 4);
  } else {  // as %Y prints it: no padding, a sign when negative
    p += std::snprintf(p, 24, "%lld", static_cast<long long>(year));
  }
  *p++ = '-';
  p = PutDigits(p, month, 2);
  *p++ = '-';
  p = PutDigits(p, day, 2);
  *p++ = 'T';
  p = PutDigits(p, uint64_t(rest / 3600), 2);
  *p++ = ':';
  p = PutDigits(p, uint64_t(rest / 60 % 60), 2);
  *p++ = ':';
  p = PutDigits(p, uint64_t(rest % 60), 2);
  *p++ = '.';
  p = PutDigits(p, uint64_t(micros), 6);
  *p++ = 'Z';
  return std::string(out, p);
}

std::string MakeEventId(std::string_view sensor, std::string_view kind, uint64_t flow_id,
                        std::string_view distinguisher) {
  std::string material;
  material.append(sensor).push_back('\0');
  material.append(kind).push_back('\0');
  material.append(std::to_string(flow_id)).push_back('\0');
  material.append(distinguisher);
  Hash256 h = Sha256(AsBytes(material));
  return ToHex(ByteSpan(h.data(), 16));
}

Json ToJson(const Event& e) {
  Json j;
  j["timestamp"] = e.timestamp;
  if (e.flow_id != 0) j["flow_id"] = e.flow_id;
  j["event_type"] = e.event_type;
  PutIfSet(j, "src_ip", e.src_ip);
  if (!e.src_ip.empty()) j["src_port"] = e.src_port;
  PutIfSet(j, "dest_ip", e.dest_ip);
  if (!e.dest_ip.empty()) j["dest_port"] = e.dest_port;
  PutIfSet(j, "proto", e.proto);
  PutIfSet(j, "host", e.host);
  j["event_id"] = e.event_id;
  PutIfSet(j, "sensor", e.sensor);
  if (e.alert) {
    Json a;
    a["action"] = "allowed";
    a["signature_id"] = e.alert->signature_id;
    a["signature"] = e.alert->signature;
    a["category"] = e.alert->category;
    a["severity"] = e.alert->severity;
    a["metadata"]["mitre_technique_id"] = e.alert->mitre_technique_ids;
    j["alert"] = std::move(a);
  }
  if (!e.payload.is_null() && !e.event_type.empty() && e.event_type != "alert") {
    j[e.event_type] = e.payload;
  } else if (!e.payload.is_null()) {
    j["metadata"] = e.payload;
  }
  const Details& d = e.details;
  Json m;
  PutIfSet(m, "detector", d.detector);
  if (d.confidence) m["confidence"] = *d.confidence;
  PutIfSet(m, "dialect", d.dialect);
  PutIfSet(m, "pool", d.pool);
  PutIfSet(m, "login", d.login);
  PutIfSet(m, "agent_string", d.agent_string);
  if (d.pid) m["pid"] = *d.pid;
  PutIfSet(m, "exe", d.exe);
  PutIfSet(m, "cmdline", d.cmdline);
  PutIfSet(m, "sha256", d.sha256);
  PutIfSet(m, "rule", d.rule);
  if (!d.evidence.empty()) m["evidence"] = d.evidence;
  if (!m.empty()) j["minewatch"] = std::move(m);
  return j;
}

namespace {

constexpr auto kReplace = nlohmann::json::error_handler_t::replace;

// The top-level keys ToJson writes itself. A payload placed under an event type with one of
// these names lands where the map already has it; such (odd) events take ToJson's path.
bool IsFixedKey(std::string_view k) {
  for (std::string_view f : {"timestamp", "flow_id", "event_type", "src_ip", "src_port",
                             "dest_ip", "dest_port", "proto", "host", "event_id", "sensor",
                             "alert", "metadata", "minewatch"}) {
    if (k == f) return true;
  }
  return false;
}

// Appends a JSON string as nlohmann's dump(-1, ' ', false, replace) writes it. Printable ASCII
// without quote or backslash (nearly every string an event holds) is copied; anything else
// goes through nlohmann, so escapes and the replacement of invalid UTF-8 stay its own.
void AppendString(std::string& out, std::string_view v) {
  for (const char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
      out += Json(std::string(v)).dump(-1, ' ', false, kReplace);
      return;
    }
  }
  out.push_back('"');
  out.append(v);
  out.push_back('"');
}

void AppendStringArray(std::string& out, const std::vector<std::string>& items) {
  out.push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendString(out, items[i]);
  }
  out.push_back(']');
}

void AppendKey(std::string& out, bool& first, std::string_view key) {
  if (!first) out.push_back(',');
  first = false;
  out.push_back('"');
  out.append(key);  // our own literals: plain ASCII
  out.append("\":");
}

void AppendNumber(std::string& out, uint64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}
void AppendNumber(std::string& out, int64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

// Appends `v` as v.dump(-1, ' ', false, replace) writes it, without nlohmann's serializer for
// the kinds a payload holds (objects, arrays, strings, integers, booleans, null): a payload was
// half the cost of writing a "stratum" line. Floats (nlohmann's own shortest form) and binary
// values are left to it.
void AppendJson(std::string& out, const Json& v) {
  switch (v.type()) {
    case Json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, value] : v.items()) {
        if (!first) out.push_back(',');
        first = false;
        AppendString(out, key);
        out.push_back(':');
        AppendJson(out, value);
      }
      out.push_back('}');
      return;
    }
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const Json& item : v) {
        if (!first) out.push_back(',');
        first = false;
        AppendJson(out, item);
      }
      out.push_back(']');
      return;
    }
    case Json::value_t::string:
      AppendString(out, v.get_ref<const std::string&>());
      return;
    case Json::value_t::number_integer:
      AppendNumber(out, v.get<int64_t>());
      return;
    case Json::value_t::number_unsigned:
      AppendNumber(out, v.get<uint64_t>());
      return;
    case Json::value_t::boolean:
      out.append(v.get<bool>() ? "true" : "false");
      return;
    case Json::value_t::null:
      out.append("null");
      return;
    default:  // number_float, binary, discarded
      out += v.dump(-1, ' ', false, kReplace);
      return;
  }
}

void PutString(std::string& out, bool& first, std::string_view key, std::string_view v) {
  AppendKey(out, first, key);
  AppendString(out, v);
}
void PutIfSetLine(std::string& out, bool& first, std::string_view key, const std::string& v) {
  if (!v.empty()) PutString(out, first, key, v);
}

}  // namespace

// Written by hand in ToJson's key order, byte for byte what ToJson(e).dump(-1, ' ', false,
// replace) gives (a test and the event_json fuzz target compare the two): building the ordered
// map first was most of the cost of writing an event, and a sensor writes them by the
// thousand.
std::string ToJsonLine(const Event& e) {
  const bool payload_here = !e.payload.is_null();
  const bool typed_payload = !e.event_type.empty() && e.event_type != "alert";
  if (payload_here && typed_payload && IsFixedKey(e.event_type)) {
    return ToJson(e).dump(-1, ' ', false, kReplace);
  }
  std::string out;
  out.reserve(512);
  out.push_back('{');
  bool first = true;
  PutString(out, first, "timestamp", e.timestamp);
  if (e.flow_id != 0) {
    AppendKey(out, first, "flow_id");
    AppendNumber(out, e.flow_id);
  }
  PutString(out, first, "event_type", e.event_type);
  PutIfSetLine(out, first, "src_ip", e.src_ip);
  if (!e.src_ip.empty()) {
    AppendKey(out, first, "src_port");
    AppendNumber(out, uint64_t{e.src_port});
  }
  PutIfSetLine(out, first, "dest_ip", e.dest_ip);
  if (!e.dest_ip.empty()) {
    AppendKey(out, first, "dest_port");
    AppendNumber(out, uint64_t{e.dest_port});
  }
  PutIfSetLine(out, first, "proto", e.proto);
  PutIfSetLine(out, first, "host", e.host);
  PutString(out, first, "event_id", e.event_id);
  PutIfSetLine(out, first, "sensor", e.sensor);
  if (e.alert) {
    AppendKey(out, first, "alert");
    out.append("{\"action\":\"allowed\",\"signature_id\":");
    AppendNumber(out, uint64_t{e.alert->signature_id});
    out.append(",\"signature\":");
    AppendString(out, e.alert->signature);
    out.append(",\"category\":");
    AppendString(out, e.alert->category);
    out.append(",\"severity\":");
    AppendNumber(out, int64_t{e.alert->severity});
    out.append(",\"metadata\":{\"mitre_technique_id\":");
    AppendStringArray(out, e.alert->mitre_technique_ids);
    out.append("}}");
  }
  if (payload_here) {
    if (typed_payload) {  // a key from the input: escaped like any string
      out.push_back(',');
      AppendString(out, e.event_type);
      out.push_back(':');
    } else {
      AppendKey(out, first, "metadata");
    }
    AppendJson(out, e.payload);
  }
  const Details& d = e.details;
  std::string m;
  bool m_first = true;
  PutIfSetLine(m, m_first, "detector", d.detector);
  if (d.confidence) {
    AppendKey(m, m_first, "confidence");
    m += Json(*d.confidence).dump();  // nlohmann's own float format
  }
  PutIfSetLine(m, m_first, "dialect", d.dialect);
  PutIfSetLine(m, m_first, "pool", d.pool);
  PutIfSetLine(m, m_first, "login", d.login);
  PutIfSetLine(m, m_first, "agent_string", d.agent_string);
  if (d.pid) {
    AppendKey(m, m_first, "pid");
    AppendNumber(m, int64_t{*d.pid});
  }
  PutIfSetLine(m, m_first, "exe", d.exe);
  PutIfSetLine(m, m_first, "cmdline", d.cmdline);
  PutIfSetLine(m, m_first, "sha256", d.sha256);
  PutIfSetLine(m, m_first, "rule", d.rule);
  if (!d.evidence.empty()) {
    AppendKey(m, m_first, "evidence");
    AppendStringArray(m, d.evidence);
  }
  if (!m_first) {
    AppendKey(out, first, "minewatch");
    out.push_back('{');
    out += m;
    out.push_back('}');
  }
  out.push_back('}');
  return out;
}

Result<Event> ParseEvent(std::string_view line) {
  if (line.size() > kMaxEventBytes) {
    return Status::OutOfRange("event larger than " + std::to_string(kMaxEventBytes) + " bytes");
  }
  if (JsonNestsDeeperThan(line, kMaxEventDepth)) {
    return Status::InvalidArgument("event nested deeper than " + std::to_string(kMaxEventDepth) +
                                   " levels");
  }
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("event is not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument("event is not a JSON object");
  Event e;
  for (const char* key : {"timestamp", "event_type", "event_id"}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
      return Status::InvalidArgument(std::string("event needs a non-empty string \"") + key + "\"");
    }
  }
  e.timestamp = j["timestamp"].get<std::string>();
  e.event_type = j["event_type"].get<std::string>();
  // A type's details sit under the key named like it: a type named like a top-level field
  // ("proto", "timestamp" ...) would put them in that field's place, and the event could not be
  // written so that it reads back the same.
  if (e.event_type != "alert" && IsFixedKey(e.event_type)) {
    return Status::InvalidArgument("event_type \"" + e.event_type +
                                   "\" is the name of a top-level field");
  }
  e.event_id = j["event_id"].get<std::string>();
  if (!GetString(j, "sensor", &e.sensor) || !GetString(j, "host", &e.host) ||
      !GetString(j, "src_ip", &e.src_ip) || !GetString(j, "dest_ip", &e.dest_ip) ||
      !GetString(j, "proto", &e.proto) || !GetPort(j, "src_port", &e.src_port) ||
      !GetPort(j, "dest_port", &e.dest_port)) {
    return Status::InvalidArgument("event field has the wrong type");
  }
  if (auto it = j.find("flow_id"); it != j.end() && !it->is_null()) {
    if (!it->is_number_unsigned()) return Status::InvalidArgument("flow_id must be an unsigned number");
    e.flow_id = it->get<uint64_t>();
  }
  if (auto it = j.find("alert"); it != j.end()) {
    const auto& a = *it;
    if (!a.is_object()) return Status::InvalidArgument("alert must be an object");
    Alert alert;
    auto sid = a.find("signature_id");
    auto sig = a.find("signature");
    auto cat = a.find("category");
    auto sev = a.find("severity");
    if (sid == a.end() || !sid->is_number_unsigned() || sid->get<uint64_t>() > 0xffffffffu ||
        sig == a.end() || !sig->is_string() || cat == a.end() || !cat->is_string() ||
        sev == a.end() || !sev->is_number_integer()) {
      return Status::InvalidArgument("alert needs signature_id, signature, category, severity");
    }
    alert.signature_id = uint32_t(sid->get<uint64_t>());
    alert.signature = sig->get<std::string>();
    alert.category = cat->get<std::string>();
    const int64_t severity = sev->get<int64_t>();
    if (severity < 1 || severity > 3) return Status::InvalidArgument("alert severity must be 1..3");
    alert.severity = int(severity);
    alert.mitre_technique_ids.clear();
    if (auto md = a.find("metadata"); md != a.end() && md->is_object()) {
      if (auto t = md->find("mitre_technique_id"); t != md->end() && t->is_array()) {
        for (const auto& id : *t) {
          if (id.is_string()) alert.mitre_technique_ids.push_back(id.get<std::string>());
        }
      }
    }
    e.alert = std::move(alert);
  }
  if (auto it = j.find("minewatch"); it != j.end()) {
    const auto& m = *it;
    if (!m.is_object()) return Status::InvalidArgument("minewatch must be an object");
    Details& d = e.details;
    if (!GetString(m, "detector", &d.detector) || !GetString(m, "dialect", &d.dialect) ||
        !GetString(m, "pool", &d.pool) || !GetString(m, "login", &d.login) ||
        !GetString(m, "agent_string", &d.agent_string) || !GetString(m, "exe", &d.exe) ||
        !GetString(m, "cmdline", &d.cmdline) || !GetString(m, "sha256", &d.sha256) ||
        !GetString(m, "rule", &d.rule)) {
      return Status::InvalidArgument("minewatch field has the wrong type");
    }
    if (auto c = m.find("confidence"); c != m.end() && !c->is_null()) {
      if (!c->is_number()) return Status::InvalidArgument("confidence must be a number");
      const double v = c->get<double>();
      if (!(v >= 0 && v <= 1)) return Status::InvalidArgument("confidence must be within 0..1");
      d.confidence = v;
    }
    if (auto p = m.find("pid"); p != m.end() && !p->is_null()) {
      if (!p->is_number_integer()) return Status::InvalidArgument("pid must be an integer");
      d.pid = p->get<int64_t>();
    }
    if (auto ev = m.find("evidence"); ev != m.end() && !ev->is_null()) {
      if (!ev->is_array()) return Status::InvalidArgument("evidence must be an array");
      for (const auto& item : *ev) {
        d.evidence.push_back(item.is_string() ? item.get<std::string>() : item.dump());
      }
    }
  }
  if (auto it = j.find(e.event_type); it != j.end() && e.event_type != "alert") {
    e.payload = nlohmann::ordered_json::parse(it->dump());
  } else if (auto md = j.find("metadata"); md != j.end()) {
    e.payload = nlohmann::ordered_json::parse(md->dump());
  }
  return e;
}

}  // namespace mw::events
