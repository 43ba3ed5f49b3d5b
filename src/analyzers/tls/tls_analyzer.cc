#include "analyzers/tls/tls_analyzer.h"

#include <algorithm>
#include <string>

namespace mw::analyzers::tls {
namespace {

constexpr uint8_t kChangeCipherSpec = 20;
constexpr uint8_t kAlert = 21;
constexpr uint8_t kHandshake = 22;
constexpr uint8_t kApplicationData = 23;
constexpr uint8_t kHeartbeat = 24;

constexpr uint8_t kHsClientHello = 1;
constexpr uint8_t kHsServerHello = 2;
constexpr uint8_t kHsCertificate = 11;

// What a record header says about its direction, given how many records came before it.
enum class HeaderVerdict : uint8_t {
  kRecord,          // a record follows
  kNotTls,          // the first header is not one: the direction is not TLS
  kNotTlsClient,    // the same, for the client's first header (counted twice, as before)
  kClientNotHello,  // the client's first record is not a handshake record
  kMalformed,       // a later header is not one
};

HeaderVerdict CheckHeader(Direction dir, const uint8_t* header, uint64_t records_before) {
  const uint8_t type = header[0];
  const size_t len = ReadBE16(header + 3);
  const bool ok = type >= kChangeCipherSpec && type <= kHeartbeat && header[1] == 3 &&
                  header[2] <= 4 && len <= TlsAnalyzer::kMaxRecordBody &&
                  (len > 0 || type == kApplicationData);  // empty app data records are legal
  if (!ok) {
    if (records_before > 0) return HeaderVerdict::kMalformed;
    return dir == Direction::kToServer ? HeaderVerdict::kNotTlsClient : HeaderVerdict::kNotTls;
  }
  // A client that does not start with a handshake record is not a TLS client we can follow.
  if (records_before == 0 && dir == Direction::kToServer && type != kHandshake) {
    return HeaderVerdict::kClientNotHello;
  }
  return HeaderVerdict::kRecord;
}

// Bumps the counters of a refused header; false when it was accepted.
bool CountRefusal(HeaderVerdict v, CounterSet* counters) {
  if (v == HeaderVerdict::kRecord) return false;
  if (counters != nullptr) {
    counters->Get(v == HeaderVerdict::kMalformed ? "malformed.record_header" : "not_tls").Inc();
    if (v == HeaderVerdict::kNotTlsClient) counters->Get("not_tls_client").Inc();
  }
  return true;
}

}  // namespace

ClientHelloRecord MakeClientHelloRecord(ClientHello hello) {
  ClientHelloRecord r;
  r.ja3 = Ja3String(hello);
  r.ja3_md5 = Md5Hex(r.ja3);
  Ja4Both(hello, r.ja4, r.ja4_raw);
  r.hello = std::move(hello);
  return r;
}

ServerHelloRecord MakeServerHelloRecord(ServerHello hello) {
  ServerHelloRecord r;
  r.ja3s = Ja3sString(hello);
  r.ja3s_md5 = Md5Hex(r.ja3s);
  r.hello = std::move(hello);
  return r;
}

void TlsAnalyzer::Count(std::string_view name) {
  if (counters_) counters_->Get(name).Inc();
}

void TlsAnalyzer::Malformed(std::string_view reason) {
  if (counters_) counters_->Get("malformed.", reason).Inc();
}

bool TlsAnalyzer::RuledOutByFirstHeader(Direction dir, ByteSpan first, CounterSet* counters) {
  if (first.size() < sizeof DirState::header) return false;
  return CountRefusal(CheckHeader(dir, first.data(), 0), counters);
}

bool TlsAnalyzer::AcceptHeader(Direction dir, DirState& d) {
  if (CountRefusal(CheckHeader(dir, d.header, d.records), counters_)) {
    d.not_tls = true;
    return false;
  }
  const uint8_t type = d.header[0];
  const size_t len = ReadBE16(d.header + 3);
  d.content_type = type;
  d.body_left = len;
  ++d.records;
  if (type == kChangeCipherSpec) d.encrypted = true;
  if (type == kAlert && d.encrypted) Count("encrypted_alerts");
  return true;
}

void TlsAnalyzer::Feed(Direction dir, ByteSpan data) {
  DirState& d = dirs_[DirectionIndex(dir)];
  size_t pos = 0;
  while (pos < data.size() && !d.not_tls) {
    if (d.body_left == 0) {
      const size_t take = std::min(sizeof d.header - d.header_have, data.size() - pos);
      std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(pos), take, d.header + d.header_have);
      d.header_have += take;
      pos += take;
      if (d.header_have < sizeof d.header) return;
      d.header_have = 0;
      if (!AcceptHeader(dir, d)) {
        // The header began in this call's bytes, or (offset 0) in an earlier call's.
        d.not_tls_at = pos >= sizeof d.header ? pos - sizeof d.header : 0;
        return;
      }
      continue;
    }
    const size_t take = std::min(d.body_left, data.size() - pos);
    ByteSpan chunk = data.subspan(pos, take);
    d.body_left -= take;
    pos += take;
    if (d.content_type == kApplicationData) {
      d.app_bytes += take;
    } else if (d.content_type == kHandshake && !d.encrypted && !d.handshake_lost) {
      OnHandshakeBytes(dir, d, chunk);
    }
  }
}

void TlsAnalyzer::OnHandshakeBytes(Direction dir, DirState& d, ByteSpan bytes) {
  // Nothing buffered (the usual case: a hello in one record): whole messages are read where they
  // are, and only a message that goes on in a later record is copied.
  const bool in_place = d.handshake.empty();
  if (!in_place) Append(d.handshake, bytes);
  const ByteSpan all = in_place ? bytes : ByteSpan(d.handshake);
  size_t pos = 0;
  while (!d.encrypted && !d.handshake_lost && all.size() - pos >= 4) {
    const uint8_t* h = all.data() + pos;
    const size_t len = size_t(h[1]) << 16 | size_t(h[2]) << 8 | h[3];
    if (len > kMaxHandshakeMessage) {
      Malformed("handshake_too_large");
      d.handshake_lost = true;
      break;
    }
    if (all.size() - pos - 4 < len) break;
    OnHandshakeMessage(dir, h[0], ByteSpan(h + 4, len));
    pos += 4 + len;
  }
  if (d.encrypted || d.handshake_lost) {
    d.handshake = Bytes();
  } else if (in_place) {
    Append(d.handshake, all.subspan(pos));  // the start of a message still to come, if any
  } else if (pos > 0) {
    d.handshake.erase(d.handshake.begin(), d.handshake.begin() + static_cast<std::ptrdiff_t>(pos));
  }
}

void TlsAnalyzer::OnHandshakeMessage(Direction dir, uint8_t type, ByteSpan body) {
  DirState& d = dirs_[DirectionIndex(dir)];
  if (type == kHsClientHello && dir == Direction::kToServer) {
    ClientHello scratch;
    ClientHello* target = listener_ != nullptr ? listener_->ClientHelloTarget() : nullptr;
    ClientHello& ch = target != nullptr ? *target : scratch;
    const HelloError e = ParseClientHello(body, ch);
    if (e != HelloError::kOk) {
      if (target != nullptr) ResetClientHello(*target);
      Malformed(HelloErrorName(e));
      return;
    }
    Count("client_hello");
    if (listener_ != nullptr) {
      listener_->OnClientHello(dir, ch);
    } else if (fingerprints_ == Fingerprints::kCompute) {
      events_.push_back({dir, MakeClientHelloRecord(std::move(ch))});
    } else {
      events_.push_back({dir, ClientHelloRecord{std::move(ch), {}, {}, {}, {}}});
    }
  } else if (type == kHsServerHello && dir == Direction::kToClient) {
    ServerHello sh;
    const HelloError e = ParseServerHello(body, sh);
    if (e != HelloError::kOk) {
      Malformed(HelloErrorName(e));
      return;
    }
    Count("server_hello");
    server_version_ = sh.selected_version;
    if (listener_ != nullptr) {
      listener_->OnServerHello(dir, sh);
    } else if (fingerprints_ == Fingerprints::kCompute) {
      events_.push_back({dir, MakeServerHelloRecord(std::move(sh))});
    } else {
      events_.push_back({dir, ServerHelloRecord{std::move(sh), {}, {}}});
    }
    // TLS 1.3: everything after the ServerHello is encrypted.
    if (server_version_ >= 0x0304) d.encrypted = true;
  } else if (type == kHsCertificate && dir == Direction::kToClient && !seen_certificate_ &&
             server_version_ != 0 && server_version_ < 0x0304) {
    seen_certificate_ = true;
    CertificateInfo info;
    const CertError e = ParseCertificateMessage(body, info, certificates_);
    if (e != CertError::kOk) {
      Malformed(CertErrorName(e));
      return;
    }
    Count("certificate");
    if (listener_ != nullptr) {
      listener_->OnCertificate(dir, info);
    } else {
      events_.push_back({dir, std::move(info)});
    }
  }
}

}  // namespace mw::analyzers::tls
