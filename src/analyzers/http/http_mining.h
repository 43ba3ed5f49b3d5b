// What in HTTP says "mining": JSON-RPC method names in bodies (getwork, getblocktemplate,
// submitblock, eth_getWork ...), the getwork-era headers (X-Mining-Extensions, X-Stratum,
// X-Long-Polling), miner User-Agents, and in-browser miner script URLs.
//
// Pure functions over bounded strings. The lists are ours, written from the miners' own
// documentation and protocols.md section (e); see README.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mw::analyzers::http {

inline constexpr size_t kMaxRpcMethods = 16;
inline constexpr size_t kMaxMethodNameChars = 64;

// Every `"method" : "<name>"` in a JSON text, in order (at most kMaxRpcMethods), tolerant of
// whitespace and of truncated or batched bodies; no JSON library needed and nothing thrown.
std::vector<std::string> FindJsonRpcMethods(std::string_view body);
// getwork, getblocktemplate, submitblock, getauxblock, submitauxblock, eth_getWork,
// eth_submitWork, eth_submitHashrate (exact, case-sensitive as JSON-RPC is).
bool IsMiningRpcMethod(std::string_view method);
// A JSON-RPC result that looks like a getwork answer ("data" and "target" keys) or a block
// template ("previousblockhash" and "coinbasevalue" keys).
bool LooksLikeGetworkResult(std::string_view body);
bool LooksLikeBlockTemplate(std::string_view body);

// The miner family named by a User-Agent ("xmrig" for "XMRig/6.21.0 (Linux x86_64) libuv/1.44"),
// or "" when none. Each product token's name is compared by prefix, case-insensitively.
std::string_view MatchMinerUserAgent(std::string_view user_agent);

struct WebMinerScript {
  std::string_view name;  // the list entry that matched, "" when none
  bool weak = false;      // generic names (worker.js) that need other evidence
};
// Matches the last path segment of a request URI (query and fragment ignored) against the list
// of in-browser miner scripts and modules.
WebMinerScript MatchWebMinerScript(std::string_view uri);

}  // namespace mw::analyzers::http
