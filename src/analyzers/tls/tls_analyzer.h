// Per-flow TLS analyzer: follows the record layer of both directions (records split across
// chunks in any way), reassembles handshake messages across records, and reports the
// ClientHello (with JA3/JA4), the ServerHello (with JA3S) and, for TLS <= 1.2, the server's leaf
// certificate. After ChangeCipherSpec (or a TLS 1.3 ServerHello) a direction is encrypted: its
// records are only counted, never buffered.
//
// "Not TLS" is decided on the first bytes of a direction: a record header must have a content
// type 20..24, major version 3 and a sane length. SSLv2-format hellos count as not TLS.
//
// Not thread-safe; one instance per flow. `counters` (optional, shared by all flows) must
// outlive the analyzer.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "analyzers/common/direction.h"
#include "analyzers/tls/tls_certificate.h"
#include "analyzers/tls/tls_hello.h"
#include "core/bytes.h"
#include "core/counters.h"

namespace mw::analyzers::tls {

struct ClientHelloRecord {
  ClientHello hello;
  std::string ja3, ja3_md5, ja4, ja4_raw;  // empty with Fingerprints::kLeaveToCaller
};
struct ServerHelloRecord {
  ServerHello hello;
  std::string ja3s, ja3s_md5;  // empty with Fingerprints::kLeaveToCaller
};
struct TlsEvent {
  Direction dir = Direction::kToServer;
  std::variant<ClientHelloRecord, ServerHelloRecord, CertificateInfo> what;
};

// Receives what a TlsAnalyzer finds as it finds it, in place of the event queue (TakeEvents):
// nothing is queued or copied into an event. The arguments are the analyzer's scratch values,
// valid during the call; a listener may move from them. Fingerprints are not computed for a
// listener (Ja3String, Ja4 ... compute them from the hello).
class TlsListener {
 public:
  virtual ~TlsListener() = default;
  // Where the next ClientHello is parsed into: the listener's own (its lists and strings keep
  // their storage from earlier flows; OnClientHello then gets it back), or nullptr for the
  // analyzer's scratch. A hello that fails to parse leaves the target reset
  // (ResetClientHello).
  virtual ClientHello* ClientHelloTarget() { return nullptr; }
  virtual void OnClientHello(Direction dir, ClientHello& hello) = 0;
  virtual void OnServerHello(Direction dir, ServerHello& hello) = 0;
  virtual void OnCertificate(Direction dir, CertificateInfo& info) = 0;
};

// Computes the fingerprints of a parsed hello.
ClientHelloRecord MakeClientHelloRecord(ClientHello hello);
ServerHelloRecord MakeServerHelloRecord(ServerHello hello);

class TlsAnalyzer {
 public:
  static constexpr size_t kMaxRecordBody = 16384 + 2048;  // TLSCiphertext limit
  static constexpr size_t kMaxHandshakeMessage = 64 * 1024;

  // Whether hello events carry their fingerprints (JA3, JA4, JA4_r, JA3S). Without them the
  // parsed hellos still do, and the fingerprints can be computed from them later (Ja3String,
  // Ja4, ...): a sensor that reports them only for the few flows it raises an event about
  // saves most of the analyzer's cost per TLS flow.
  enum class Fingerprints : uint8_t { kCompute, kLeaveToCaller };

  // `certificates` (optional, shared by all flows like `counters`) answers repeated server
  // certificates without parsing them again; it must outlive the analyzer. `listener`
  // (optional) receives the hellos and the certificate instead of the event queue; it must
  // outlive the analyzer, or be replaced (set_listener) before the next Feed().
  explicit TlsAnalyzer(CounterSet* counters = nullptr,
                       Fingerprints fingerprints = Fingerprints::kCompute,
                       CertificateCache* certificates = nullptr, TlsListener* listener = nullptr)
      : counters_(counters),
        fingerprints_(fingerprints),
        certificates_(certificates),
        listener_(listener) {}
  void set_listener(TlsListener* listener) { listener_ = listener; }

  void Feed(Direction dir, ByteSpan data);
  // Events since the last call (none when a listener takes them).
  std::vector<TlsEvent> TakeEvents() { return std::exchange(events_, {}); }
  bool has_events() const { return !events_.empty(); }

  // True once a direction showed bytes that are not a TLS record (it is then ignored).
  bool NotTls(Direction dir) const { return dirs_[DirectionIndex(dir)].not_tls; }
  // Once NotTls(dir): where, in the bytes of the Feed() call that ruled the direction out, the
  // record header that failed begins (0 when it began in an earlier call's bytes).
  size_t NotTlsOffset(Direction dir) const { return dirs_[DirectionIndex(dir)].not_tls_at; }
  // Whether a direction's first bytes (at least a record header's 5) are ruled out by their
  // first header alone, as Feed() would rule them out: then the counters Feed() would bump are
  // bumped in `counters` (optional) and the answer is true. A caller may ask first and build no
  // analyzer for such a direction (a flow whose bytes only start like a TLS record).
  static bool RuledOutByFirstHeader(Direction dir, ByteSpan first, CounterSet* counters);
  // True once a direction's handshake messages can no longer be read (after its
  // ChangeCipherSpec, or the server's after a TLS 1.3 ServerHello): its records are then only
  // counted.
  bool Encrypted(Direction dir) const { return dirs_[DirectionIndex(dir)].encrypted; }
  // True once either direction was recognised as TLS records.
  bool IsTls() const { return dirs_[0].records > 0 || dirs_[1].records > 0; }
  uint64_t records(Direction dir) const { return dirs_[DirectionIndex(dir)].records; }
  uint64_t application_data_bytes(Direction dir) const {
    return dirs_[DirectionIndex(dir)].app_bytes;
  }

 private:
  struct DirState {
    uint8_t header[5] = {};
    size_t header_have = 0;
    size_t body_left = 0;       // bytes of the current record body still to come
    uint8_t content_type = 0;
    Bytes handshake;            // handshake bytes not yet forming a whole message
    bool encrypted = false;     // handshake messages no longer readable
    bool handshake_lost = false;
    bool not_tls = false;
    size_t not_tls_at = 0;      // see NotTlsOffset()
    uint64_t records = 0;
    uint64_t app_bytes = 0;
  };
  void Count(std::string_view name);
  void Malformed(std::string_view reason);
  bool AcceptHeader(Direction dir, DirState& d);
  void OnHandshakeBytes(Direction dir, DirState& d, ByteSpan bytes);
  void OnHandshakeMessage(Direction dir, uint8_t type, ByteSpan body);

  CounterSet* counters_;
  Fingerprints fingerprints_;
  CertificateCache* certificates_;
  TlsListener* listener_;
  DirState dirs_[2];
  uint16_t server_version_ = 0;  // selected by the ServerHello, 0 until seen
  bool seen_certificate_ = false;
  std::vector<TlsEvent> events_;
};

}  // namespace mw::analyzers::tls
