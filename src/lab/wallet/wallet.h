// Wallet operations against a node's JSON-RPC, and amount formatting.
// Stateless functions; the JsonRpcClient passed in is used for one call at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "chain/keys.h"
#include "core/status.h"
#include "io/http_client.h"

namespace mw::lab::wallet {

inline constexpr uint64_t kUnitsPerCoin = 100'000'000;

// "5", "5.25", "0.00000001" -> base units. At most 8 decimals; no sign, no exponent.
Result<uint64_t> ParseAmount(std::string_view coins);
// 525000000 -> "5.25000000".
std::string FormatAmount(uint64_t units);

struct SendResult {
  std::string txid;  // display hex
  uint64_t nonce = 0;
};

// Builds a transfer from `key` (nonce = the node's pending nonce for the payer), signs it and
// sends it with sendtransaction. RPC refusals come back as the node's reason.
Result<SendResult> Send(io::JsonRpcClient& node, const chain::KeyPair& key,
                        const chain::PubKey& payee, uint64_t amount, uint64_t fee,
                        std::string_view memo);

// getbalance for the key's address.
Result<nlohmann::json> Balance(io::JsonRpcClient& node, const chain::PubKey& key);
// listtransactions for the key's address (newest first).
Result<nlohmann::json> History(io::JsonRpcClient& node, const chain::PubKey& key, size_t count);

}  // namespace mw::lab::wallet
