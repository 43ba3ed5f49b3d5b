#include "net/capture/packet_source.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "net/capture/frame_batch.h"
#include "net/decode/packet.h"
#include "net/testing/packet_builder.h"

namespace mw::net {
namespace {

using testing::PacketBuilder;
using testing::PcapngWriter;
using testing::PcapWriter;

std::string TempPath(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("mw_net_capture_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

Bytes ThreePacketCapture() {
  PcapWriter w(kLinkEthernet);
  w.Add(1'000'000, PacketBuilder().Ipv4("10.0.0.1", "10.0.0.2").Tcp(1, 2, 0, 0, kTcpSyn).Build(1));
  w.Add(1'000'500, PacketBuilder().Ipv4("10.0.0.1", "10.0.0.2").Udp(53, 53).Build(1));
  w.Add(2'000'001, PacketBuilder().Ipv6("::1", "::2").Udp(5, 6).Payload("x").Build(1), 1500);
  return w.bytes();
}

TEST(PcapSource, ReadsFileWithTimestampsAndLengths) {
  const std::string path = TempPath("three.pcap");
  ASSERT_TRUE(testing::WriteBytesToFile(path, ThreePacketCapture()).ok());
  auto source = OpenPcapFile(path);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->link_type(), kLinkEthernet);
  RawPacket p;
  ASSERT_EQ((*source)->Next(p), NextResult::kPacket);
  EXPECT_EQ(p.ts_us, 1'000'000);
  ASSERT_EQ((*source)->Next(p), NextResult::kPacket);
  EXPECT_EQ(p.ts_us, 1'000'500);
  ASSERT_EQ((*source)->Next(p), NextResult::kPacket);
  EXPECT_EQ(p.ts_us, 2'000'001);
  EXPECT_EQ(p.wire_len, 1500u);
  EXPECT_LT(p.cap_len, 1500u);
  EXPECT_EQ((*source)->Next(p), NextResult::kEnd);
  EXPECT_EQ((*source)->stats().packets, 3u);
  EXPECT_TRUE((*source)->status().ok());
}

// Files are read through a kFileReadBufferBytes stdio buffer: packets that straddle buffer
// refills, and a truncated last record, come out as from an unbuffered read.
TEST(PcapSource, ReadsFilesLargerThanTheReadBuffer) {
  PcapWriter w(kLinkEthernet);
  constexpr uint32_t kPackets = 3000;
  for (uint32_t i = 0; i < kPackets; ++i) {
    const std::string payload(100 + (i * 37) % 1300, char('a' + i % 26));
    w.Add(int64_t(i) * 10, PacketBuilder().Ipv4("10.0.0.1", "10.0.0.2")
                               .Udp(uint16_t(1000 + i % 50), 53)
                               .Payload(payload)
                               .Build(1));
  }
  Bytes bytes = w.bytes();
  ASSERT_GT(bytes.size(), 2 * kFileReadBufferBytes);
  bytes.resize(bytes.size() - 10);  // the last record is cut short
  const std::string path = TempPath("large.pcap");
  ASSERT_TRUE(testing::WriteBytesToFile(path, bytes).ok());
  auto source = OpenPcapFile(path);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  RawPacket p;
  uint32_t n = 0;
  NextResult r;
  while ((r = (*source)->Next(p)) == NextResult::kPacket) {
    ASSERT_EQ(p.ts_us, int64_t(n) * 10);
    const size_t payload = 100 + (n * 37) % 1300;
    ASSERT_EQ(p.cap_len, 14u + 20 + 8 + payload);
    ASSERT_EQ(p.data[p.cap_len - 1], uint8_t('a' + n % 26));
    ++n;
  }
  EXPECT_EQ(n, kPackets - 1);
  EXPECT_EQ(r, NextResult::kError);
  EXPECT_NE((*source)->status().message().find("truncated"), std::string::npos)
      << (*source)->status().message();
}

// A batch keeps every frame's bytes valid together, in order, across refills of its buffer.
TEST(FrameBatch, HoldsUpToKMaxFramesWithTheirBytes) {
  PcapWriter w(kLinkEthernet);
  const uint32_t kPackets = 2 * FrameBatch::kMaxFrames + 5;
  for (uint32_t i = 0; i < kPackets; ++i) {
    w.Add(i, PacketBuilder().Ipv4("10.0.0.1", "10.0.0.2").Udp(1, 2)
                 .Payload(std::string(20 + i * 50, char('A' + i % 26)))
                 .Build(1));
  }
  auto source = OpenPcapMemory(w.bytes());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  FrameBatch batch;
  std::vector<size_t> sizes;
  uint32_t n = 0;
  NextResult r;
  do {
    r = batch.Fill(**source);
    sizes.push_back(batch.size());
    for (const RawPacket& f : batch.frames()) {  // all of them, after the batch is complete
      ASSERT_EQ(f.ts_us, int64_t(n));
      ASSERT_EQ(f.cap_len, 14u + 20 + 8 + 20 + n * 50);
      ASSERT_EQ(f.data[f.cap_len - 1], uint8_t('A' + n % 26));
      ++n;
    }
  } while (r == NextResult::kPacket);
  EXPECT_EQ(r, NextResult::kEnd);
  EXPECT_EQ(n, kPackets);
  EXPECT_EQ(sizes, (std::vector<size_t>{FrameBatch::kMaxFrames, FrameBatch::kMaxFrames, 5}));
  EXPECT_EQ(batch.Fill(**source), NextResult::kEnd);
  EXPECT_TRUE(batch.empty());
}

// A pcapng timestamp is 64 bits of ticks: a corrupt one can be far past what microseconds in an
// int64_t hold. Such times are clamped and counted, never overflowed.
TEST(PcapSource, OutOfRangeTimestampsAreClampedAndCounted) {
  PcapngWriter w(kLinkEthernet);
  w.Add(5'000'000, PacketBuilder().Ipv4("10.0.0.1", "10.0.0.2").Udp(1, 2).Build(1));
  w.Add(6'000'000, PacketBuilder().Ipv4("10.0.0.1", "10.0.0.2").Udp(1, 2).Build(1));
  Bytes bytes = w.bytes();
  // Find the first Enhanced Packet Block (type 6) and set its timestamp's high word.
  size_t off = 0;
  bool patched = false;
  while (off + 8 <= bytes.size()) {
    uint32_t type, len;
    std::memcpy(&type, &bytes[off], 4);
    std::memcpy(&len, &bytes[off + 4], 4);
    if (type == 6) {
      const uint32_t high = 0xFFFFF000u;
      std::memcpy(&bytes[off + 12], &high, 4);
      patched = true;
      break;
    }
    ASSERT_GE(len, 12u);
    off += len;
  }
  ASSERT_TRUE(patched);
  auto source = OpenPcapMemory(bytes);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  RawPacket p;
  ASSERT_EQ((*source)->Next(p), NextResult::kPacket);
  EXPECT_EQ(p.ts_us / 1'000'000, kMaxCaptureSeconds - 1);
  ASSERT_EQ((*source)->Next(p), NextResult::kPacket);
  EXPECT_EQ(p.ts_us, 6'000'000);
  EXPECT_EQ((*source)->stats().timestamps_clamped, 1u);
}

TEST(PcapSource, ReadsMemoryAndAppliesFilter) {
  auto source = OpenPcapMemory(ThreePacketCapture(), {.bpf_filter = "udp"});
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  RawPacket p;
  int n = 0;
  while ((*source)->Next(p) == NextResult::kPacket) ++n;
  EXPECT_EQ(n, 2);
  // The rejected record is counted, apart from the packets read.
  EXPECT_EQ((*source)->stats().packets, 2u);
  EXPECT_EQ((*source)->stats().filtered, 1u);
  for (auto records : {PcapRecords::kLibpcap, PcapRecords::kOwnLoop}) {
    auto none = OpenPcapMemory(ThreePacketCapture(), {.bpf_filter = "port 9", .records = records});
    ASSERT_TRUE(none.ok()) << none.status().ToString();
    EXPECT_EQ((*none)->Next(p), NextResult::kEnd);
    EXPECT_EQ((*none)->stats().packets, 0u);
    EXPECT_EQ((*none)->stats().filtered, 3u);
  }
  auto bad = OpenPcapMemory(ThreePacketCapture(), {.bpf_filter = "udp and and"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad BPF filter 'udp and and'"), std::string::npos);
}

TEST(PcapSource, ReadsPcapng) {
  PcapngWriter w(kLinkLinuxSll2);
  w.Add(5'000'000, PacketBuilder().Ipv4("10.0.0.1", "10.0.0.2").Udp(1, 2).Payload("abc").Build(
                       kLinkLinuxSll2));
  w.Add(6'000'000, PacketBuilder().Ipv6("::1", "::2").Udp(1, 2).Build(kLinkLinuxSll2));
  const std::string path = TempPath("two.pcapng");
  ASSERT_TRUE(w.WriteFile(path).ok());
  auto source = OpenPcapFile(path);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->link_type(), kLinkLinuxSll2);
  RawPacket p;
  ASSERT_EQ((*source)->Next(p), NextResult::kPacket);
  EXPECT_EQ(p.ts_us, 5'000'000);
  EXPECT_EQ(p.cap_len, 20u + 20 + 8 + 3);
  ASSERT_EQ((*source)->Next(p), NextResult::kPacket);
  EXPECT_EQ(p.ts_us, 6'000'000);
  EXPECT_EQ((*source)->Next(p), NextResult::kEnd);
}

TEST(PcapSource, OpenErrorsAreOneClearLine) {
  auto missing = OpenPcapFile("/nonexistent/dir/x.pcap");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/dir/x.pcap"), std::string::npos);
  EXPECT_NE(missing.status().message().find("No such file"), std::string::npos);

  const std::string text = "this is not a capture file at all, just some text\n";
  auto not_pcap = OpenPcapMemory(AsBytes(text));
  ASSERT_FALSE(not_pcap.ok());
  EXPECT_NE(not_pcap.status().message().find("unknown file format"), std::string::npos)
      << not_pcap.status().message();

  PcapWriter usb(189);  // LINKTYPE_USB_LINUX
  auto unsupported = OpenPcapMemory(usb.bytes());
  ASSERT_FALSE(unsupported.ok());
  EXPECT_NE(unsupported.status().message().find("unsupported link type 189"), std::string::npos)
      << unsupported.status().message();

  const Bytes full = ThreePacketCapture();
  auto short_header = OpenPcapMemory(ByteSpan(full.data(), 10));
  ASSERT_FALSE(short_header.ok());
  EXPECT_NE(short_header.status().message().find("truncated"), std::string::npos)
      << short_header.status().message();
  for (const auto& s : {missing.status(), not_pcap.status(), unsupported.status()}) {
    EXPECT_EQ(s.message().find('\n'), std::string::npos);
  }
}

TEST(PcapSource, TruncatedRecordIsCountedAndReported) {
  const Bytes full = ThreePacketCapture();
  // Cut inside the last record's data, then inside its header.
  for (size_t cut : {full.size() - 5, full.size() - 30}) {
    auto source = OpenPcapMemory(ByteSpan(full.data(), cut));
    ASSERT_TRUE(source.ok());
    RawPacket p;
    EXPECT_EQ((*source)->Next(p), NextResult::kPacket);
    EXPECT_EQ((*source)->Next(p), NextResult::kPacket);
    EXPECT_EQ((*source)->Next(p), NextResult::kError);
    EXPECT_EQ((*source)->Next(p), NextResult::kError);
    EXPECT_NE((*source)->status().message().find("truncated"), std::string::npos)
        << (*source)->status().message();
    EXPECT_NE((*source)->status().message().find("after 2 packet(s)"), std::string::npos);
    CounterSet counters;
    (*source)->stats().ExportTo(counters);
    EXPECT_EQ(counters.Value("capture.read_errors"), 1u);
    EXPECT_EQ(counters.Value("capture.packets"), 2u);
  }
}

TEST(PcapSource, CorruptRecordLengthIsAnError) {
  Bytes bad = ThreePacketCapture();
  WriteLE32(bad.data() + 24 + 8, 0x7FFFFFFF);  // first record: absurd captured length
  auto source = OpenPcapMemory(bad);
  ASSERT_TRUE(source.ok());
  RawPacket p;
  EXPECT_EQ((*source)->Next(p), NextResult::kError);
  EXPECT_FALSE((*source)->status().ok());
  EXPECT_EQ((*source)->stats().read_errors, 1u);
}

TEST(LiveSource, MissingInterfaceIsAClearError) {
  LiveOptions options;
  options.interface = "mw-no-such-if0";
  auto live = OpenLiveInterface(options);
  ASSERT_FALSE(live.ok());
  const std::string msg = live.status().message();
  EXPECT_NE(msg.find("interface mw-no-such-if0"), std::string::npos) << msg;
  // libpcap's status text and its detail are often the same words: said once.
  const size_t colon = msg.rfind(": ");
  ASSERT_NE(colon, std::string::npos) << msg;
  const std::string last = msg.substr(colon + 2);
  EXPECT_EQ(msg.find(last), colon + 2) << msg;
}

// A missing interface may appear later (ReopeningLiveSource retries Unavailable); no permission
// and a bad filter do not go away by themselves.
TEST(LiveSource, ErrorCodesSayWhatMayPass) {
  LiveOptions options;
  options.interface = "mw-no-such-if0";
  auto missing = OpenLiveInterface(options);
  ASSERT_FALSE(missing.ok());
  const bool denied = missing.status().message().find("permission") != std::string::npos;
  EXPECT_EQ(missing.status().code(),
            denied ? StatusCode::kFailedPrecondition : StatusCode::kUnavailable)
      << missing.status().message();
  options.interface = "lo";
  options.bpf_filter = "tcp port";
  auto bad_filter = OpenLiveInterface(options);
  ASSERT_FALSE(bad_filter.ok());
  EXPECT_NE(bad_filter.status().code(), StatusCode::kUnavailable)
      << bad_filter.status().message();
}

TEST(LiveSource, LoopbackReturnsAfterTimeout) {
  LiveOptions options;
  options.interface = "lo";
  options.bpf_filter = "udp port 9";
  options.read_timeout_ms = 50;
  auto live = OpenLiveInterface(options);
  if (!live.ok()) GTEST_SKIP() << "no capture permission here: " << live.status().message();
  RawPacket p;
  const NextResult r = (*live)->Next(p);
  EXPECT_TRUE(r == NextResult::kTimeout || r == NextResult::kPacket);
  EXPECT_TRUE((*live)->status().ok());
}

// A live batch waits for its first frame only: NextReady() returns at once when nothing is
// ready (here the read timeout is 1.5 s, the bound 0.5 s), and the frames that are ready are
// taken (they show once libpcap hands over its ring block: at the latest after the timeout).
TEST(LiveSource, BatchTakesReadyFramesWithoutWaiting) {
  LiveOptions options;
  options.interface = "lo";
  options.bpf_filter = "udp dst port 47999";
  options.read_timeout_ms = 1500;
  auto live = OpenLiveInterface(options);
  if (!live.ok()) GTEST_SKIP() << "no capture permission here: " << live.status().message();
  RawPacket p;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ((*live)->NextReady(p), NextResult::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500));

  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(47999);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < 3; ++i) {
    const char payload[] = "minewatch-batch-test";
    ASSERT_EQ(sendto(fd, payload, sizeof(payload), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)),
              ssize_t(sizeof(payload)));
  }
  close(fd);
  FrameBatch batch;
  size_t frames = 0;
  for (int round = 0; round < 5 && frames < 3; ++round) {
    const NextResult r = batch.Fill(**live);
    EXPECT_TRUE(r == NextResult::kTimeout || r == NextResult::kPacket);
    frames += batch.size();
    for (const RawPacket& f : batch.frames()) EXPECT_GT(f.cap_len, 20u);
  }
  EXPECT_GE(frames, 3u);
}

}  // namespace
}  // namespace mw::net
