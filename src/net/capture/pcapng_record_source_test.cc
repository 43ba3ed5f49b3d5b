// Our pcapng loop: the same frames as libpcap wherever libpcap reads a file to its end, and the
// files libpcap refuses that we read (interfaces of different link types or snapshot lengths,
// sections of different byte orders, large blocks).
#include "net/capture/pcapng_record_source.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "net/capture/reading_test_util.h"
#include "net/decode/decoder.h"
#include "net/decode/packet.h"
#include "net/testing/packet_builder.h"

namespace mw::net {
namespace {

using namespace capture_testing;
using testing::PacketBuilder;

// Writes pcapng blocks, each section in the byte order it was started with.
class NgBuilder {
 public:
  explicit NgBuilder(bool big_endian = false) { Section(big_endian); }

  NgBuilder& Section(bool big_endian, uint16_t major = 1) {
    big_ = big_endian;
    Bytes body;
    U32(body, 0x1A2B3C4D);
    U16(body, major);
    U16(body, 0);
    U32(body, 0xFFFFFFFF);  // section length unknown
    U32(body, 0xFFFFFFFF);
    return Block(0x0A0D0D0A, body);
  }
  // Options: code, value (padded here); the end-of-options option is added.
  NgBuilder& Interface(int link_type, uint32_t snaplen = 262144,
                       std::vector<std::pair<uint16_t, Bytes>> options = {}) {
    Bytes body;
    U16(body, uint16_t(link_type));
    U16(body, 0);
    U32(body, snaplen);
    for (const auto& [code, value] : options) {
      U16(body, code);
      U16(body, uint16_t(value.size()));
      body.insert(body.end(), value.begin(), value.end());
      body.resize((body.size() + 3) & ~size_t{3}, 0);
    }
    if (!options.empty()) U32(body, 0);
    return Block(1, body);
  }
  NgBuilder& Enhanced(uint32_t interface, uint64_t ticks, const Bytes& frame,
                      uint32_t wire_len = 0) {
    Bytes body;
    U32(body, interface);
    U32(body, uint32_t(ticks >> 32));
    U32(body, uint32_t(ticks));
    U32(body, uint32_t(frame.size()));
    U32(body, wire_len != 0 ? wire_len : uint32_t(frame.size()));
    body.insert(body.end(), frame.begin(), frame.end());
    return Block(6, body);
  }
  NgBuilder& Simple(const Bytes& frame, uint32_t wire_len) {
    Bytes body;
    U32(body, wire_len);
    body.insert(body.end(), frame.begin(), frame.end());
    return Block(3, body);
  }
  NgBuilder& Obsolete(uint16_t interface, uint64_t ticks, const Bytes& frame) {
    Bytes body;
    U16(body, interface);
    U16(body, 0);  // drops
    U32(body, uint32_t(ticks >> 32));
    U32(body, uint32_t(ticks));
    U32(body, uint32_t(frame.size()));
    U32(body, uint32_t(frame.size()));
    body.insert(body.end(), frame.begin(), frame.end());
    return Block(2, body);
  }
  NgBuilder& Block(uint32_t type, Bytes body) {
    body.resize((body.size() + 3) & ~size_t{3}, 0);
    const uint32_t total = uint32_t(body.size() + 12);
    U32(out_, type);
    U32(out_, total);
    out_.insert(out_.end(), body.begin(), body.end());
    U32(out_, total);
    return *this;
  }
  const Bytes& bytes() const { return out_; }

  void U16(Bytes& b, uint16_t v) const {
    b.push_back(uint8_t(big_ ? v >> 8 : v));
    b.push_back(uint8_t(big_ ? v : v >> 8));
  }
  void U32(Bytes& b, uint32_t v) const {
    for (int i = 0; i < 4; ++i) b.push_back(uint8_t(v >> (big_ ? 24 - 8 * i : 8 * i)));
  }
  Bytes U64(uint64_t v) const {
    Bytes b;
    for (int i = 0; i < 8; ++i) b.push_back(uint8_t(v >> (big_ ? 56 - 8 * i : 8 * i)));
    return b;
  }

 private:
  bool big_ = false;
  Bytes out_;
};

Bytes Frame(int link, int i, size_t payload = 40) {
  PacketBuilder b;
  if (i % 2 == 0) b.Ipv4("10.0.0.1", "10.0.0.2").Udp(uint16_t(1000 + i), 53);
  else b.Ipv6("::1", "::2").Tcp(uint16_t(2000 + i), 443, uint32_t(i), 0, kTcpAck);
  return b.Payload(std::string(payload + size_t(i) % 50, char('a' + i % 26))).Build(link);
}

// One Ethernet interface, every packet block kind, skipped blocks between them, and the
// resolution and offset options.
Bytes OneInterface(bool big_endian, std::vector<std::pair<uint16_t, Bytes>> options) {
  NgBuilder ng(big_endian);
  ng.Block(4, Bytes(24, 0));  // name resolution: skipped
  ng.Interface(kLinkEthernet, 262144, std::move(options));
  for (int i = 0; i < 60; ++i) {
    const uint64_t ticks = 1'700'000'000'123'456ull * 1000 + uint64_t(i) * 7'654'321;
    if (i % 10 == 3) {
      ng.Simple(Frame(kLinkEthernet, i), uint32_t(Frame(kLinkEthernet, i).size()));
    } else if (i % 10 == 7) {
      ng.Obsolete(0, ticks, Frame(kLinkEthernet, i));
    } else {
      ng.Enhanced(0, ticks, Frame(kLinkEthernet, i), uint32_t(Frame(kLinkEthernet, i).size() + 4));
    }
    if (i % 17 == 0) ng.Block(5, Bytes(20, 1));  // interface statistics: skipped
  }
  // A second section like the first: libpcap reads on.
  ng.Section(big_endian);
  ng.Interface(kLinkEthernet);
  ng.Enhanced(0, 1'700'000'100'000'000ull, Frame(kLinkEthernet, 1));
  return ng.bytes();
}

TEST(PcapngRecordSource, ReadsAsLibpcapReads) {
  const std::vector<std::pair<std::string, std::vector<std::pair<uint16_t, Bytes>>>> cases = {
      {"default microseconds", {}},
      {"nanoseconds", {{9, Bytes{9}}}},
      {"milliseconds", {{9, Bytes{3}}}},
      {"2^-20 seconds", {{9, Bytes{0x80 | 20}}}},
      {"2^-50 seconds (libpcap's arithmetic wraps)", {{9, Bytes{0x80 | 50}}}},
  };
  for (bool big : {false, true}) {
    for (const auto& [label, options] : cases) {
      SCOPED_TRACE(label + (big ? ", big-endian" : ", little-endian"));
      const Bytes capture = OneInterface(big, options);
      ASSERT_TRUE(internal::IsPcapng(capture));
      ExpectSameAsLibpcap(capture, "", "same.pcapng");
      ExpectSameAsLibpcap(capture, "udp", "same.pcapng");
    }
    // An offset in seconds added to every time.
    NgBuilder b(big);
    auto offset = OneInterface(big, {{14, b.U64(86'400)}});
    ExpectSameAsLibpcap(offset, "", "offset.pcapng");
  }
}

// Larger than the read buffer, with a block larger than it: blocks straddle refills, batches
// stay valid, the buffer grows for the big block.
TEST(PcapngRecordSource, FilesAndBlocksLargerThanTheReadBuffer) {
  NgBuilder ng;
  ng.Interface(kLinkRaw);
  for (int i = 0; i < 4000; ++i) {
    ng.Enhanced(0, uint64_t(i) * 1000, Frame(kLinkRaw, i, 100 + size_t(i) * 611 % 1400));
  }
  ASSERT_GT(ng.bytes().size(), 3 * kFileReadBufferBytes);
  ExpectSameAsLibpcap(ng.bytes(), "", "large.pcapng");

  // A 3 MiB custom block.
  ng.Block(0x00000BAD, Bytes(3 << 20, 0x5A));
  ng.Enhanced(0, 5'000'000'000, Frame(kLinkRaw, 9));
  const std::string path = TempFile("big_block.pcapng", ng.bytes());
  auto source = OpenPcapFile(path);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  const Reading ours = ReadAll(**source, true);
  EXPECT_EQ(ours.end, NextResult::kEnd) << (*source)->status().ToString();
  ASSERT_EQ(ours.frames.size(), 4001u);
  EXPECT_EQ(ours.frames.back().ts_us, 5'000'000'000);
  ExpectSameAsLibpcap(ng.bytes(), "", "big_block.pcapng");
}

// The files libpcap refuses: each interface keeps its own link type and snapshot length, each
// section its own byte order.
TEST(PcapngRecordSource, InterfacesOfDifferentLinkTypesAndSections) {
  NgBuilder ng;
  ng.Interface(kLinkEthernet);
  ng.Interface(kLinkRawAlt, 96);
  ng.Interface(kLinkLinuxSll2);
  ng.Interface(147);  // LINKTYPE_USER0: the decoder does not know it
  ng.Enhanced(0, 1'000'000, Frame(kLinkEthernet, 0));
  ng.Enhanced(1, 2'000'000, Frame(kLinkRawAlt, 1, 20));  // fits the 96-byte snapshot
  ng.Enhanced(2, 3'000'000, Frame(kLinkLinuxSll2, 2));
  ng.Enhanced(3, 4'000'000, Bytes(30, 0xEE));
  ng.Section(/*big_endian=*/true);
  ng.Interface(kLinkRaw, 262144, {{9, Bytes{9}}});  // nanoseconds
  ng.Enhanced(0, 5'000'000'000, Frame(kLinkRaw, 4));
  const Bytes capture = ng.bytes();

  auto libpcap = OpenPcapMemory(capture, {.bpf_filter = "", .records = PcapRecords::kLibpcap});
  ASSERT_TRUE(libpcap.ok());
  const Reading refused = ReadAll(**libpcap, false);
  EXPECT_EQ(refused.end, NextResult::kError);
  EXPECT_NE((*libpcap)->status().message().find("different from the type of the first"),
            std::string::npos);

  for (bool from_file : {false, true}) {
    for (bool batched : {false, true}) {
      SCOPED_TRACE(std::string(from_file ? "file" : "memory") + (batched ? ", batched" : ""));
      auto source = from_file ? OpenPcapFile(TempFile("mixed.pcapng", capture))
                              : OpenPcapMemory(capture);
      ASSERT_TRUE(source.ok()) << source.status().ToString();
      EXPECT_EQ((*source)->link_type(), kLinkEthernet);  // the first interface's
      const Reading ours = ReadAll(**source, batched);
      ASSERT_EQ(ours.end, NextResult::kEnd) << (*source)->status().ToString();
      ASSERT_EQ(ours.frames.size(), 5u);
      // (Raw IP's LINKTYPE_RAW, 101, reads as DLT_RAW, as libpcap reports it.)
      const std::vector<int> links = {kLinkEthernet, kLinkRaw, kLinkLinuxSll2, 147, kLinkRaw};
      Decoder decoder;
      for (size_t i = 0; i < 5; ++i) {
        EXPECT_EQ(ours.frames[i].link_type, links[i]) << i;
        EXPECT_EQ(ours.frames[i].ts_us, int64_t(i + 1) * 1'000'000) << i;
        DecodedPacket p;
        const DecodeResult r = decoder.Decode(ours.frames[i].link_type, ours.frames[i].bytes.data(),
                                              ours.frames[i].cap_len, ours.frames[i].wire_len,
                                              ours.frames[i].ts_us, p);
        EXPECT_EQ(r == DecodeResult::kIp, links[i] != 147) << i;
      }
      EXPECT_EQ(ours.packets, 5u);
      EXPECT_EQ(ours.read_errors, 0u);
    }
  }

  // A filter runs on each interface's frames compiled for its link type; the decoder's unknown
  // link type passes unfiltered (the decoder counts it).
  auto filtered = OpenPcapMemory(capture, {.bpf_filter = "udp"});
  ASSERT_TRUE(filtered.ok()) << filtered.status().ToString();
  const Reading udp = ReadAll(**filtered, true);
  ASSERT_EQ(udp.end, NextResult::kEnd) << (*filtered)->status().ToString();
  // Frames 0, 2 and 4 are UDP; 1 is TCP; 3 has an unknown link type.
  ASSERT_EQ(udp.frames.size(), 4u);
  EXPECT_EQ(udp.frames[0].link_type, kLinkEthernet);
  EXPECT_EQ(udp.frames[1].link_type, kLinkLinuxSll2);
  EXPECT_EQ(udp.frames[2].link_type, 147);
  EXPECT_EQ(udp.frames[3].link_type, kLinkRaw);
  EXPECT_EQ(udp.filtered, 1u);

  // A filter that compiles for the first interface but not for a later one's link type.
  auto ether_only = OpenPcapMemory(capture, {.bpf_filter = "ether host 00:11:22:33:44:55"});
  ASSERT_TRUE(ether_only.ok()) << ether_only.status().ToString();
  const Reading stopped = ReadAll(**ether_only, false);
  EXPECT_EQ(stopped.end, NextResult::kError);
  EXPECT_EQ(stopped.read_errors, 1u);
  const std::string why = (*ether_only)->status().message();
  EXPECT_NE(why.find("BPF filter 'ether host 00:11:22:33:44:55' does not compile for interface 1 "
                     "(link type "),
            std::string::npos)
      << why;
}

// Damaged blocks end the reading where libpcap ends it, with the same counters.
TEST(PcapngRecordSource, DamagedFilesEndAsLibpcapEndsThem) {
  NgBuilder ng;
  ng.Interface(kLinkEthernet, 1000);
  for (int i = 0; i < 20; ++i) ng.Enhanced(0, uint64_t(i), Frame(kLinkEthernet, i));
  const Bytes good = ng.bytes();
  const size_t shb = 28, idb = 20;
  const size_t first_epb = shb + idb;
  size_t at = first_epb;  // the eleventh packet block (frames differ in size)
  for (int i = 0; i < 10; ++i) at += good[at + 4] | good[at + 5] << 8 | good[at + 6] << 16;
  auto patch32 = [](Bytes b, size_t where, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[where + i] = uint8_t(v >> (8 * i));
    return b;
  };
  struct Case {
    std::string label;
    Bytes bytes;
  };
  const std::vector<Case> cases = {
      {"cut inside a block", Bytes(good.begin(), good.begin() + long(at + 30))},
      {"cut inside a block header", Bytes(good.begin(), good.begin() + long(at + 5))},
      {"cut after a whole block", Bytes(good.begin(), good.begin() + long(at))},
      {"length not a multiple of 4", patch32(good, at + 4, 63)},
      {"length below 12", patch32(good, at + 4, 8)},
      {"trailer differs", patch32(good, at + 40, 0x12345678)},
      {"undeclared interface", patch32(good, at + 8, 3)},
      {"captured length past the snapshot", patch32(good, at + 20, 1001)},
      {"captured length past the block", patch32(good, at + 20, 900)},
      {"only the headers", Bytes(good.begin(), good.begin() + long(first_epb))},
      // libpcap checks the first section header's length, not its trailer.
      {"first section header's trailer differs", patch32(good, shb - 4, 0x12345678)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    ExpectSameAsLibpcap(c.bytes, "", "damaged.pcapng");
  }
  // Bad interface options and a bad second section.
  for (const auto& options : std::vector<std::vector<std::pair<uint16_t, Bytes>>>{
           {{9, Bytes{1, 2}}}, {{9, Bytes{0x80 | 64}}}, {{9, Bytes{20}}}, {{14, Bytes{1, 2, 3}}},
           {{9, Bytes{6}}, {9, Bytes{6}}}}) {
    NgBuilder bad;
    bad.Interface(kLinkEthernet);
    bad.Enhanced(0, 1, Frame(kLinkEthernet, 0));
    bad.Interface(kLinkEthernet, 262144, options);
    bad.Enhanced(1, 2, Frame(kLinkEthernet, 1));
    ExpectSameAsLibpcap(bad.bytes(), "", "options.pcapng");
  }
  NgBuilder version;
  version.Interface(kLinkEthernet);
  version.Enhanced(0, 1, Frame(kLinkEthernet, 0));
  version.Section(false, /*major=*/2);
  ExpectSameAsLibpcap(version.bytes(), "", "version.pcapng");

  // Interfaces past the limit of one section end the reading (memory stays bounded).
  NgBuilder many;
  for (size_t i = 0; i <= internal::kMaxPcapngInterfaces; ++i) many.Interface(kLinkEthernet);
  auto crowded = OpenPcapMemory(many.bytes());
  ASSERT_TRUE(crowded.ok());
  const Reading cut = ReadAll(**crowded, true);
  EXPECT_EQ(cut.end, NextResult::kError);
  EXPECT_NE((*crowded)->status().message().find("more than 65536 interfaces in one section"),
            std::string::npos)
      << (*crowded)->status().message();

  // Our message names the file, the packets read and libpcap's reason.
  auto source = OpenPcapMemory(patch32(good, at + 8, 3));
  ASSERT_TRUE(source.ok());
  const Reading r = ReadAll(**source, false);
  EXPECT_EQ(r.frames.size(), 10u);
  EXPECT_EQ((*source)->status().message(),
            "memory: read error after 10 packet(s): a packet arrived on interface 3, but there's "
            "no Interface Description Block for that interface");
}

}  // namespace
}  // namespace mw::net

namespace mw::net {
namespace {

// Writes `bytes` into a new FIFO in chunks (so that reads come back partial) from a thread, while
// the caller reads the FIFO by its path: how `--pcap -` reads a pipe.
class FifoWriter {
 public:
  FifoWriter(const std::string& name, Bytes bytes)
      : path_(TempFile(name, Bytes{0})) {
    std::filesystem::remove(path_);
    EXPECT_EQ(mkfifo(path_.c_str(), 0600), 0);
    thread_ = std::thread([this, b = std::move(bytes)] {
      FILE* f = std::fopen(path_.c_str(), "wb");
      if (f == nullptr) return;
      for (size_t at = 0; at < b.size(); at += 777) {
        std::fwrite(b.data() + at, 1, std::min<size_t>(777, b.size() - at), f);
        std::fflush(f);
      }
      std::fclose(f);
    });
  }
  ~FifoWriter() {
    thread_.join();
    std::filesystem::remove(path_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::thread thread_;
};

Reading ReadFifo(const std::string& name, const Bytes& bytes, bool batched,
                 std::string* error = nullptr, bool* stable = nullptr) {
  FifoWriter writer(name, bytes);
  auto source = OpenPcapFile(writer.path());
  if (!source.ok()) {
    if (error != nullptr) *error = source.status().message();
    return Reading{};
  }
  if (stable != nullptr) *stable = (*source)->ReadsStableBatches();
  Reading r = ReadAll(**source, batched);
  if (error != nullptr) *error = (*source)->status().message();
  return r;
}

// Pipes (standard input, FIFOs) are read by our loops too, as bytes arrive, with the frames
// libpcap gives for the same bytes; a pcapng of mixed interfaces from a pipe is read as from a
// file; what is neither classic pcap 2.4 nor pcapng goes to libpcap whole.
TEST(PcapngRecordSource, PipesReadAsFiles) {
  std::signal(SIGPIPE, SIG_IGN);  // a reader that gives up early: the writer gets EPIPE
  testing::PcapWriter pcap(kLinkEthernet);
  for (int i = 0; i < 300; ++i) pcap.Add(int64_t(i) * 1000, Frame(kLinkEthernet, i, 500));
  NgBuilder mixed;
  mixed.Interface(kLinkEthernet);
  mixed.Interface(kLinkRawAlt);
  for (int i = 0; i < 300; ++i) {
    const int link = i % 2 == 0 ? kLinkEthernet : kLinkRawAlt;
    mixed.Enhanced(uint32_t(i % 2), uint64_t(i) * 1000, Frame(link, i, 300));
  }
  for (const Bytes* bytes : {&pcap.bytes(), &mixed.bytes()}) {
    auto expected_source = OpenPcapMemory(*bytes);
    ASSERT_TRUE(expected_source.ok());
    const Reading expected = ReadAll(**expected_source, false);
    ASSERT_EQ(expected.frames.size(), 300u);
    for (bool batched : {false, true}) {
      bool stable = false;
      std::string error;
      const Reading got = ReadFifo("pipe", *bytes, batched, &error, &stable);
      EXPECT_TRUE(stable);  // our loop, not libpcap's
      EXPECT_EQ(got.end, NextResult::kEnd) << error;
      ASSERT_EQ(got.frames.size(), expected.frames.size());
      for (size_t i = 0; i < got.frames.size(); ++i) {
        ASSERT_EQ(got.frames[i], expected.frames[i]) << i;
      }
      EXPECT_EQ(got.packets, 300u);
    }
  }

  // pcap 2.3 (libpcap's to read) and bytes that are no capture: libpcap gets the whole stream.
  Bytes old_version = pcap.bytes();
  old_version[6] = 3;
  auto reference = OpenPcapMemory(old_version);
  ASSERT_TRUE(reference.ok());
  bool stable = true;
  std::string error;
  const Reading old_read = ReadFifo("old", old_version, false, &error, &stable);
  EXPECT_FALSE(stable);
  EXPECT_EQ(old_read.frames, ReadAll(**reference, false).frames);
  ReadFifo("junk", Bytes(100, 'x'), false, &error);
  EXPECT_NE(error.find("unknown file format"), std::string::npos) << error;
  ReadFifo("empty", Bytes{}, false, &error);
  EXPECT_NE(error.find("cannot read capture file"), std::string::npos) << error;
  // A pcapng stream cut before its first interface: libpcap's reason.
  ReadFifo("no_interface", Bytes(mixed.bytes().begin(), mixed.bytes().begin() + 28), false,
           &error);
  EXPECT_NE(error.find("no Interface Description Blocks"), std::string::npos) << error;
  // Cut in a packet block: counted and said, after the frames before it.
  const Bytes& m = mixed.bytes();
  const Reading cut = ReadFifo("cut", Bytes(m.begin(), m.end() - 100), true, &error);
  EXPECT_EQ(cut.end, NextResult::kError);
  EXPECT_EQ(cut.read_errors, 1u);
  EXPECT_EQ(cut.frames.size(), 299u);
  EXPECT_NE(error.find("truncated pcapng dump file"), std::string::npos) << error;
}

}  // namespace
}  // namespace mw::net
