#include "analyzers/sv2/sv2_analyzer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace mw::analyzers::sv2 {

namespace wire = ::mw::sv2;  // frame layout, message types, setup decoders

constexpr uint8_t kOpenExtendedMiningChannel = 0x13;

void IntervalStats::Add(int64_t timestamp_us) {
  if (last_us_) {
    const double x = double(timestamp_us - *last_us_) / 1e6;
    ++n_;
    const double delta = x - mean_;
    mean_ += delta / double(n_);
    m2_ += delta * (x - mean_);
  }
  last_us_ = timestamp_us;
}

double IntervalStats::cv() const {
  if (n_ < 2 || mean_ <= 0) return 0.0;
  return std::sqrt(std::max(0.0, m2_) / double(n_ - 1)) / mean_;
}

double Sv2Features::periodicity() const {
  if (share_intervals.intervals() < 3) return 0.0;
  return 1.0 / (1.0 + share_intervals.cv());
}

void Sv2Analyzer::Count(std::string_view name) {
  if (counters_) counters_->Get(name).Inc();
}

void Sv2Analyzer::NotSv2(std::string_view counter, int64_t ts) {
  state_ = State::kNotSv2;
  features_.not_sv2 = true;
  client_flight_ = Bytes();
  if (counters_) counters_->Get(counter).Inc();
  if (keep_events_) events_.push_back({Sv2Event::Kind::kNotSv2, Direction::kToServer, ts, {}, {}, {}});
}

std::string_view Sv2Analyzer::RuledOutByFirstSegment(Direction dir, ByteSpan seg) {
  if (seg.empty()) return {};
  if (dir != Direction::kToServer) return "not_sv2.server_spoke_first";
  if (wire::LooksLikePlaintextSetupConnection(seg)) return {};  // may hold '{' in its strings
  if (seg[0] == 0x16) return "not_sv2.tls";
  if (std::memchr(seg.data(), '{', seg.size()) != nullptr) return "not_sv2.json";
  // Longer than the whole encrypted client flight (an HTTP request, say): Feed() would rule it
  // out as soon as it counted it.
  if (seg.size() > kClientHandshakeBytes) return "not_sv2.client_flight_size";
  return {};
}

void Sv2Analyzer::Feed(Direction dir, ByteSpan seg, int64_t ts) {
  if (seg.empty()) return;
  const bool client = dir == Direction::kToServer;
  switch (state_) {
    case State::kNotSv2:
      return;
    case State::kStart:
      if (const std::string_view why = RuledOutByFirstSegment(dir, seg); !why.empty()) {
        return NotSv2(why, ts);
      }
      if (wire::LooksLikePlaintextSetupConnection(seg)) {
        state_ = State::kPlaintext;
        features_.plaintext = true;
        return OnPlaintext(dir, seg, ts);
      }
      state_ = State::kClientFlight;
      [[fallthrough]];
    case State::kClientFlight:
      if (client) {
        features_.client_first_flight += seg.size();
        if (features_.client_first_flight > kClientHandshakeBytes) {
          return NotSv2("not_sv2.client_flight_size", ts);
        }
        Append(client_flight_, seg);
        return;
      }
      if (features_.client_first_flight != kClientHandshakeBytes) {
        return NotSv2("not_sv2.client_flight_size", ts);
      }
      features_.client_first_entropy = ByteEntropy(client_flight_);
      client_flight_ = Bytes();
      if (features_.client_first_entropy < kMinHandshakeEntropy) {
        return NotSv2("not_sv2.low_entropy", ts);
      }
      state_ = State::kServerFlight;
      [[fallthrough]];
    case State::kServerFlight:
      if (!client) {
        features_.server_first_flight += seg.size();
        if (features_.server_first_flight > kServerHandshakeBytes) {
          return NotSv2("not_sv2.server_flight_size", ts);
        }
        return;
      }
      if (features_.server_first_flight != kServerHandshakeBytes) {
        return NotSv2("not_sv2.server_flight_size", ts);
      }
      features_.handshake_match = true;
      state_ = State::kEncrypted;
      Count("handshake_matched");
      if (keep_events_) events_.push_back({Sv2Event::Kind::kHandshakeMatched, dir, ts, {}, {}, {}});
      [[fallthrough]];
    case State::kEncrypted:
      return OnEncrypted(dir, seg.size(), ts);
    case State::kPlaintext:
      return OnPlaintext(dir, seg, ts);
  }
}

void Sv2Analyzer::OnEncrypted(Direction dir, size_t size, int64_t ts) {
  if (dir == Direction::kToClient) {
    ++features_.server_records;
    features_.server_intervals.Add(ts);
    return;
  }
  ++features_.client_records;
  if (size < kMinEncryptedRecord) ++features_.n_undersized_records;
  if (size == kShareRecordBytes) {
    ++features_.n_share_sized_records;
    features_.share_intervals.Add(ts);
  }
}

void Sv2Analyzer::OnPlaintext(Direction dir, ByteSpan data, int64_t ts) {
  PlainDir& d = plain_[DirectionIndex(dir)];
  while (!data.empty() && state_ == State::kPlaintext) {
    if (d.skip > 0) {
      const size_t n = std::min(d.skip, data.size());
      d.skip -= n;
      data = data.subspan(n);
      continue;
    }
    // Complete the header first, then the payload.
    const size_t want_header = d.buf.size() < wire::kHeaderBytes ? wire::kHeaderBytes - d.buf.size() : 0;
    if (want_header > 0) {
      const size_t n = std::min(want_header, data.size());
      d.buf.insert(d.buf.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
      data = data.subspan(n);
      if (d.buf.size() < wire::kHeaderBytes) return;
      const FrameHeader h = *wire::ParseHeader(d.buf);
      if (h.msg_length > kMaxPlaintextPayload) {
        Count("plaintext_oversized_frames");
        OnFrame(dir, h, {}, ts);
        d.skip = h.msg_length;
        d.buf.clear();
        continue;
      }
    }
    const FrameHeader h = *wire::ParseHeader(d.buf);
    const size_t have = d.buf.size() - wire::kHeaderBytes;
    const size_t n = std::min<size_t>(h.msg_length - have, data.size());
    d.buf.insert(d.buf.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    data = data.subspan(n);
    if (d.buf.size() - wire::kHeaderBytes == h.msg_length) {
      OnFrame(dir, h, ByteSpan(d.buf).subspan(wire::kHeaderBytes), ts);
      d.buf.clear();
    }
  }
}

void Sv2Analyzer::OnFrame(Direction dir, const FrameHeader& h, ByteSpan payload, int64_t ts) {
  const bool client = dir == Direction::kToServer;
  const bool first = client ? features_.client_records == 0 : features_.server_records == 0;
  if (client) {
    ++features_.client_records;
  } else {
    ++features_.server_records;
    features_.server_intervals.Add(ts);
  }
  const bool core = (h.extension_type & ~wire::kChannelMsgBit) == 0;
  if (!core) return;
  if (client && first && h.msg_type == wire::kSetupConnection) {
    Sv2Event e{Sv2Event::Kind::kPlaintextSetup, dir, ts, {}, {}, {}};
    auto m = wire::DecodeSetupConnection(payload);
    if (!m.ok()) {
      Count("malformed.setup_connection");
      return;
    }
    for (const std::string* part : {&m->vendor, &m->hardware_version, &m->firmware, &m->device_id}) {
      if (part->empty()) continue;
      if (!features_.device.empty()) features_.device += ' ';
      features_.device += *part;
    }
    e.setup = std::move(*m);
    Count("plaintext_setup");
    if (keep_events_) events_.push_back(std::move(e));
  } else if (!client && first && h.msg_type == wire::kSetupConnectionSuccess) {
    Sv2Event e{Sv2Event::Kind::kSetupSuccess, dir, ts, {}, {}, {}};
    auto m = wire::DecodeSetupConnectionSuccess(payload);
    if (!m.ok()) {
      Count("malformed.setup_connection_success");
      return;
    }
    e.success = *m;
    if (keep_events_) events_.push_back(std::move(e));
  } else if (!client && first && h.msg_type == wire::kSetupConnectionError) {
    Sv2Event e{Sv2Event::Kind::kSetupError, dir, ts, {}, {}, {}};
    auto m = wire::DecodeSetupConnectionError(payload);
    if (!m.ok()) {
      Count("malformed.setup_connection_error");
      return;
    }
    e.error = std::move(*m);
    if (keep_events_) events_.push_back(std::move(e));
  } else if (client && features_.user_identity.empty() &&
             (h.msg_type == wire::kOpenStandardMiningChannel || h.msg_type == kOpenExtendedMiningChannel)) {
    // Both start with request_id U32 and user_identity STR0_255.
    if (payload.size() >= 5 && payload.size() - 5 >= payload[4]) {
      features_.user_identity.assign(reinterpret_cast<const char*>(payload.data() + 5), payload[4]);
    } else {
      Count("malformed.open_mining_channel");
    }
  } else if (client && (h.msg_type == wire::kSubmitSharesStandard || h.msg_type == wire::kSubmitSharesExtended)) {
    ++features_.n_share_sized_records;
    features_.share_intervals.Add(ts);
  } else if (!client && (h.msg_type == wire::kNewMiningJob || h.msg_type == wire::kNewExtendedMiningJob ||
                         h.msg_type == wire::kSetNewPrevHash)) {
    ++features_.server_jobs;
  }
}

}  // namespace mw::analyzers::sv2
