#include "lab/pool/node_link.h"

#include <map>

#include "chain/params.h"
#include "chain/transaction.h"
#include "io/http_client.h"
#include "lab/rpc/chain_json.h"

namespace mw::pool {

NodeLink::NodeLink(PoolCore& core, NodeLinkOptions options, Broadcast broadcast, Logger& log)
    : core_(core), options_(std::move(options)), broadcast_(std::move(broadcast)), log_(log) {}

NodeLink::~NodeLink() { Stop(); }

Status NodeLink::FetchTemplate(const std::string& longpollid, std::chrono::milliseconds timeout,
                               std::string* next_id) {
  io::JsonRpcClient client(options_.node);
  client.set_cancel(&stop_);
  nlohmann::json params = nlohmann::json::array();
  if (!longpollid.empty()) params.push_back({{"longpollid", longpollid}});
  auto r = client.Call("getblocktemplate", params, timeout);
  if (!r.ok()) return r.status();
  MW_ASSIGN_OR_RETURN(chain::BlockTemplate tmpl, lab::rpc::TemplateFromJson(*r));
  auto id = r->find("longpollid");
  const std::string new_id = id != r->end() && id->is_string() ? id->get<std::string>() : "";
  const auto now = std::chrono::steady_clock::now();
  const bool changed = new_id != last_template_id_ || new_id.empty();
  if (changed || now - last_job_ >= options_.refresh_interval) {
    MW_ASSIGN_OR_RETURN(auto job, core_.jobs().AddTemplate(tmpl));
    last_job_ = now;
    if (job->v1.clean_jobs) {
      log_.Info("pool", "new block template at height " + std::to_string(tmpl.height) +
                            " (clean jobs), network difficulty " +
                            std::to_string(job->network_difficulty));
    }
    if (broadcast_) broadcast_(job);
  }
  last_template_id_ = new_id;
  *next_id = new_id;
  return Status::Ok();
}

Status NodeLink::Start() {
  io::JsonRpcClient client(options_.node);
  auto info = client.Call("getchaininfo", nlohmann::json::array(), std::chrono::seconds(5));
  if (!info.ok()) return info.status();
  auto chain_name = info->find("chain");
  if (chain_name != info->end() && chain_name->is_string()) {
    auto params = chain::ChainParams::ByName(chain_name->get<std::string>());
    if (params.ok()) maturity_ = (*params)->coinbase_maturity;
  }
  std::string id;
  MW_RETURN_IF_ERROR(FetchTemplate("", std::chrono::seconds(5), &id));
  template_thread_ = std::thread([this] { TemplateLoop(); });
  chain_thread_ = std::thread([this] { ChainLoop(); });
  return Status::Ok();
}

void NodeLink::Stop() {
  if (stop_.exchange(true)) return;
  cv_.notify_all();
  if (template_thread_.joinable()) template_thread_.join();
  if (chain_thread_.joinable()) chain_thread_.join();
}

void NodeLink::TemplateLoop() {
  std::string id = last_template_id_;
  while (!stop_) {
    // Bounded by the refresh interval: when it passes without a new template, ask again
    // without long-poll so that a refresh job goes out (FetchTemplate makes it).
    const bool refresh_due = std::chrono::steady_clock::now() - last_job_ >= options_.refresh_interval;
    std::string next;
    Status s = FetchTemplate(refresh_due ? "" : id, options_.refresh_interval, &next);
    if (stop_) return;
    if (s.ok()) {
      id = next;
      continue;
    }
    if (s.code() == StatusCode::kUnavailable && s.message().find("cancelled") == std::string::npos &&
        std::chrono::steady_clock::now() - last_job_ >= options_.refresh_interval) {
      continue;  // the long-poll outlasted the refresh interval: refresh now
    }
    log_.Warn("pool", "getblocktemplate: " + s.ToString());
    id.clear();
    for (int i = 0; i < 10 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void NodeLink::SubmitBlock(chain::Block block, std::string finder) {
  {
    std::lock_guard lock(mu_);
    blocks_.emplace_back(std::move(block), std::move(finder));
  }
  cv_.notify_all();
}

void NodeLink::DoSubmit(const chain::Block& block, const std::string& finder) {
  io::JsonRpcClient client(options_.node);
  client.set_cancel(&stop_);
  const Hash256 hash = block.Hash();
  auto r = client.Call("submitblock", nlohmann::json::array({ToHex(chain::EncodeBlock(block))}),
                       std::chrono::seconds(10));
  const bool accepted = r.ok() && r->is_null();
  const uint32_t height = block.txs.empty() ? 0 : block.txs[0].height;
  const uint64_t reward = block.txs.empty() ? 0 : block.txs[0].amount;
  log_.Info("pool", std::string("block ") + ToDisplayHex(hash).substr(0, 16) + " at height " +
                        std::to_string(height) + " found by " + finder.substr(0, 12) + "…: " +
                        (accepted ? "accepted"
                                  : (r.ok() ? r->dump() : r.status().ToString())));
  core_.OnBlockResult(hash, height, reward, finder, accepted);
}

void NodeLink::DoMaturityAndPayouts() {
  io::JsonRpcClient client(options_.node);
  client.set_cancel(&stop_);
  // Confirmations of every block still immature, fetched outside the core's lock.
  std::map<Hash256, std::optional<uint32_t>> conf;
  nlohmann::json stats = core_.StatsJson(0);
  for (const auto& b : stats["blocks"]["list"]) {
    if (b["state"] != "immature") continue;
    auto h = FromDisplayHex(b["hash"].get<std::string>());
    if (!h.ok()) continue;
    auto r = client.Call("getblock", nlohmann::json::array({b["hash"]}), std::chrono::seconds(5));
    if (!r.ok() || !r->is_object()) continue;
    auto c = r->find("confirmations");
    if (c != r->end() && c->is_number_unsigned() && c->get<uint64_t>() > 0) {
      conf[*h] = uint32_t(c->get<uint64_t>());
    } else {
      conf[*h] = std::nullopt;
    }
  }
  if (!conf.empty()) {
    int credited = core_.Mature(maturity_, [&](const Hash256& h) -> std::optional<uint32_t> {
      auto it = conf.find(h);
      return it == conf.end() ? std::optional<uint32_t>(0) : it->second;
    });
    if (credited > 0) log_.Info("pool", std::to_string(credited) + " block(s) matured");
  }
  if (!options_.payout_key) return;
  const chain::KeyPair& key = *options_.payout_key;
  auto bal = client.Call("getbalance", nlohmann::json::array({key.address()}), std::chrono::seconds(5));
  if (!bal.ok() || !bal->is_object()) return;
  const uint64_t balance = bal->value("balance", uint64_t(0));
  const uint64_t pending = bal->value("pending_spend", uint64_t(0));
  uint64_t nonce = bal->value("pending_nonce", uint64_t(0));
  const uint64_t spendable = balance > pending ? balance - pending : 0;
  for (const PlannedPayout& p : core_.PlanPayouts(spendable)) {
    auto payee = chain::ParseAddress(p.account);
    if (!payee.ok()) continue;
    auto tx = chain::MakeTransfer(key, *payee, p.amount, p.fee, nonce);
    if (!tx.ok()) continue;
    auto sent = client.Call("sendtransaction", nlohmann::json::array({ToHex(chain::EncodeTx(*tx))}),
                            std::chrono::seconds(5));
    if (!sent.ok()) {
      log_.Warn("pool", "payout to " + p.account.substr(0, 12) + "…: " + sent.status().ToString());
      break;
    }
    ++nonce;
    core_.MarkPaid(p);
    log_.Info("pool", "paid " + std::to_string(p.amount) + " to " + p.account.substr(0, 16) +
                          "… in tx " + (sent->is_string() ? sent->get<std::string>().substr(0, 16) : ""));
  }
}

void NodeLink::ChainLoop() {
  auto next_payout = std::chrono::steady_clock::now();
  while (!stop_) {
    std::optional<std::pair<chain::Block, std::string>> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, next_payout, [this] { return stop_ || !blocks_.empty(); });
      if (stop_) return;
      if (!blocks_.empty()) {
        job = std::move(blocks_.front());
        blocks_.pop_front();
      }
    }
    if (job) {
      DoSubmit(job->first, job->second);
      continue;
    }
    DoMaturityAndPayouts();
    next_payout = std::chrono::steady_clock::now() + options_.payout_interval;
  }
}

}  // namespace mw::pool
