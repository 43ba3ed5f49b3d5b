#include "net/decode/decoder.h"

#include <string>

#include "core/bytes.h"

namespace mw::net {
namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86DD;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88A8;
constexpr uint16_t kEtherQinQOld = 0x9100;
constexpr int kMaxVlanTags = 8;
constexpr int kMaxIpv6ExtHeaders = 16;

constexpr std::string_view kWeirdNames[] = {
    "unsupported_link_type", "truncated_link_header", "too_many_vlan_tags",
    "unknown_loopback_family", "truncated_ipv4", "bad_ipv4_version", "bad_ipv4_header_length",
    "bad_ipv4_total_length", "ipv4_fragment", "truncated_ipv6", "bad_ipv6_version",
    "ipv6_jumbogram", "truncated_ipv6_ext_header", "too_many_ipv6_ext_headers", "ipv6_fragment",
    "truncated_tcp", "bad_tcp_data_offset", "truncated_udp", "bad_udp_length",
    "snaplen_cut_payload",
};
static_assert(std::size(kWeirdNames) == static_cast<size_t>(Weird::kCount));

constexpr std::string_view kLinkNames[] = {"NULL", "EN10MB", "RAW", "LOOP", "LINUX_SLL",
                                           "LINUX_SLL2", "RAW_101", "other"};

}  // namespace

std::string_view WeirdName(Weird w) {
  const auto i = static_cast<size_t>(w);
  return i < std::size(kWeirdNames) ? kWeirdNames[i] : "unknown";
}

int LinkIndex(int link_type) {
  switch (link_type) {
    case kLinkNull: return 0;
    case kLinkEthernet: return 1;
    case kLinkRaw: return 2;
    case kLinkLoop: return 3;
    case kLinkLinuxSll: return 4;
    case kLinkLinuxSll2: return 5;
    case kLinkRawAlt: return 6;
    default: return 7;
  }
}

bool IsSupportedLinkType(int link_type) { return LinkIndex(link_type) != 7; }

std::string LinkTypeName(int link_type) {
  const int i = LinkIndex(link_type);
  if (i == 7) return "LINKTYPE_" + std::to_string(link_type);
  return std::string(kLinkNames[i]);
}

namespace {

// Appends 0..255 in decimal.
char* PutDecimalByte(char* out, unsigned v) {
  if (v >= 100) *out++ = char('0' + v / 100);
  if (v >= 10) *out++ = char('0' + v / 10 % 10);
  *out++ = char('0' + v % 10);
  return out;
}

char* PutDottedQuad(char* out, const uint8_t* b) {
  for (int i = 0; i < 4; ++i) {
    if (i > 0) *out++ = '.';
    out = PutDecimalByte(out, b[i]);
  }
  return out;
}

}  // namespace

// The text glibc's inet_ntop gives (the unit test compares them), without its sprintf calls:
// events name two addresses each, and inet_ntop cost about 2,000 instructions an address.
std::string IpAddress::ToString() const {
  char buf[48];
  char* out = buf;
  if (version == 4) {
    out = PutDottedQuad(out, bytes.data());
  } else if (version == 6) {
    uint16_t words[8];
    for (int i = 0; i < 8; ++i) words[i] = uint16_t(bytes[2 * i] << 8 | bytes[2 * i + 1]);
    // The longest run of two or more zero words (the first of equal ones) becomes "::".
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
      if (words[i] != 0) {
        ++i;
        continue;
      }
      int j = i;
      while (j < 8 && words[j] == 0) ++j;
      if (j - i > best_len) {
        best = i;
        best_len = j - i;
      }
      i = j;
    }
    if (best_len < 2) best = -1;
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 8; ++i) {
      if (best >= 0 && i >= best && i < best + best_len) {
        if (i == best) *out++ = ':';
        continue;
      }
      if (i > 0) *out++ = ':';
      // An IPv4-compatible (::a.b.c.d) or IPv4-mapped (::ffff:a.b.c.d) address ends in a quad.
      if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
        out = PutDottedQuad(out, bytes.data() + 12);
        break;
      }
      const uint16_t w = words[i];
      bool started = false;
      for (int shift = 12; shift >= 0; shift -= 4) {
        const unsigned nibble = (w >> shift) & 0xF;
        if (nibble != 0 || started || shift == 0) {
          *out++ = kHex[nibble];
          started = true;
        }
      }
    }
    if (best >= 0 && best + best_len == 8) *out++ = ':';
  } else {
    return "-";
  }
  return std::string(buf, size_t(out - buf));
}

void DecodeStats::ExportTo(CounterSet& counters) const {
  counters.Get("decode.packets").Set(packets);
  counters.Get("decode.bytes").Set(bytes);
  counters.Get("decode.ipv4").Set(ipv4);
  counters.Get("decode.ipv6").Set(ipv6);
  counters.Get("decode.tcp").Set(tcp);
  counters.Get("decode.udp").Set(udp);
  counters.Get("decode.other_ip_proto").Set(other_ip_proto);
  counters.Get("decode.non_ip").Set(non_ip);
  counters.Get("decode.vlan_tagged").Set(vlan_tagged);
  counters.Get("decode.malformed").Set(malformed);
  for (size_t i = 0; i < per_link.size(); ++i) {
    if (per_link[i] != 0) counters.Get("decode.link." + std::string(kLinkNames[i])).Set(per_link[i]);
  }
  for (size_t i = 0; i < weird.size(); ++i) {
    if (weird[i] != 0) {
      counters.Get("decode.weird." + std::string(kWeirdNames[i])).Set(weird[i]);
    }
  }
}

DecodeResult Decoder::Decode(int link_type, const uint8_t* data, uint32_t cap_len,
                             uint32_t wire_len, int64_t ts_us, DecodedPacket& out) {
  out = DecodedPacket{};
  out.ts_us = ts_us;
  out.cap_len = cap_len;
  out.wire_len = wire_len;
  out.link_type = link_type;
  ++stats_.packets;
  stats_.bytes += wire_len;
  ++stats_.per_link[static_cast<size_t>(LinkIndex(link_type))];
  if (data == nullptr) cap_len = 0;

  switch (link_type) {
    case kLinkEthernet: {
      if (cap_len < 14) return Malformed(Weird::kTruncatedLinkHeader);
      return DecodeEtherType(ReadBE16(data + 12), data + 14, cap_len - 14, out);
    }
    case kLinkLinuxSll: {
      if (cap_len < 16) return Malformed(Weird::kTruncatedLinkHeader);
      return DecodeEtherType(ReadBE16(data + 14), data + 16, cap_len - 16, out);
    }
    case kLinkLinuxSll2: {
      if (cap_len < 20) return Malformed(Weird::kTruncatedLinkHeader);
      return DecodeEtherType(ReadBE16(data), data + 20, cap_len - 20, out);
    }
    case kLinkRaw:
    case kLinkRawAlt: {
      if (cap_len < 1) return Malformed(Weird::kTruncatedLinkHeader);
      const uint8_t version = data[0] >> 4;
      if (version == 4) return DecodeIpv4(data, cap_len, out);
      if (version == 6) return DecodeIpv6(data, cap_len, out);
      return Malformed(Weird::kBadIpv4Version);
    }
    case kLinkNull:
    case kLinkLoop: {
      if (cap_len < 4) return Malformed(Weird::kTruncatedLinkHeader);
      // DLT_NULL stores the family in the writer's byte order, DLT_LOOP in network order;
      // families are small, so whichever reading is small is the right one.
      uint32_t family = ReadBE32(data);
      if (family > 0xFFFF) family = ReadLE32(data);
      if (family == 2) return DecodeIpv4(data + 4, cap_len - 4, out);
      // AF_INET6 is 10 on Linux, 24 on NetBSD/OpenBSD, 28 on FreeBSD, 30 on macOS.
      if (family == 10 || family == 24 || family == 28 || family == 30) {
        return DecodeIpv6(data + 4, cap_len - 4, out);
      }
      return Malformed(Weird::kUnknownLoopbackFamily);
    }
    default:
      return Malformed(Weird::kUnsupportedLinkType);
  }
}

DecodeResult Decoder::DecodeEtherType(uint16_t ether_type, const uint8_t* p, uint32_t len,
                                      DecodedPacket& out) {
  int tags = 0;
  while (ether_type == kEtherVlan || ether_type == kEtherQinQ || ether_type == kEtherQinQOld) {
    if (++tags > kMaxVlanTags) return Malformed(Weird::kTooManyVlanTags);
    if (len < 4) return Malformed(Weird::kTruncatedLinkHeader);
    if (out.vlan_count < out.vlan_ids.size()) {
      out.vlan_ids[out.vlan_count] = ReadBE16(p) & 0x0FFF;
    }
    ++out.vlan_count;
    ether_type = ReadBE16(p + 2);
    p += 4;
    len -= 4;
  }
  if (tags > 0) ++stats_.vlan_tagged;
  if (ether_type == kEtherIpv4) return DecodeIpv4(p, len, out);
  if (ether_type == kEtherIpv6) return DecodeIpv6(p, len, out);
  ++stats_.non_ip;
  return DecodeResult::kNotIp;
}

DecodeResult Decoder::DecodeIpv4(const uint8_t* p, uint32_t len, DecodedPacket& out) {
  if (len < 20) return Malformed(Weird::kTruncatedIpv4);
  if ((p[0] >> 4) != 4) return Malformed(Weird::kBadIpv4Version);
  const uint32_t header_len = uint32_t(p[0] & 0x0F) * 4;
  if (header_len < 20) return Malformed(Weird::kBadIpv4HeaderLength);
  if (header_len > len) return Malformed(Weird::kTruncatedIpv4);
  const uint32_t total_len = ReadBE16(p + 2);
  if (total_len < header_len) return Malformed(Weird::kBadIpv4TotalLength);
  ++stats_.ipv4;
  out.ip_version = 4;
  out.src.AssignV4(p + 12);
  out.dst.AssignV4(p + 16);
  out.ttl = p[8];
  out.ip_proto = p[9];
  // Link padding beyond total_len is dropped; a snap length shorter than total_len leaves less.
  const uint32_t available = total_len < len ? total_len : len;
  const uint16_t frag = ReadBE16(p + 6);
  const uint32_t frag_offset = frag & 0x1FFF;
  const bool more_fragments = (frag & 0x2000) != 0;
  if (frag_offset != 0 || more_fragments) {
    out.fragment = true;
    out.first_fragment = frag_offset == 0;
    ++stats_.weird[static_cast<size_t>(Weird::kIpv4Fragment)];
    if (!out.first_fragment) return DecodeResult::kIp;
  }
  return DecodeTransport(p + header_len, available - header_len, total_len - header_len, out);
}

DecodeResult Decoder::DecodeIpv6(const uint8_t* p, uint32_t len, DecodedPacket& out) {
  if (len < 40) return Malformed(Weird::kTruncatedIpv6);
  if ((p[0] >> 4) != 6) return Malformed(Weird::kBadIpv6Version);
  const uint32_t payload_len = ReadBE16(p + 4);
  if (payload_len == 0) return Malformed(Weird::kIpv6Jumbogram);
  ++stats_.ipv6;
  out.ip_version = 6;
  out.src.AssignV6(p + 8);
  out.dst.AssignV6(p + 24);
  out.ttl = p[7];
  uint8_t next = p[6];
  uint32_t available = len - 40 < payload_len ? len - 40 : payload_len;
  uint32_t wire_left = payload_len;
  const uint8_t* q = p + 40;
  for (int n = 0;; ++n) {
    if (next != 0 && next != 43 && next != 44 && next != 60 && next != 51) break;
    if (n >= kMaxIpv6ExtHeaders) return Malformed(Weird::kTooManyIpv6ExtHeaders);
    if (available < 8) return Malformed(Weird::kTruncatedIpv6ExtHeader);
    uint32_t ext_len;
    if (next == 44) {
      ext_len = 8;
      const uint16_t off_flags = ReadBE16(q + 2);
      out.fragment = true;
      out.first_fragment = (off_flags & 0xFFF8) == 0;
      ++stats_.weird[static_cast<size_t>(Weird::kIpv6Fragment)];
    } else if (next == 51) {
      ext_len = (uint32_t(q[1]) + 2) * 4;
    } else {
      ext_len = (uint32_t(q[1]) + 1) * 8;
    }
    if (ext_len > available) return Malformed(Weird::kTruncatedIpv6ExtHeader);
    next = q[0];
    q += ext_len;
    available -= ext_len;
    wire_left = wire_left >= ext_len ? wire_left - ext_len : 0;
    if (out.fragment && !out.first_fragment) {
      out.ip_proto = next;
      return DecodeResult::kIp;
    }
  }
  out.ip_proto = next;
  return DecodeTransport(q, available, wire_left, out);
}

DecodeResult Decoder::DecodeTransport(const uint8_t* p, uint32_t len, uint32_t wire_len,
                                      DecodedPacket& out) {
  if (out.ip_proto == kProtoTcp) {
    ++stats_.tcp;
    if (len < 20) return Malformed(Weird::kTruncatedTcp);
    const uint32_t header_len = uint32_t(p[12] >> 4) * 4;
    if (header_len < 20) return Malformed(Weird::kBadTcpDataOffset);
    if (header_len > len) return Malformed(Weird::kTruncatedTcp);
    out.has_l4 = true;
    out.src_port = ReadBE16(p);
    out.dst_port = ReadBE16(p + 2);
    out.seq = ReadBE32(p + 4);
    out.ack = ReadBE32(p + 8);
    out.tcp_flags = p[13];
    out.window = ReadBE16(p + 14);
    out.payload = p + header_len;
    out.payload_len = len - header_len;
    out.payload_wire_len = wire_len > header_len ? wire_len - header_len : 0;
  } else if (out.ip_proto == kProtoUdp) {
    ++stats_.udp;
    if (len < 8) return Malformed(Weird::kTruncatedUdp);
    const uint32_t udp_len = ReadBE16(p + 4);
    // A fragmented datagram's UDP length covers all fragments; only check it when whole.
    if (udp_len < 8 || (!out.fragment && udp_len > wire_len)) {
      return Malformed(Weird::kBadUdpLength);
    }
    out.has_l4 = true;
    out.src_port = ReadBE16(p);
    out.dst_port = ReadBE16(p + 2);
    out.payload = p + 8;
    out.payload_wire_len = udp_len - 8;
    out.payload_len = len - 8 < udp_len - 8 ? len - 8 : udp_len - 8;
  } else {
    ++stats_.other_ip_proto;
    return DecodeResult::kIp;
  }
  if (out.payload_len < out.payload_wire_len && !out.fragment) {
    ++stats_.weird[static_cast<size_t>(Weird::kSnaplenCutPayload)];
  }
  return DecodeResult::kIp;
}

}  // namespace mw::net
