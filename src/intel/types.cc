#include "intel/types.h"

#include <array>

namespace mw::intel {
namespace {

constexpr std::array<std::string_view, kCategoryCount> kCategoryNames = {
    "pool", "browser-miner", "malware-infrastructure", "crypto-general", "allowlist"};
constexpr std::array<std::string_view, 8> kFormatNames = {
    "auto", "hosts", "domains", "adblock", "webext", "maltrail", "cidr", "csv"};
constexpr std::array<std::string_view, 7> kSchemeNames = {
    "", "http", "https", "ws", "wss", "stratum+tcp", "stratum+ssl"};
constexpr std::array<std::string_view, kSkipReasonCount> kSkipNames = {
    "malformed", "cosmetic", "scriptlet", "exception", "unsupported", "allowlisted"};

}  // namespace

std::string_view CategoryName(Category c) {
  const auto i = static_cast<size_t>(c);
  return i < kCategoryNames.size() ? kCategoryNames[i] : "unknown";
}

std::optional<Category> ParseCategory(std::string_view name) {
  for (size_t i = 0; i < kCategoryNames.size(); ++i) {
    if (kCategoryNames[i] == name) return static_cast<Category>(i);
  }
  return std::nullopt;
}

std::string_view FormatName(Format f) {
  const auto i = static_cast<size_t>(f);
  return i < kFormatNames.size() ? kFormatNames[i] : "unknown";
}

std::optional<Format> ParseFormat(std::string_view name) {
  for (size_t i = 0; i < kFormatNames.size(); ++i) {
    if (kFormatNames[i] == name) return static_cast<Format>(i);
  }
  return std::nullopt;
}

std::string_view SchemeName(Scheme s) {
  const auto i = static_cast<size_t>(s);
  return i < kSchemeNames.size() ? kSchemeNames[i] : "unknown";
}

std::optional<Scheme> ParseScheme(std::string_view name) {
  if (name == "*") return Scheme::kAny;
  if (name == "stratum+tls") return Scheme::kStratumSsl;
  if (name == "stratum") return Scheme::kStratumTcp;
  for (size_t i = 0; i < kSchemeNames.size(); ++i) {
    if (kSchemeNames[i] == name) return static_cast<Scheme>(i);
  }
  return std::nullopt;
}

std::string_view SkipReasonName(SkipReason r) {
  const auto i = static_cast<size_t>(r);
  return i < kSkipNames.size() ? kSkipNames[i] : "unknown";
}

}  // namespace mw::intel
