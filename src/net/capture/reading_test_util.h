// Test helpers shared by the capture readers' tests: read a whole source, and compare our
// readers with libpcap's on the same bytes. Test-only (gtest).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "net/capture/frame_batch.h"
#include "net/capture/packet_source.h"
#include "net/testing/packet_builder.h"

namespace mw::net::capture_testing {

struct Frame {
  int64_t ts_us;
  uint32_t cap_len, wire_len;
  int link_type;
  Bytes bytes;
  bool operator==(const Frame&) const = default;
};

struct Reading {
  std::vector<Frame> frames;
  NextResult end = NextResult::kEnd;
  uint64_t packets = 0, bytes = 0, read_errors = 0, clamped = 0, filtered = 0;
  bool batched_stably = false;
};

// Reads a whole source frame by frame, or through FrameBatch, checking every batch's frames
// only after the batch is complete (they must all still be valid).
inline Reading ReadAll(PacketSource& source, bool batched) {
  Reading out;
  out.batched_stably = source.ReadsStableBatches();
  auto keep = [&](const RawPacket& p) {
    out.frames.push_back(
        {p.ts_us, p.cap_len, p.wire_len, p.link_type, Bytes(p.data, p.data + p.cap_len)});
  };
  if (batched) {
    FrameBatch batch;
    NextResult r;
    do {
      r = batch.Fill(source);
      for (const RawPacket& p : batch.frames()) keep(p);
    } while (r == NextResult::kPacket);
    out.end = r;
  } else {
    RawPacket p;
    NextResult r;
    while ((r = source.Next(p)) == NextResult::kPacket) keep(p);
    out.end = r;
  }
  const CaptureStats& s = source.stats();
  out.packets = s.packets;
  out.bytes = s.bytes;
  out.read_errors = s.read_errors;
  out.clamped = s.timestamps_clamped;
  out.filtered = s.filtered;
  return out;
}

inline std::string TempFile(const std::string& name, const Bytes& bytes) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("mw_pcap_records_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  EXPECT_TRUE(testing::WriteBytesToFile(path, bytes).ok());
  return path;
}

// Reads `bytes` with libpcap (the reference) and with our loop, from memory and from a file,
// frame by frame and in batches; every reading must match the reference.
inline void ExpectSameAsLibpcap(const Bytes& bytes, const std::string& filter = "",
                                const std::string& file_name = "variant.pcap") {
  auto reference_source =
      OpenPcapMemory(bytes, {.bpf_filter = filter, .records = PcapRecords::kLibpcap});
  ASSERT_TRUE(reference_source.ok()) << reference_source.status().ToString();
  const Reading reference = ReadAll(**reference_source, false);
  ASSERT_FALSE(reference.batched_stably);
  if (!filter.empty()) {
    EXPECT_GT(reference.filtered, 0u);  // the filter took some records out
  }
  const std::string path = TempFile(file_name, bytes);
  for (bool from_file : {false, true}) {
    for (bool batched : {false, true}) {
      SCOPED_TRACE(std::string(from_file ? "file" : "memory") + (batched ? ", batched" : ""));
      auto source = from_file ? OpenPcapFile(path, {.bpf_filter = filter})
                              : OpenPcapMemory(bytes, {.bpf_filter = filter});
      ASSERT_TRUE(source.ok()) << source.status().ToString();
      const Reading ours = ReadAll(**source, batched);
      EXPECT_TRUE(ours.batched_stably);  // our loop read it, not libpcap
      ASSERT_EQ(ours.frames.size(), reference.frames.size());
      for (size_t i = 0; i < ours.frames.size(); ++i) {
        ASSERT_EQ(ours.frames[i], reference.frames[i]) << "frame " << i;
      }
      EXPECT_EQ(ours.end, reference.end);
      EXPECT_EQ(ours.packets, reference.packets);
      EXPECT_EQ(ours.bytes, reference.bytes);
      EXPECT_EQ(ours.read_errors, reference.read_errors);
      EXPECT_EQ(ours.clamped, reference.clamped);
      EXPECT_EQ(ours.filtered, reference.filtered);
      EXPECT_EQ((*source)->link_type(), (*reference_source)->link_type());
      EXPECT_EQ((*source)->status().ok(), (*reference_source)->status().ok());
    }
  }
}

}  // namespace mw::net::capture_testing
