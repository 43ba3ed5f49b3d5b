// URL patterns as Adblock filters and WebExtension match patterns write them, reduced to one
// small language: '*' matches any run of characters, '^' one separator character (anything but
// a letter, digit or "_-.%") or the end, a leading '|' anchors at the start and a trailing '|' at
// the end; without anchors the pattern may match anywhere. Matching ignores ASCII case.
// Pure functions, thread-safe; matching is O(pattern x text) at worst and never recursive.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "intel/types.h"

namespace mw::intel {

bool UrlPatternMatches(std::string_view pattern, std::string_view text);

// The parts of "scheme://host[:port]/path?query" that matching needs. A text without "://" is
// read as "host[:port][/path]".
struct UrlParts {
  std::string scheme;   // lower case, "" when absent
  std::string host;     // as written (not normalised), brackets removed for IPv6
  uint16_t port = 0;
  std::string path;     // from the first '/' (query kept, fragment dropped); "/" when absent
};
bool SplitUrl(std::string_view url, UrlParts* out);

}  // namespace mw::intel
