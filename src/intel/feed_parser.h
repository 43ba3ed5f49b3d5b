// Parsers for the threat-intel feed formats minewatch reads, as users receive them. Each parser
// turns a whole file into normalised entries that keep their provenance (feed, category, line),
// plus the lines it skipped with a reason and line number. Malformed lines are data, never fatal.
//
// Formats (see README.md for examples):
//   hosts     "0.0.0.0 name [name...]" (any address in front), '#' comments
//   domains   one name, IP or CIDR a line ("*." prefix allowed), '#' or ';' comments
//   adblock   ||host^ rules with $options, URL path patterns, '!' comments; cosmetic (##),
//             scriptlet (##+js), exception (@@) and regex rules are skipped and counted
//   webext    WebExtension match patterns: scheme://host/path with '*' wildcards
//   maltrail  host, IP, ip:port, host:port, http://ip[:port]/path, /path, '#' comments
//   cidr      IP or CIDR a line, anything after whitespace is a comment
//   csv       host-or-ip,port,scheme,coin[,category] with an optional header naming columns
//
// Thread-safety: pure functions over their arguments.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "intel/normalize.h"
#include "intel/types.h"

namespace mw::intel {

// Where a feed comes from and what its entries mean by default.
struct FeedSource {
  std::string name;                       // shown in provenance, e.g. "maltrail/crypto_mining"
  Format format = Format::kAuto;
  Category category = Category::kPool;    // CSV rows may override per line
};

struct ParsedEntry {
  EntryKind kind = EntryKind::kDomain;
  std::string value;              // display form: the normalised name, CIDR or pattern text
  std::string host;               // kDomain: the name; kUrlPattern: host restriction ("" none)
  bool subdomains = true;         // the name (or pattern host) also covers names below it
  IpRange range;                  // kIpRange
  std::string pattern;            // kUrlPattern: '*' any run, '^' separator, '|' anchors
  uint16_t port = 0;              // 0: any port
  Scheme scheme = Scheme::kAny;
  Category category = Category::kPool;
  std::string coin;               // CSV only, lower case ("" unknown)
  bool third_party = false;       // Adblock $third-party
  uint32_t line = 0;              // 1-based line in the feed file
};

struct SkippedLine {
  uint32_t line = 0;
  SkipReason reason = SkipReason::kMalformed;
  std::string detail;             // why, e.g. "bad port"
  std::string text;               // the line, cut to kMaxSkippedText bytes
};

struct ParsedFeed {
  FeedSource source;              // format resolved (never kAuto after parsing)
  std::vector<ParsedEntry> entries;
  std::vector<SkippedLine> skipped;   // at most kMaxSkippedListed; skipped_count has all
  uint32_t skipped_count[kSkipReasonCount] = {};
  uint32_t lines = 0;
  uint32_t comment_lines = 0;     // comments and blank lines
};

inline constexpr size_t kMaxSkippedText = 120;
inline constexpr size_t kMaxSkippedListed = 10000;

// Guesses the format from the first meaningful lines (defaults to kDomains).
Format DetectFormat(std::string_view text);

// Parses a whole feed. source.format kAuto means DetectFormat(text).
ParsedFeed ParseFeed(std::string_view text, FeedSource source);

// The category a feed file most likely carries, from its path (for `intel import` without
// --category): "malware/" -> malware-infrastructure, "crypto_mining"/"pool" -> pool,
// "nocoin"/"coinhive" -> browser-miner, "crypto" -> crypto-general, else pool.
Category GuessCategory(std::string_view path);

}  // namespace mw::intel
