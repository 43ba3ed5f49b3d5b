#include "lab/rpc/chain_json.h"

#include "chain/keys.h"
#include "core/target.h"

namespace mw::lab::rpc {
namespace {

std::string Hex32(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", v);
  return buf;
}

Result<uint32_t> U32Field(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_unsigned() || it->get<uint64_t>() > 0xffffffffull) {
    return Status::InvalidArgument(std::string("template field '") + name +
                                   "' must be an unsigned 32-bit number");
  }
  return uint32_t(it->get<uint64_t>());
}

}  // namespace

Json TxToJson(const chain::Transaction& tx) {
  Json j;
  j["txid"] = ToDisplayHex(chain::TxId(tx));
  j["kind"] = tx.IsCoinbase() ? "coinbase" : "transfer";
  j["payee"] = chain::EncodeAddress(tx.payee);
  j["amount"] = tx.amount;
  if (tx.IsCoinbase()) {
    j["height"] = tx.height;
    j["extra"] = ToHex(tx.extra);
  } else {
    j["payer"] = chain::EncodeAddress(tx.payer);
    j["fee"] = tx.fee;
    j["nonce"] = tx.nonce;
    std::string memo(tx.memo.begin(), tx.memo.end());
    bool printable = true;
    for (char c : memo) printable = printable && c >= 32 && c < 127;
    j["memo"] = printable ? memo : ToHex(tx.memo);
  }
  j["hex"] = ToHex(chain::EncodeTx(tx));
  return j;
}

Json BlockToJson(const chain::Block& block, uint32_t height, uint32_t confirmations) {
  Json j;
  j["hash"] = ToDisplayHex(block.Hash());
  j["height"] = height;
  j["confirmations"] = confirmations;
  j["previousblockhash"] = ToDisplayHex(block.header.prev_hash);
  j["merkleroot"] = ToDisplayHex(block.header.merkle_root);
  j["version"] = block.header.version;
  j["time"] = block.header.time;
  j["bits"] = Hex32(block.header.bits);
  j["nonce"] = block.header.nonce;
  j["size"] = chain::EncodedBlockSize(block);
  Json txs = Json::array();
  for (const auto& tx : block.txs) txs.push_back(TxToJson(tx));
  j["tx"] = std::move(txs);
  return j;
}

Json TemplateToJson(const chain::BlockTemplate& t, const std::string& longpollid) {
  Json j;
  j["version"] = t.version;
  j["height"] = t.height;
  j["previousblockhash"] = ToDisplayHex(t.prev_hash);
  j["bits"] = Hex32(t.bits);
  j["target"] = ToDisplayHex(t.target);
  j["curtime"] = t.time;
  j["mintime"] = t.min_time;
  j["maxtime"] = t.max_time;
  j["coinbasevalue"] = t.coinbase_value;
  Json txs = Json::array();
  for (size_t i = 0; i < t.txs.size(); ++i) {
    txs.push_back({{"data", ToHex(chain::EncodeTx(t.txs[i]))},
                   {"txid", ToDisplayHex(t.txids[i])},
                   {"fee", t.txs[i].fee}});
  }
  j["transactions"] = std::move(txs);
  j["longpollid"] = longpollid;
  return j;
}

Result<Hash256> HashFromJson(const Json& json) {
  if (!json.is_string()) return Status::InvalidArgument("hash must be a hex string");
  return FromDisplayHex(json.get<std::string>());
}

Result<chain::BlockTemplate> TemplateFromJson(const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument("template must be a JSON object");
  chain::BlockTemplate t;
  MW_ASSIGN_OR_RETURN(t.version, U32Field(j, "version"));
  MW_ASSIGN_OR_RETURN(t.height, U32Field(j, "height"));
  MW_ASSIGN_OR_RETURN(t.time, U32Field(j, "curtime"));
  MW_ASSIGN_OR_RETURN(t.min_time, U32Field(j, "mintime"));
  MW_ASSIGN_OR_RETURN(t.max_time, U32Field(j, "maxtime"));
  auto prev = j.find("previousblockhash");
  if (prev == j.end()) return Status::InvalidArgument("template has no previousblockhash");
  MW_ASSIGN_OR_RETURN(t.prev_hash, HashFromJson(*prev));
  auto bits = j.find("bits");
  if (bits == j.end() || !bits->is_string() || bits->get<std::string>().size() != 8) {
    return Status::InvalidArgument("template bits must be 8 hex digits");
  }
  MW_ASSIGN_OR_RETURN(Bytes bits_bytes, FromHexExact(bits->get<std::string>(), 4));
  t.bits = ReadBE32(bits_bytes.data());
  MW_ASSIGN_OR_RETURN(t.target, TargetFromCompact(t.bits));
  auto value = j.find("coinbasevalue");
  if (value == j.end() || !value->is_number_unsigned()) {
    return Status::InvalidArgument("template coinbasevalue must be an unsigned number");
  }
  t.coinbase_value = value->get<uint64_t>();
  auto txs = j.find("transactions");
  if (txs == j.end() || !txs->is_array()) {
    return Status::InvalidArgument("template transactions must be an array");
  }
  for (const auto& entry : *txs) {
    auto data = entry.is_object() ? entry.find("data") : entry.end();
    if (!entry.is_object() || data == entry.end() || !data->is_string()) {
      return Status::InvalidArgument("template transaction without hex data");
    }
    MW_ASSIGN_OR_RETURN(Bytes raw, FromHex(data->get<std::string>()));
    MW_ASSIGN_OR_RETURN(chain::Transaction tx, chain::DecodeTx(raw));
    t.total_fees += tx.fee;
    t.txids.push_back(chain::TxId(tx));
    t.txs.push_back(std::move(tx));
  }
  return t;
}

}  // namespace mw::lab::rpc
