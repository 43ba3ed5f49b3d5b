// NodeLink: the pool's side of the node's JSON-RPC (lab/rpc shapes).
//
//   template thread: getblocktemplate long-poll (returns at once on a new block or mempool change,
//                    else after the node's long-poll timeout) -> PoolCore jobs -> broadcast;
//                    a refresh job at least every refresh_interval.
//   chain thread:    submitblock for block candidates; every second: confirmations of found
//                    blocks (getblock), maturity, then payouts signed with the pool key
//                    (getbalance for the spendable balance and next nonce, sendtransaction).
// Threading: Start once, Stop from any thread (joins). Callbacks into PoolCore / the broadcast
// function happen on the link's threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "chain/block.h"
#include "chain/keys.h"
#include "core/log.h"
#include "io/host_port.h"
#include "lab/pool/pool_core.h"

namespace mw::pool {

struct NodeLinkOptions {
  io::HttpUrl node;
  std::chrono::milliseconds refresh_interval{15000};
  std::optional<chain::KeyPair> payout_key;  // payouts are disabled without it
  std::chrono::milliseconds payout_interval{1000};
};

class NodeLink {
 public:
  using Broadcast = std::function<void(std::shared_ptr<const PoolJob>)>;
  NodeLink(PoolCore& core, NodeLinkOptions options, Broadcast broadcast, Logger& log);
  ~NodeLink();

  // Fetches the first template synchronously (fails when the node is unreachable), then starts
  // the threads.
  Status Start();
  void Stop();

  // Queues a block candidate (PoolCore's block sink).
  void SubmitBlock(chain::Block block, std::string finder);

 private:
  void TemplateLoop();
  void ChainLoop();
  Status FetchTemplate(const std::string& longpollid, std::chrono::milliseconds timeout,
                       std::string* next_id);
  void DoSubmit(const chain::Block& block, const std::string& finder);
  void DoMaturityAndPayouts();

  PoolCore& core_;
  NodeLinkOptions options_;
  Broadcast broadcast_;
  Logger& log_;
  uint32_t maturity_ = 10;
  std::atomic<bool> stop_{false};
  std::thread template_thread_, chain_thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<chain::Block, std::string>> blocks_;
  std::chrono::steady_clock::time_point last_job_{};
  std::string last_template_id_;
};

}  // namespace mw::pool
