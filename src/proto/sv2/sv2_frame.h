// Stratum V2 plaintext framing and the connection-setup messages (protocols.md section (d)).
//
// Frame: extension_type U16 LE | msg_type U8 | msg_length U24 LE | payload. The top bit of
// extension_type (0x8000) is the channel_msg flag: the payload then starts with a U32 channel id.
// Only the plaintext view is handled here (LAN connections, or frames after Noise decryption);
// encrypted connections are recognised by sizes, not parsed.
//
// Pure functions and a per-stream FrameSplitter (not thread-safe).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/status.h"

namespace mw::sv2 {

inline constexpr size_t kHeaderBytes = 6;
inline constexpr uint32_t kMaxPayload = (1u << 24) - 1;
inline constexpr uint16_t kChannelMsgBit = 0x8000;

// Message types (extension_type 0).
inline constexpr uint8_t kSetupConnection = 0x00;
inline constexpr uint8_t kSetupConnectionSuccess = 0x01;
inline constexpr uint8_t kSetupConnectionError = 0x02;
inline constexpr uint8_t kChannelEndpointChanged = 0x03;
inline constexpr uint8_t kReconnect = 0x04;
inline constexpr uint8_t kOpenStandardMiningChannel = 0x10;
inline constexpr uint8_t kNewMiningJob = 0x15;
inline constexpr uint8_t kSubmitSharesStandard = 0x1a;
inline constexpr uint8_t kSubmitSharesExtended = 0x1b;
inline constexpr uint8_t kSubmitSharesSuccess = 0x1c;
inline constexpr uint8_t kSubmitSharesError = 0x1d;
inline constexpr uint8_t kNewExtendedMiningJob = 0x1f;
inline constexpr uint8_t kSetNewPrevHash = 0x20;
inline constexpr uint8_t kSetTarget = 0x21;

struct FrameHeader {
  uint16_t extension_type = 0;  // including the channel_msg bit
  uint8_t msg_type = 0;
  uint32_t msg_length = 0;      // payload bytes, < 2^24
  bool channel_msg() const { return (extension_type & kChannelMsgBit) != 0; }
  bool operator==(const FrameHeader&) const = default;
};

struct Frame {
  FrameHeader header;
  Bytes payload;
  bool operator==(const Frame&) const = default;
};

// Header + payload. Fails when the payload is 2^24 bytes or more.
Result<Bytes> EncodeFrame(uint16_t extension_type, uint8_t msg_type, ByteSpan payload);
// The header of the first 6 bytes (fewer: InvalidArgument).
Result<FrameHeader> ParseHeader(ByteSpan bytes);

// Splits a plaintext stream into frames. Frames with a payload above `max_payload` are an error
// (sticky), reported from the header before the payload is buffered.
class FrameSplitter {
 public:
  explicit FrameSplitter(uint32_t max_payload = 1 << 20) : max_payload_(max_payload) {}
  void Append(ByteSpan bytes);
  Result<std::optional<Frame>> Next();
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  uint32_t max_payload_;
  Bytes buf_;
  size_t pos_ = 0;
  Status error_;
};

// SetupConnection (0x00), the first message of every SV2 connection.
struct SetupConnection {
  uint8_t protocol = 0;  // 0 mining, 1 job declaration, 2 template distribution
  uint16_t min_version = 2;
  uint16_t max_version = 2;
  uint32_t flags = 0;
  std::string endpoint_host;  // STR0_255
  uint16_t endpoint_port = 0;
  std::string vendor;
  std::string hardware_version;
  std::string firmware;
  std::string device_id;
  bool operator==(const SetupConnection&) const = default;
};
// SetupConnection.Success (0x01).
struct SetupConnectionSuccess {
  uint16_t used_version = 2;
  uint32_t flags = 0;
  bool operator==(const SetupConnectionSuccess&) const = default;
};
// SetupConnection.Error (0x02).
struct SetupConnectionError {
  uint32_t flags = 0;
  std::string error_code;  // STR0_255, e.g. "unsupported-protocol"
  bool operator==(const SetupConnectionError&) const = default;
};

// Payload encoders (strings longer than 255 bytes are an error) and strict decoders (every byte
// consumed, protocol <= 2, string lengths within the payload).
Result<Bytes> EncodeSetupConnection(const SetupConnection& m);
Result<SetupConnection> DecodeSetupConnection(ByteSpan payload);
Bytes EncodeSetupConnectionSuccess(const SetupConnectionSuccess& m);
Result<SetupConnectionSuccess> DecodeSetupConnectionSuccess(ByteSpan payload);
Result<Bytes> EncodeSetupConnectionError(const SetupConnectionError& m);
Result<SetupConnectionError> DecodeSetupConnectionError(ByteSpan payload);

// True when the bytes start like an unencrypted SetupConnection frame: 00 00 00 LL LL LL with a
// length a SetupConnection can have (16..1291), then protocol <= 2, min_version 2 and
// max_version 2 (11 bytes are needed).
bool LooksLikePlaintextSetupConnection(ByteSpan first_bytes);

}  // namespace mw::sv2
