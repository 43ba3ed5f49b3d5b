// Vocabulary of the threat-intel module: what a feed entry is about (category), which file format
// it came from, the scheme it names, and why a line was skipped. Plain enums with stable numeric
// values: they are stored in snapshot files, so values are never renumbered, only appended.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mw::intel {

// What an entry says about the endpoint it names.
enum class Category : uint8_t {
  kPool = 0,                    // a mining pool (stratum endpoint or its web front)
  kBrowserMiner = 1,            // in-browser miner scripts, their WebSocket proxies
  kMalwareInfrastructure = 2,   // droppers, C2 and payload hosts of miner malware
  kCryptoGeneral = 3,           // cryptocurrency-related but not mining (exchanges, scams)
  kAllowlist = 4,               // known-good shared infrastructure; wins over every feed
};
inline constexpr int kCategoryCount = 5;

// File formats the parsers read (see feed_parser.h for what each accepts).
enum class Format : uint8_t {
  kAuto = 0,
  kHosts = 1,     // "0.0.0.0 host" lines
  kDomains = 2,   // one domain a line
  kAdblock = 3,   // Adblock Plus / uBlock Origin filters
  kWebExt = 4,    // WebExtension match patterns (*://*.host/path*)
  kMaltrail = 5,  // maltrail trails: host, IP, ip:port, http://ip/path, /path
  kCidr = 6,      // IPs and CIDR ranges, one a line
  kCsv = 7,       // domain-or-ip,port,scheme,coin[,category]
};

// The scheme an entry is restricted to; kAny when the feed does not say.
enum class Scheme : uint8_t { kAny = 0, kHttp, kHttps, kWs, kWss, kStratumTcp, kStratumSsl };

// What kind of value an entry holds.
enum class EntryKind : uint8_t {
  kDomain = 0,      // a name; matches itself and every name below it
  kIpRange = 1,     // an address or CIDR range (IPv4 or IPv6)
  kUrlPattern = 2,  // a URL pattern (optional host, path with wildcards)
};

// Why a feed line did not become an entry. Comments and blank lines are counted, not listed.
enum class SkipReason : uint8_t {
  kMalformed = 0,     // not valid in its format (bad name, bad address, bad port ...)
  kCosmetic = 1,      // Adblock element-hiding rule (##, #@#, #?#)
  kScriptlet = 2,     // uBlock scriptlet injection (##+js(...)) or #$# snippets
  kException = 3,     // Adblock exception (@@...): a browser-context allow rule, not intel
  kUnsupported = 4,   // valid in its format but not expressible here (regex, wildcard TLD)
  kAllowlisted = 5,   // dropped at import because the allowlist covers it
};
inline constexpr int kSkipReasonCount = 6;

std::string_view CategoryName(Category c);    // "pool", "browser-miner", ...
std::optional<Category> ParseCategory(std::string_view name);
std::string_view FormatName(Format f);        // "hosts", "adblock", ...
std::optional<Format> ParseFormat(std::string_view name);
std::string_view SchemeName(Scheme s);        // "", "http", "wss", "stratum+tcp", ...
std::optional<Scheme> ParseScheme(std::string_view name);  // "" and "*" parse as kAny
std::string_view SkipReasonName(SkipReason r);

}  // namespace mw::intel
