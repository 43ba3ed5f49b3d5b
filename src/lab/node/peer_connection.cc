#include "lab/node/peer_connection.h"

namespace mw::lab::node {

PeerConnection::PeerConnection(asio::ip::tcp::socket socket, bool inbound, uint64_t id,
                               Callbacks callbacks)
    : handshake_timer(socket.get_executor()),
      socket_(std::move(socket)),
      inbound_(inbound),
      id_(id),
      callbacks_(std::move(callbacks)) {
  asio::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  remote_ = ec ? "unknown" : ep.address().to_string() + ":" + std::to_string(ep.port());
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

void PeerConnection::Start() { ReadMore(); }

void PeerConnection::ReadMore() {
  if (closed_) return;
  socket_.async_read_some(
      asio::buffer(chunk_), [self = shared_from_this()](const asio::error_code& ec, size_t n) {
        if (self->closed_) return;
        if (ec) {
          self->Close();
          return;
        }
        self->decoder_.Feed(ByteSpan(self->chunk_.data(), n));
        while (!self->closed_) {
          auto frame = self->decoder_.Next();
          if (!frame) break;
          auto decoded = p2p::DecodeMessage(*frame);
          if (auto* error = std::get_if<p2p::WireError>(&decoded)) {
            self->callbacks_.on_wire_error(*self, *error, frame->command);
            self->Close();
            return;
          }
          self->callbacks_.on_message(*self, std::get<p2p::Message>(std::move(decoded)));
        }
        if (self->closed_) return;
        if (self->decoder_.error() != p2p::WireError::kNone) {
          self->callbacks_.on_wire_error(*self, self->decoder_.error(), "");
          self->Close();
          return;
        }
        self->ReadMore();
      });
}

void PeerConnection::Send(const p2p::Message& message) {
  if (closed_) return;
  Bytes wire = p2p::EncodeMessage(message);
  queued_bytes_ += wire.size();
  if (queued_bytes_ > kMaxQueuedBytes) {
    Close();
    return;
  }
  queue_.push_back(std::move(wire));
  if (!writing_) WriteNext();
}

void PeerConnection::WriteNext() {
  if (closed_ || queue_.empty()) {
    writing_ = false;
    return;
  }
  writing_ = true;
  asio::async_write(socket_, asio::buffer(queue_.front()),
                    [self = shared_from_this()](const asio::error_code& ec, size_t) {
                      if (self->closed_) return;
                      if (ec) {
                        self->Close();
                        return;
                      }
                      self->queued_bytes_ -= self->queue_.front().size();
                      self->queue_.pop_front();
                      self->WriteNext();
                    });
}

void PeerConnection::Close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ignored;
  handshake_timer.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  queue_.clear();
  if (callbacks_.on_closed) callbacks_.on_closed(*this);
}

}  // namespace mw::lab::node
