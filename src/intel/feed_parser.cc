#include "intel/feed_parser.h"

#include <algorithm>

#include "intel/parse_util.h"

namespace mw::intel {
namespace detail {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' ||
                        s.front() == '\n' || s.front() == '\v' || s.front() == '\f')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                        s.back() == '\n' || s.back() == '\v' || s.back() == '\f')) {
    s.remove_suffix(1);
  }
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c + 32);
  }
  return out;
}

std::string StartAnchored(std::string_view body, bool end_anchor) {
  std::string out;
  out.reserve(body.size() + 2);
  out.push_back('|');
  out.append(body);
  if (end_anchor) out.push_back('|');
  return out;
}

void Skip(ParsedFeed& feed, uint32_t line, SkipReason reason, std::string_view detail,
          std::string_view text) {
  ++feed.skipped_count[static_cast<int>(reason)];
  if (feed.skipped.size() >= kMaxSkippedListed) return;
  feed.skipped.push_back(SkippedLine{line, reason, std::string(detail),
                                     std::string(text.substr(0, kMaxSkippedText))});
}

void AddDomain(ParsedFeed& feed, uint32_t line, std::string_view raw_name, bool subdomains,
               uint16_t port, Scheme scheme, std::string_view text) {
  DomainBuffer buf;
  if (const char* err = NormalizeDomainInto(raw_name, &buf)) {
    Skip(feed, line, SkipReason::kMalformed, err, text);
    return;
  }
  if (LabelCount(buf.view()) < 2) {
    Skip(feed, line, SkipReason::kMalformed, "single-label name would match a whole TLD", text);
    return;
  }
  ParsedEntry e;
  e.kind = EntryKind::kDomain;
  e.value = std::string(buf.view());
  e.host = e.value;
  e.subdomains = subdomains;
  e.port = port;
  e.scheme = scheme;
  e.category = feed.source.category;
  e.line = line;
  feed.entries.push_back(std::move(e));
}

void AddRange(ParsedFeed& feed, uint32_t line, const IpRange& range, std::string_view written,
              uint16_t port, Scheme scheme) {
  ParsedEntry e;
  e.kind = EntryKind::kIpRange;
  e.range = range;
  e.value = std::string(written);
  e.port = port;
  e.scheme = scheme;
  e.category = feed.source.category;
  e.line = line;
  feed.entries.push_back(std::move(e));
}

}  // namespace detail

namespace {

using detail::AddDomain;
using detail::AddRange;
using detail::Skip;
using detail::StartAnchored;
using detail::StartsWith;
using detail::Trim;

// Removes a '#' comment that starts the line or follows whitespace.
std::string_view StripHashComment(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) return Trim(s.substr(0, i));
  }
  return s;
}

// An address or CIDR written in a feed, kept in its normalised text form.
bool TryAddAddress(ParsedFeed& feed, uint32_t line, std::string_view token, uint16_t port) {
  auto range = ParseCidr(token);
  if (!range) return false;
  std::string written = FormatIp(range->first);
  if (token.find('/') != std::string_view::npos) {
    written += std::string(token.substr(token.find('/')));
  }
  AddRange(feed, line, *range, written, port, Scheme::kAny);
  return true;
}

bool LooksLikeAddress(std::string_view s) {
  if (s.empty()) return false;
  if (s.find(':') != std::string_view::npos) return true;  // IPv6 never looks like a name
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.' || c == '/'; });
}

void ParseHostsLine(ParsedFeed& feed, uint32_t line, std::string_view text) {
  std::string_view s = StripHashComment(text);
  if (s.empty()) {
    ++feed.comment_lines;
    return;
  }
  size_t sp = s.find_first_of(" \t");
  if (sp == std::string_view::npos || !ParseIp(s.substr(0, sp))) {
    Skip(feed, line, SkipReason::kMalformed, "expected 'ADDRESS NAME...'", text);
    return;
  }
  s = Trim(s.substr(sp));
  while (!s.empty()) {
    size_t end = s.find_first_of(" \t");
    std::string_view name = s.substr(0, end);
    static constexpr std::string_view kLocalNames[] = {
        "localhost", "localhost.localdomain", "local", "broadcasthost", "ip6-localhost",
        "ip6-loopback", "0.0.0.0"};
    if (std::find(std::begin(kLocalNames), std::end(kLocalNames), name) == std::end(kLocalNames)) {
      AddDomain(feed, line, name, true, 0, Scheme::kAny, text);
    }
    s = end == std::string_view::npos ? std::string_view() : Trim(s.substr(end));
  }
}

// domains (and cidr): one token a line; cidr allows a trailing label after whitespace.
void ParseDomainsLine(ParsedFeed& feed, uint32_t line, std::string_view text, bool trailing_ok) {
  std::string_view s = StripHashComment(text);
  if (!s.empty() && s.front() == ';') s = {};
  if (s.empty()) {
    ++feed.comment_lines;
    return;
  }
  size_t sp = s.find_first_of(" \t");
  std::string_view token = s.substr(0, sp);
  if (sp != std::string_view::npos && !trailing_ok) {
    Skip(feed, line, SkipReason::kMalformed, "more than one token on the line", text);
    return;
  }
  if (LooksLikeAddress(token)) {
    if (!TryAddAddress(feed, line, token, 0)) {
      Skip(feed, line, SkipReason::kMalformed, "bad IP address or CIDR", text);
    }
    return;
  }
  if (feed.source.format == Format::kCidr) {
    Skip(feed, line, SkipReason::kMalformed, "expected an IP address or CIDR", text);
    return;
  }
  if (StartsWith(token, "*.")) token.remove_prefix(2);
  AddDomain(feed, line, token, true, 0, Scheme::kAny, text);
}

// "host:port" / "ip:port" / "[v6]:port" split; port 0 when absent. False on a bad port.
bool SplitHostPort(std::string_view s, std::string_view* host, uint16_t* port) {
  *port = 0;
  *host = s;
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    *host = s.substr(1, close - 1);
    std::string_view rest = s.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    auto p = ParsePort(rest.substr(1));
    if (!p) return false;
    *port = *p;
    return true;
  }
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || s.find(':', colon + 1) != std::string_view::npos) {
    return true;  // no port, or a bare IPv6 address
  }
  auto p = ParsePort(s.substr(colon + 1));
  if (!p) return false;
  *host = s.substr(0, colon);
  *port = *p;
  return true;
}

void AddUrlPattern(ParsedFeed& feed, uint32_t line, std::string_view host, bool subdomains,
                   std::string pattern, Scheme scheme, std::string_view text) {
  ParsedEntry e;
  e.kind = EntryKind::kUrlPattern;
  if (!host.empty()) {
    DomainBuffer buf;
    if (ParseIp(host)) {
      e.host = std::string(host);
    } else if (const char* err = NormalizeDomainInto(host, &buf)) {
      Skip(feed, line, SkipReason::kMalformed, err, text);
      return;
    } else {
      e.host = std::string(buf.view());
    }
  }
  e.subdomains = subdomains;
  e.pattern = std::move(pattern);
  e.value = std::string(text.substr(0, 512));
  e.scheme = scheme;
  e.category = feed.source.category;
  e.line = line;
  feed.entries.push_back(std::move(e));
}

void ParseMaltrailLine(ParsedFeed& feed, uint32_t line, std::string_view text) {
  std::string_view s = StripHashComment(text);
  if (s.empty()) {
    ++feed.comment_lines;
    return;
  }
  if (s.find_first_of(" \t") != std::string_view::npos) {
    Skip(feed, line, SkipReason::kMalformed, "whitespace inside a trail", text);
    return;
  }
  Scheme scheme = Scheme::kAny;
  if (StartsWith(s, "http://")) {
    scheme = Scheme::kHttp;
    s.remove_prefix(7);
  } else if (StartsWith(s, "https://")) {
    scheme = Scheme::kHttps;
    s.remove_prefix(8);
  }
  if (s.empty()) {
    Skip(feed, line, SkipReason::kMalformed, "empty trail", text);
    return;
  }
  if (scheme == Scheme::kAny && s.find('/') != std::string_view::npos &&
      TryAddAddress(feed, line, s, 0)) {
    return;  // a CIDR range
  }
  if (s.front() == '/') {  // a URL path trail, any host
    AddUrlPattern(feed, line, {}, true, std::string(s), scheme, text);
    return;
  }
  const size_t slash = s.find('/');
  std::string_view hostport = s.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : s.substr(slash);
  std::string_view host;
  uint16_t port = 0;
  if (!SplitHostPort(hostport, &host, &port)) {
    Skip(feed, line, SkipReason::kMalformed, "bad port", text);
    return;
  }
  if (path.size() > 1) {
    AddUrlPattern(feed, line, host, false, StartAnchored(path, false), scheme, text);
    return;
  }
  if (LooksLikeAddress(host)) {
    if (!TryAddAddress(feed, line, host, port)) {
      Skip(feed, line, SkipReason::kMalformed, "bad IP address", text);
    } else {
      feed.entries.back().scheme = scheme;
    }
    return;
  }
  AddDomain(feed, line, host, true, port, scheme, text);
}

// CSV columns, by header name or in the default order.
struct CsvColumns {
  int host = 0, port = 1, scheme = 2, coin = 3, category = 4;
};

std::vector<std::string_view> SplitCsv(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    out.push_back(Trim(s.substr(start, comma == std::string_view::npos ? s.npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  for (auto& f : out) {
    if (f.size() >= 2 && f.front() == '"' && f.back() == '"') f = f.substr(1, f.size() - 2);
  }
  return out;
}

bool ReadCsvHeader(const std::vector<std::string_view>& fields, CsvColumns* cols) {
  CsvColumns c{-1, -1, -1, -1, -1};
  bool any = false;
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string name = detail::ToLowerAscii(fields[i]);
    const int idx = static_cast<int>(i);
    if (name == "domain" || name == "host" || name == "ip" || name == "endpoint") {
      c.host = idx;
      any = true;
    } else if (name == "port") {
      c.port = idx;
    } else if (name == "scheme" || name == "protocol") {
      c.scheme = idx;
    } else if (name == "coin") {
      c.coin = idx;
    } else if (name == "category") {
      c.category = idx;
    }
  }
  if (any) *cols = c;
  return any;
}

void ParseCsvLine(ParsedFeed& feed, uint32_t line, std::string_view text, CsvColumns* cols,
                  bool* header_seen) {
  if (text.front() == '#') {
    ++feed.comment_lines;
    return;
  }
  const auto fields = SplitCsv(text);
  if (!*header_seen) {
    *header_seen = true;
    if (ReadCsvHeader(fields, cols)) {
      ++feed.comment_lines;
      return;
    }
  }
  auto field = [&](int i) {
    return i >= 0 && size_t(i) < fields.size() ? fields[size_t(i)] : std::string_view();
  };
  std::string_view host = field(cols->host);
  if (host.empty()) {
    Skip(feed, line, SkipReason::kMalformed, "empty host column", text);
    return;
  }
  uint16_t port = 0;
  if (!field(cols->port).empty()) {
    auto p = ParsePort(field(cols->port));
    if (!p) {
      Skip(feed, line, SkipReason::kMalformed, "bad port", text);
      return;
    }
    port = *p;
  }
  auto scheme = ParseScheme(detail::ToLowerAscii(field(cols->scheme)));
  if (!scheme) {
    Skip(feed, line, SkipReason::kMalformed, "unknown scheme", text);
    return;
  }
  Category category = feed.source.category;
  if (!field(cols->category).empty()) {
    auto c = ParseCategory(detail::ToLowerAscii(field(cols->category)));
    if (!c) {
      Skip(feed, line, SkipReason::kMalformed, "unknown category", text);
      return;
    }
    category = *c;
  }
  const size_t before = feed.entries.size();
  if (LooksLikeAddress(host)) {
    if (!TryAddAddress(feed, line, host, port)) {
      Skip(feed, line, SkipReason::kMalformed, "bad IP address", text);
      return;
    }
  } else {
    AddDomain(feed, line, StartsWith(host, "*.") ? host.substr(2) : host, true, port, *scheme,
              text);
  }
  if (feed.entries.size() == before) return;
  ParsedEntry& e = feed.entries.back();
  e.scheme = *scheme;
  e.category = category;
  e.coin = detail::ToLowerAscii(field(cols->coin).substr(0, 16));
}

}  // namespace

Format DetectFormat(std::string_view text) {
  int seen = 0;
  bool trail_like = false;
  bool all_addresses = true;
  size_t pos = 0;
  while (pos < text.size() && seen < 50) {
    size_t nl = text.find('\n', pos);
    std::string_view line = Trim(text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (line.empty()) continue;
    if (StartsWith(line, "[Adblock") || StartsWith(line, "[uBlock")) return Format::kAdblock;
    if (line.front() == '!' || StartsWith(line, "||") || StartsWith(line, "@@") ||
        line.find("##") != std::string_view::npos) {
      return Format::kAdblock;
    }
    if (line.front() == '#' || line.front() == ';') continue;
    ++seen;
    if (line.find("://") != std::string_view::npos &&
        (line.front() == '*' || StartsWith(line, "ws") || StartsWith(line, "http") ||
         StartsWith(line, "<all_urls>"))) {
      if (line.front() == '*' || StartsWith(line, "ws")) return Format::kWebExt;
      trail_like = true;
    }
    const size_t sp = line.find_first_of(" \t");
    if (sp != std::string_view::npos && ParseIp(line.substr(0, sp))) {
      std::string_view rest = Trim(line.substr(sp));
      if (!rest.empty() && !LooksLikeAddress(rest.substr(0, rest.find_first_of(" \t")))) {
        return Format::kHosts;
      }
    }
    if (line.find(',') != std::string_view::npos) return Format::kCsv;
    std::string_view token = line.substr(0, sp);
    if (!LooksLikeAddress(token)) all_addresses = false;
    std::string_view host;
    uint16_t port = 0;
    if (token.find('/') != std::string_view::npos && !LooksLikeAddress(token)) trail_like = true;
    if (SplitHostPort(token, &host, &port) && port != 0) trail_like = true;
  }
  if (trail_like) return Format::kMaltrail;
  if (seen > 0 && all_addresses) return Format::kCidr;
  return Format::kDomains;
}

ParsedFeed ParseFeed(std::string_view text, FeedSource source) {
  ParsedFeed feed;
  if (source.format == Format::kAuto) source.format = DetectFormat(text);
  feed.source = std::move(source);
  CsvColumns csv_cols;
  bool csv_header_seen = false;
  uint32_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    std::string_view line = Trim(raw);
    if (line_no == 1 && StartsWith(line, "\xEF\xBB\xBF")) line = Trim(line.substr(3));  // BOM
    if (line.empty()) {
      ++feed.comment_lines;
      continue;
    }
    if (line.find('\0') != std::string_view::npos) {
      Skip(feed, line_no, SkipReason::kMalformed, "NUL byte in line", {});
      continue;
    }
    switch (feed.source.format) {
      case Format::kHosts: ParseHostsLine(feed, line_no, line); break;
      case Format::kAdblock: detail::ParseAdblockLine(feed, line_no, line); break;
      case Format::kWebExt: detail::ParseWebExtLine(feed, line_no, line); break;
      case Format::kMaltrail: ParseMaltrailLine(feed, line_no, line); break;
      case Format::kCidr: ParseDomainsLine(feed, line_no, line, true); break;
      case Format::kCsv: ParseCsvLine(feed, line_no, line, &csv_cols, &csv_header_seen); break;
      case Format::kDomains:
      case Format::kAuto: ParseDomainsLine(feed, line_no, line, false); break;
    }
  }
  feed.lines = line_no;
  return feed;
}

Category GuessCategory(std::string_view path) {
  const std::string p = detail::ToLowerAscii(path);
  auto has = [&](std::string_view w) { return p.find(w) != std::string::npos; };
  if (has("malware/") || has("malware\\")) return Category::kMalwareInfrastructure;
  if (has("crypto_mining") || has("pool")) return Category::kPool;
  if (has("nocoin") || has("coinhive") || has("browser")) return Category::kBrowserMiner;
  if (has("allowlist")) return Category::kAllowlist;
  if (has("crypto")) return Category::kCryptoGeneral;
  return Category::kPool;
}

}  // namespace mw::intel
