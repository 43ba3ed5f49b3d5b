// ParseJson: one JSON text into an nlohmann::ordered_json, as Json::parse(text, nullptr,
// /*allow_exceptions=*/false) builds it (the same values, the same number types: unsigned for
// non-negative integers, signed for negative ones, double otherwise; the first position and
// the last value of a repeated key; a leading UTF-8 BOM skipped, a NUL byte after the value taken for the end), and rejecting exactly the
// texts it rejects (bad UTF-8, raw control characters, lone surrogates, numbers that overflow a
// double, anything after the value). About four times faster on Stratum lines: it scans strings
// a run at a time instead of one character per call. Iterative: any nesting depth is fine.
//
// The differential fuzz target fuzz/stratum_json compares it with nlohmann on arbitrary bytes.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

namespace mw::stratum {

// False (and `out` unspecified) when `text` is not one valid JSON text.
bool ParseJson(std::string_view text, nlohmann::ordered_json& out);

}  // namespace mw::stratum
