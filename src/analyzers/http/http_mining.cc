#include "analyzers/http/http_mining.h"

#include <array>

#include "analyzers/http/http_head.h"

namespace mw::analyzers::http {
namespace {

constexpr std::array<std::string_view, 8> kMiningMethods = {
    "getwork",     "getblocktemplate", "submitblock",   "getauxblock",
    "submitauxblock", "eth_getWork",   "eth_submitWork", "eth_submitHashrate"};

// Product names of mining programs as they appear at the start of a User-Agent product token.
// Sources: each program's HTTP/JSON-RPC client code identifies itself as "<name>/<version>".
constexpr std::array<std::string_view, 24> kMinerAgents = {
    "cgminer",   "bfgminer",     "sgminer",   "cpuminer",   "minerd",     "ccminer",
    "xmrig",     "xmr-stak",     "ethminer",  "nbminer",    "t-rex",      "teamredminer",
    "lolminer",  "gminer",       "nanominer", "phoenixminer", "srbminer", "wildrig",
    "nheqminer", "bminer",       "poclbm",    "diablominer", "ufasoft",   "bitminter"};

constexpr std::array<std::string_view, 14> kWebMinerScripts = {
    "coinhive.min.js", "coinhive.js",     "authedmine.min.js", "cryptonight.wasm",
    "cryptonight.js",  "cryptonight.asm.js", "webmr.js",       "webmr4.js",
    "deepminer.min.js", "deepminer.js",   "cryptoloot.js",     "crypto-loot.min.js",
    "miner.wasm",      "webminer.js"};
constexpr std::array<std::string_view, 2> kWeakWebMinerScripts = {"worker.js", "miner.js"};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

bool HasKey(std::string_view body, std::string_view quoted_key) {
  size_t pos = 0;
  while ((pos = body.find(quoted_key, pos)) != std::string_view::npos) {
    pos += quoted_key.size();
    while (pos < body.size() && IsSpace(body[pos])) ++pos;
    if (pos < body.size() && body[pos] == ':') return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> FindJsonRpcMethods(std::string_view body) {
  std::vector<std::string> out;
  constexpr std::string_view kKey = "\"method\"";
  size_t pos = 0;
  while (out.size() < kMaxRpcMethods && (pos = body.find(kKey, pos)) != std::string_view::npos) {
    pos += kKey.size();
    size_t p = pos;
    while (p < body.size() && IsSpace(body[p])) ++p;
    if (p >= body.size() || body[p] != ':') continue;
    ++p;
    while (p < body.size() && IsSpace(body[p])) ++p;
    if (p >= body.size() || body[p] != '"') continue;
    ++p;
    const size_t end = body.find('"', p);
    if (end == std::string_view::npos || end - p > kMaxMethodNameChars) continue;
    out.emplace_back(body.substr(p, end - p));
    pos = end + 1;
  }
  return out;
}

bool IsMiningRpcMethod(std::string_view method) {
  for (std::string_view m : kMiningMethods) {
    if (m == method) return true;
  }
  return false;
}

bool LooksLikeGetworkResult(std::string_view body) {
  return HasKey(body, "\"data\"") && HasKey(body, "\"target\"");
}

bool LooksLikeBlockTemplate(std::string_view body) {
  return HasKey(body, "\"previousblockhash\"") && HasKey(body, "\"coinbasevalue\"");
}

namespace {

// How MatchMinerUserAgent sees a User-Agent's bytes.
enum class UaChar : uint8_t { kToken, kSpace, kOpen, kClose };

constexpr std::array<UaChar, 256> MakeUaChars() {
  std::array<UaChar, 256> t{};
  t[' '] = t['\t'] = t['\r'] = t['\n'] = UaChar::kSpace;
  t['('] = UaChar::kOpen;
  t[')'] = UaChar::kClose;
  return t;
}
constexpr std::array<UaChar, 256> kUaChars = MakeUaChars();

// The first letters of kMinerAgents, lower case: a token starting otherwise is skipped at once.
constexpr std::array<bool, 256> MakeAgentFirsts() {
  std::array<bool, 256> t{};
  for (std::string_view a : kMinerAgents) t[uint8_t(a[0])] = true;
  return t;
}
constexpr std::array<bool, 256> kAgentFirsts = MakeAgentFirsts();

UaChar ClassOf(char c) { return kUaChars[uint8_t(c)]; }

}  // namespace

std::string_view MatchMinerUserAgent(std::string_view ua) {
  size_t depth = 0;  // inside a (comment): tokens there are not products
  size_t i = 0;
  while (i < ua.size()) {
    const UaChar c = ClassOf(ua[i]);
    if (c != UaChar::kToken) {
      if (c == UaChar::kOpen) ++depth;
      if (c == UaChar::kClose && depth > 0) --depth;
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < ua.size() && ClassOf(ua[j]) == UaChar::kToken) ++j;
    const char first = char(ua[i] | 0x20);  // ASCII letters to lower case
    if (depth == 0 && kAgentFirsts[uint8_t(first)]) {
      const std::string_view token = ua.substr(i, j - i);
      for (std::string_view agent : kMinerAgents) {
        if (agent[0] == first && StartsWithIgnoreCase(token, agent)) return agent;
      }
    }
    i = j;
  }
  return {};
}

WebMinerScript MatchWebMinerScript(std::string_view uri) {
  const size_t cut = uri.find_first_of("?#");
  std::string_view path = uri.substr(0, cut);
  const size_t slash = path.rfind('/');
  const std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
  for (std::string_view s : kWebMinerScripts) {
    if (EqualsIgnoreCase(last, s)) return {s, false};
  }
  for (std::string_view s : kWeakWebMinerScripts) {
    if (EqualsIgnoreCase(last, s)) return {s, true};
  }
  return {};
}

}  // namespace mw::analyzers::http
