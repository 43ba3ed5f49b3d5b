// What the decoder learns from one captured frame: link layer, IP addresses, transport ports,
// TCP fields and the payload. Plain values, cheap to copy; `payload` points into the captured
// bytes and is valid only as long as those bytes are (normally until the next packet is read).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

namespace mw::net {

// Link types we decode (values are the pcap LINKTYPE_/DLT_ numbers).
enum LinkType : int {
  kLinkNull = 0,         // BSD loopback: 4-byte address family in host order of the writer
  kLinkEthernet = 1,
  kLinkRaw = 12,         // DLT_RAW on most systems: bare IPv4/IPv6
  kLinkRawAlt = 101,     // LINKTYPE_RAW
  kLinkLoop = 108,       // OpenBSD loopback: 4-byte address family, network order
  kLinkLinuxSll = 113,   // Linux cooked capture v1
  kLinkLinuxSll2 = 276,  // Linux cooked capture v2
};
bool IsSupportedLinkType(int link_type);
// "EN10MB", "LINUX_SLL2", ... or "LINKTYPE_<n>" for others.
std::string LinkTypeName(int link_type);

// An IPv4 or IPv6 address. IPv4 sits in the first 4 bytes, the rest is zero.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  uint8_t version = 0;  // 4 or 6; 0 = none

  static IpAddress V4(const uint8_t* p) {
    IpAddress a;
    std::memcpy(a.bytes.data(), p, 4);
    a.version = 4;
    return a;
  }
  static IpAddress V6(const uint8_t* p) {
    IpAddress a;
    std::memcpy(a.bytes.data(), p, 16);
    a.version = 6;
    return a;
  }
  // The same, written in place, for the decoder's hot path: V4() builds its temporary with
  // narrow stores that a wide copy then reads back, which stalls store-to-load forwarding
  // (twice per packet, several percent of the sensor's time).
  void AssignV4(const uint8_t* p) {
    uint64_t low = 0;
    const uint64_t high = 0;
    std::memcpy(&low, p, 4);
    std::memcpy(bytes.data(), &low, 8);
    std::memcpy(bytes.data() + 8, &high, 8);
    version = 4;
  }
  void AssignV6(const uint8_t* p) {
    std::memcpy(bytes.data(), p, 16);
    version = 6;
  }
  // Dotted quad or RFC 5952 text.
  std::string ToString() const;
  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    uint64_t x[2], y[2];
    std::memcpy(x, a.bytes.data(), 16);
    std::memcpy(y, b.bytes.data(), 16);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0 && a.version == b.version;
  }
};

// IP protocol numbers used below.
enum IpProto : uint8_t {
  kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoIcmpV6 = 58,
};

// TCP flag bits as on the wire.
enum TcpFlag : uint8_t {
  kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpPsh = 0x08, kTcpAck = 0x10, kTcpUrg = 0x20,
};

struct DecodedPacket {
  int64_t ts_us = 0;          // capture time, microseconds since the Unix epoch
  uint32_t cap_len = 0;       // bytes captured
  uint32_t wire_len = 0;      // bytes on the wire
  int link_type = 0;

  uint8_t vlan_count = 0;     // 802.1Q / 802.1ad tags seen (all counted, first two kept)
  std::array<uint16_t, 2> vlan_ids{};

  // Network layer. ip_version == 0 means not IP (ARP, ...): nothing below is set.
  uint8_t ip_version = 0;
  IpAddress src, dst;
  uint8_t ip_proto = 0;       // transport protocol (after IPv6 extension headers)
  uint8_t ttl = 0;            // TTL / hop limit
  bool fragment = false;      // part of a fragmented datagram
  bool first_fragment = false;  // fragment offset 0 (it carries the transport header)

  // Transport layer; has_l4 says the TCP/UDP header was present and sane.
  bool has_l4 = false;
  uint16_t src_port = 0, dst_port = 0;
  uint8_t tcp_flags = 0;
  uint32_t seq = 0, ack = 0;
  uint16_t window = 0;

  // Transport payload as captured (may be shorter than payload_wire_len when the snap length cut
  // it, or when this is a first fragment).
  const uint8_t* payload = nullptr;
  uint32_t payload_len = 0;
  uint32_t payload_wire_len = 0;  // payload length claimed by the IP/UDP headers
};

}  // namespace mw::net
