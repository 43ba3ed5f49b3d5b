#include "net/testing/packet_builder.h"

#include <arpa/inet.h>

#include <cstring>

namespace mw::net::testing {
namespace {

void AppendBE16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
void PushLE32(Bytes& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(uint8_t(v >> (8 * i)));
}
void PushLE64(Bytes& b, uint64_t v) {
  PushLE32(b, uint32_t(v));
  PushLE32(b, uint32_t(v >> 32));
}
void AppendBE32(Bytes& b, uint32_t v) {
  AppendBE16(b, uint16_t(v >> 16));
  AppendBE16(b, uint16_t(v));
}

}  // namespace

PacketBuilder& PacketBuilder::Ipv4(std::string_view src, std::string_view dst) {
  ip_version_ = 4;
  std::memset(src_, 0, 16);
  std::memset(dst_, 0, 16);
  inet_pton(AF_INET, std::string(src).c_str(), src_);
  inet_pton(AF_INET, std::string(dst).c_str(), dst_);
  return *this;
}

PacketBuilder& PacketBuilder::Ipv6(std::string_view src, std::string_view dst) {
  ip_version_ = 6;
  inet_pton(AF_INET6, std::string(src).c_str(), src_);
  inet_pton(AF_INET6, std::string(dst).c_str(), dst_);
  return *this;
}

PacketBuilder& PacketBuilder::Tcp(uint16_t src_port, uint16_t dst_port, uint32_t seq,
                                  uint32_t ack, uint8_t flags) {
  proto_ = 6;
  sport_ = src_port;
  dport_ = dst_port;
  seq_ = seq;
  ack_ = ack;
  flags_ = flags;
  return *this;
}

PacketBuilder& PacketBuilder::Udp(uint16_t src_port, uint16_t dst_port) {
  proto_ = 17;
  sport_ = src_port;
  dport_ = dst_port;
  return *this;
}

PacketBuilder& PacketBuilder::OtherProto(uint8_t proto) {
  proto_ = proto;
  return *this;
}

PacketBuilder& PacketBuilder::Payload(std::string_view bytes) { return Payload(AsBytes(bytes)); }

PacketBuilder& PacketBuilder::Payload(ByteSpan bytes) {
  payload_.assign(bytes.begin(), bytes.end());
  return *this;
}

PacketBuilder& PacketBuilder::Vlan(uint16_t id, uint16_t tpid) {
  vlans_.emplace_back(tpid, id);
  return *this;
}

PacketBuilder& PacketBuilder::Ipv4Fragment(uint16_t offset8, bool more) {
  frag_offset8_ = offset8;
  frag_more_ = more;
  return *this;
}

PacketBuilder& PacketBuilder::Ipv6Ext(uint8_t type, uint16_t offset8, bool more) {
  ext_.push_back({type, offset8, more});
  return *this;
}

PacketBuilder& PacketBuilder::Ipv4Options(uint8_t words) {
  ip_option_words_ = words;
  return *this;
}

PacketBuilder& PacketBuilder::TcpOptions(uint8_t words) {
  tcp_option_words_ = words;
  return *this;
}

Bytes PacketBuilder::BuildIp() const {
  // Transport header + payload first.
  Bytes l4;
  if (proto_ == 6) {
    AppendBE16(l4, sport_);
    AppendBE16(l4, dport_);
    AppendBE32(l4, seq_);
    AppendBE32(l4, ack_);
    l4.push_back(uint8_t((5 + tcp_option_words_) << 4));
    l4.push_back(flags_);
    AppendBE16(l4, 65535);
    AppendBE32(l4, 0);  // checksum, urgent pointer
    l4.insert(l4.end(), size_t(tcp_option_words_) * 4, 1);  // NOP options
  } else if (proto_ == 17) {
    AppendBE16(l4, sport_);
    AppendBE16(l4, dport_);
    AppendBE16(l4, uint16_t(8 + payload_.size()));
    AppendBE16(l4, 0);
  }
  l4.insert(l4.end(), payload_.begin(), payload_.end());

  Bytes ip;
  if (ip_version_ == 4) {
    const size_t header_len = 20 + size_t(ip_option_words_) * 4;
    ip.push_back(uint8_t(0x40 | (header_len / 4)));
    ip.push_back(0);
    AppendBE16(ip, uint16_t(header_len + l4.size()));
    AppendBE16(ip, 0x1234);  // identification
    AppendBE16(ip, uint16_t((frag_more_ ? 0x2000 : 0) | (frag_offset8_ & 0x1FFF)));
    ip.push_back(64);
    ip.push_back(proto_);
    AppendBE16(ip, 0);
    ip.insert(ip.end(), src_, src_ + 4);
    ip.insert(ip.end(), dst_, dst_ + 4);
    ip.insert(ip.end(), size_t(ip_option_words_) * 4, 1);
  } else {
    Bytes ext;
    for (size_t i = 0; i < ext_.size(); ++i) {
      const uint8_t next = i + 1 < ext_.size() ? ext_[i + 1].type : proto_;
      ext.push_back(next);
      if (ext_[i].type == 44) {
        ext.push_back(0);
        AppendBE16(ext, uint16_t((ext_[i].offset8 << 3) | (ext_[i].more ? 1 : 0)));
        AppendBE32(ext, 0xABCD);
      } else {
        ext.push_back(0);  // length 0 = 8 bytes
        ext.insert(ext.end(), 6, 0);
      }
    }
    AppendBE32(ip, 0x60000000);
    AppendBE16(ip, uint16_t(ext.size() + l4.size()));
    ip.push_back(ext_.empty() ? proto_ : ext_[0].type);
    ip.push_back(64);
    ip.insert(ip.end(), src_, src_ + 16);
    ip.insert(ip.end(), dst_, dst_ + 16);
    ip.insert(ip.end(), ext.begin(), ext.end());
  }
  ip.insert(ip.end(), l4.begin(), l4.end());
  return ip;
}

Bytes PacketBuilder::Build(int link_type) const {
  const Bytes ip = BuildIp();
  const uint16_t ether_type = ip_version_ == 4 ? 0x0800 : 0x86DD;
  Bytes f;
  switch (link_type) {
    case 1: {
      for (const uint8_t b : {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}) f.push_back(b);
      for (const auto& [tpid, id] : vlans_) {
        AppendBE16(f, tpid);
        AppendBE16(f, id);
      }
      AppendBE16(f, ether_type);
      break;
    }
    case 113:
      AppendBE16(f, 0);      // packet type: to us
      AppendBE16(f, 1);      // ARPHRD_ETHER
      AppendBE16(f, 6);      // address length
      f.insert(f.end(), 8, 0x22);
      AppendBE16(f, ether_type);
      break;
    case 276:
      AppendBE16(f, ether_type);
      AppendBE16(f, 0);
      AppendBE32(f, 1);      // interface index
      AppendBE16(f, 1);      // ARPHRD_ETHER
      f.push_back(0);
      f.push_back(6);
      f.insert(f.end(), 8, 0x22);
      break;
    case 0: {
      PushLE32(f, ip_version_ == 4 ? 2 : 24);  // host order of a little-endian writer
      break;
    }
    case 108:
      AppendBE32(f, ip_version_ == 4 ? 2 : 24);
      break;
    default:
      break;  // 12, 101: raw IP
  }
  f.insert(f.end(), ip.begin(), ip.end());
  if (link_type == 1 && f.size() < 60) f.resize(60, 0);  // Ethernet minimum frame padding
  return f;
}

PcapWriter::PcapWriter(int link_type, uint32_t snaplen) {
  PushLE32(out_, 0xA1B2C3D4);
  out_.push_back(2); out_.push_back(0);  // version 2.4
  out_.push_back(4); out_.push_back(0);
  PushLE32(out_, 0);
  PushLE32(out_, 0);
  PushLE32(out_, snaplen);
  PushLE32(out_, uint32_t(link_type));
}

void PcapWriter::Add(int64_t ts_us, ByteSpan frame, uint32_t wire_len) {
  PushLE32(out_, uint32_t(ts_us / 1000000));
  PushLE32(out_, uint32_t(ts_us % 1000000));
  PushLE32(out_, uint32_t(frame.size()));
  PushLE32(out_, wire_len != 0 ? wire_len : uint32_t(frame.size()));
  Append(out_, frame);
}

Status PcapWriter::Flush(FILE* f) {
  if (!out_.empty() && std::fwrite(out_.data(), 1, out_.size(), f) != out_.size()) {
    return Status::IoError("short write of pcap data");
  }
  out_.clear();
  return Status::Ok();
}

Status PcapWriter::WriteFile(const std::string& path) const { return WriteBytesToFile(path, out_); }

PcapngWriter::PcapngWriter(int link_type, uint32_t snaplen) {
  PushLE32(out_, 0x0A0D0D0A);
  PushLE32(out_, 28);
  PushLE32(out_, 0x1A2B3C4D);
  out_.push_back(1); out_.push_back(0);  // major 1
  out_.push_back(0); out_.push_back(0);  // minor 0
  PushLE64(out_, ~uint64_t{0});        // section length unknown
  PushLE32(out_, 28);
  PushLE32(out_, 1);                   // interface description block
  PushLE32(out_, 20);
  out_.push_back(uint8_t(link_type)); out_.push_back(uint8_t(link_type >> 8));
  out_.push_back(0); out_.push_back(0);
  PushLE32(out_, snaplen);
  PushLE32(out_, 20);
}

void PcapngWriter::Add(int64_t ts_us, ByteSpan frame, uint32_t wire_len) {
  const uint32_t padded = uint32_t((frame.size() + 3) & ~size_t{3});
  const uint32_t total = 32 + padded;
  PushLE32(out_, 6);  // enhanced packet block
  PushLE32(out_, total);
  PushLE32(out_, 0);  // interface 0
  PushLE32(out_, uint32_t(uint64_t(ts_us) >> 32));
  PushLE32(out_, uint32_t(uint64_t(ts_us)));
  PushLE32(out_, uint32_t(frame.size()));
  PushLE32(out_, wire_len != 0 ? wire_len : uint32_t(frame.size()));
  Append(out_, frame);
  out_.resize(out_.size() + (padded - frame.size()), 0);
  PushLE32(out_, total);
}

Status PcapngWriter::WriteFile(const std::string& path) const {
  return WriteBytesToFile(path, out_);
}

Status WriteBytesToFile(const std::string& path, ByteSpan bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return Status::IoError("cannot create " + path);
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (std::fclose(f) != 0 || !ok) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

}  // namespace mw::net::testing
