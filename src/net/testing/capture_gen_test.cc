#include "net/testing/capture_gen.h"

#include <gtest/gtest.h>

#include <string>

#include "net/capture/packet_source.h"
#include "net/decode/decoder.h"
#include "net/flow/flow_table.h"

namespace mw::net::testing {
namespace {

class Counting : public FlowListener {
 public:
  void OnData(Flow&, Direction d, ByteSpan data, int64_t) override {
    if (AsString(data).find("\"mining.subscribe\"") != std::string::npos &&
        d == Direction::kToResponder) {
      ++subscribes;
    }
  }
  void OnGap(Flow&, Direction, uint32_t, int64_t) override { ++gaps; }
  int subscribes = 0, gaps = 0;
};

TEST(MixedCapture, WholePacketLayerSeesEveryGeneratedFlow) {
  MixedCaptureOptions options;
  options.flows = 3000;
  options.concurrent_flows = 200;
  options.mining_fraction = 0.05;
  CaptureSummary summary;
  const Bytes capture = MixedCaptureBytes(options, &summary);
  EXPECT_EQ(summary.flows, 3000u);
  EXPECT_GT(summary.mining_flows, 100u);
  EXPECT_LT(summary.mining_flows, 200u);

  auto source = OpenPcapMemory(capture);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  Decoder decoder;
  Counting consumer;
  FlowTable table(FlowTableConfig{}, &consumer);
  RawPacket raw;
  DecodedPacket p;
  while ((*source)->Next(raw) == NextResult::kPacket) {
    ASSERT_EQ(decoder.Decode(raw.link_type, raw.data, raw.cap_len, raw.wire_len, raw.ts_us, p),
              DecodeResult::kIp);
    table.Process(p);
  }
  table.Flush();
  EXPECT_EQ(decoder.stats().packets, summary.packets);
  EXPECT_EQ(decoder.stats().malformed, 0u);
  EXPECT_EQ(table.stats().flows_created, summary.flows);
  EXPECT_EQ(table.stats().tcp_mid_session, 0u);
  EXPECT_EQ(table.stats().Ended(EndReason::kShutdown) + table.stats().Ended(EndReason::kTcpClosed),
            summary.flows);
  EXPECT_EQ(consumer.subscribes, static_cast<int>(summary.mining_flows));
  EXPECT_EQ(consumer.gaps, 0);
  EXPECT_EQ(table.reassembly_stats().segments_out_of_order, 0u);
}

TEST(MixedCapture, SameSeedSameBytes) {
  MixedCaptureOptions options;
  options.flows = 50;
  EXPECT_EQ(MixedCaptureBytes(options), MixedCaptureBytes(options));
  options.seed = 2;
  const Bytes other = MixedCaptureBytes(options);
  options.seed = 1;
  EXPECT_NE(MixedCaptureBytes(options), other);
}

}  // namespace
}  // namespace mw::net::testing
