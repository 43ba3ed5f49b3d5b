// Per-flow state of the sensor pipeline: the detectors' FlowRecord and the analyzers the flow
// turned out to need. Owned by the flow (net::FlowAttachment); private to src/sensor.
// Analyzers are created when the flow's payload first needs them (a flow without payload, or a
// TLS flow, never builds a Stratum analyzer), and the state is kept small: flows are many and
// mostly cold, so every cache line of it costs when a flow ends or is evicted.
#pragma once

#include <memory>

#include "analyzers/dns/dns_analyzer.h"
#include "analyzers/http/http_analyzer.h"
#include "analyzers/stratum/stratum_analyzer.h"
#include "analyzers/sv2/sv2_analyzer.h"
#include "analyzers/tls/tls_analyzer.h"
#include "detectors/common/flow_record.h"
#include "net/flow/flow.h"
#include "proto/websocket/frame.h"
#include "sensor/sensor_pipeline.h"

namespace mw::sensor {

class SensorPipeline::FlowState final : public net::FlowAttachment {
 public:
  // Small, per-segment fields first: they and the start of `rec` share the first cache lines.
  const net::Flow* flow = nullptr;  // for the stratum callback
  int64_t current_ts_us = 0;
  uint32_t stratum_events = 0;
  uint32_t segments_since_inspect = 0;
  bool first_data_seen[2] = {false, false};
  bool http_upgrade_requested = false;
  bool tls_ruled_out[2] = {false, false};  // that direction showed bytes other than TLS records
  // The TLS analyzer found the server's direction encrypted (mirrored here after each feed of
  // that direction, the only one that changes it: the analyzer is a cache miss, this is not).
  bool tls_server_encrypted = false;
  // The flow's first bytes (either direction) looked like a TLS record header. Its Stratum is
  // then looked for only behind a decoy. The TLS analyzer itself is built only for a direction
  // whose first header holds (most look-alikes fail on it).
  bool tls_like = false;
  // A TCP flow not on port 53: Stratum (any port) and Stratum V2 are candidates. The Stratum
  // analyzer is built when bytes are first fed to it (or a gap is reported); the SV2 analyzer at
  // the first payload, and never again once it decided the flow is not SV2.
  bool stratum_candidate = false;
  bool sv2_started = false;
  // The flow's Stratum verdict and metadata are complete (its session alert is raised, its
  // dialect known and no more "stratum" events are due): later lines are counted, not decoded.
  bool stratum_final = false;
  // The client's bytes looked like TLS records but broke off, with a Stratum object right
  // after (a decoy): the Stratum analyzer takes the flow despite the TLS one.
  bool stratum_after_tls = false;
  std::unique_ptr<analyzers::StratumAnalyzer> stratum;
  std::unique_ptr<analyzers::tls::TlsAnalyzer> tls;
  std::unique_ptr<analyzers::http::HttpAnalyzer> http;
  std::unique_ptr<analyzers::dns::DnsAnalyzer> dns;
  std::unique_ptr<analyzers::sv2::Sv2Analyzer> sv2;
  std::unique_ptr<websocket::FrameDecoder> ws[2];
  detectors::FlowRecord rec;

  // Back to the state of a new flow, keeping the allocations of the record's sample buffers,
  // alert list, server name, DNS query list and TLS/HTTP facts (emptied) for the next flow.
  void Recycle() {
    auto client = rec.seg[0].samples.TakeSpill();
    auto server = rec.seg[1].samples.TakeSpill();
    auto alerted = std::move(rec.alerted);
    auto server_name = std::move(rec.server_name);
    auto dns_queries = std::move(rec.dns_queries);
    auto tls_facts = std::move(rec.tls);
    auto http_facts = std::move(rec.http);
    alerted.clear();
    server_name.clear();
    dns_queries.clear();
    tls_facts.reset();
    http_facts.reset();
    std::destroy_at(this);  // the final class: no virtual dispatch; then a fresh one in place
    std::construct_at(this);
    rec.seg[0].samples.AdoptSpill(std::move(client));
    rec.seg[1].samples.AdoptSpill(std::move(server));
    rec.alerted = std::move(alerted);
    rec.server_name = std::move(server_name);
    rec.dns_queries = std::move(dns_queries);
    rec.tls = std::move(tls_facts);
    rec.http = std::move(http_facts);
  }
};

}  // namespace mw::sensor
