// What detectors see of a flow: endpoints, counts, the size and timing of its first segments, and
// what each analyzer learnt. Built and kept current by the sensor pipeline; detectors only read
// it. Pointers to analyzer summaries are owned by the pipeline's flow state and valid during an
// Inspect() call only.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "analyzers/stratum/stratum_analyzer.h"
#include "analyzers/sv2/sv2_analyzer.h"
#include "analyzers/tls/tls_hello.h"
#include "net/decode/packet.h"

namespace mw::detectors {

// The first bytes of one direction of a flow, kept inline so that a flow costs no allocation for
// them. Assigning or appending keeps at most kCapacity bytes.
class HeadBytes {
 public:
  static constexpr size_t kCapacity = 64;

  HeadBytes() = default;
  explicit HeadBytes(std::string_view bytes) { assign(bytes); }
  HeadBytes& operator=(std::string_view bytes) {
    assign(bytes);
    return *this;
  }
  void assign(std::string_view bytes) {
    size_ = 0;
    append(bytes.data(), bytes.size());
  }
  // Appends what still fits; returns the number of bytes taken.
  size_t append(const char* bytes, size_t n) {
    const size_t take = n < kCapacity - size_ ? n : kCapacity - size_;
    if (take > 0) std::memcpy(bytes_.data() + size_, bytes, take);
    size_ += static_cast<uint8_t>(take);
    return take;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == kCapacity; }
  const char* data() const { return bytes_.data(); }
  std::string_view view() const { return {bytes_.data(), size_}; }
  bool starts_with(std::string_view prefix) const { return view().starts_with(prefix); }

 private:
  std::array<char, kCapacity> bytes_{};
  uint8_t size_ = 0;
};

struct Endpoint {
  net::IpAddress ip;
  uint16_t port = 0;
};

// Payload size and capture time of a direction's first segments, in order. The first kInline
// live in the record itself (most flows never have more, and a flow then costs no allocation
// for them); later ones go to the heap. clear() keeps that heap block for the next flow.
class SizeSamples {
 public:
  static constexpr size_t kInline = 8;
  using Sample = std::pair<uint32_t, int64_t>;  // payload bytes, capture time (us)

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Sample operator[](size_t i) const {
    return i < kInline ? Sample{bytes_[i], ts_us_[i]} : more_[i - kInline];
  }
  Sample front() const { return (*this)[0]; }
  Sample back() const { return (*this)[size_ - 1]; }
  void emplace_back(uint32_t bytes, int64_t ts_us) {
    if (size_ < kInline) {
      bytes_[size_] = bytes;
      ts_us_[size_] = ts_us;
    } else {
      more_.emplace_back(bytes, ts_us);
    }
    ++size_;
  }
  void clear() {
    size_ = 0;
    more_.clear();
  }
  // The heap block of the samples past kInline (emptied), for a record that is reset by
  // reconstruction to hand to its new self (AdoptSpill): moving the whole object would copy
  // the inline arrays twice for nothing.
  std::vector<Sample> TakeSpill() {
    more_.clear();
    return std::move(more_);
  }
  void AdoptSpill(std::vector<Sample>&& spill) {
    more_ = std::move(spill);
    more_.clear();
  }

 private:
  uint32_t size_ = 0;
  std::array<uint32_t, kInline> bytes_{};
  std::array<int64_t, kInline> ts_us_{};
  std::vector<Sample> more_;
};

// Payload-bearing segments (TCP) or datagrams (UDP) of one direction.
struct SegmentStats {
  static constexpr size_t kMaxSamples = 64;
  uint32_t segments = 0;
  uint64_t payload_bytes = 0;
  // The first kMaxSamples: payload size and capture time.
  SizeSamples samples;
};

struct TlsFacts {
  // As a fresh TlsFacts, keeping the storage of the hello's lists and of the strings.
  void Clear() {
    client_hello = false;
    analyzers::tls::ResetClientHello(hello);
    server_alpn.clear();
    certificate = self_signed = self_signed_assumed = false;
    cert_subject.clear();
    cert_issuer.clear();
  }
  bool client_hello = false;
  // The ClientHello as parsed: its SNI (hello.sni), the ALPN it offers (hello.alpn), and what
  // JA3 and JA4 are computed from when an event reports them (analyzers/tls/tls_hello.h).
  analyzers::tls::ClientHello hello;
  std::string server_alpn;        // chosen by the server
  bool certificate = false;
  bool self_signed = false;
  bool self_signed_assumed = false;  // subject = issuer, signature not checked (load shedding)
  std::string cert_subject, cert_issuer;
};

struct HttpFacts {
  std::string host, uri, method, user_agent;
  std::string miner_agent;        // miner family matched in the User-Agent
  std::string web_miner_script;   // matched script name
  bool web_miner_script_weak = false;
  bool mining_rpc = false;        // getwork / getblocktemplate / submitblock in a body
  std::vector<std::string> rpc_methods;
  std::string mining_headers;     // "X-Mining-Extensions: ...", "X-Stratum: ..." seen
  bool websocket = false;         // upgraded to WebSocket
  std::string websocket_path;
  // A CONNECT the proxy answered 2xx: the flow's later bytes are a tunnel to `uri` (host:port),
  // and what the other analyzers found in it is that host's traffic.
  bool tunnel = false;
};

// An optional value kept on the heap: like std::optional (has_value, ->, *, reset, assignment
// from a value) but one pointer wide, so that a record of a flow without TLS or HTTP stays small
// (records are many and mostly cold; their size is cache misses). reset() keeps the allocation
// for the next value assigned (the pipeline reuses records flow after flow); a moved-from box is
// empty.
template <class T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(const Boxed& other)
      : p_(other.has_ ? std::make_unique<T>(*other.p_) : nullptr), has_(other.has_) {}
  Boxed(Boxed&& other) noexcept : p_(std::move(other.p_)), has_(std::exchange(other.has_, false)) {}
  Boxed& operator=(const Boxed& other) {
    if (this != &other) {
      if (other.has_) *this = T(*other.p_);
      else reset();
    }
    return *this;
  }
  Boxed& operator=(Boxed&& other) noexcept {
    if (this != &other) {
      p_ = std::move(other.p_);
      has_ = std::exchange(other.has_, false);
    }
    return *this;
  }
  Boxed& operator=(T value) {
    if (p_) *p_ = std::move(value);
    else p_ = std::make_unique<T>(std::move(value));
    has_ = true;
    return *this;
  }

  bool has_value() const { return has_; }
  explicit operator bool() const { return has_; }
  T* operator->() { return p_.get(); }
  const T* operator->() const { return p_.get(); }
  T& operator*() { return *p_; }
  const T& operator*() const { return *p_; }
  void reset() { has_ = false; }
  // Holds a value again: the kept one emptied by T::Clear() (its storage reused), or a new T.
  T& EmplaceCleared() {
    if (p_) p_->Clear();
    else p_ = std::make_unique<T>();
    has_ = true;
    return *p_;
  }

 private:
  std::unique_ptr<T> p_;
  bool has_ = false;
};

// Fields are ordered so that what the pipeline updates per segment and what every detector reads
// first share the first cache lines.
struct FlowRecord {
  uint64_t flow_id = 0;
  int64_t first_ts_us = 0, last_ts_us = 0;
  uint64_t packets[2] = {0, 0};  // [0] client to server, [1] server to client
  uint64_t bytes[2] = {0, 0};
  uint8_t ip_proto = 0;  // 6 TCP, 17 UDP
  bool ended = false;
  bool saw_syn = false;  // the handshake was captured (direction is certain)
  bool stratum_in_websocket = false;

  // Notes detectors keep on the flow between their Inspect() calls (the rest of the record is
  // theirs to read only): what they already matched, so that a flow inspected many times is
  // matched once. Empty in a new record; each field belongs to the detector it is named after.
  // (Here, on the line detectors read first, next to the analyzer pointers.)
  struct DetectorMemo {
    bool pool_name_sni = false;      // the TLS SNI was matched against intel
    bool pool_name_address = false;  // the server's address and port were
    uint32_t pool_name_generation = 0;  // of which intel (the pool_name detector's SetIntel count)
    size_t pool_name_host = 0;       // std::hash of the HTTP Host last matched (0: none yet)
  };
  mutable DetectorMemo memo;

  // Protocol analyzers (null / empty when the flow was not that protocol).
  const analyzers::StratumFlowSummary* stratum = nullptr;
  const analyzers::sv2::Sv2Features* sv2 = nullptr;
  Boxed<TlsFacts> tls;
  Boxed<HttpFacts> http;
  // Signature ids already raised on this flow, in the order raised (kept by the pipeline, which
  // raises each at most once). A detector may skip building a finding whose id is listed: the
  // pipeline would drop it.
  std::vector<uint32_t> alerted;
  SegmentStats seg[2];
  // First bytes of each direction (up to 64), for protocol signatures (SSH banner, P2P magic).
  std::array<HeadBytes, 2> head;
  Endpoint client, server;
  // The name the client looked up for the server's address (DNS seen earlier), if any.
  std::string server_name;
  // DNS: names asked in this flow's queries so far.
  std::vector<std::string> dns_queries;

  bool Alerted(uint32_t signature_id) const {
    for (uint32_t id : alerted) {
      if (id == signature_id) return true;
    }
    return false;
  }

  double duration_s() const { return double(last_ts_us - first_ts_us) / 1e6; }

  // Through an HTTP proxy's tunnel: the "host:port" the proxy was asked to CONNECT to (the
  // pool, when the tunnel carries mining); null for any other flow.
  const std::string* tunnel_target() const { return http && http->tunnel ? &http->uri : nullptr; }

  // The port the traffic is for: the server's, or through a tunnel the target's (the server's
  // when the target's port does not parse).
  uint16_t destination_port() const {
    const std::string* target = tunnel_target();
    const size_t colon = target != nullptr ? target->rfind(':') : std::string::npos;
    if (colon == std::string::npos) return server.port;
    const char* last = target->data() + target->size();
    uint32_t port = 0;
    const auto [end, error] = std::from_chars(target->data() + colon + 1, last, port);
    return error == std::errc() && end == last && port > 0 && port <= 65535 ? uint16_t(port)
                                                                            : server.port;
  }

  // "name:port" when DNS named the server's address, else "address:port".
  std::string server_endpoint() const {
    return (server_name.empty() ? server.ip.ToString() : server_name) + ":" +
           std::to_string(server.port);
  }

  // Evidence line for a finding in a tunnel ("" for any other flow).
  std::string TunnelEvidence() const {
    const std::string* target = tunnel_target();
    return target == nullptr ? std::string()
                             : "through the HTTP proxy " + server_endpoint() + " (CONNECT " +
                                   *target + ")";
  }
};

}  // namespace mw::detectors
