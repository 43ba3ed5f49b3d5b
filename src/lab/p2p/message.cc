#include "lab/p2p/message.h"

#include <algorithm>
#include <cstring>

namespace mw::lab::p2p {
namespace {

// Bounds-checked sequential reads over one payload.
class Reader {
 public:
  explicit Reader(ByteSpan b) : b_(b) {}
  size_t remaining() const { return b_.size() - pos_; }
  bool U8(uint8_t& v) {
    if (remaining() < 1) return false;
    v = b_[pos_++];
    return true;
  }
  bool U16(uint16_t& v) {
    if (remaining() < 2) return false;
    v = ReadLE16(b_.data() + pos_);
    pos_ += 2;
    return true;
  }
  bool U32(uint32_t& v) {
    if (remaining() < 4) return false;
    v = ReadLE32(b_.data() + pos_);
    pos_ += 4;
    return true;
  }
  bool U64(uint64_t& v) {
    if (remaining() < 8) return false;
    v = ReadLE64(b_.data() + pos_);
    pos_ += 8;
    return true;
  }
  bool Hash(Hash256& h) {
    if (remaining() < 32) return false;
    std::memcpy(h.data(), b_.data() + pos_, 32);
    pos_ += 32;
    return true;
  }
  bool Str(size_t max, std::string& s) {
    uint8_t n = 0;
    if (!U8(n) || n > max || remaining() < n) return false;
    s.assign(reinterpret_cast<const char*>(b_.data() + pos_), n);
    pos_ += n;
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= 32 && c < 127; });
  }
  // A CompactSize count <= max whose entries (entry_bytes each) are all present.
  bool Count(size_t max, size_t entry_bytes, size_t& n) {
    auto v = chain::ReadCompactSize(b_, pos_);
    if (!v.ok() || *v > max || *v * entry_bytes > remaining()) return false;
    n = static_cast<size_t>(*v);
    return true;
  }
  ByteSpan Take(size_t n) {
    ByteSpan s = b_.subspan(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  ByteSpan b_;
  size_t pos_ = 0;
};

bool ValidCommandChar(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

void AppendStr(Bytes& out, std::string_view s, size_t max) {
  const size_t n = std::min(s.size(), max);
  out.push_back(uint8_t(n));
  out.insert(out.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
}

void AppendHash(Bytes& out, const Hash256& h) { out.insert(out.end(), h.begin(), h.end()); }

void AppendInv(Bytes& out, const std::vector<InvEntry>& entries) {
  chain::AppendCompactSize(out, entries.size());
  for (const auto& e : entries) {
    out.push_back(uint8_t(e.type));
    AppendHash(out, e.hash);
  }
}

bool ReadInv(Reader& r, std::vector<InvEntry>& entries) {
  size_t n = 0;
  if (!r.Count(kMaxInvEntries, 33, n)) return false;
  entries.resize(n);
  for (auto& e : entries) {
    uint8_t type = 0;
    if (!r.U8(type) || (type != 1 && type != 2) || !r.Hash(e.hash)) return false;
    e.type = InvType(type);
  }
  return true;
}

struct EncodeVisitor {
  Bytes& out;
  void operator()(const VersionMsg& m) {
    AppendLE32(out, m.protocol);
    AppendStr(out, m.network, kMaxNetworkNameBytes);
    AppendLE32(out, m.best_height);
    AppendLE64(out, m.node_nonce);
    out.push_back(uint8_t(m.listen_port));
    out.push_back(uint8_t(m.listen_port >> 8));
    AppendStr(out, m.agent, kMaxAgentBytes);
  }
  void operator()(const VerackMsg&) {}
  void operator()(const PingMsg& m) { AppendLE64(out, m.nonce); }
  void operator()(const PongMsg& m) { AppendLE64(out, m.nonce); }
  void operator()(const InvMsg& m) { AppendInv(out, m.entries); }
  void operator()(const GetDataMsg& m) { AppendInv(out, m.entries); }
  void operator()(const NotFoundMsg& m) { AppendInv(out, m.entries); }
  void operator()(const GetHeadersMsg& m) {
    const size_t n = std::min(m.locator.size(), kMaxLocatorHashes);
    out.push_back(uint8_t(n));
    for (size_t i = 0; i < n; ++i) AppendHash(out, m.locator[i]);
    AppendHash(out, m.stop);
  }
  void operator()(const HeadersMsg& m) {
    chain::AppendCompactSize(out, m.headers.size());
    for (const auto& h : m.headers) {
      auto enc = h.Encode();
      out.insert(out.end(), enc.begin(), enc.end());
    }
  }
  void operator()(const TxMsg& m) { chain::AppendTx(out, m.tx); }
  void operator()(const BlockMsg& m) {
    Bytes b = chain::EncodeBlock(m.block);
    Append(out, b);
  }
};

}  // namespace

std::optional<size_t> MaxPayloadFor(std::string_view command) {
  if (command == "version") return 4 + 1 + kMaxNetworkNameBytes + 4 + 8 + 2 + 1 + kMaxAgentBytes;
  if (command == "verack") return 0;
  if (command == "ping" || command == "pong") return 8;
  if (command == "inv" || command == "getdata" || command == "notfound") {
    return 9 + kMaxInvEntries * 33;
  }
  if (command == "getheaders") return 1 + (kMaxLocatorHashes + 1) * 32;
  if (command == "headers") return 9 + kMaxHeadersPerMessage * chain::kHeaderBytes;
  if (command == "tx") return chain::kMaxTxBytes;
  if (command == "block") return chain::kMaxBlockBytesDecode;
  return std::nullopt;
}

std::string_view WireErrorName(WireError e) {
  switch (e) {
    case WireError::kNone: return "ok";
    case WireError::kBadMagic: return "bad-magic";
    case WireError::kBadCommand: return "bad-command";
    case WireError::kUnknownCommand: return "unknown-command";
    case WireError::kOversize: return "oversize";
    case WireError::kBadChecksum: return "bad-checksum";
    case WireError::kMalformed: return "malformed";
  }
  return "unknown";
}

Bytes EncodeFrame(std::string_view command, ByteSpan payload,
                  const std::array<uint8_t, 4>& magic) {
  Bytes out;
  out.reserve(kFrameHeaderBytes + payload.size());
  out.insert(out.end(), magic.begin(), magic.end());
  for (size_t i = 0; i < kCommandBytes; ++i) {
    out.push_back(i < command.size() ? uint8_t(command[i]) : 0);
  }
  AppendLE32(out, uint32_t(payload.size()));
  Hash256 sum = Sha256d(payload);
  out.insert(out.end(), sum.begin(), sum.begin() + 4);
  Append(out, payload);
  return out;
}

void FrameDecoder::Feed(ByteSpan bytes) {
  if (error_ != WireError::kNone) return;
  // Compact the consumed prefix before growing.
  if (start_ > 0 && start_ >= buffer_.size() / 2) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  Append(buffer_, bytes);
}

std::optional<Frame> FrameDecoder::Next() {
  if (error_ != WireError::kNone) return std::nullopt;
  const size_t avail = buffer_.size() - start_;
  const uint8_t* p = buffer_.data() + start_;
  // Check the magic as soon as its bytes are here, so garbage is refused without waiting.
  for (size_t i = 0; i < std::min<size_t>(avail, 4); ++i) {
    if (p[i] != magic_[i]) {
      error_ = WireError::kBadMagic;
      return std::nullopt;
    }
  }
  if (avail < kFrameHeaderBytes) return std::nullopt;
  std::string command;
  bool ended = false;
  for (size_t i = 0; i < kCommandBytes; ++i) {
    const uint8_t c = p[4 + i];
    if (c == 0) {
      ended = true;
    } else if (ended || !ValidCommandChar(c)) {
      error_ = WireError::kBadCommand;
      return std::nullopt;
    } else {
      command.push_back(char(c));
    }
  }
  if (command.empty()) {
    error_ = WireError::kBadCommand;
    return std::nullopt;
  }
  auto max = MaxPayloadFor(command);
  if (!max) {
    error_ = WireError::kUnknownCommand;
    return std::nullopt;
  }
  const uint32_t length = ReadLE32(p + 16);
  if (length > *max) {
    error_ = WireError::kOversize;
    return std::nullopt;
  }
  if (avail < kFrameHeaderBytes + length) return std::nullopt;
  ByteSpan payload(p + kFrameHeaderBytes, length);
  Hash256 sum = Sha256d(payload);
  if (!std::equal(sum.begin(), sum.begin() + 4, p + 20)) {
    error_ = WireError::kBadChecksum;
    return std::nullopt;
  }
  Frame frame{std::move(command), Bytes(payload.begin(), payload.end())};
  start_ += kFrameHeaderBytes + length;
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
  return frame;
}

std::string_view CommandOf(const Message& message) {
  static constexpr std::string_view kNames[] = {"version", "verack", "ping", "pong",
                                                "inv", "getdata", "notfound", "getheaders",
                                                "headers", "tx", "block"};
  static_assert(std::size(kNames) == std::variant_size_v<Message>);
  return kNames[message.index()];
}

Bytes EncodePayload(const Message& message) {
  Bytes out;
  out.reserve(128);  // also keeps g++ 12 from a false -Wstringop-overflow on the first append
  std::visit(EncodeVisitor{out}, message);
  return out;
}

Bytes EncodeMessage(const Message& message, const std::array<uint8_t, 4>& magic) {
  return EncodeFrame(CommandOf(message), EncodePayload(message), magic);
}

std::variant<Message, WireError> DecodeMessage(const Frame& frame) {
  const std::string& c = frame.command;
  Reader r(frame.payload);
  auto done = [&](Message m) -> std::variant<Message, WireError> {
    if (r.remaining() != 0) return WireError::kMalformed;
    return m;
  };
  auto max = MaxPayloadFor(c);
  if (!max) return WireError::kUnknownCommand;
  if (frame.payload.size() > *max) return WireError::kOversize;
  if (c == "version") {
    VersionMsg m;
    if (!r.U32(m.protocol) || !r.Str(kMaxNetworkNameBytes, m.network) || !r.U32(m.best_height) ||
        !r.U64(m.node_nonce) || !r.U16(m.listen_port) || !r.Str(kMaxAgentBytes, m.agent)) {
      return WireError::kMalformed;
    }
    return done(m);
  }
  if (c == "verack") return done(VerackMsg{});
  if (c == "ping" || c == "pong") {
    uint64_t nonce = 0;
    if (!r.U64(nonce)) return WireError::kMalformed;
    if (c == "ping") return done(PingMsg{nonce});
    return done(PongMsg{nonce});
  }
  if (c == "inv" || c == "getdata" || c == "notfound") {
    std::vector<InvEntry> entries;
    if (!ReadInv(r, entries)) return WireError::kMalformed;
    if (c == "inv") return done(InvMsg{std::move(entries)});
    if (c == "getdata") return done(GetDataMsg{std::move(entries)});
    return done(NotFoundMsg{std::move(entries)});
  }
  if (c == "getheaders") {
    GetHeadersMsg m;
    uint8_t n = 0;
    if (!r.U8(n) || n > kMaxLocatorHashes || r.remaining() < (size_t(n) + 1) * 32) {
      return WireError::kMalformed;
    }
    m.locator.resize(n);
    for (auto& h : m.locator) r.Hash(h);
    r.Hash(m.stop);
    return done(std::move(m));
  }
  if (c == "headers") {
    HeadersMsg m;
    size_t n = 0;
    if (!r.Count(kMaxHeadersPerMessage, chain::kHeaderBytes, n)) return WireError::kMalformed;
    m.headers.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      auto h = chain::BlockHeader::Decode(r.Take(chain::kHeaderBytes));
      if (!h.ok()) return WireError::kMalformed;
      m.headers.push_back(*h);
    }
    return done(std::move(m));
  }
  if (c == "tx") {
    auto tx = chain::DecodeTx(frame.payload);
    if (!tx.ok()) return WireError::kMalformed;
    return Message(TxMsg{std::move(*tx)});
  }
  if (c == "block") {
    auto block = chain::DecodeBlock(frame.payload);
    if (!block.ok()) return WireError::kMalformed;
    return Message(BlockMsg{std::move(*block)});
  }
  return WireError::kUnknownCommand;
}

}  // namespace mw::lab::p2p
