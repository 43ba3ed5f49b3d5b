// The center's ingest path: arbitrary bytes as an event line. A parsed event must re-serialise
// and parse again to the same line, and ToJsonLine must write what ToJson's map dumps.
#include <cstdint>
#include <string_view>

#include "proto/events/event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto e = mw::events::ParseEvent(line);
  if (!e.ok()) return 0;
  std::string once = mw::events::ToJsonLine(*e);
  // The hand-written line must be what the ordered map dumps.
  if (once != mw::events::ToJson(*e).dump(-1, ' ', false,
                                          nlohmann::json::error_handler_t::replace)) {
    __builtin_trap();
  }
  auto again = mw::events::ParseEvent(once);
  if (!again.ok()) __builtin_trap();
  if (mw::events::ToJsonLine(*again) != once) __builtin_trap();
  return 0;
}
