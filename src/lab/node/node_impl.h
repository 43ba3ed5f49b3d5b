// Node internals shared by node.cc and node_rpc.cc. Everything here runs on the io thread.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "io/asio.h"
#include "io/http_server.h"
#include "io/json_rpc.h"
#include "lab/node/node.h"
#include "lab/node/peer_manager.h"

namespace mw::lab::node {

struct Node::Impl {
  NodeOptions options;
  Logger fallback_logger{LogLevel::kWarn};
  Logger* log = nullptr;
  std::unique_ptr<chain::Chain> chain;
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<io::HttpServer> http;
  std::unique_ptr<PeerManager> p2p;
  io::HostPort rpc_endpoint;
  io::HostPort p2p_endpoint;
  std::thread thread;
  bool stopped = false;

  // Long-poll: getblocktemplate callers waiting for the next chain event.
  struct Waiter {
    io::RpcDispatcher::Done done;
    std::shared_ptr<asio::steady_timer> timer;
  };
  std::vector<std::shared_ptr<Waiter>> waiters;
  uint64_t event_seq = 0;

  std::string LongPollId() const;
  io::Json TemplateJson() const;
  // The tip or mempool changed: answer every long-poll waiter.
  void OnChainEvent();
  void RegisterRpc(io::RpcDispatcher& rpc);
};

}  // namespace mw::lab::node
