// The whole sensor pipeline on an arbitrary capture file: pcap parsing, decoding, flows and
// reassembly, every analyzer the bytes call for (Stratum, WebSocket, HTTP, TLS, DNS, SV2), the
// detectors and the event encoding. Must never crash, hang or leak.
#include <cstdint>

#include "core/counters.h"
#include "net/capture/frame_batch.h"
#include "net/capture/packet_source.h"
#include "proto/events/event_sink.h"
#include "sensor/sensor_pipeline.h"

namespace {

class CountingSink : public mw::events::EventSink {
 public:
  void Emit(const mw::events::Event& e) override {
    // Every event must encode and parse back.
    auto back = mw::events::ParseEvent(mw::events::ToJsonLine(e));
    if (!back.ok()) __builtin_trap();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto src = mw::net::OpenPcapMemory(mw::ByteSpan(data, size));
  if (!src.ok()) return 0;
  CountingSink sink;
  mw::CounterSet counters;
  mw::sensor::SensorConfig config;
  config.flows.max_flows = 64;
  config.flow_events = mw::sensor::FlowEvents::kAll;
  mw::sensor::SensorPipeline pipeline(config, nullptr, &sink, &counters);
  // Both entry points: batches, as `minewatch sensor` reads files, and frame by frame, as it
  // reads live interfaces (chosen by the input's size, so that both see every shape of input).
  if (size % 2 == 0) {
    mw::net::FrameBatch batch;
    mw::net::NextResult r;
    int frames = 0;
    do {
      r = batch.Fill(**src);
      pipeline.ProcessFrames(batch.frames());
      frames += int(batch.size());
    } while (r == mw::net::NextResult::kPacket && frames < 10000);
  } else {
    mw::net::RawPacket frame;
    for (int i = 0; i < 10000 && (*src)->Next(frame) == mw::net::NextResult::kPacket; ++i) {
      pipeline.ProcessFrame(frame);
    }
  }
  pipeline.Finish();
  return 0;
}
