#include "intel/url_pattern.h"

#include "intel/normalize.h"

namespace mw::intel {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

bool IsSeparator(char c) {
  const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.' || c == '%';
  return !word;
}

bool CharMatches(char p, char t) { return p == '^' ? IsSeparator(t) : Lower(p) == Lower(t); }

}  // namespace

bool UrlPatternMatches(std::string_view pattern, std::string_view text) {
  bool start_anchor = false;
  bool end_anchor = false;
  if (!pattern.empty() && pattern.front() == '|') {
    start_anchor = true;
    pattern.remove_prefix(1);
  }
  if (!pattern.empty() && pattern.back() == '|') {
    end_anchor = true;
    pattern.remove_suffix(1);
  }
  const size_t m = pattern.size();
  const size_t n = text.size();
  size_t pi = 0;
  size_t ti = 0;
  // The last '*' seen (star_p is the pattern index after it) and the text position it covers
  // up to. An unanchored start behaves as a '*' before the pattern.
  bool have_star = !start_anchor;
  size_t star_p = 0;
  size_t star_t = 0;
  while (ti < n) {
    if (pi < m && pattern[pi] == '*') {
      have_star = true;
      star_p = ++pi;
      star_t = ti;
      continue;
    }
    if (pi < m && CharMatches(pattern[pi], text[ti])) {
      ++pi;
      ++ti;
      continue;
    }
    if (pi == m && !end_anchor) return true;
    if (!have_star) return false;
    pi = star_p;
    ti = ++star_t;
  }
  while (pi < m && (pattern[pi] == '*' || pattern[pi] == '^')) ++pi;
  return pi == m;
}

bool SplitUrl(std::string_view url, UrlParts* out) {
  *out = UrlParts{};
  std::string_view rest = url;
  if (size_t sep = url.find("://"); sep != std::string_view::npos) {
    out->scheme = std::string(url.substr(0, sep));
    for (char& c : out->scheme) c = Lower(c);
    rest = url.substr(sep + 3);
  }
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const size_t path_at = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_at);
  if (path_at == std::string_view::npos) {
    out->path.push_back('/');
  } else {
    if (rest[path_at] == '?') out->path.push_back('/');
    out->path.append(rest.substr(path_at));
  }
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    out->host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return false;
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    out->host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (!port_text.empty()) {
    auto port = ParsePort(port_text);
    if (!port) return false;
    out->port = *port;
  }
  return !out->host.empty();
}

}  // namespace mw::intel
