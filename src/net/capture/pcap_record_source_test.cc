// Our pcap record loop against libpcap's: the same file, read both ways, must give the same
// frames (time, lengths, bytes), the same end (kEnd or kError) and the same counters.
#include "net/capture/pcap_record_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "net/capture/frame_batch.h"
#include "net/capture/packet_source.h"
#include "net/decode/packet.h"
#include "net/capture/reading_test_util.h"
#include "net/testing/packet_builder.h"

namespace mw::net {
namespace {

using testing::PacketBuilder;
using testing::PcapWriter;
using namespace capture_testing;

void WriteU32(Bytes& b, size_t at, uint32_t v, bool big_endian) {
  ASSERT_LE(at + 4, b.size());
  for (int i = 0; i < 4; ++i) b[at + i] = uint8_t(v >> (big_endian ? 24 - 8 * i : 8 * i));
}
uint32_t ReadLe32(const Bytes& b, size_t at) {
  uint32_t v;
  std::memcpy(&v, &b[at], 4);
  return v;
}

// Rewrites a little-endian microsecond capture from PcapWriter: big-endian fields and/or
// nanosecond timestamps.
Bytes Variant(const Bytes& le_micro, bool big_endian, bool nanos) {
  Bytes b = le_micro;
  if (b.size() < internal::kPcapFileHeaderBytes) return b;
  WriteU32(b, 0, nanos ? 0xa1b23c4d : 0xa1b2c3d4, big_endian);
  const uint16_t major = 2, minor = 4;
  b[4] = uint8_t(big_endian ? 0 : major);
  b[5] = uint8_t(big_endian ? major : 0);
  b[6] = uint8_t(big_endian ? 0 : minor);
  b[7] = uint8_t(big_endian ? minor : 0);
  for (size_t at : {size_t{8}, size_t{12}, size_t{16}, size_t{20}}) {
    WriteU32(b, at, ReadLe32(le_micro, at), big_endian);
  }
  size_t off = internal::kPcapFileHeaderBytes;
  while (off + internal::kPcapRecordHeaderBytes <= le_micro.size()) {
    const uint32_t sec = ReadLe32(le_micro, off), usec = ReadLe32(le_micro, off + 4);
    const uint32_t cap = ReadLe32(le_micro, off + 8), len = ReadLe32(le_micro, off + 12);
    WriteU32(b, off, sec, big_endian);
    WriteU32(b, off + 4, nanos ? usec * 1000 + 999 : usec, big_endian);
    WriteU32(b, off + 8, cap, big_endian);
    WriteU32(b, off + 12, len, big_endian);
    off += internal::kPcapRecordHeaderBytes + cap;
  }
  return b;
}

Bytes MixedCapture(uint32_t snaplen = 262144) {
  PcapWriter w(kLinkEthernet, snaplen);
  for (uint32_t i = 0; i < 300; ++i) {
    PacketBuilder b;
    if (i % 3 == 0) b.Ipv4("10.0.0.1", "10.0.0.2").Tcp(1000, 80, i, 0, kTcpAck);
    else if (i % 3 == 1) b.Ipv4("10.0.0.3", "10.0.0.4").Udp(53, 5353);
    else b.Ipv6("::1", "::2").Udp(7, 8);
    b.Payload(std::string((i * 97) % 1400, char('a' + i % 26)));
    w.Add(1'600'000'000'000'000 + int64_t(i) * 1234, b.Build(kLinkEthernet));
  }
  return w.bytes();
}

TEST(PcapRecordSource, EveryByteOrderAndPrecisionReadsAsLibpcapReadsIt) {
  const Bytes capture = MixedCapture();
  for (bool big_endian : {false, true}) {
    for (bool nanos : {false, true}) {
      SCOPED_TRACE(std::string(big_endian ? "big-endian" : "little-endian") +
                   (nanos ? ", ns" : ", us"));
      const Bytes v = Variant(capture, big_endian, nanos);
      ASSERT_TRUE(internal::IsPcapV24(v));
      ExpectSameAsLibpcap(v);
    }
  }
}

TEST(PcapRecordSource, FilterSnaplenAndOddTimesAsLibpcap) {
  ExpectSameAsLibpcap(MixedCapture(), "udp and port 53");
  // Records longer than the header's snapshot length are cut to it.
  Bytes cut = MixedCapture(200);
  ExpectSameAsLibpcap(cut);
  // Seconds with the top bit set (libpcap reads them signed in a file of the host's byte order,
  // unsigned in the other), microseconds past a second.
  Bytes odd = MixedCapture();
  const size_t first = internal::kPcapFileHeaderBytes;
  WriteU32(odd, first, 0xFFFFFFF0u, false);
  const size_t second = first + internal::kPcapRecordHeaderBytes + ReadLe32(odd, first + 8);
  WriteU32(odd, second + 4, 2'500'000, false);
  ExpectSameAsLibpcap(odd);
  ExpectSameAsLibpcap(Variant(odd, true, true));
}

TEST(PcapRecordSource, DamagedFilesEndAsLibpcapEndsThem) {
  const Bytes capture = MixedCapture();
  // Cut inside a record's data, inside a record header, right after a whole record.
  size_t record = internal::kPcapFileHeaderBytes;
  for (int i = 0; i < 150; ++i) {
    record += internal::kPcapRecordHeaderBytes + ReadLe32(capture, record + 8);
  }
  for (size_t cut : {record + 20, record + 7, record}) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    ExpectSameAsLibpcap(Bytes(capture.begin(), capture.begin() + long(cut)));
  }
  // A captured length past libpcap's maximum, and one past the snapshot length.
  for (uint32_t bad : {internal::kMaxRecordBytes + 1, 0x7FFFFFFFu}) {
    Bytes b = capture;
    WriteU32(b, record + 8, bad, false);
    ExpectSameAsLibpcap(b);
  }
  Bytes past_snap = MixedCapture(300);
  WriteU32(past_snap, internal::kPcapFileHeaderBytes + 8, 5000, false);
  ExpectSameAsLibpcap(past_snap);
  // Only a file header.
  ExpectSameAsLibpcap(Bytes(capture.begin(), capture.begin() + internal::kPcapFileHeaderBytes));
}

// A file larger than the read buffer: records straddle refills, batches stay valid.
TEST(PcapRecordSource, FilesLargerThanTheReadBufferReadAsLibpcap) {
  PcapWriter w(kLinkRaw);
  for (uint32_t i = 0; i < 5000; ++i) {
    w.Add(int64_t(i), PacketBuilder()
                          .Ipv4("10.1.0.1", "10.1.0.2")
                          .Udp(uint16_t(i), 9)
                          .Payload(std::string(100 + (i * 611) % 1400, char(i)))
                          .Build(kLinkRaw));
  }
  ASSERT_GT(w.bytes().size(), 3 * kFileReadBufferBytes);
  ExpectSameAsLibpcap(w.bytes());
}

TEST(PcapRecordSource, OlderPcapVersionsAreLeftToLibpcap) {
  EXPECT_FALSE(internal::IsPcapV24(Bytes(10, 0)));
  Bytes old_version = MixedCapture();
  old_version[6] = 3;  // version 2.3: libpcap's rules for it differ; libpcap reads it
  EXPECT_FALSE(internal::IsPcapV24(old_version));
  auto source = OpenPcapMemory(old_version);
  ASSERT_TRUE(source.ok());
  EXPECT_FALSE((*source)->ReadsStableBatches());
  // pcapng has its own loop (pcapng_record_source_test.cc).
  testing::PcapngWriter ng(kLinkEthernet);
  ng.Add(1, PacketBuilder().Ipv4("10.0.0.1", "10.0.0.2").Udp(1, 2).Build(kLinkEthernet));
  EXPECT_FALSE(internal::IsPcapV24(ng.bytes()));
}

}  // namespace
}  // namespace mw::net
