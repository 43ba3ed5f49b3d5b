// One TCP connection to another node: framing, a bounded write queue, and delivery of decoded
// messages. Internal to lab/node (includes Asio); PeerManager owns the protocol logic.
//
// Threading: every method runs on the io_context's single thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "io/asio.h"
#include "lab/p2p/message.h"

namespace mw::lab::node {

class PeerConnection : public std::enable_shared_from_this<PeerConnection> {
 public:
  struct Callbacks {
    // A decoded message. Not called after Close().
    std::function<void(PeerConnection&, p2p::Message)> on_message;
    // The stream broke the protocol (framing or payload decoding): the manager should ban.
    std::function<void(PeerConnection&, p2p::WireError, const std::string& command)> on_wire_error;
    // The connection is gone (closed by either side). Called once.
    std::function<void(PeerConnection&)> on_closed;
  };

  // Writes queued beyond this many bytes mean the peer is not reading: it is dropped.
  static constexpr size_t kMaxQueuedBytes = 16 * 1024 * 1024;

  PeerConnection(asio::ip::tcp::socket socket, bool inbound, uint64_t id, Callbacks callbacks);

  void Start();  // begins reading
  void Send(const p2p::Message& message);
  void Close();

  uint64_t id() const { return id_; }
  bool inbound() const { return inbound_; }
  bool closed() const { return closed_; }
  const std::string& remote() const { return remote_; }  // "127.0.0.1:54321"

  // Protocol state kept here for the manager's convenience.
  bool got_version = false;
  bool got_verack = false;
  bool handshake_done = false;
  uint32_t best_height = 0;
  uint64_t node_nonce = 0;
  int misbehaviour = 0;
  std::string outbound_target;       // the configured "host:port" for outbound peers
  asio::steady_timer handshake_timer;

 private:
  void ReadMore();
  void WriteNext();

  asio::ip::tcp::socket socket_;
  bool inbound_;
  uint64_t id_;
  Callbacks callbacks_;
  std::string remote_;
  p2p::FrameDecoder decoder_;
  std::array<uint8_t, 64 * 1024> chunk_{};
  std::deque<Bytes> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace mw::lab::node
