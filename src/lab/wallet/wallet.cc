#include "lab/wallet/wallet.h"

#include "chain/transaction.h"

namespace mw::lab::wallet {

Result<uint64_t> ParseAmount(std::string_view coins) {
  if (coins.empty()) return Status::InvalidArgument("empty amount");
  const size_t dot = coins.find('.');
  std::string_view whole = coins.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : coins.substr(dot + 1);
  if (whole.empty() && frac.empty()) return Status::InvalidArgument("amount has no digits");
  if (frac.size() > 8) return Status::InvalidArgument("amount has more than 8 decimals");
  auto digits = [](std::string_view s) {
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if (!digits(whole) || !digits(frac) ||
      (dot != std::string_view::npos && coins.find('.', dot + 1) != std::string_view::npos)) {
    return Status::InvalidArgument("amount '" + std::string(coins) +
                                   "' is not a decimal number of coins");
  }
  if (whole.size() > 10) return Status::InvalidArgument("amount is too large");
  uint64_t units = 0;
  for (char c : whole) units = units * 10 + uint64_t(c - '0');
  units *= kUnitsPerCoin;
  uint64_t f = 0;
  for (size_t i = 0; i < 8; ++i) f = f * 10 + (i < frac.size() ? uint64_t(frac[i] - '0') : 0);
  return units + f;
}

std::string FormatAmount(uint64_t units) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%llu.%08llu",
                static_cast<unsigned long long>(units / kUnitsPerCoin),
                static_cast<unsigned long long>(units % kUnitsPerCoin));
  return buf;
}

Result<nlohmann::json> Balance(io::JsonRpcClient& node, const chain::PubKey& key) {
  return node.Call("getbalance", nlohmann::json::array({chain::EncodeAddress(key)}));
}

Result<nlohmann::json> History(io::JsonRpcClient& node, const chain::PubKey& key, size_t count) {
  return node.Call("listtransactions", nlohmann::json::array({chain::EncodeAddress(key), count}));
}

Result<SendResult> Send(io::JsonRpcClient& node, const chain::KeyPair& key,
                        const chain::PubKey& payee, uint64_t amount, uint64_t fee,
                        std::string_view memo) {
  if (memo.size() > chain::kMaxMemoBytes) {
    return Status::InvalidArgument("memo is longer than " +
                                   std::to_string(chain::kMaxMemoBytes) + " bytes");
  }
  MW_ASSIGN_OR_RETURN(nlohmann::json balance, Balance(node, key.pubkey()));
  auto nonce = balance.find("pending_nonce");
  if (nonce == balance.end() || !nonce->is_number_unsigned()) {
    return Status::Corruption("getbalance reply has no pending_nonce");
  }
  SendResult out;
  out.nonce = nonce->get<uint64_t>();
  MW_ASSIGN_OR_RETURN(chain::Transaction tx,
                      chain::MakeTransfer(key, payee, amount, fee, out.nonce, AsBytes(memo)));
  MW_ASSIGN_OR_RETURN(nlohmann::json txid,
                      node.Call("sendtransaction", nlohmann::json::array({ToHex(chain::EncodeTx(tx))})));
  if (!txid.is_string()) return Status::Corruption("sendtransaction did not return a txid");
  out.txid = txid.get<std::string>();
  return out;
}

}  // namespace mw::lab::wallet
