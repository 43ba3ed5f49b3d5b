// The network sensor's pipeline: captured frames -> decoder -> flow table with TCP reassembly ->
// protocol analyzers per flow (Stratum, WebSocket, HTTP, TLS, DNS, Stratum V2) -> detectors ->
// events (alerts, plus "stratum", "dns" and "flow" metadata) to an EventSink.
//
// One pipeline per thread; not thread-safe. The sink, the intel snapshot (until SetIntel() replaces
// it) and the counters must outlive the pipeline. Call Finish() at the end of input to end every flow (flows still open then
// are inspected one last time).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/dns/dns_cache.h"
#include "analyzers/tls/certificate_cache.h"
#include "core/counters.h"
#include "detectors/common/detector.h"
#include "detectors/pool_name/pool_name_detector.h"
#include "intel/snapshot.h"
#include "net/capture/packet_source.h"
#include "net/decode/decoder.h"
#include "net/flow/flow_table.h"
#include "proto/events/event_sink.h"
#include "proto/stratum/stratum_codec.h"

namespace mw::analyzers::tls {
class TlsAnalyzer;
}
namespace mw::analyzers::sv2 {
class Sv2Analyzer;
}
namespace mw::analyzers::dns {
class DnsAnalyzer;
}
namespace mw::analyzers::http {
class HttpAnalyzer;
}

namespace mw::sensor {

enum class FlowEvents : uint8_t {
  kNone,     // alerts only
  kMining,   // "flow" and "stratum" events for flows that raised an alert or spoke a dialect
  kAll,      // a "flow" event for every flow
};

struct SensorConfig {
  std::string sensor_name = "minewatch-sensor";
  FlowEvents flow_events = FlowEvents::kMining;
  uint32_t max_stratum_events_per_flow = 8;  // "stratum" metadata events per flow
  net::FlowTableConfig flows;
};

class SensorPipeline : public net::FlowListener {
 public:
  // `intel` may be null (then no list-based detection); `counters` may be null (then they are
  // kept internally). Every pointer given must outlive the pipeline (`intel`: or SetIntel()).
  SensorPipeline(SensorConfig config, const intel::Snapshot* intel, events::EventSink* sink,
                 CounterSet* counters);
  ~SensorPipeline() override;

  // An intel update: matches against `intel` (may be null) from now on; the previous snapshot is
  // not read again and may be freed once this returns. Flows still open are matched again at
  // their next inspection (every few segments, and at their end), so a pool connection that was
  // open before the update is reported; signatures a flow raised already are not raised twice.
  void SetIntel(const intel::Snapshot* intel);

  // One captured frame.
  void ProcessFrame(const net::RawPacket& frame);
  // Frames whose bytes stay valid during the call (a net::FrameBatch): the same as ProcessFrame()
  // on each in order, but a group of them is decoded first and each packet's flow and state are
  // prefetched, so that processing finds them in cache (flows interleave by the thousand).
  void ProcessFrames(std::span<const net::RawPacket> frames);
  // Live capture without traffic: lets timeouts fire.
  void Advance(int64_t now_us);
  // Ends every flow and exports counters.
  void Finish();
  // Copies every stage's counters into the CounterSet given at construction.
  void ExportCounters();

  uint64_t alerts() const { return alerts_; }

  // net::FlowListener
  void OnFlowStart(net::Flow& flow) override;
  void OnData(net::Flow& flow, net::Direction dir, ByteSpan data, int64_t ts_us) override;
  void OnGap(net::Flow& flow, net::Direction dir, uint32_t bytes, int64_t ts_us) override;
  void OnFlowEnd(net::Flow& flow, net::EndReason reason) override;
  void WillEnd(const net::Flow& flow) override;

 private:
  class FlowState;
  class TlsFactsTaker;
  class DnsMessageTaker;
  class HttpRecordTaker;
  FlowState& State(net::Flow& flow);
  // Prefetches the lines of a flow's state that OnData() reads first.
  static void PrefetchState(const net::Flow& flow);
  // The flow's Stratum analyzer, built on first use.
  analyzers::StratumAnalyzer& StratumOf(FlowState& st);
  void OnStratumMessage(FlowState& st, analyzers::Direction dir, const stratum::StratumMeta& m);
  void RunDetectors(net::Flow& flow, FlowState& st, int64_t ts_us);
  void EmitAlert(const net::Flow& flow, FlowState& st, const detectors::Finding& f, int64_t ts_us);
  void EmitFlowEvent(const net::Flow& flow, FlowState& st, net::EndReason reason);
  void FillBase(events::Event& e, const net::Flow& flow, int64_t ts_us) const;
  // Counts the Stratum lines of a flow whose verdict is final instead of decoding them.
  void CountLinesAfterVerdict(std::string_view bytes, bool text);

  SensorConfig config_;
  detectors::PoolNameDetector* pool_name_;  // (among detectors_) the one that reads intel
  events::EventSink* sink_;
  CounterSet own_counters_;  // used when the caller passes no CounterSet
  CounterSet* counters_;
  // The analyzers' and the Stratum codec's own counters ("not_tls", "malformed.<reason>",
  // "v1.lines" ...), each set named after its component so that the same name from two of them
  // stays two counters; ExportCounters() copies them into counters_ as "tls.not_tls" etc.
  CounterSet tls_counters_{"tls"};
  CounterSet dns_counters_{"dns"};
  CounterSet http_counters_{"http"};
  CounterSet sv2_counters_{"sv2"};
  CounterSet stratum_codec_counters_{"stratum"};
  net::Decoder decoder_;
  std::unique_ptr<net::FlowTable> flows_;
  analyzers::dns::DnsCache dns_cache_;
  // Server certificates already parsed (servers send the same one to every client).
  analyzers::tls::CertificateCache certificate_cache_;
  // Moves what a flow's TLS analyzer finds straight into its record (pointed at the flow
  // before each Feed): no event queue between them.
  std::unique_ptr<TlsFactsTaker> tls_taker_;
  // Likewise DNS messages: queries into the flow's record, answers into dns_cache_; each
  // direction's messages are parsed into one reused Message.
  std::unique_ptr<DnsMessageTaker> dns_taker_;
  std::unique_ptr<HttpRecordTaker> http_taker_;
  std::unique_ptr<stratum::Decoder> stratum_decoder_;  // shared by every flow's analyzer
  std::vector<std::unique_ptr<detectors::Detector>> detectors_;
  std::vector<detectors::Finding> findings_;  // scratch
  // States of ended flows, kept for new flows and reset when one takes them: flows start and
  // end by the hundred thousand, and reusing a state saves its allocation and those of its
  // sample buffers. At most max_spares_ (the flow limit) are kept, so the states that exist
  // never outnumber the flow limit (one is made only when none is spare): memory stays bounded
  // by it, and a burst of ending flows (an idle sweep, the end of a capture) frees nothing.
  size_t max_spares_;
  std::vector<std::unique_ptr<FlowState>> spare_states_;
  // Likewise the TLS, SV2, DNS and HTTP analyzers of ended flows (and SV2 analyzers that ruled their
  // flow out), each reused as a freshly constructed one: most TCP flows build an SV2 analyzer.
  std::vector<std::unique_ptr<analyzers::tls::TlsAnalyzer>> spare_tls_;
  std::vector<std::unique_ptr<analyzers::sv2::Sv2Analyzer>> spare_sv2_;
  std::vector<std::unique_ptr<analyzers::dns::DnsAnalyzer>> spare_dns_;
  std::vector<std::unique_ptr<analyzers::http::HttpAnalyzer>> spare_http_;
  uint64_t alerts_ = 0;
  uint64_t states_made_ = 0;  // flow states allocated: never more than the flow limit
  uint64_t frames_ = 0;
  uint64_t not_ip_ = 0;
  uint64_t stratum_flows_final_ = 0;          // flows whose Stratum lines stopped being decoded
  uint64_t stratum_lines_after_verdict_ = 0;  // lines counted, not decoded, on those flows
  uint64_t stratum_tls_decoys_ = 0;  // flows whose client hid Stratum behind a TLS-like prefix
  int64_t last_ts_us_ = 0;
};

}  // namespace mw::sensor
