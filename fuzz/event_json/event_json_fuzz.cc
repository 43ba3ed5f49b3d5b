// The center's ingest path: arbitrary bytes as an event line. A parsed event must re-serialise
// and parse again to the same line.
#include <cstdint>
#include <string_view>

#include "proto/events/event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto e = mw::events::ParseEvent(line);
  if (!e.ok()) return 0;
  std::string once = mw::events::ToJsonLine(*e);
  auto again = mw::events::ParseEvent(once);
  if (!again.ok()) __builtin_trap();
  if (mw::events::ToJsonLine(*again) != once) __builtin_trap();
  return 0;
}
