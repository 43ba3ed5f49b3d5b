// JSON views of lab chain objects for the node's RPC, and the parsers clients need.
// Pure functions; thread-safe. Hashes are display-order hex (ToDisplayHex).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "chain/block.h"
#include "chain/block_template.h"
#include "chain/transaction.h"
#include "core/status.h"

namespace mw::lab::rpc {

using Json = nlohmann::json;

// {"txid","kind":"coinbase"|"transfer","payee","amount", transfer: "payer","fee","nonce","memo",
//  coinbase: "height", and "hex" (the encoding)}
Json TxToJson(const chain::Transaction& tx);

// {"hash","height","confirmations","previousblockhash","merkleroot","time","bits","nonce",
//  "version","size","tx":[TxToJson...]}. `confirmations` 0 means "not on the best chain".
Json BlockToJson(const chain::Block& block, uint32_t height, uint32_t confirmations);

// getblocktemplate result: {"version","height","previousblockhash","bits","target","curtime",
// "mintime","maxtime","coinbasevalue","transactions":[{"data","txid","fee"}],"longpollid"}.
Json TemplateToJson(const chain::BlockTemplate& tmpl, const std::string& longpollid);
// Parses a getblocktemplate result back (recomputing txids from the data). kInvalidArgument
// names the first bad field.
Result<chain::BlockTemplate> TemplateFromJson(const Json& json);

// Hex of a display-order hash, parsed (64 hex digits).
Result<Hash256> HashFromJson(const Json& json);

}  // namespace mw::lab::rpc
