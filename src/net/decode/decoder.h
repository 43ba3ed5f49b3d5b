// Decoder: one captured frame -> DecodedPacket (link layer, IPv4/IPv6, TCP/UDP).
//
// Link types: Ethernet (with any number of 802.1Q / 802.1ad / QinQ tags), Linux cooked v1 and v2,
// raw IP (12 and 101), BSD/OpenBSD loopback (0 and 108). IPv4 options and IPv6 extension headers
// (hop-by-hop, routing, fragment, destination options, AH) are walked with bounds checks.
//
// IP fragments are NOT reassembled: each fragment is counted (weird `ipv4_fragment` /
// `ipv6_fragment`); a first fragment still carries its ports and the leading part of its payload
// (payload_len < payload_wire_len), later fragments are reported with has_l4 == false.
//
// Malformed input is data: every reason a frame cannot be decoded increments a named counter
// (a "weird"), nothing throws. Not thread-safe: one Decoder per pipeline thread.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/counters.h"
#include "net/decode/packet.h"

namespace mw::net {

// Reasons a frame is malformed or not fully decoded. Keep WeirdName() in step.
enum class Weird : uint8_t {
  kUnsupportedLinkType,
  kTruncatedLinkHeader,
  kTooManyVlanTags,
  kUnknownLoopbackFamily,
  kTruncatedIpv4,
  kBadIpv4Version,
  kBadIpv4HeaderLength,
  kBadIpv4TotalLength,
  kIpv4Fragment,
  kTruncatedIpv6,
  kBadIpv6Version,
  kIpv6Jumbogram,
  kTruncatedIpv6ExtHeader,
  kTooManyIpv6ExtHeaders,
  kIpv6Fragment,
  kTruncatedTcp,
  kBadTcpDataOffset,
  kTruncatedUdp,
  kBadUdpLength,
  kSnaplenCutPayload,  // the snap length cut the payload short (not an error of the sender)
  kCount,
};
std::string_view WeirdName(Weird w);

enum class DecodeResult : uint8_t {
  kIp,         // IPv4/IPv6 decoded (has_l4 tells whether ports are there)
  kNotIp,      // a well-formed frame of another protocol (ARP, LLDP, ...)
  kMalformed,  // decoding stopped; the reason was counted as a weird
};

// Everything the decoder counted so far. Plain integers (no atomics) on the hot path;
// ExportTo() copies them into a CounterSet for reporting.
struct DecodeStats {
  uint64_t packets = 0, bytes = 0;
  uint64_t ipv4 = 0, ipv6 = 0, tcp = 0, udp = 0, other_ip_proto = 0, non_ip = 0;
  uint64_t vlan_tagged = 0, malformed = 0;
  std::array<uint64_t, 8> per_link{};  // indexed by LinkIndex(link_type)
  std::array<uint64_t, static_cast<size_t>(Weird::kCount)> weird{};

  uint64_t Weirds(Weird w) const { return weird[static_cast<size_t>(w)]; }
  // Sets "decode.packets", "decode.link.EN10MB", "decode.weird.truncated_tcp", ...
  void ExportTo(CounterSet& counters) const;
};

class Decoder {
 public:
  Decoder() = default;

  // Decodes `cap_len` captured bytes of a frame of `link_type` that was `wire_len` long on the
  // wire. `out` is fully overwritten; out.payload points into `data`.
  DecodeResult Decode(int link_type, const uint8_t* data, uint32_t cap_len, uint32_t wire_len,
                      int64_t ts_us, DecodedPacket& out);

  const DecodeStats& stats() const { return stats_; }

 private:
  DecodeResult Malformed(Weird w) {
    ++stats_.weird[static_cast<size_t>(w)];
    ++stats_.malformed;
    return DecodeResult::kMalformed;
  }
  DecodeResult DecodeEtherType(uint16_t ether_type, const uint8_t* p, uint32_t len,
                               DecodedPacket& out);
  DecodeResult DecodeIpv4(const uint8_t* p, uint32_t len, DecodedPacket& out);
  DecodeResult DecodeIpv6(const uint8_t* p, uint32_t len, DecodedPacket& out);
  DecodeResult DecodeTransport(const uint8_t* p, uint32_t len, uint32_t wire_len,
                               DecodedPacket& out);

  DecodeStats stats_;
};

// Small dense index of the supported link types for per-link counters (7 = other).
int LinkIndex(int link_type);

}  // namespace mw::net
