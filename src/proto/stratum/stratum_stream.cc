// The stream side of the codec: line splitting, the cheap pre-check, counters, and Classify.
#include <algorithm>
#include <array>
#include <cstring>

#include "proto/stratum/stratum_codec.h"

namespace mw::stratum {

namespace {

constexpr std::array<std::string_view, 6> kEvents = {
    "lines", "decoded", "oversize", "malformed_json", "unknown_method", "bad_params"};
constexpr int kEventLines = 0;
constexpr int kEventDecoded = 1;

int EventFor(DecodeFailure f) {
  switch (f) {
    case DecodeFailure::kOversize: return 2;
    case DecodeFailure::kMalformedJson: return 3;
    case DecodeFailure::kUnknownMethod: return 4;
    case DecodeFailure::kBadParams: return 5;
    case DecodeFailure::kNone: break;
  }
  return kEventDecoded;
}

bool IsSpace(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

// ---- LooksLikeStratum ----

bool LooksLikeStratum(ByteSpan first_bytes) {
  size_t i = 0;
  while (i < first_bytes.size() && IsSpace(first_bytes[i])) ++i;
  if (i >= first_bytes.size() || first_bytes[i] != '{') return false;
  ++i;
  while (i < first_bytes.size() && IsSpace(first_bytes[i])) ++i;
  if (i >= first_bytes.size() || first_bytes[i] != '"') return false;
  const std::string_view window =
      AsString(first_bytes.subspan(i, std::min<size_t>(64, first_bytes.size() - i)));
  static constexpr std::array<std::string_view, 8> kKeys = {
      "\"id\"", "\"method\"", "\"jsonrpc\"", "\"result\"", "\"params\"", "\"type\"",
      "\"identifier\"", "\"error\""};
  return std::any_of(kKeys.begin(), kKeys.end(), [&](std::string_view k) {
    return window.find(k) != std::string_view::npos;
  });
}

// ---- Decoder ----

Decoder::Decoder(CounterSet& counters) {
  for (int d = 0; d < kDialectCount; ++d) {
    for (int e = 0; e < static_cast<int>(kEvents.size()); ++e) {
      std::string name(DialectName(static_cast<Dialect>(d)));
      name += '.';
      name += kEvents[static_cast<size_t>(e)];
      counters_[d][e] = &counters.Get(name);
    }
  }
}

Counter* Decoder::Slot(Dialect d, int event) {
  const int di = static_cast<int>(d);
  return counters_[di >= 0 && di < kDialectCount ? di : 0][event];
}

Result<Message> Decoder::Decode(std::string_view line) {
  Dialect guess = Dialect::kUnknown;
  Result<Message> m = DecodeLine(line, &last_failure_, &guess);
  Slot(guess, kEventLines)->Inc();
  Slot(guess, EventFor(last_failure_))->Inc();
  return m;
}

void Decoder::CountOversizeLine() {
  last_failure_ = DecodeFailure::kOversize;
  Slot(Dialect::kUnknown, kEventLines)->Inc();
  Slot(Dialect::kUnknown, EventFor(DecodeFailure::kOversize))->Inc();
}

// ---- LineSplitter ----

void LineSplitter::Append(std::string_view bytes) {
  if (pos_ > 0 && pos_ >= buf_.size() / 2) {  // compact, keeping appends amortised O(n)
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes.data(), bytes.size());
}

std::optional<Result<std::string>> LineSplitter::Next() {
  while (true) {
    if (report_oversize_) {
      report_oversize_ = false;
      return Result<std::string>(Status::OutOfRange(
          "oversize: line longer than " + std::to_string(max_) + " bytes dropped"));
    }
    const size_t nl = buf_.find('\n', pos_);
    if (discarding_) {
      if (nl == std::string::npos) {
        buf_.clear();
        pos_ = 0;
        return std::nullopt;
      }
      pos_ = nl + 1;
      discarding_ = false;
      continue;
    }
    if (nl == std::string::npos) {
      if (buf_.size() - pos_ > max_) {  // no '\n' within the limit: drop up to the next one
        ++oversize_;
        buf_.clear();
        pos_ = 0;
        discarding_ = true;
        return Result<std::string>(Status::OutOfRange(
            "oversize: line longer than " + std::to_string(max_) + " bytes dropped"));
      }
      return std::nullopt;
    }
    size_t end = nl;
    if (end > pos_ && buf_[end - 1] == '\r') --end;
    const size_t len = end - pos_;
    const size_t start = pos_;
    pos_ = nl + 1;
    if (len > max_) {
      ++oversize_;
      return Result<std::string>(Status::OutOfRange(
          "oversize: line longer than " + std::to_string(max_) + " bytes dropped"));
    }
    if (len == 0) continue;
    return Result<std::string>(buf_.substr(start, len));
  }
}

void LineSplitter::Reset(bool resync) {
  buf_.clear();
  pos_ = 0;
  discarding_ = resync;
  report_oversize_ = false;
}

// ---- Classify ----

StratumMeta Classify(const Message& m) {
  StratumMeta meta;
  meta.dialect = m.dialect;
  meta.role = SenderOf(m.kind);
  meta.method = std::string(WireMethod(m.kind));
  if (meta.method.empty()) meta.method = "reply";
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, Subscribe>) {
          meta.agent = b.agent;
        } else if constexpr (std::is_same_v<T, Authorize>) {
          meta.login = b.user;
        } else if constexpr (std::is_same_v<T, V1Submit> || std::is_same_v<T, EthSubmit>) {
          meta.login = b.worker;
        } else if constexpr (std::is_same_v<T, XmrLogin>) {
          meta.login = b.login;
          meta.agent = b.agent;
          if (!b.algo.empty()) meta.algo = b.algo.front();
        } else if constexpr (std::is_same_v<T, XmrLoginResult>) {
          if (b.job) meta.algo = b.job->algo;
        } else if constexpr (std::is_same_v<T, MinerJob> || std::is_same_v<T, XmrSubmit>) {
          meta.algo = b.algo;
        } else if constexpr (std::is_same_v<T, EthSubmitLogin>) {
          meta.login = b.login;
        } else if constexpr (std::is_same_v<T, EthSubmitWork>) {
          meta.login = b.worker;
        } else if constexpr (std::is_same_v<T, CoinhiveAuth>) {
          meta.login = b.site_key;
        } else if constexpr (std::is_same_v<T, WmpHandshake>) {
          meta.login = b.login;
        }
      },
      m.body);
  // EthereumStratum and eth-proxy only carry Ethash-family work.
  if (meta.algo.empty() && (m.dialect == Dialect::kEthStratum || m.dialect == Dialect::kEthProxy)) {
    meta.algo = "ethash";
  }
  return meta;
}

}  // namespace mw::stratum
