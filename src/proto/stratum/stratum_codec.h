// One codec for every line-based mining dialect (see stratum_message.h), shared by minelab's pool
// and miners and by minewatch's network sensor.
//
// Decoding is tolerant of whitespace and key order and strict on sizes: a line longer than
// kMaxLineBytes, too many or too few parameters, over-long strings and hex of the wrong length
// are rejected with a named reason. Encoding produces compact single-line JSON ending in '\n',
// with keys in the order the protocols.md examples use.
//
// Everything here is a pure function of its input except Decoder (counters). Decoder and
// LineSplitter are not thread-safe; use one per connection / stream direction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/counters.h"
#include "core/status.h"
#include "proto/stratum/stratum_message.h"

namespace mw::stratum {

// Size limits enforced by the decoder.
inline constexpr size_t kMaxLineBytes = 16 * 1024;     // one JSON line, without '\n'
inline constexpr size_t kMaxJobIdChars = 64;
inline constexpr size_t kMaxNameChars = 256;           // worker, login, agent, password, host ...
inline constexpr size_t kMaxParams = 16;               // any params array
inline constexpr size_t kMaxMerkleBranch = 32;
inline constexpr size_t kMaxExtranonce2Bytes = 16;
inline constexpr size_t kMaxExtranonce1Bytes = 32;
inline constexpr size_t kMaxCoinbasePartHexChars = 8 * 1024;
inline constexpr size_t kMaxBlobHexChars = 1024;       // CryptoNote hashing blob (hex digits)
inline constexpr size_t kMinBlobHexChars = 86;         // nonce at hex 78..86 must exist
inline constexpr size_t kMaxAlgos = 32;

// Why a line was not decoded. Each reason has a counter in Decoder.
enum class DecodeFailure : uint8_t {
  kNone,
  kOversize,       // longer than kMaxLineBytes
  kMalformedJson,  // not one JSON object
  kUnknownMethod,  // valid JSON but no known method / type / identifier / reply shape
  kBadParams,      // known method, parameters of the wrong type, count, size or hex
};
std::string_view DecodeFailureName(DecodeFailure f);  // "oversize", "malformed_json", ...

// Decodes one line (one JSON object; a trailing "\r\n" or "\n" is ignored). On failure the
// Status message starts with the DecodeFailureName, and *failure (when given) receives the reason;
// *dialect_guess receives the dialect the line looked like, even when it failed.
Result<Message> DecodeLine(std::string_view line, DecodeFailure* failure = nullptr,
                           Dialect* dialect_guess = nullptr);

// Compact single-line JSON plus '\n'. Fails only when the body does not match the kind or a
// field cannot be represented (e.g. a non-finite difficulty).
Result<std::string> Encode(const Message& message);

// Error replies in each dialect's shape:
//   V1 / EthereumStratum: {"id":id,"result":null,"error":[code,"msg",null]}
//   XMRig / eth-proxy:    {"id":id,"jsonrpc":"2.0","error":{"code":c,"message":"msg"}}
std::string EncodeV1Error(const RpcId& id, int64_t code, std::string_view message);
std::string EncodeJsonRpcError(const RpcId& id, int64_t code, std::string_view message);
// {"id":id,"result":true,"error":null} (V1) or with "jsonrpc":"2.0" and no error (eth-proxy).
std::string EncodeV1True(const RpcId& id);
std::string EncodeJsonRpcTrue(const RpcId& id);

// The metadata a detector reports about one message.
struct StratumMeta {
  Dialect dialect = Dialect::kUnknown;
  Role role = Role::kUnknown;  // sender
  std::string method;  // wire method / type / identifier, or "reply"
  std::string login;   // wallet / user / site key / worker, when the message carries one
  std::string agent;   // miner software string, when carried
  std::string algo;    // first algorithm named, when carried
};
StratumMeta Classify(const Message& message);

// Cheap pre-check on the first bytes of a stream (or of any line inside it): skips whitespace
// and reports whether the bytes could start a JSON object of one of these dialects (an opening
// '{' followed by one of the keys "id", "method", "jsonrpc", "result", "params", "type",
// "identifier", "error" within the first 64 bytes). False for binary data, TLS, HTTP.
bool LooksLikeStratum(ByteSpan first_bytes);

// Decoder with counters. Counter names: "<dialect>.<event>" with dialect one of DialectName()
// and event one of lines, decoded, oversize, malformed_json, unknown_method, bad_params
// (failures before a dialect is known count under "unknown").
class Decoder {
 public:
  // `counters` must outlive the Decoder.
  explicit Decoder(CounterSet& counters);
  Result<Message> Decode(std::string_view line);
  // Counts a line a LineSplitter dropped as over-long (unknown.lines and unknown.oversize).
  void CountOversizeLine();
  DecodeFailure last_failure() const { return last_failure_; }

 private:
  Counter* Slot(Dialect d, int event);
  Counter* counters_[kDialectCount][6];
  DecodeFailure last_failure_ = DecodeFailure::kNone;
};

// Splits a byte stream into lines. Appended bytes are buffered until a '\n'. A line longer than
// max_line_bytes is reported once as OutOfRange and the rest of it, up to the next '\n', is
// dropped (the splitter resynchronises on the following line). Empty lines are skipped; a
// trailing '\r' is removed.
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line_bytes = kMaxLineBytes) : max_(max_line_bytes) {}

  void Append(std::string_view bytes);
  void Append(ByteSpan bytes) { Append(AsString(bytes)); }
  // The next complete line, an OutOfRange status for an over-long one, or nullopt when more
  // bytes are needed.
  std::optional<Result<std::string>> Next();
  // Bytes held for an incomplete line.
  size_t buffered() const { return buf_.size() - pos_; }
  uint64_t oversize_lines() const { return oversize_; }
  // Forgets buffered bytes (e.g. after a gap in a captured stream); the next bytes are treated as
  // the middle of an unknown line and dropped up to the next '\n' when `resync` is true.
  void Reset(bool resync);

 private:
  size_t max_;
  std::string buf_;
  size_t pos_ = 0;
  bool discarding_ = false;
  bool report_oversize_ = false;
  uint64_t oversize_ = 0;
};

}  // namespace mw::stratum
