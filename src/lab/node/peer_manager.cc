#include "lab/node/peer_manager.h"

#include <random>

namespace mw::lab::node {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kBlockRequestTimeout = std::chrono::seconds(10);

std::string Short(const Hash256& h) { return ToDisplayHex(h).substr(0, 16); }

}  // namespace

PeerManager::PeerManager(asio::io_context& io, chain::Chain& chain, Options options,
                         Logger* logger, std::function<void()> on_chain_event)
    : io_(io),
      chain_(chain),
      options_(std::move(options)),
      logger_(logger),
      on_chain_event_(std::move(on_chain_event)),
      acceptor_(io),
      dial_timer_(io) {
  std::random_device rd;
  nonce_ = (uint64_t(rd()) << 32) ^ rd();
}

PeerManager::~PeerManager() { Stop(); }

Result<io::HostPort> PeerManager::Start(const io::HostPort& bind) {
  asio::error_code ec;
  const std::string host = bind.host == "localhost" ? "127.0.0.1" : bind.host;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("p2p bind '" + bind.host + "' is not an IP address");
  asio::ip::tcp::endpoint ep(addr, bind.port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    asio::error_code ignored;
    acceptor_.close(ignored);
    return Status::IoError("cannot listen for peers on " + bind.ToString() + ": " + ec.message());
  }
  listen_port_ = acceptor_.local_endpoint().port();
  AcceptNext();
  DialAll();
  return io::HostPort{host, listen_port_};
}

void PeerManager::Stop() {
  if (stopped_) return;
  stopped_ = true;
  asio::error_code ignored;
  acceptor_.close(ignored);
  dial_timer_.cancel();
  std::vector<PeerPtr> all;
  for (auto& [id, p] : peers_) all.push_back(p);
  for (auto& p : all) p->Close();
  peers_.clear();
}

void PeerManager::SetActive(bool active) {
  if (active == active_) return;
  active_ = active;
  logger_->Info("p2p", active ? "network active" : "network inactive: dropping all peers");
  if (!active) {
    std::vector<PeerPtr> all;
    for (auto& [id, p] : peers_) all.push_back(p);
    for (auto& p : all) p->Close();
  }
}

void PeerManager::AcceptNext() {
  acceptor_.async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket socket) {
    if (stopped_ || ec == asio::error::operation_aborted) return;
    if (!ec) {
      size_t inbound = 0;
      for (auto& [id, p] : peers_) inbound += p->inbound() ? 1 : 0;
      asio::error_code rec;
      auto remote = socket.remote_endpoint(rec);
      std::string key = rec ? "" : remote.address().to_string() + ":" + std::to_string(remote.port());
      if (!active_ || inbound >= options_.max_inbound || IsBanned(key)) {
        asio::error_code ignored;
        socket.close(ignored);
      } else {
        Attach(std::move(socket), true, "");
      }
    }
    AcceptNext();
  });
}

void PeerManager::DialAll() {
  if (stopped_) return;
  if (active_) {
    for (const auto& target : options_.peers) {
      const std::string key = target.ToString();
      if (dialing_or_connected_.count(key) || IsBanned(key)) continue;
      Dial(target);
    }
    // Keep blocks flowing even when a peer went quiet or a request timed out.
    for (auto& [id, p] : peers_) {
      if (p->handshake_done) RequestBlocks(*p);
    }
  }
  dial_timer_.expires_after(options_.reconnect_interval);
  dial_timer_.async_wait([this](const asio::error_code& ec) {
    if (!ec) DialAll();
  });
}

void PeerManager::Dial(const io::HostPort& target) {
  const std::string key = target.ToString();
  asio::error_code ec;
  auto addr = asio::ip::make_address(target.host == "localhost" ? "127.0.0.1" : target.host, ec);
  if (ec) return;
  dialing_or_connected_[key] = 0;
  auto socket = std::make_shared<asio::ip::tcp::socket>(io_);
  socket->async_connect({addr, target.port}, [this, socket, key](const asio::error_code& cec) {
    if (stopped_) return;
    if (cec || !active_) {
      dialing_or_connected_.erase(key);
      return;
    }
    PeerPtr peer = Attach(std::move(*socket), false, key);
    dialing_or_connected_[key] = peer->id();
  });
}

PeerManager::PeerPtr PeerManager::Attach(asio::ip::tcp::socket socket, bool inbound,
                                         const std::string& target) {
  PeerConnection::Callbacks cb;
  cb.on_message = [this](PeerConnection& p, p2p::Message m) { OnMessage(p, std::move(m)); };
  cb.on_wire_error = [this](PeerConnection& p, p2p::WireError e, const std::string& command) {
    OnWireError(p, e, command);
  };
  cb.on_closed = [this](PeerConnection& p) { OnClosed(p); };
  auto peer = std::make_shared<PeerConnection>(std::move(socket), inbound, next_id_++, cb);
  peer->outbound_target = target;
  peers_[peer->id()] = peer;
  logger_->Debug("p2p", std::string(inbound ? "inbound" : "outbound") + " connection " +
                            peer->remote() + " (peer " + std::to_string(peer->id()) + ")");
  peer->handshake_timer.expires_after(options_.handshake_timeout);
  std::weak_ptr<PeerConnection> weak = peer;
  peer->handshake_timer.async_wait([weak](const asio::error_code& ec) {
    auto p = weak.lock();
    if (!ec && p && !p->handshake_done) p->Close();
  });
  peer->Start();
  SendVersion(*peer);
  return peer;
}

void PeerManager::SendVersion(PeerConnection& peer) {
  p2p::VersionMsg v;
  v.network = options_.network;
  v.best_height = chain_.Height();
  v.node_nonce = nonce_;
  v.listen_port = listen_port_;
  v.agent = "minelab-node/0.1";
  peer.Send(v);
}

void PeerManager::OnClosed(PeerConnection& peer) {
  // Erase later: Close() may run while peers_ is being iterated.
  const uint64_t id = peer.id();
  const std::string target = peer.outbound_target;
  asio::post(io_, [this, id, target] {
    if (stopped_) return;
    peers_.erase(id);
    auto it = dialing_or_connected_.find(target);
    if (!target.empty() && it != dialing_or_connected_.end() && it->second == id) {
      dialing_or_connected_.erase(it);
    }
    for (auto b = blocks_in_flight_.begin(); b != blocks_in_flight_.end();) {
      if (b->second == id) {
        block_request_time_.erase(b->first);
        b = blocks_in_flight_.erase(b);
      } else {
        ++b;
      }
    }
  });
}

bool PeerManager::IsBanned(const std::string& key) {
  auto it = banned_.find(key);
  if (it == banned_.end()) return false;
  if (Clock::now() >= it->second) {
    banned_.erase(it);
    return false;
  }
  return true;
}

void PeerManager::Misbehave(PeerConnection& peer, int score, const std::string& why) {
  peer.misbehaviour += score;
  logger_->Warn("p2p", "peer " + peer.remote() + " misbehaved (+" + std::to_string(score) +
                           " = " + std::to_string(peer.misbehaviour) + "): " + why);
  if (peer.misbehaviour >= 100) {
    const auto until = Clock::now() + options_.ban_duration;
    banned_[peer.remote()] = until;
    if (!peer.outbound_target.empty()) banned_[peer.outbound_target] = until;
    peer.Close();
  }
}

void PeerManager::OnWireError(PeerConnection& peer, p2p::WireError error,
                              const std::string& command) {
  Misbehave(peer, 100, "wire error " + std::string(p2p::WireErrorName(error)) +
                           (command.empty() ? "" : " in '" + command + "'"));
}

void PeerManager::OnMessage(PeerConnection& peer, p2p::Message message) {
  if (auto* v = std::get_if<p2p::VersionMsg>(&message)) {
    if (peer.got_version) return Misbehave(peer, 100, "second version message");
    if (v->node_nonce == nonce_) {
      logger_->Debug("p2p", "connected to ourselves via " + peer.remote() + "; dropping");
      if (!peer.outbound_target.empty()) {
        banned_[peer.outbound_target] = Clock::now() + std::chrono::hours(24 * 365);
      }
      peer.Close();
      return;
    }
    if (v->network != options_.network) {
      logger_->Warn("p2p", "peer " + peer.remote() + " is on network '" + v->network + "'");
      peer.Close();
      return;
    }
    peer.got_version = true;
    peer.best_height = v->best_height;
    peer.node_nonce = v->node_nonce;
    peer.Send(p2p::VerackMsg{});
  } else if (std::holds_alternative<p2p::VerackMsg>(message)) {
    if (!peer.got_version || peer.got_verack) {
      return Misbehave(peer, 100, "unexpected verack");
    }
    peer.got_verack = true;
  } else if (!peer.handshake_done) {
    return Misbehave(peer, 100, "'" + std::string(p2p::CommandOf(message)) +
                                    "' before the handshake");
  }
  if (!peer.handshake_done) {
    if (peer.got_version && peer.got_verack) {
      peer.handshake_done = true;
      peer.handshake_timer.cancel();
      logger_->Info("p2p", "peer " + peer.remote() + " connected (" +
                               (peer.inbound() ? "inbound" : "outbound") + ", height " +
                               std::to_string(peer.best_height) + ")");
      RequestHeaders(peer);
    }
    return;
  }
  if (auto* ping = std::get_if<p2p::PingMsg>(&message)) {
    peer.Send(p2p::PongMsg{ping->nonce});
  } else if (auto* inv = std::get_if<p2p::InvMsg>(&message)) {
    OnInv(peer, *inv);
  } else if (auto* gd = std::get_if<p2p::GetDataMsg>(&message)) {
    OnGetData(peer, *gd);
  } else if (auto* nf = std::get_if<p2p::NotFoundMsg>(&message)) {
    for (const auto& e : nf->entries) {
      auto it = blocks_in_flight_.find(e.hash);
      if (it != blocks_in_flight_.end() && it->second == peer.id()) blocks_in_flight_.erase(it);
    }
  } else if (auto* gh = std::get_if<p2p::GetHeadersMsg>(&message)) {
    peer.Send(p2p::HeadersMsg{
        chain_.HeadersAfterLocator(gh->locator, gh->stop, p2p::kMaxHeadersPerMessage)});
  } else if (auto* hs = std::get_if<p2p::HeadersMsg>(&message)) {
    OnHeaders(peer, *hs);
  } else if (auto* tx = std::get_if<p2p::TxMsg>(&message)) {
    OnTx(peer, tx->tx);
  } else if (auto* block = std::get_if<p2p::BlockMsg>(&message)) {
    OnBlock(peer, block->block);
  }
}

void PeerManager::RequestHeaders(PeerConnection& peer, const std::vector<Hash256>& extra_front) {
  p2p::GetHeadersMsg msg;
  msg.locator = extra_front;
  for (const auto& h : chain_.Locator()) {
    if (msg.locator.size() >= p2p::kMaxLocatorHashes) break;
    msg.locator.push_back(h);
  }
  peer.Send(msg);
}

void PeerManager::RequestBlocks(PeerConnection& peer) {
  const auto now = Clock::now();
  size_t mine = 0;
  for (auto it = block_request_time_.begin(); it != block_request_time_.end();) {
    if (now - it->second > kBlockRequestTimeout) {
      blocks_in_flight_.erase(it->first);
      it = block_request_time_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [hash, id] : blocks_in_flight_) mine += id == peer.id() ? 1 : 0;
  if (mine >= options_.max_blocks_in_flight_per_peer) return;
  p2p::GetDataMsg request;
  for (const auto& hash : chain_.BlocksToFetch(256)) {
    if (mine + request.entries.size() >= options_.max_blocks_in_flight_per_peer) break;
    if (blocks_in_flight_.count(hash)) continue;
    blocks_in_flight_[hash] = peer.id();
    block_request_time_[hash] = now;
    request.entries.push_back({p2p::InvType::kBlock, hash});
  }
  if (!request.entries.empty()) peer.Send(request);
}

void PeerManager::OnHeaders(PeerConnection& peer, const p2p::HeadersMsg& msg) {
  for (const auto& header : msg.headers) {
    chain::Verdict v = chain_.AcceptHeader(header);
    if (v.ok() || v.reason() == chain::Reject::kDuplicateBlock) continue;
    if (v.reason() == chain::Reject::kBadPrev) {
      Misbehave(peer, 20, "headers do not connect: " + v.ToString());
      return;
    }
    if (v.reason() == chain::Reject::kTimeTooNew || v.reason() == chain::Reject::kStorage) break;
    Misbehave(peer, 100, "invalid header " + Short(header.Hash()) + ": " + v.ToString());
    return;
  }
  if (msg.headers.size() == p2p::kMaxHeadersPerMessage) {
    RequestHeaders(peer, {msg.headers.back().Hash()});
  }
  RequestBlocks(peer);
}

void PeerManager::OnBlock(PeerConnection& peer, const chain::Block& block) {
  const Hash256 hash = block.Hash();
  blocks_in_flight_.erase(hash);
  block_request_time_.erase(hash);
  chain::BlockOutcome outcome = chain_.AcceptBlock(block);
  const chain::Reject r = outcome.verdict.reason();
  if (outcome.verdict.ok()) {
    if (outcome.tip_changed) {
      const auto tip = chain_.Tip();
      logger_->Info("p2p", "block " + Short(hash) + " from " + peer.remote() + ": tip now " +
                               std::to_string(tip.height) + " " + Short(tip.hash) +
                               (outcome.disconnected ? " (reorganised " +
                                                           std::to_string(outcome.disconnected) +
                                                           " blocks)"
                                                     : ""));
      Broadcast(p2p::InvMsg{{{p2p::InvType::kBlock, tip.hash}}}, peer.id());
      on_chain_event_();
    }
  } else if (r == chain::Reject::kOrphan) {
    RequestHeaders(peer);
  } else if (r != chain::Reject::kDuplicateBlock && r != chain::Reject::kTimeTooNew &&
             r != chain::Reject::kStorage) {
    Misbehave(peer, 100, "invalid block " + Short(hash) + ": " + outcome.verdict.ToString());
    return;
  }
  RequestBlocks(peer);
}

void PeerManager::OnTx(PeerConnection& peer, const chain::Transaction& tx) {
  chain::Verdict v = chain_.AcceptTx(tx);
  if (v.ok()) {
    Broadcast(p2p::InvMsg{{{p2p::InvType::kTx, chain::TxId(tx)}}}, peer.id());
    on_chain_event_();
    return;
  }
  if (v.reason() == chain::Reject::kBadSignature || v.reason() == chain::Reject::kMalformed) {
    Misbehave(peer, 100, "invalid transaction: " + v.ToString());
  }
}

void PeerManager::OnInv(PeerConnection& peer, const p2p::InvMsg& msg) {
  bool need_headers = false;
  p2p::GetDataMsg request;
  for (const auto& e : msg.entries) {
    if (e.type == p2p::InvType::kBlock) {
      if (!chain_.HeaderByHash(e.hash)) need_headers = true;
    } else if (!chain_.FindTx(e.hash)) {
      request.entries.push_back(e);
    }
  }
  if (!request.entries.empty()) peer.Send(request);
  if (need_headers) RequestHeaders(peer);
}

void PeerManager::OnGetData(PeerConnection& peer, const p2p::GetDataMsg& msg) {
  p2p::NotFoundMsg missing;
  for (const auto& e : msg.entries) {
    if (e.type == p2p::InvType::kBlock) {
      if (auto block = chain_.BlockByHash(e.hash)) {
        peer.Send(p2p::BlockMsg{std::move(*block)});
        continue;
      }
    } else if (auto found = chain_.FindTx(e.hash)) {
      peer.Send(p2p::TxMsg{std::move(found->tx)});
      continue;
    }
    missing.entries.push_back(e);
  }
  if (!missing.entries.empty()) peer.Send(missing);
}

void PeerManager::Broadcast(const p2p::Message& message, uint64_t except_id) {
  std::vector<PeerPtr> targets;
  for (auto& [id, p] : peers_) {
    if (id != except_id && p->handshake_done && !p->closed()) targets.push_back(p);
  }
  for (auto& p : targets) p->Send(message);
}

void PeerManager::AnnounceBlock(const Hash256& hash) {
  Broadcast(p2p::InvMsg{{{p2p::InvType::kBlock, hash}}}, 0);
}

void PeerManager::AnnounceTx(const Hash256& txid) {
  Broadcast(p2p::InvMsg{{{p2p::InvType::kTx, txid}}}, 0);
}

size_t PeerManager::PeerCount() const {
  size_t n = 0;
  for (const auto& [id, p] : peers_) n += p->handshake_done && !p->closed() ? 1 : 0;
  return n;
}

nlohmann::json PeerManager::PeerInfo() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [id, p] : peers_) {
    if (p->closed()) continue;
    out.push_back({{"id", id},
                   {"addr", p->remote()},
                   {"inbound", p->inbound()},
                   {"target", p->outbound_target},
                   {"handshake", p->handshake_done},
                   {"startingheight", p->best_height},
                   {"misbehavior", p->misbehaviour}});
  }
  return out;
}

}  // namespace mw::lab::node
