// ParseJson (proto/stratum/json_parse.h) against nlohmann's own parser on arbitrary bytes: both
// must accept the same texts and build the same values, with the same types (unsigned, signed,
// double) and the same key order. Any difference aborts.
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proto/stratum/json_parse.h"

namespace {

using Json = nlohmann::ordered_json;

bool Same(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Json::value_t::object: {
      if (a.size() != b.size()) return false;
      auto i = a.begin();
      auto j = b.begin();
      for (; i != a.end(); ++i, ++j) {
        if (i.key() != j.key() || !Same(i.value(), j.value())) return false;
      }
      return true;
    }
    case Json::value_t::array: {
      if (a.size() != b.size()) return false;
      for (size_t k = 0; k < a.size(); ++k) {
        if (!Same(a[k], b[k])) return false;
      }
      return true;
    }
    case Json::value_t::number_float: {
      const double x = a.get<double>(), y = b.get<double>();
      return x == y && std::signbit(x) == std::signbit(y);
    }
    default:
      return a == b;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Json reference = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  Json ours;
  const bool ok = mw::stratum::ParseJson(text, ours);
  if (ok == reference.is_discarded()) std::abort();
  if (ok && !Same(ours, reference)) std::abort();
  return 0;
}
