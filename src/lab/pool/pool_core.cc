#include "lab/pool/pool_core.h"

#include <cmath>
#include <sstream>

#include "core/bytes.h"

namespace mw::pool {

namespace {
constexpr int64_t kRateWindowS = 600;
constexpr double kHashesPerDifficulty = 4294967296.0;  // 2^32 hashes per diff-1 share
}  // namespace

PoolCore::PoolCore(PoolOptions options)
    : options_(std::move(options)), jobs_(options_.jobs), window_(options_.pplns_window) {}

std::string PoolCore::AccountFor(const std::string& user) const {
  const std::string account = user.substr(0, user.find('.'));
  if (account.empty() || account.size() > 128) return {};
  if (options_.require_address && !chain::ParseAddress(account).ok()) return {};
  return account;
}

void PoolCore::OnShare(const std::string& account, const std::string& worker, const PoolJob& job,
                       const ShareOutcome& outcome, double now_s) {
  stats_.shares_accepted.fetch_add(1, std::memory_order_relaxed);
  std::optional<chain::Block> block;
  {
    std::lock_guard lock(mu_);
    window_.Add(account, outcome.credited_difficulty);
    total_credited_ += outcome.credited_difficulty;
    const int64_t sec = int64_t(std::floor(now_s));
    if (recent_.empty() || recent_.back().second != sec) recent_.push_back({sec, {}});
    recent_.back().by_worker[worker] += outcome.credited_difficulty;
    while (!recent_.empty() && recent_.front().second < sec - kRateWindowS) recent_.pop_front();
    worker_shares_[worker] += 1;
    account_credit_[account] += outcome.credited_difficulty;
    if (outcome.meets_network) {
      weights_at_find_[outcome.hash] =
          options_.solo ? std::map<std::string, double>{{account, 1.0}} : window_.Weights();
    }
  }
  if (!outcome.meets_network) return;
  auto header = chain::BlockHeader::Decode(outcome.header);
  auto coinbase = chain::ParseCoinbase(outcome.coinbase);
  if (!header.ok() || !coinbase.ok()) return;  // cannot happen for our own jobs
  chain::Block b;
  b.header = *header;
  b.txs.reserve(job.tmpl.txs.size() + 1);
  b.txs.push_back(*coinbase);
  b.txs.insert(b.txs.end(), job.tmpl.txs.begin(), job.tmpl.txs.end());
  stats_.blocks_found.fetch_add(1);
  if (block_sink_) block_sink_(std::move(b), account);
}

void PoolCore::OnReject(ShareError error) {
  const int code = static_cast<int>(error);
  if (code >= 20 && code <= 25) stats_.shares_rejected[code - 20].fetch_add(1, std::memory_order_relaxed);
}

void PoolCore::OnBlockResult(const Hash256& hash, uint32_t height, uint64_t reward,
                             const std::string& finder, bool accepted) {
  (accepted ? stats_.blocks_accepted : stats_.blocks_rejected).fetch_add(1);
  std::lock_guard lock(mu_);
  auto it = weights_at_find_.find(hash);
  if (!accepted || it == weights_at_find_.end()) {
    if (it != weights_at_find_.end()) weights_at_find_.erase(it);
    return;
  }
  FoundBlock fb;
  fb.hash = hash;
  fb.height = height;
  fb.reward = reward;
  fb.finder = finder;
  fb.split = SplitReward(reward, it->second);
  weights_at_find_.erase(it);
  book_.AddBlock(std::move(fb));
}

int PoolCore::Mature(uint32_t maturity,
                     const std::function<std::optional<uint32_t>(const Hash256&)>& confirmations) {
  std::lock_guard lock(mu_);
  return book_.Mature(maturity, confirmations);
}

std::vector<PlannedPayout> PoolCore::PlanPayouts(uint64_t spendable) const {
  std::lock_guard lock(mu_);
  return book_.Plan(options_.min_payout, options_.payout_fee, spendable);
}

void PoolCore::MarkPaid(const PlannedPayout& payout) {
  stats_.payouts.fetch_add(1);
  stats_.paid_total.fetch_add(payout.amount);
  std::lock_guard lock(mu_);
  book_.MarkPaid(payout);
}

double PoolCore::HashRate(double now_s, double window_s) const {
  std::lock_guard lock(mu_);
  double sum = 0;
  for (const Bucket& b : recent_) {
    if (double(b.second) < now_s - window_s) continue;
    for (const auto& [w, d] : b.by_worker) sum += d;
  }
  return sum * kHashesPerDifficulty / window_s;
}

nlohmann::json PoolCore::StatsJson(double now_s) const {
  using Json = nlohmann::json;
  const double rate = HashRate(now_s);
  std::lock_guard lock(mu_);
  Json workers = Json::object();
  std::map<std::string, double> diff60;
  for (const Bucket& b : recent_) {
    if (double(b.second) < now_s - 60) continue;
    for (const auto& [w, d] : b.by_worker) diff60[w] += d;
  }
  for (const auto& [w, n] : worker_shares_) {
    workers[w] = {{"shares", n}, {"hashrate", diff60[w] * kHashesPerDifficulty / 60}};
  }
  Json rejected = Json::object();
  const char* names[6] = {"other", "job_not_found", "duplicate", "low_difficulty", "unauthorized",
                          "not_subscribed"};
  for (int i = 0; i < 6; ++i) rejected[names[i]] = stats_.shares_rejected[i].load();
  Json blocks = Json::array();
  for (const FoundBlock& b : book_.blocks()) {
    Json split = Json::object();
    for (const auto& [a, v] : b.split) split[a] = v;
    const char* state = b.state == FoundBlock::State::kImmature  ? "immature"
                        : b.state == FoundBlock::State::kCredited ? "credited"
                                                                  : "orphaned";
    blocks.push_back({{"hash", ToDisplayHex(b.hash)}, {"height", b.height}, {"reward", b.reward},
                      {"finder", b.finder}, {"state", state}, {"split", split}});
  }
  Json balances = Json::object();
  for (const auto& [a, v] : book_.balances()) balances[a] = v;
  Json accounts = Json::object();
  for (const auto& [a, d] : account_credit_) accounts[a] = {{"credited_difficulty", d}};
  Json paid = Json::object();
  for (const auto& [a, v] : book_.paid()) paid[a] = v;
  auto job = jobs_.Current();
  return Json{
      {"mode", options_.solo ? "solo" : "pplns"},
      {"hashrate", rate},
      {"connections", stats_.connections.load()},
      {"workers", workers},
      {"accounts", accounts},
      {"shares", {{"accepted", stats_.shares_accepted.load()}, {"rejected", rejected},
                  {"credited_difficulty", total_credited_}}},
      {"blocks", {{"found", stats_.blocks_found.load()}, {"accepted", stats_.blocks_accepted.load()},
                  {"rejected", stats_.blocks_rejected.load()}, {"list", blocks}}},
      {"payouts", {{"count", stats_.payouts.load()}, {"total", stats_.paid_total.load()},
                   {"paid", paid}, {"balances", balances}}},
      {"bans", stats_.bans.load()},
      {"network", {{"height", job ? job->tmpl.height : 0},
                   {"difficulty", job ? job->network_difficulty : 0.0}}},
  };
}

std::string PoolCore::Metrics(double now_s) const {
  std::ostringstream o;
  auto gauge = [&o](const char* name, const char* help, const char* type, double v) {
    o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
      << name << ' ' << v << '\n';
  };
  gauge("minelab_pool_hashrate", "Estimated pool hash rate (H/s) over 60 s", "gauge",
        HashRate(now_s));
  gauge("minelab_pool_connections", "Open miner connections", "gauge",
        double(stats_.connections.load()));
  gauge("minelab_pool_connections_total", "Accepted miner connections", "counter",
        double(stats_.connections_total.load()));
  gauge("minelab_pool_shares_accepted_total", "Accepted shares", "counter",
        double(stats_.shares_accepted.load()));
  o << "# HELP minelab_pool_shares_rejected_total Rejected shares by Stratum error code\n"
       "# TYPE minelab_pool_shares_rejected_total counter\n";
  for (int i = 0; i < 6; ++i) {
    o << "minelab_pool_shares_rejected_total{code=\"" << 20 + i << "\"} "
      << stats_.shares_rejected[i].load() << '\n';
  }
  gauge("minelab_pool_blocks_found_total", "Shares that met the network target", "counter",
        double(stats_.blocks_found.load()));
  gauge("minelab_pool_blocks_accepted_total", "Blocks the node accepted", "counter",
        double(stats_.blocks_accepted.load()));
  gauge("minelab_pool_payouts_total", "Payout transactions sent", "counter",
        double(stats_.payouts.load()));
  gauge("minelab_pool_paid_base_units_total", "Base units paid out", "counter",
        double(stats_.paid_total.load()));
  gauge("minelab_pool_bans_total", "Peers banned", "counter", double(stats_.bans.load()));
  gauge("minelab_pool_junk_lines_total", "Undecodable or oversized lines", "counter",
        double(stats_.junk_lines.load()));
  return o.str();
}

}  // namespace mw::pool
