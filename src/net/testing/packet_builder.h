// Test and benchmark support: builds frames (Ethernet / 802.1Q / QinQ / Linux cooked v1, v2 /
// raw IP / loopback + IPv4 / IPv6 + TCP / UDP) byte by byte, and writes pcap and pcapng files.
// Not part of the sensor; linked only into tests, fuzz seeds and benchmarks.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace mw::net::testing {

// Describes one packet; Build() encodes it. Addresses are text ("10.0.0.1", "fd00::1"); both
// must be of the same family. Checksums are left zero (the decoder does not check them).
class PacketBuilder {
 public:
  PacketBuilder& Ipv4(std::string_view src, std::string_view dst);
  PacketBuilder& Ipv6(std::string_view src, std::string_view dst);
  PacketBuilder& Tcp(uint16_t src_port, uint16_t dst_port, uint32_t seq, uint32_t ack,
                     uint8_t flags);
  PacketBuilder& Udp(uint16_t src_port, uint16_t dst_port);
  // Another IP protocol with no header of its own (ICMP, GRE ... as opaque bytes).
  PacketBuilder& OtherProto(uint8_t proto);
  PacketBuilder& Payload(std::string_view bytes);
  PacketBuilder& Payload(ByteSpan bytes);
  // An 802.1Q (0x8100) or 802.1ad (0x88A8) tag; call twice for QinQ (outer first).
  PacketBuilder& Vlan(uint16_t id, uint16_t tpid = 0x8100);
  // IPv4: fragment offset in 8-byte units and the more-fragments flag.
  PacketBuilder& Ipv4Fragment(uint16_t offset8, bool more);
  // IPv6: an extension header before the transport (0 hop-by-hop, 43 routing, 60 destination
  // options: 8 bytes each; 44 fragment with offset8 / more).
  PacketBuilder& Ipv6Ext(uint8_t type, uint16_t offset8 = 0, bool more = false);
  PacketBuilder& Ipv4Options(uint8_t words);  // IPv4 options of NOPs, `words` 32-bit words
  PacketBuilder& TcpOptions(uint8_t words);   // TCP options of NOPs

  // The IP packet alone (what DLT_RAW carries).
  Bytes BuildIp() const;
  // The whole frame for a pcap link type (1, 0, 108, 12, 101, 113, 276).
  Bytes Build(int link_type) const;

 private:
  struct Ext { uint8_t type; uint16_t offset8; bool more; };
  uint8_t ip_version_ = 4;
  uint8_t src_[16] = {}, dst_[16] = {};
  uint8_t proto_ = 6;
  uint16_t sport_ = 0, dport_ = 0;
  uint32_t seq_ = 0, ack_ = 0;
  uint8_t flags_ = 0;
  Bytes payload_;
  std::vector<std::pair<uint16_t, uint16_t>> vlans_;  // (tpid, id)
  uint16_t frag_offset8_ = 0;
  bool frag_more_ = false;
  std::vector<Ext> ext_;
  uint8_t ip_option_words_ = 0, tcp_option_words_ = 0;
};

// Writes a classic pcap (microsecond timestamps, little-endian) into memory; Flush() moves what
// was written so far to a FILE* so a large capture can be streamed.
class PcapWriter {
 public:
  explicit PcapWriter(int link_type, uint32_t snaplen = 262144);
  // wire_len 0 means frame.size().
  void Add(int64_t ts_us, ByteSpan frame, uint32_t wire_len = 0);
  const Bytes& bytes() const { return out_; }
  Status Flush(FILE* f);
  Status WriteFile(const std::string& path) const;

 private:
  Bytes out_;
};

// Writes a minimal pcapng (section header, one interface, enhanced packet blocks).
class PcapngWriter {
 public:
  explicit PcapngWriter(int link_type, uint32_t snaplen = 262144);
  void Add(int64_t ts_us, ByteSpan frame, uint32_t wire_len = 0);
  const Bytes& bytes() const { return out_; }
  Status WriteFile(const std::string& path) const;

 private:
  Bytes out_;
};

Status WriteBytesToFile(const std::string& path, ByteSpan bytes);

}  // namespace mw::net::testing
