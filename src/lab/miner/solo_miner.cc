#include "lab/miner/solo_miner.h"

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>

#include "chain/block_template.h"
#include "io/http_client.h"
#include "lab/miner/hash_workers.h"
#include "lab/rpc/chain_json.h"

namespace mw::lab::miner {
namespace {

using Clock = std::chrono::steady_clock;

struct NewTemplate {
  nlohmann::json json;
};
struct Exhausted {
  uint64_t job_id = 0;
};
using Event = std::variant<NewTemplate, FoundNonce, Exhausted>;

class EventQueue {
 public:
  void Push(Event e) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(std::move(e));
    }
    cv_.notify_one();
  }
  std::optional<Event> PopUntil(Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_until(lock, deadline, [&] { return !events_.empty(); })) return std::nullopt;
    Event e = std::move(events_.front());
    events_.pop_front();
    return e;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> events_;
};

std::string TwoDecimals(double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.2f", value);
  return buf;
}

}  // namespace

SoloMiner::SoloMiner(SoloMinerOptions options, std::function<void(const std::string&)> print)
    : options_(std::move(options)), print_(std::move(print)) {}

Status SoloMiner::Run(const std::atomic<bool>& stop) {
  EventQueue queue;
  std::atomic<bool> quit{false};

  // Long-poll thread: always holds an outstanding getblocktemplate.
  std::thread poller([&] {
    io::JsonRpcClient client(options_.node);
    client.set_cancel(&quit);
    std::string longpollid;
    bool reported_down = false;
    while (!quit) {
      nlohmann::json params = nlohmann::json::array();
      if (!longpollid.empty()) params.push_back({{"longpollid", longpollid}});
      auto r = client.Call("getblocktemplate", params, std::chrono::seconds(90));
      if (quit) break;
      if (!r.ok()) {
        if (!reported_down) print_("node unavailable: " + r.status().message() + "; retrying");
        reported_down = true;
        longpollid.clear();
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        continue;
      }
      reported_down = false;
      auto id = r->find("longpollid");
      longpollid = id != r->end() && id->is_string() ? id->get<std::string>() : "";
      queue.Push(NewTemplate{std::move(*r)});
    }
  });

  HashWorkers workers(
      options_.threads, [&](const FoundNonce& f) { queue.Push(f); },
      [&](uint64_t job) { queue.Push(Exhausted{job}); });
  io::JsonRpcClient submitter(options_.node);

  std::optional<chain::BlockTemplate> tmpl;
  chain::Transaction coinbase;
  uint64_t job_id = 0;
  uint64_t extranonce = 0;
  uint32_t job_time = 0;

  auto start_job = [&] {
    ++job_id;
    Bytes extra(options_.tag.begin(), options_.tag.end());
    AppendLE64(extra, extranonce);
    coinbase = tmpl->MakeCoinbase(options_.payout, extra);
    job_time = tmpl->time;
    chain::BlockHeader header = tmpl->HeaderFor(coinbase, job_time, 0);
    WorkUnit work;
    work.job_id = job_id;
    work.header = header.Encode();
    work.target = tmpl->target;
    workers.SetWork(work);
  };

  auto next_report = Clock::now() + options_.report_interval;
  uint64_t last_hashes = 0;
  auto last_report = Clock::now();
  while (!stop && !(options_.max_blocks && blocks_accepted_ >= options_.max_blocks)) {
    auto deadline = std::min(next_report, Clock::now() + std::chrono::milliseconds(100));
    std::optional<Event> event = queue.PopUntil(deadline);
    if (Clock::now() >= next_report) {
      const auto now = Clock::now();
      const double secs = std::chrono::duration<double>(now - last_report).count();
      const uint64_t total = workers.total_hashes();
      const double rate = secs > 0 ? double(total - last_hashes) / secs / 1e6 : 0;
      print_("hashrate " + TwoDecimals(rate) + " MH/s threads " +
             std::to_string(workers.threads()) + " height " +
             std::to_string(tmpl ? tmpl->height : 0) + " blocks " +
             std::to_string(blocks_accepted_));
      last_hashes = total;
      last_report = now;
      next_report = now + options_.report_interval;
    }
    if (!event) continue;
    if (auto* nt = std::get_if<NewTemplate>(&*event)) {
      auto parsed = rpc::TemplateFromJson(nt->json);
      if (!parsed.ok()) {
        print_("bad template from node: " + parsed.status().message());
        continue;
      }
      tmpl = std::move(*parsed);
      extranonce = 0;
      print_("template height " + std::to_string(tmpl->height) + " prev " +
             ToDisplayHex(tmpl->prev_hash).substr(0, 16) + " bits " +
             nt->json.value("bits", std::string("?")) + " txs " +
             std::to_string(tmpl->txs.size()));
      start_job();
    } else if (auto* found = std::get_if<FoundNonce>(&*event)) {
      if (found->job_id != job_id || !tmpl) continue;  // stale work
      workers.Clear();
      chain::Block block = tmpl->Assemble(coinbase, job_time, found->nonce);
      const std::string hash = ToDisplayHex(block.Hash());
      const std::string height = std::to_string(tmpl->height);
      print_("solved block height " + height + " hash " + hash + " nonce " +
             std::to_string(found->nonce));
      auto r = submitter.Call("submitblock",
                              nlohmann::json::array({ToHex(chain::EncodeBlock(block))}));
      if (!r.ok()) {
        print_("submitted block height " + height + " hash " + hash + ": failed (" +
               r.status().message() + ")");
      } else if (r->is_null()) {
        ++blocks_accepted_;
        print_("submitted block height " + height + " hash " + hash + ": accepted");
      } else {
        print_("submitted block height " + height + " hash " + hash + ": rejected (" +
               (r->is_string() ? r->get<std::string>() : r->dump()) + ")");
      }
      if (r.ok() && r->is_null()) {
        ++job_id;  // the template is stale now: wait for the next one
      } else {
        ++extranonce;  // keep mining this template with a fresh coinbase
        start_job();
      }
    } else if (auto* ex = std::get_if<Exhausted>(&*event)) {
      if (ex->job_id != job_id || !tmpl) continue;
      ++extranonce;
      start_job();
    }
  }
  quit = true;
  workers.Clear();
  poller.join();
  return Status::Ok();
}

}  // namespace mw::lab::miner
