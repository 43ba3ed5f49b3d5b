#include "analyzers/dns/dns_analyzer.h"

#include <string>
#include <utility>

namespace mw::analyzers::dns {

void DnsAnalyzer::Count(std::string_view name) {
  if (counters_) counters_->Get(name).Inc();
}

void DnsAnalyzer::ParseOne(Direction dir, ByteSpan msg) {
  DnsRecord rec;
  rec.dir = dir;
  Message* target = listener_ != nullptr ? listener_->MessageTarget(dir) : nullptr;
  Message& m = target != nullptr ? *target : rec.message;
  const ParseError e = ParseMessage(msg, m);
  if (e != ParseError::kOk) {
    ++malformed_;
    if (counters_) counters_->Get("malformed.", ParseErrorName(e)).Inc();
    if (transport_ == Transport::kTcp) streams_[DirectionIndex(dir)].lost = true;
    return;
  }
  Count("messages");
  Count(m.is_response ? "responses" : "queries");
  if (listener_ != nullptr) {
    listener_->OnMessage(dir, m);
  } else {
    records_.push_back(std::move(rec));
  }
}

void DnsAnalyzer::Feed(Direction dir, ByteSpan data) {
  if (transport_ == Transport::kUdp) {
    ParseOne(dir, data);
    return;
  }
  Stream& s = streams_[DirectionIndex(dir)];
  if (s.lost || data.empty()) return;
  // Parse whole messages straight from `data` when nothing is buffered; buffer only the tail.
  ByteSpan in = data;
  if (!s.buf.empty()) {
    Append(s.buf, data);
    in = s.buf;
  }
  size_t pos = 0;
  while (!s.lost && in.size() - pos >= 2) {
    const size_t len = ReadBE16(in.data() + pos);
    if (len < 12 || len > kMaxTcpMessage) {
      ++malformed_;
      Count(len < 12 ? "malformed.tcp_length_too_small" : "malformed.tcp_length_too_large");
      s.lost = true;
      break;
    }
    if (in.size() - pos - 2 < len) break;
    ParseOne(dir, in.subspan(pos + 2, len));
    pos += 2 + len;
  }
  if (s.lost) {
    s.buf = Bytes();
    return;
  }
  Bytes rest(in.begin() + static_cast<std::ptrdiff_t>(pos), in.end());
  s.buf = std::move(rest);
}

}  // namespace mw::analyzers::dns
