// Stratum V2 plaintext framing and the SetupConnection family (protocols.md section (d)).
//
// Frame: extension_type U16 LE | msg_type U8 | msg_length U24 LE | payload. All integers are
// little-endian; STR0_255 is a U8 length and that many bytes. Pure functions over byte spans.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace mw::analyzers::sv2 {

inline constexpr size_t kFrameHeaderSize = 6;
inline constexpr uint16_t kChannelMsgBit = 0x8000;

inline constexpr uint8_t kSetupConnection = 0x00;
inline constexpr uint8_t kSetupConnectionSuccess = 0x01;
inline constexpr uint8_t kSetupConnectionError = 0x02;
inline constexpr uint8_t kNewMiningJob = 0x15;
inline constexpr uint8_t kSubmitSharesStandard = 0x1a;
inline constexpr uint8_t kSubmitSharesExtended = 0x1b;
inline constexpr uint8_t kNewExtendedMiningJob = 0x1f;
inline constexpr uint8_t kSetNewPrevHash = 0x20;

struct FrameHeader {
  uint16_t extension_type = 0;  // with the channel_msg bit
  uint8_t msg_type = 0;
  uint32_t msg_length = 0;      // payload bytes
  bool channel_msg() const { return extension_type & kChannelMsgBit; }
};
// Needs kFrameHeaderSize bytes.
std::optional<FrameHeader> ParseFrameHeader(ByteSpan data);

struct SetupConnection {
  uint8_t protocol = 0;  // 0 mining, 1 job declaration, 2 template distribution
  uint16_t min_version = 0, max_version = 0;
  uint32_t flags = 0;
  std::string endpoint_host;
  uint16_t endpoint_port = 0;
  std::string vendor, hardware_version, firmware, device_id;
};
struct SetupConnectionSuccess {
  uint16_t used_version = 0;
  uint32_t flags = 0;
};
struct SetupConnectionError {
  uint32_t flags = 0;
  std::string error_code;
};

// Payload parsers; false on truncation or trailing bytes.
bool ParseSetupConnection(ByteSpan payload, SetupConnection& out);
bool ParseSetupConnectionSuccess(ByteSpan payload, SetupConnectionSuccess& out);
bool ParseSetupConnectionError(ByteSpan payload, SetupConnectionError& out);

// True when `prefix` (at least 11 bytes) is the start of an unencrypted SetupConnection frame:
// extension 0, type 0, a plausible length, protocol 0..2, min_version and max_version 2.
bool LooksLikePlaintextSetupConnection(ByteSpan prefix);

// Shannon entropy of the byte histogram, in bits per byte (0..8). With n bytes the estimate
// cannot exceed log2(n): 64 random bytes typically score about 5.6-5.9, ASCII text under 5.
double ByteEntropy(ByteSpan data);

}  // namespace mw::analyzers::sv2
