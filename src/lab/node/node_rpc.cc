// The node's JSON-RPC methods (see node.h for the list). All run on the io thread.
#include <algorithm>

#include "chain/keys.h"
#include "core/target.h"
#include "lab/node/node_impl.h"
#include "lab/rpc/chain_json.h"

namespace mw::lab::node {
namespace {

using io::Json;
using io::RpcError;
using io::RpcOutcome;
namespace rpc_codes = io::rpc;

RpcError InvalidParams(std::string m) { return {rpc_codes::kInvalidParams, std::move(m)}; }

// Required string parameter at `index` / `name`.
std::variant<std::string, RpcError> StringParam(const Json& params, size_t index,
                                                std::string_view name) {
  const Json* p = io::ParamAt(params, index, name);
  if (!p) return InvalidParams("missing parameter '" + std::string(name) + "'");
  if (!p->is_string()) return InvalidParams("parameter '" + std::string(name) + "' must be a string");
  return p->get<std::string>();
}

std::variant<chain::PubKey, RpcError> AddressParam(const Json& params, size_t index) {
  auto s = StringParam(params, index, "address");
  if (auto* e = std::get_if<RpcError>(&s)) return *e;
  auto key = chain::ParseAddress(std::get<std::string>(s));
  if (!key.ok()) return RpcError{rpc_codes::kInvalidAddress, key.status().message()};
  return *key;
}

std::variant<Hash256, RpcError> HashParam(const Json& params, size_t index,
                                          std::string_view name) {
  auto s = StringParam(params, index, name);
  if (auto* e = std::get_if<RpcError>(&s)) return *e;
  auto h = FromDisplayHex(std::get<std::string>(s));
  if (!h.ok()) return InvalidParams(std::string(name) + ": " + h.status().message());
  return *h;
}

std::variant<Bytes, RpcError> HexParam(const Json& params, std::string_view name) {
  auto s = StringParam(params, 0, name);
  if (auto* e = std::get_if<RpcError>(&s)) return *e;
  auto bytes = FromHex(std::get<std::string>(s));
  if (!bytes.ok()) return InvalidParams(std::string(name) + ": " + bytes.status().message());
  return std::move(*bytes);
}

uint32_t Confirmations(const chain::Chain& chain, uint32_t height) {
  const uint32_t tip = chain.Height();
  return height <= tip ? tip - height + 1 : 0;
}

Json TxEntryFor(const chain::Transaction& tx, const chain::PubKey& me, const Json& where) {
  Json e = where;
  e["txid"] = ToDisplayHex(chain::TxId(tx));
  if (tx.IsCoinbase()) {
    e["category"] = "mined";
    e["amount"] = tx.amount;
  } else if (tx.payer == me) {
    e["category"] = "send";
    e["amount"] = tx.amount;
    e["fee"] = tx.fee;
    e["counterparty"] = chain::EncodeAddress(tx.payee);
  } else {
    e["category"] = "receive";
    e["amount"] = tx.amount;
    e["counterparty"] = chain::EncodeAddress(tx.payer);
  }
  if (!tx.IsCoinbase()) e["memo"] = std::string(tx.memo.begin(), tx.memo.end());
  return e;
}

}  // namespace

void Node::Impl::RegisterRpc(io::RpcDispatcher& rpc) {
  rpc.AddAsync("getblocktemplate", [this](const Json& params, io::RpcDispatcher::Done done) {
    std::string wanted;
    const Json* req = io::ParamAt(params, 0, "request");
    if (req && req->is_object()) {
      auto it = req->find("longpollid");
      if (it != req->end() && it->is_string()) wanted = it->get<std::string>();
    } else if (req && !req->is_null()) {
      return done(InvalidParams("getblocktemplate takes an optional object"));
    }
    if (wanted.empty() || wanted != LongPollId() || stopped) return done(TemplateJson());
    auto waiter = std::make_shared<Waiter>();
    waiter->done = std::move(done);
    waiter->timer = std::make_shared<asio::steady_timer>(io, options.longpoll_timeout);
    std::weak_ptr<Waiter> weak = waiter;
    waiter->timer->async_wait([this, weak](const asio::error_code& ec) {
      auto w = weak.lock();
      if (ec || !w || !w->done) return;
      auto d = std::move(w->done);
      w->done = nullptr;
      waiters.erase(std::remove(waiters.begin(), waiters.end(), w), waiters.end());
      d(TemplateJson());
    });
    waiters.push_back(std::move(waiter));
  });

  rpc.Add("submitblock", [this](const Json& params) -> RpcOutcome {
    auto raw = HexParam(params, "hexdata");
    if (auto* e = std::get_if<RpcError>(&raw)) return *e;
    auto block = chain::DecodeBlock(std::get<Bytes>(raw));
    if (!block.ok()) return RpcError{rpc_codes::kVerifyRejected, "block decode failed: " +
                                                                    block.status().message()};
    chain::BlockOutcome outcome = chain->AcceptBlock(*block);
    if (outcome.tip_changed) {
      const auto tip = chain->Tip();
      log->Info("node", "block " + ToDisplayHex(outcome.hash).substr(0, 16) +
                            " submitted: tip now " + std::to_string(tip.height));
      p2p->AnnounceBlock(tip.hash);
      OnChainEvent();
    }
    if (outcome.verdict.ok()) return Json(nullptr);
    if (outcome.verdict.reason() == chain::Reject::kDuplicateBlock) return Json("duplicate");
    return Json(std::string(outcome.verdict.name()));
  });

  rpc.Add("sendtransaction", [this](const Json& params) -> RpcOutcome {
    auto raw = HexParam(params, "hexstring");
    if (auto* e = std::get_if<RpcError>(&raw)) return *e;
    auto tx = chain::DecodeTx(std::get<Bytes>(raw));
    if (!tx.ok()) return RpcError{rpc_codes::kVerifyRejected, "malformed: " + tx.status().message()};
    chain::Verdict v = chain->AcceptTx(*tx);
    if (!v.ok()) return RpcError{rpc_codes::kVerifyRejected, v.ToString()};
    const Hash256 txid = chain::TxId(*tx);
    p2p->AnnounceTx(txid);
    OnChainEvent();
    return Json(ToDisplayHex(txid));
  });

  rpc.Add("getbalance", [this](const Json& params) -> RpcOutcome {
    auto key = AddressParam(params, 0);
    if (auto* e = std::get_if<RpcError>(&key)) return *e;
    chain::AccountInfo a = chain->Account(std::get<chain::PubKey>(key));
    return Json{{"address", chain::EncodeAddress(std::get<chain::PubKey>(key))},
                {"balance", a.balance},
                {"immature", a.immature},
                {"pending_spend", a.pending_spend},
                {"next_nonce", a.next_nonce},
                {"pending_nonce", a.pending_nonce},
                {"height", chain->Height()}};
  });

  rpc.Add("getblock", [this](const Json& params) -> RpcOutcome {
    const Json* which = io::ParamAt(params, 0, "blockhash");
    if (!which) return InvalidParams("getblock needs a block hash or height");
    std::optional<chain::Block> block;
    if (which->is_number_unsigned()) {
      if (which->get<uint64_t>() > 0xffffffffull) return InvalidParams("height out of range");
      block = chain->BlockByHeight(uint32_t(which->get<uint64_t>()));
    } else if (which->is_string()) {
      auto h = FromDisplayHex(which->get<std::string>());
      if (!h.ok()) return InvalidParams("blockhash: " + h.status().message());
      block = chain->BlockByHash(*h);
    } else {
      return InvalidParams("getblock needs a block hash (string) or height (number)");
    }
    if (!block) return RpcError{rpc_codes::kInvalidAddress, "block not found"};
    const Json* verbosity = io::ParamAt(params, 1, "verbosity");
    if (verbosity && !verbosity->is_number_integer() && !verbosity->is_boolean()) {
      return InvalidParams("verbosity must be a number");
    }
    if (verbosity && ((verbosity->is_number_integer() && verbosity->get<int64_t>() == 0) ||
                      (verbosity->is_boolean() && !verbosity->get<bool>()))) {
      return Json(ToHex(chain::EncodeBlock(*block)));
    }
    auto height = chain->BestChainHeightOf(block->Hash());
    return rpc::BlockToJson(*block, height.value_or(0),
                            height ? Confirmations(*chain, *height) : 0);
  });

  rpc.Add("getbestblockhash", [this](const Json&) -> RpcOutcome {
    return Json(ToDisplayHex(chain->BestHash()));
  });

  rpc.Add("getchaininfo", [this](const Json&) -> RpcOutcome {
    const chain::TipInfo tip = chain->Tip();
    auto target = TargetFromCompact(tip.header.bits);
    char bits[9];
    std::snprintf(bits, sizeof(bits), "%08x", tip.header.bits);
    return Json{{"chain", chain->params().name},
                {"blocks", tip.height},
                {"bestblockhash", ToDisplayHex(tip.hash)},
                {"bits", bits},
                {"difficulty", target.ok() ? DifficultyFromTarget(*target) : 0.0},
                {"chainwork", tip.chain_work.ToHex()},
                {"time", tip.header.time},
                {"mediantime", tip.median_time_past},
                {"mempool", chain->MempoolSize()},
                {"peers", p2p->PeerCount()},
                {"networkactive", p2p->active()},
                {"rpc", rpc_endpoint.ToString()},
                {"p2p", p2p_endpoint.ToString()}};
  });

  rpc.Add("getmempoolinfo", [this](const Json&) -> RpcOutcome {
    Json txids = Json::array();
    for (const auto& tx : chain->MempoolTxs()) txids.push_back(ToDisplayHex(chain::TxId(tx)));
    return Json{{"size", txids.size()}, {"txids", txids}};
  });

  rpc.Add("gettransaction", [this](const Json& params) -> RpcOutcome {
    auto txid = HashParam(params, 0, "txid");
    if (auto* e = std::get_if<RpcError>(&txid)) return *e;
    auto found = chain->FindTx(std::get<Hash256>(txid));
    if (!found) return RpcError{rpc_codes::kInvalidAddress, "transaction not found"};
    Json out = rpc::TxToJson(found->tx);
    out["in_mempool"] = found->in_mempool;
    out["confirmations"] = found->confirmations;
    if (!found->in_mempool) {
      out["blockhash"] = ToDisplayHex(found->block_hash);
      out["blockheight"] = found->height;
    }
    return out;
  });

  rpc.Add("listtransactions", [this](const Json& params) -> RpcOutcome {
    auto key = AddressParam(params, 0);
    if (auto* e = std::get_if<RpcError>(&key)) return *e;
    const chain::PubKey me = std::get<chain::PubKey>(key);
    size_t limit = 100;
    if (const Json* c = io::ParamAt(params, 1, "count")) {
      if (!c->is_number_unsigned()) return InvalidParams("count must be a positive number");
      limit = std::min<uint64_t>(c->get<uint64_t>(), 10000);
    }
    Json out = Json::array();
    for (const auto& tx : chain->MempoolTxs()) {
      if (out.size() >= limit) break;
      if (tx.payer == me || tx.payee == me) {
        out.push_back(TxEntryFor(tx, me, Json{{"confirmations", 0}, {"in_mempool", true}}));
      }
    }
    const uint32_t tip = chain->Height();
    for (int64_t h = tip; h >= 0 && out.size() < limit; --h) {
      auto block = chain->BlockByHeight(uint32_t(h));
      if (!block) break;
      for (const auto& tx : block->txs) {
        if (out.size() >= limit) break;
        const bool mine = tx.payee == me || (!tx.IsCoinbase() && tx.payer == me);
        if (!mine) continue;
        out.push_back(TxEntryFor(tx, me,
                                 Json{{"confirmations", tip - uint32_t(h) + 1},
                                      {"blockheight", h},
                                      {"blockhash", ToDisplayHex(block->Hash())}}));
      }
    }
    return out;
  });

  rpc.Add("getpeerinfo", [this](const Json&) -> RpcOutcome { return p2p->PeerInfo(); });

  rpc.Add("setnetworkactive", [this](const Json& params) -> RpcOutcome {
    const Json* on = io::ParamAt(params, 0, "state");
    if (!on || !on->is_boolean()) return InvalidParams("setnetworkactive takes true or false");
    p2p->SetActive(on->get<bool>());
    return Json(p2p->active());
  });
}

}  // namespace mw::lab::node
