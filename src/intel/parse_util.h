// Helpers shared by the feed parsers (internal to src/intel).
#pragma once

#include <string_view>

#include "intel/feed_parser.h"

namespace mw::intel::detail {

std::string_view Trim(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
std::string ToLowerAscii(std::string_view s);
// "|" + body (+ "|" when end_anchor): a URL pattern anchored at the start (and end).
std::string StartAnchored(std::string_view body, bool end_anchor);

// Appends a skipped line to `feed` (and counts it).
void Skip(ParsedFeed& feed, uint32_t line, SkipReason reason, std::string_view detail,
          std::string_view text);

// A domain entry from a raw name; records a malformed line instead when the name is bad or has
// a single label (which would match a whole top-level domain).
void AddDomain(ParsedFeed& feed, uint32_t line, std::string_view raw_name, bool subdomains,
               uint16_t port, Scheme scheme, std::string_view text);
// An IP-range entry from an address or CIDR.
void AddRange(ParsedFeed& feed, uint32_t line, const IpRange& range, std::string_view written,
              uint16_t port, Scheme scheme);

// Per-format parsers: each gets one line (trimmed, non-empty, not a comment of the file's
// general '#'-style unless the format says otherwise) and its number.
void ParseAdblockLine(ParsedFeed& feed, uint32_t line, std::string_view text);
void ParseWebExtLine(ParsedFeed& feed, uint32_t line, std::string_view text);

}  // namespace mw::intel::detail
