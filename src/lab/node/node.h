// Node: one lab-chain node. Owns the chain store (with its mempool), a JSON-RPC server and the
// P2P peer manager, all driven by one asio::io_context on one thread of its own.
//
// RPC (JSON-RPC 1.0/2.0 over HTTP POST to "/", loopback):
//   getblocktemplate [{"longpollid":ID}]  template; with the current longpollid it waits until
//                                          the tip or mempool changes (or a timeout)
//   submitblock HEX           null when accepted, else the reject reason ("bad-pow", ...)
//   sendtransaction HEX       txid; -26 with the reason when refused
//   getbalance ADDRESS        {"balance","immature","next_nonce","pending_nonce",...}
//   getblock HASH|HEIGHT [0]  block as JSON (or hex with verbosity 0)
//   getbestblockhash, getchaininfo, getmempoolinfo, gettransaction TXID,
//   listtransactions ADDRESS [COUNT], getpeerinfo, setnetworkactive BOOL
//
// Thread-safety: Start/Stop/accessors from one controlling thread. chain() may be used from any
// thread (Chain is internally locked) but changes made through it are not announced to peers.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "chain/chain.h"
#include "core/log.h"
#include "core/status.h"
#include "io/host_port.h"

namespace mw::lab::node {

struct NodeOptions {
  std::string datadir;                           // created if missing
  std::string network = "lab";                   // chain::ChainParams::ByName
  io::HostPort rpc_bind{"127.0.0.1", 0};         // port 0: any free port
  io::HostPort p2p_bind{"127.0.0.1", 0};
  std::vector<io::HostPort> peers;               // outbound peers, kept connected
  std::chrono::milliseconds longpoll_timeout{30000};
  Logger* logger = nullptr;                      // not owned; must outlive the node
};

class Node {
 public:
  // Opens the chain, binds both ports, starts the io thread, and writes
  // <datadir>/node.json = {"rpc":"127.0.0.1:P","p2p":"127.0.0.1:Q","pid":N}.
  static Result<std::unique_ptr<Node>> Start(NodeOptions options);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Closes every connection and joins the io thread. Idempotent.
  void Stop();

  const io::HostPort& rpc_endpoint() const;
  const io::HostPort& p2p_endpoint() const;
  chain::Chain& chain();

  struct Impl;

 private:
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mw::lab::node
