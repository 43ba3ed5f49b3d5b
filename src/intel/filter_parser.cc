// Adblock Plus / uBlock Origin filters and WebExtension match patterns (see feed_parser.h).
#include <algorithm>

#include "intel/parse_util.h"

namespace mw::intel::detail {
namespace {

// Literal characters of a URL pattern (wildcards and anchors not counted).
size_t LiteralLength(std::string_view pattern) {
  return size_t(std::count_if(pattern.begin(), pattern.end(),
                              [](char c) { return c != '*' && c != '^' && c != '|'; }));
}

void AddPattern(ParsedFeed& feed, uint32_t line, std::string_view host, bool subdomains,
                std::string pattern, Scheme scheme, bool third_party, std::string_view text) {
  ParsedEntry e;
  e.kind = EntryKind::kUrlPattern;
  if (!host.empty()) {
    if (auto ip = ParseIp(host)) {
      e.host = FormatIp(*ip);
    } else {
      DomainBuffer buf;
      if (const char* err = NormalizeDomainInto(host, &buf)) {
        Skip(feed, line, SkipReason::kMalformed, err, text);
        return;
      }
      e.host = std::string(buf.view());
    }
  }
  e.subdomains = subdomains;
  e.pattern = std::move(pattern);
  e.value = std::string(text.substr(0, 512));
  e.scheme = scheme;
  e.third_party = third_party;
  e.category = feed.source.category;
  e.line = line;
  feed.entries.push_back(std::move(e));
}

}  // namespace

void ParseAdblockLine(ParsedFeed& feed, uint32_t line, std::string_view text) {
  if (text.front() == '!' || text.front() == '[') {
    ++feed.comment_lines;
    return;
  }
  if (text.find("##+js(") != std::string_view::npos || text.find("#$#") != std::string_view::npos ||
      text.find("#%#") != std::string_view::npos) {
    Skip(feed, line, SkipReason::kScriptlet, "scriptlet rule", text);
    return;
  }
  if (text.find("##") != std::string_view::npos || text.find("#@#") != std::string_view::npos ||
      text.find("#?#") != std::string_view::npos || text.find("#@?#") != std::string_view::npos) {
    Skip(feed, line, SkipReason::kCosmetic, "cosmetic rule", text);
    return;
  }
  if (text.front() == '#') {  // uBlock lists use '#' comments
    ++feed.comment_lines;
    return;
  }
  if (StartsWith(text, "@@")) {
    Skip(feed, line, SkipReason::kException, "exception rule", text);
    return;
  }
  std::string_view rule = text;
  std::string_view options;
  if (rule.size() > 2 && rule.front() == '/') {
    const size_t close = rule.rfind('/');
    const size_t dollar = rule.rfind('$');
    const bool regex_end = close == rule.size() - 1 || (dollar != rule.npos && close + 1 == dollar);
    if (close > 0 && regex_end) {
      Skip(feed, line, SkipReason::kUnsupported, "regular-expression rule", text);
      return;
    }
  }
  if (size_t dollar = rule.rfind('$'); dollar != std::string_view::npos) {
    options = rule.substr(dollar + 1);
    rule = rule.substr(0, dollar);
  }
  bool third_party = false;
  Scheme scheme = Scheme::kAny;
  for (size_t start = 0; start <= options.size() && !options.empty();) {
    size_t comma = options.find(',', start);
    std::string_view opt = options.substr(start, comma == std::string_view::npos ? options.npos : comma - start);
    if (opt == "third-party" || opt == "3p") third_party = true;
    if (opt == "websocket") scheme = Scheme::kWss;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (rule.empty()) {
    Skip(feed, line, SkipReason::kUnsupported, "rule with options only", text);
    return;
  }
  if (StartsWith(rule, "||")) {
    std::string_view rest = rule.substr(2);
    const size_t end = rest.find_first_of("^/*|:?$");
    std::string_view host = rest.substr(0, end);
    std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    if (host.empty() || (!tail.empty() && tail.front() == '*')) {
      Skip(feed, line, SkipReason::kUnsupported, "wildcard in host", text);
      return;
    }
    if (host.back() == '.') {  // "||uptostream.*/..." style wildcard TLD
      Skip(feed, line, SkipReason::kUnsupported, "wildcard top-level domain", text);
      return;
    }
    if (tail.empty() || tail == "^" || tail == "^|") {
      if (auto range = ParseCidr(host); range && host.find('/') == std::string_view::npos) {
        AddRange(feed, line, *range, FormatIp(range->first), 0, scheme);
      } else {
        const size_t before = feed.entries.size();
        AddDomain(feed, line, host, true, 0, scheme, text);
        if (feed.entries.size() > before) feed.entries.back().third_party = third_party;
      }
      return;
    }
    AddPattern(feed, line, host, true, StartAnchored(tail, false), scheme, third_party, text);
    return;
  }
  if (LiteralLength(rule) < 4) {
    Skip(feed, line, SkipReason::kUnsupported, "pattern too generic (under 4 literal characters)", text);
    return;
  }
  AddPattern(feed, line, {}, true, std::string(rule), scheme, third_party, text);
}

void ParseWebExtLine(ParsedFeed& feed, uint32_t line, std::string_view text) {
  if (text.front() == '#' || StartsWith(text, "//")) {
    ++feed.comment_lines;
    return;
  }
  if (text == "<all_urls>") {
    Skip(feed, line, SkipReason::kUnsupported, "<all_urls> matches everything", text);
    return;
  }
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos) {
    Skip(feed, line, SkipReason::kMalformed, "expected SCHEME://HOST/PATH", text);
    return;
  }
  auto scheme = ParseScheme(ToLowerAscii(text.substr(0, sep)));
  if (!scheme) {
    Skip(feed, line, SkipReason::kMalformed, "unknown scheme", text);
    return;
  }
  std::string_view rest = text.substr(sep + 3);
  const size_t slash = rest.find('/');
  std::string_view host = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  bool subdomains = false;
  if (host == "*") {
    host = {};
    subdomains = true;
  } else if (StartsWith(host, "*.")) {
    host.remove_prefix(2);
    subdomains = true;
  }
  if (host.find('*') != std::string_view::npos) {
    Skip(feed, line, SkipReason::kMalformed, "'*' allowed only as the first host label", text);
    return;
  }
  if (size_t colon = host.rfind(':'); colon != std::string_view::npos && host.front() != '[') {
    host = host.substr(0, colon);  // match patterns carry no ports; tolerate one
  }
  if (!host.empty() && (path == "/" || path == "/*")) {
    if (auto ip = ParseIp(host)) {
      AddRange(feed, line, IpRange{*ip, *ip}, FormatIp(*ip), 0, *scheme);
    } else {
      AddDomain(feed, line, host, subdomains, 0, *scheme, text);
    }
    return;
  }
  if (host.empty() && LiteralLength(path) < 4) {
    Skip(feed, line, SkipReason::kUnsupported, "pattern too generic (under 4 literal characters)", text);
    return;
  }
  AddPattern(feed, line, host, subdomains, StartAnchored(path, true), *scheme, false, text);
}

}  // namespace mw::intel::detail
