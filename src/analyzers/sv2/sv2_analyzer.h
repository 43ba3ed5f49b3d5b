// Per-flow Stratum V2 recogniser. SV2 is encrypted (Noise NX) everywhere but on a LAN, so this
// works on shapes, not content:
//   - plaintext: the client's first frame is a SetupConnection (parsed, with vendor/firmware),
//     later frames are parsed for their types (shares, jobs);
//   - encrypted: the client's first flight is exactly 64 high-entropy bytes (an ElligatorSwift
//     key, no TLS or JSON signature), the server answers exactly 234 bytes; after that every
//     client record is 22 + n + 16 bytes and a share submission is a 62-byte record.
// Sizes and rhythm are summarised in `Sv2Features` for the rhythm detector.
//
// Each Feed() call must be ONE TCP segment payload with its capture timestamp (microseconds),
// because segment sizes are the evidence. Segments that coalesce several records are counted as
// records, not split. Not thread-safe; one instance per flow. `counters` (optional, shared) must
// outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analyzers/common/direction.h"
#include "analyzers/sv2/byte_entropy.h"
#include "core/bytes.h"
#include "core/counters.h"
#include "proto/sv2/sv2_frame.h"

namespace mw::analyzers::sv2 {

// Frames and the setup messages are proto/sv2's (shared with minelab's pool and miner).
using ::mw::sv2::FrameHeader;
using ::mw::sv2::SetupConnection;
using ::mw::sv2::SetupConnectionError;
using ::mw::sv2::SetupConnectionSuccess;

inline constexpr size_t kClientHandshakeBytes = 64;
inline constexpr size_t kServerHandshakeBytes = 234;
inline constexpr size_t kEncryptedHeaderBytes = 22;  // 6-byte header + 16-byte MAC
inline constexpr size_t kMacBytes = 16;
inline constexpr size_t kMinEncryptedRecord = kEncryptedHeaderBytes + kMacBytes;  // empty payload
inline constexpr size_t kShareRecordBytes = 62;  // SubmitSharesStandard: 22 + 24 + 16
// 64 uniformly random bytes score about 5.6-5.9 bits/byte (see ByteEntropy); text and most
// binary protocol headers score well below.
inline constexpr double kMinHandshakeEntropy = 5.0;

// Mean and spread of intervals between events (Welford's online algorithm).
class IntervalStats {
 public:
  void Add(int64_t timestamp_us);
  uint64_t intervals() const { return n_; }
  double mean_s() const { return mean_; }
  // Coefficient of variation (stddev / mean); 0 when fewer than two intervals. Small = steady.
  double cv() const;

 private:
  std::optional<int64_t> last_us_;
  uint64_t n_ = 0;
  double mean_ = 0, m2_ = 0;
};

struct Sv2Features {
  // Shapes of the start of the flow.
  bool not_sv2 = false;           // the flow cannot be SV2 (server spoke first, TLS, JSON, sizes)
  bool plaintext = false;         // a plaintext SetupConnection was seen
  bool handshake_match = false;   // 64 high-entropy bytes answered by exactly 234
  size_t client_first_flight = 0; // bytes the client sent before the server answered
  size_t server_first_flight = 0; // bytes the server answered before the client spoke again
  double client_first_entropy = 0;
  // After the handshake (encrypted) or the SetupConnection (plaintext).
  uint64_t client_records = 0;    // client segments (encrypted) or frames (plaintext)
  uint64_t server_records = 0;
  uint64_t n_share_sized_records = 0;  // encrypted: 62-byte client segments; plaintext: shares
  uint64_t n_undersized_records = 0;   // encrypted client segments below 38 bytes
  uint64_t server_jobs = 0;            // plaintext: NewMiningJob / NewExtendedMiningJob / SetNewPrevHash
  // Plaintext only: who is mining. `device` is the SetupConnection's vendor, hardware version,
  // firmware and device id (the ones given, space-separated); `user_identity` is the first
  // Open{Standard,Extended}MiningChannel's (the pool login, usually WALLET.worker).
  std::string device;
  std::string user_identity;
  IntervalStats share_intervals;       // between share-sized client records
  IntervalStats server_intervals;      // between server records
  // A 0..1 summary of the share cadence: 1 / (1 + cv) once there are at least 3 intervals.
  double periodicity() const;
};

struct Sv2Event {
  enum class Kind : uint8_t {
    kPlaintextSetup, kSetupSuccess, kSetupError, kHandshakeMatched, kNotSv2,
  };
  Kind kind;
  Direction dir = Direction::kToServer;
  int64_t timestamp_us = 0;
  SetupConnection setup;                 // kPlaintextSetup
  SetupConnectionSuccess success;        // kSetupSuccess
  SetupConnectionError error;            // kSetupError
};

class Sv2Analyzer {
 public:
  static constexpr size_t kMaxPlaintextPayload = 16 * 1024;

  // With keep_events false, TakeEvents() stays empty (features and counters are kept as usual):
  // for a caller that reads only features(), which then costs no allocation per flow.
  explicit Sv2Analyzer(CounterSet* counters = nullptr, bool keep_events = true)
      : counters_(counters), keep_events_(keep_events) {}

  void Feed(Direction dir, ByteSpan segment, int64_t timestamp_us);
  // Whether a flow's first payload segment rules Stratum V2 out by itself (the server spoke
  // first, a TLS record, JSON): then the counter Feed() would bump ("not_sv2.<reason>"), else
  // empty. Feed() decides a first segment this way; a caller may ask first and not build an
  // analyzer for a flow that is ruled out (most TCP flows).
  static std::string_view RuledOutByFirstSegment(Direction dir, ByteSpan segment);
  const Sv2Features& features() const { return features_; }
  std::vector<Sv2Event> TakeEvents() { return std::exchange(events_, {}); }

 private:
  enum class State : uint8_t {
    kStart, kClientFlight, kServerFlight, kEncrypted, kPlaintext, kNotSv2,
  };
  struct PlainDir {
    Bytes buf;            // header + payload being assembled
    size_t skip = 0;      // payload bytes of an oversized frame still to drop
  };
  void NotSv2(std::string_view counter, int64_t ts);  // counter: "not_sv2.<reason>"
  void OnEncrypted(Direction dir, size_t size, int64_t ts);
  void OnPlaintext(Direction dir, ByteSpan data, int64_t ts);
  void OnFrame(Direction dir, const FrameHeader& h, ByteSpan payload, int64_t ts);
  void Count(std::string_view name);

  CounterSet* counters_;
  bool keep_events_;
  State state_ = State::kStart;
  Bytes client_flight_;  // at most kClientHandshakeBytes kept
  PlainDir plain_[2];
  Sv2Features features_;
  std::vector<Sv2Event> events_;
};

}  // namespace mw::analyzers::sv2
