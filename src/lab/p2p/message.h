// The lab P2P protocol: frames and typed messages.
//
// Frame (24-byte header + payload):
//   magic[4] | command[12] ASCII [a-z0-9], NUL-padded | length u32 LE | checksum[4] | payload
// checksum = first 4 bytes of SHA-256d(payload).
//
// Messages (integers little-endian; count = Bitcoin CompactSize, minimal):
//   version   : protocol u32 | network_len u8 | network | best_height u32 | node_nonce u64
//               | listen_port u16 | agent_len u8 | agent
//   verack    : empty
//   ping/pong : nonce u64
//   inv, getdata, notfound : count (<= kMaxInvEntries) | { type u8 (1 tx, 2 block) | hash[32] }
//   getheaders: count u8 (<= kMaxLocatorHashes) | hash[32]... | stop[32]
//   headers   : count (<= kMaxHeadersPerMessage) | header[80]...
//   tx        : one transaction (chain/transaction.h encoding)
//   block     : one block (chain/block.h encoding)
// Decoding is strict (no trailing bytes, bounded counts checked against the bytes present
// before allocating). Pure functions and values; thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "chain/block.h"
#include "chain/transaction.h"
#include "core/bytes.h"
#include "core/sha256.h"

namespace mw::lab::p2p {

inline constexpr std::array<uint8_t, 4> kLabMagic = {0xd9, 0x6c, 0x61, 0x62};  // "\xd9lab"
inline constexpr size_t kFrameHeaderBytes = 24;
inline constexpr size_t kCommandBytes = 12;
inline constexpr uint32_t kProtocolVersion = 1;
inline constexpr size_t kMaxInvEntries = 1000;
inline constexpr size_t kMaxLocatorHashes = 64;
inline constexpr size_t kMaxHeadersPerMessage = 2000;
inline constexpr size_t kMaxNetworkNameBytes = 32;
inline constexpr size_t kMaxAgentBytes = 64;
// Largest payload of any command (a block at the decoder's bound).
inline constexpr size_t kMaxPayloadBytes = chain::kMaxBlockBytesDecode;

// The payload bound of a command; nullopt for an unknown command.
std::optional<size_t> MaxPayloadFor(std::string_view command);

struct Frame {
  std::string command;
  Bytes payload;
};

// Why a byte stream or a payload was refused. Each is a protocol violation by the sender.
enum class WireError {
  kNone = 0,
  kBadMagic,
  kBadCommand,        // characters outside [a-z0-9], or non-NUL after the first NUL
  kUnknownCommand,
  kOversize,          // length above the command's bound
  kBadChecksum,
  kMalformed,         // payload does not decode as its command says
};
std::string_view WireErrorName(WireError e);

// Serialises one frame.
Bytes EncodeFrame(std::string_view command, ByteSpan payload,
                  const std::array<uint8_t, 4>& magic = kLabMagic);

// Splits a byte stream into frames. Feed() appends bytes; Next() yields a frame when one is
// complete. After an error the decoder stays failed (the connection must be dropped). Holds at
// most one header plus one bounded payload of unconsumed input beyond what was fed.
class FrameDecoder {
 public:
  explicit FrameDecoder(const std::array<uint8_t, 4>& magic = kLabMagic) : magic_(magic) {}

  void Feed(ByteSpan bytes);
  // A frame, or nullopt when more bytes are needed or the stream failed (see error()).
  std::optional<Frame> Next();
  WireError error() const { return error_; }
  size_t buffered() const { return buffer_.size() - start_; }

 private:
  std::array<uint8_t, 4> magic_;
  Bytes buffer_;
  size_t start_ = 0;
  WireError error_ = WireError::kNone;
};

enum class InvType : uint8_t { kTx = 1, kBlock = 2 };
struct InvEntry {
  InvType type = InvType::kTx;
  Hash256 hash{};
  friend bool operator==(const InvEntry&, const InvEntry&) = default;
};

struct VersionMsg {
  uint32_t protocol = kProtocolVersion;
  std::string network;
  uint32_t best_height = 0;
  uint64_t node_nonce = 0;
  uint16_t listen_port = 0;
  std::string agent;
  friend bool operator==(const VersionMsg&, const VersionMsg&) = default;
};
struct VerackMsg {};
struct PingMsg { uint64_t nonce = 0; };
struct PongMsg { uint64_t nonce = 0; };
struct InvMsg { std::vector<InvEntry> entries; };
struct GetDataMsg { std::vector<InvEntry> entries; };
struct NotFoundMsg { std::vector<InvEntry> entries; };
struct GetHeadersMsg {
  std::vector<Hash256> locator;
  Hash256 stop{};
};
struct HeadersMsg { std::vector<chain::BlockHeader> headers; };
struct TxMsg { chain::Transaction tx; };
struct BlockMsg { chain::Block block; };

using Message = std::variant<VersionMsg, VerackMsg, PingMsg, PongMsg, InvMsg, GetDataMsg,
                             NotFoundMsg, GetHeadersMsg, HeadersMsg, TxMsg, BlockMsg>;

// The command string of a message ("version", "inv", ...).
std::string_view CommandOf(const Message& message);
Bytes EncodePayload(const Message& message);
// Encodes the message as a complete frame.
Bytes EncodeMessage(const Message& message, const std::array<uint8_t, 4>& magic = kLabMagic);

// Decodes a frame's payload by its command. kUnknownCommand or kMalformed on failure.
std::variant<Message, WireError> DecodeMessage(const Frame& frame);

}  // namespace mw::lab::p2p
