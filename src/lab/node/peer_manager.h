// The node's P2P side: listening, outbound peers with reconnection, the version/verack handshake,
// header-first sync, relay of transactions and blocks, misbehaviour scores and bans.
//
// Sync: after the handshake each side sends getheaders with its best-chain locator; headers are
// indexed with Chain::AcceptHeader; the blocks the header chain lacks (Chain::BlocksToFetch) are
// requested with getdata, a bounded number in flight per peer, and connected as they arrive
// (out-of-order arrivals wait in the chain's orphan pool). A block announcement (inv) for an
// unknown block triggers getheaders, so every block arrives header-first.
//
// Misbehaviour: a framing or decoding error, a message before the handshake, a second version,
// an invalid block or a transaction with a bad signature scores 100 (drop + ban); headers that do
// not connect score 20. At 100 the peer is dropped and its address banned for ban_duration.
// (On loopback every peer shares 127.0.0.1, so bans are per "ip:port" there.)
//
// Threading: runs on the io_context thread; public methods must be called on that thread
// (Node posts onto it).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chain/chain.h"
#include "core/log.h"
#include "io/asio.h"
#include "io/host_port.h"
#include "lab/node/peer_connection.h"

namespace mw::lab::node {

class PeerManager {
 public:
  struct Options {
    std::string network;              // must match the peer's version.network
    std::vector<io::HostPort> peers;  // outbound, kept connected
    size_t max_inbound = 32;
    std::chrono::milliseconds reconnect_interval{500};
    std::chrono::milliseconds handshake_timeout{5000};
    std::chrono::seconds ban_duration{60};
    size_t max_blocks_in_flight_per_peer = 32;
  };

  // `on_chain_event` runs (on the io thread) after the tip or the mempool changed.
  PeerManager(asio::io_context& io, chain::Chain& chain, Options options, Logger* logger,
              std::function<void()> on_chain_event);
  ~PeerManager();

  // Binds the listening socket (port 0 = any free port) and starts outbound connections.
  Result<io::HostPort> Start(const io::HostPort& bind);
  void Stop();

  // Network switch (RPC setnetworkactive): off drops every peer, refuses inbound and stops
  // dialing; on resumes dialing the configured peers.
  void SetActive(bool active);
  bool active() const { return active_; }

  // Announce a block (after it became the tip) or a transaction accepted locally.
  void AnnounceBlock(const Hash256& hash);
  void AnnounceTx(const Hash256& txid);

  nlohmann::json PeerInfo() const;
  size_t PeerCount() const;
  uint64_t node_nonce() const { return nonce_; }

 private:
  using PeerPtr = std::shared_ptr<PeerConnection>;

  void AcceptNext();
  void DialAll();
  void Dial(const io::HostPort& target);
  PeerPtr Attach(asio::ip::tcp::socket socket, bool inbound, const std::string& target);
  void OnMessage(PeerConnection& peer, p2p::Message message);
  void OnWireError(PeerConnection& peer, p2p::WireError error, const std::string& command);
  void OnClosed(PeerConnection& peer);
  void Misbehave(PeerConnection& peer, int score, const std::string& why);
  bool IsBanned(const std::string& key);

  void SendVersion(PeerConnection& peer);
  void RequestHeaders(PeerConnection& peer, const std::vector<Hash256>& extra_front = {});
  void RequestBlocks(PeerConnection& peer);
  void OnHeaders(PeerConnection& peer, const p2p::HeadersMsg& msg);
  void OnBlock(PeerConnection& peer, const chain::Block& block);
  void OnTx(PeerConnection& peer, const chain::Transaction& tx);
  void OnInv(PeerConnection& peer, const p2p::InvMsg& msg);
  void OnGetData(PeerConnection& peer, const p2p::GetDataMsg& msg);
  void Broadcast(const p2p::Message& message, uint64_t except_id);

  asio::io_context& io_;
  chain::Chain& chain_;
  Options options_;
  Logger* logger_;
  std::function<void()> on_chain_event_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer dial_timer_;
  uint64_t nonce_ = 0;
  uint64_t next_id_ = 1;
  uint16_t listen_port_ = 0;
  bool active_ = true;
  bool stopped_ = false;
  std::map<uint64_t, PeerPtr> peers_;
  std::map<std::string, uint64_t> dialing_or_connected_;  // outbound target -> peer id (0 = dialing)
  std::map<std::string, std::chrono::steady_clock::time_point> banned_;
  std::map<Hash256, uint64_t> blocks_in_flight_;           // block hash -> peer id
  std::map<Hash256, std::chrono::steady_clock::time_point> block_request_time_;
};

}  // namespace mw::lab::node
