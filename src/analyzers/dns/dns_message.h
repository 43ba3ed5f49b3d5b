// DNS messages (RFC 1035) parsed from a byte span: header, questions and the answer section.
//
// Pure functions, no state. Names are decoded with compression pointers followed under a hop
// limit, and limited to 255 bytes of wire form, so a hostile message costs bounded work. Only A,
// AAAA and CNAME answers carry decoded data; other types keep their type, class and TTL only.
// Authority and additional sections are not decoded (counted only).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"

namespace mw::analyzers::dns {

// Record types this parser understands (others are kept as numbers).
inline constexpr uint16_t kTypeA = 1;
inline constexpr uint16_t kTypeCname = 5;
inline constexpr uint16_t kTypeAaaa = 28;

// An IP address as 16 bytes: IPv6 as is, IPv4 as the mapped form ::ffff:a.b.c.d.
using IpAddress = std::array<uint8_t, 16>;
IpAddress IpFromV4(const uint8_t v4[4]);
IpAddress IpFromV6(const uint8_t v6[16]);
bool IsV4Mapped(const IpAddress& ip);
// "192.0.2.1" for mapped IPv4, otherwise full lower-case hex groups "2001:db8:0:0:0:0:0:1".
std::string IpToString(const IpAddress& ip);

struct Question {
  bool operator==(const Question&) const = default;
  std::string name;  // lower-cased, dot-separated, no trailing dot ("" for the root)
  uint16_t type = 0;
  uint16_t klass = 0;
};

struct Answer {
  bool operator==(const Answer&) const = default;
  std::string name;  // owner name, lower-cased
  uint16_t type = 0;
  uint16_t klass = 0;
  uint32_t ttl = 0;
  IpAddress address{};  // A / AAAA only
  std::string target;   // CNAME only: the canonical name, lower-cased
};

struct Message {
  bool operator==(const Message&) const = default;
  uint16_t id = 0;
  bool is_response = false;
  uint8_t opcode = 0;
  bool authoritative = false;
  bool truncated = false;
  bool recursion_desired = false;
  bool recursion_available = false;
  uint8_t rcode = 0;
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;  // as announced in the header
  std::vector<Question> questions;
  std::vector<Answer> answers;
};

// Why a message was rejected. Stable names (ParseErrorName) are used as counter names.
enum class ParseError : uint8_t {
  kOk = 0,
  kTruncatedHeader,
  kTruncatedQuestion,
  kTruncatedAnswer,
  kBadLabel,          // label length byte with the reserved 0x40/0x80 bits
  kNameTooLong,       // more than 255 bytes of wire form
  kPointerLoop,       // too many compression hops, or a pointer that does not point backwards
  kTooManyRecords,    // more questions/answers than the limits below
  kBadRdata,          // A/AAAA with the wrong length, CNAME rdata that is not one name
};
std::string_view ParseErrorName(ParseError e);

inline constexpr size_t kMaxQuestions = 16;
inline constexpr size_t kMaxAnswers = 64;
inline constexpr size_t kMaxNameWireBytes = 255;
inline constexpr int kMaxPointerHops = 16;

// Parses one complete DNS message (a UDP payload, or a TCP message without its length prefix).
// On failure `out` holds what was parsed before the error. `out` may hold an earlier message:
// the result is the same as with a fresh one, and its strings' storage is reused.
ParseError ParseMessage(ByteSpan msg, Message& out);

// Decodes the (possibly compressed) name starting at `offset` of `msg`. On success sets `name`
// and `next` (the offset just after the name at its original position).
ParseError ReadName(ByteSpan msg, size_t offset, std::string& name, size_t& next);

}  // namespace mw::analyzers::dns
