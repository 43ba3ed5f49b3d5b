#include "sensor/sensor_pipeline.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "core/prefetch.h"
#include "detectors/crypto_p2p/crypto_p2p_detector.h"
#include "detectors/http_mining/http_mining_detector.h"
#include "detectors/mining_rhythm/mining_rhythm_detector.h"
#include "detectors/stratum_session/stratum_session_detector.h"
#include "sensor/flow_state.h"

namespace mw::sensor {
namespace {

using analyzers::Direction;

constexpr uint32_t kInspectEverySegments = 8;

Direction ToAnalyzer(net::Direction d) {
  return d == net::Direction::kToResponder ? Direction::kToServer : Direction::kToClient;
}

bool LooksLikeHttpRequest(ByteSpan d) {
  static constexpr std::string_view kMethods[] = {"GET ", "POST ", "PUT ", "HEAD ", "OPTIONS ",
                                                  "DELETE ", "PATCH ", "CONNECT "};
  const std::string_view s = AsString(d);
  for (std::string_view m : kMethods) {
    if (s.substr(0, m.size()) == m) return true;
  }
  return false;
}

bool LooksLikeTlsRecord(ByteSpan d) {
  return d.size() >= 3 && d[0] == 0x16 && d[1] == 0x03 && d[2] <= 0x04;
}

// A Stratum JSON object starting within a few bytes of where the TLS analyzer gave up (`from`):
// right there, after decoy records (even a real ClientHello: a TLS client never sends
// plaintext after it), or after a bare record header (5 bytes) or a little padding.
constexpr size_t kMaxDecoyPrefixBytes = 16;

// Where that object starts, or npos.
size_t StratumAfterDecoyPrefix(ByteSpan d, size_t from) {
  for (size_t i = from; i < std::min(d.size(), from + kMaxDecoyPrefixBytes); ++i) {
    if (d[i] == '{') return stratum::LooksLikeStratum(d.subspan(i)) ? i : std::string_view::npos;
  }
  return std::string_view::npos;
}

analyzers::dns::IpAddress ToDnsIp(const net::IpAddress& ip) {
  return ip.version == 4 ? analyzers::dns::IpFromV4(ip.bytes.data())
                         : analyzers::dns::IpFromV6(ip.bytes.data());
}

std::string JoinHeaders(const analyzers::http::MiningHeaders& h) {
  std::string out;
  auto add = [&](const char* name, const std::string& v) {
    if (v.empty()) return;
    if (!out.empty()) out += "; ";
    out += std::string(name) + ": " + v;
  };
  add("X-Mining-Extensions", h.x_mining_extensions);
  add("X-Stratum", h.x_stratum);
  add("X-Long-Polling", h.x_long_polling);
  add("X-Roll-NTime", h.x_roll_ntime);
  add("X-Mining-Hashrate", h.x_mining_hashrate);
  return out;
}

// Appends key: value to a JSON object being built whose keys are distinct: no search of the
// keys already there, no initializer-list copies (a sensor writes "stratum" events by the ten
// thousand). The order is the order of the calls, as with operator[].
void AppendField(nlohmann::ordered_json& object, std::string_view key, std::string_view value) {
  object.get_ref<nlohmann::ordered_json::object_t&>().emplace_back(
      std::string(key), nlohmann::ordered_json(std::string(value)));
}

// A spare analyzer made equal to a freshly constructed one, or a new one.
template <typename T, typename... Args>
std::unique_ptr<T> ReuseOrMake(std::vector<std::unique_ptr<T>>& spares, Args... args) {
  if (spares.empty()) return std::make_unique<T>(args...);
  std::unique_ptr<T> p = std::move(spares.back());
  spares.pop_back();
  *p = T(args...);
  return p;
}

template <typename T>
void KeepSpare(std::vector<std::unique_ptr<T>>& spares, std::unique_ptr<T>& p, size_t max) {
  if (p && spares.size() < max) spares.push_back(std::move(p));
  p.reset();
}

}  // namespace

class SensorPipeline::TlsFactsTaker final : public analyzers::tls::TlsListener {
 public:
  // Before each Feed: the fed flow's TLS facts.
  void Point(detectors::TlsFacts* facts) {
    facts_ = facts;
    learnt_ = false;
  }
  bool learnt() const { return learnt_; }  // something arrived since Point()

  // The flow's first hello is parsed straight into its record (a later one, rare, is moved in
  // only once it parsed). Its fingerprints are computed when an event needs them.
  analyzers::tls::ClientHello* ClientHelloTarget() override {
    return facts_->client_hello ? nullptr : &facts_->hello;
  }
  void OnClientHello(Direction, analyzers::tls::ClientHello& hello) override {
    facts_->client_hello = true;
    if (&hello != &facts_->hello) facts_->hello = std::move(hello);
    learnt_ = true;
  }
  // The server's hello and certificate are recorded without asking for an inspection: only the
  // mining-rhythm detector reads them, and it judges a flow by the records that follow the
  // handshake (the next periodic inspection, or the flow's end, sees them).
  void OnServerHello(Direction, analyzers::tls::ServerHello& hello) override {
    facts_->server_alpn = std::move(hello.alpn);
  }
  void OnCertificate(Direction, analyzers::tls::CertificateInfo& cert) override {
    facts_->certificate = true;
    facts_->self_signed = cert.self_signed;
    facts_->self_signed_assumed = cert.self_signed_assumed;
    facts_->cert_subject = std::move(cert.subject);
    facts_->cert_issuer = std::move(cert.issuer);
  }

 private:
  detectors::TlsFacts* facts_ = nullptr;
  bool learnt_ = false;
};

class SensorPipeline::DnsMessageTaker final : public analyzers::dns::DnsListener {
 public:
  explicit DnsMessageTaker(analyzers::dns::DnsCache* cache) : cache_(cache) {}
  // Before each Feed: the fed flow's record and the time.
  void Point(detectors::FlowRecord* rec, int64_t ts_us) {
    rec_ = rec;
    ts_us_ = ts_us;
  }
  analyzers::dns::Message* MessageTarget(Direction dir) override {
    return &scratch_[DirectionIndex(dir)];
  }
  void OnMessage(Direction, analyzers::dns::Message& m) override {
    if (m.is_response) {
      cache_->Insert(m, ts_us_);
    } else {
      for (const auto& q : m.questions) rec_->dns_queries.push_back(q.name);
    }
  }

 private:
  analyzers::dns::DnsCache* cache_;
  detectors::FlowRecord* rec_ = nullptr;
  int64_t ts_us_ = 0;
  analyzers::dns::Message scratch_[2];
};

class SensorPipeline::HttpRecordTaker final : public analyzers::http::HttpListener {
 public:
  explicit HttpRecordTaker(CounterSet* counters) : counters_(counters) {}
  // Before each Feed (and Finish): the fed flow's state.
  void Point(FlowState* st) {
    st_ = st;
    learnt_ = false;
  }
  bool learnt() const { return learnt_; }

  void OnRequest(Direction, analyzers::http::HttpRequestRecord& req) override {
    learnt_ = true;
    detectors::HttpFacts& h = *st_->rec.http;
    // (The record is the analyzer's no more: its strings are moved, not copied. Each is taken
    // at most once below: the first request's, or the one that matched.)
    const bool script = !req.web_miner_script.empty() &&
                        (h.web_miner_script.empty() || h.web_miner_script_weak);
    const bool agent = !req.miner_agent.empty();
    const bool first = h.uri.empty();  // the flow's first request
    if (first || script) {
      h.host = std::move(req.host);
      h.uri = std::move(req.head.uri);
    }
    if (first) h.method = std::move(req.head.method);
    if (first || agent) h.user_agent = std::move(req.user_agent);
    if (agent) h.miner_agent = std::move(req.miner_agent);
    if (script) {
      h.web_miner_script = std::move(req.web_miner_script);
      h.web_miner_script_weak = req.web_miner_script_weak;
    }
    if (req.mining_rpc) {
      h.mining_rpc = true;
      h.rpc_methods = std::move(req.rpc_methods);
    }
    if (req.mining_headers.any()) h.mining_headers = JoinHeaders(req.mining_headers);
    if (req.websocket) {
      st_->http_upgrade_requested = true;
      h.websocket_path = req.websocket->path;
    }
  }

  void OnResponse(Direction, analyzers::http::HttpResponseRecord& resp) override {
    learnt_ = true;
    detectors::HttpFacts& h = *st_->rec.http;
    if (resp.mining_headers.any()) h.mining_headers = JoinHeaders(resp.mining_headers);
    if (resp.websocket_accepted && st_->http_upgrade_requested) {
      h.websocket = true;
      st_->ws[0] = std::make_unique<websocket::FrameDecoder>(websocket::MaskPolicy::kAny);
      st_->ws[1] = std::make_unique<websocket::FrameDecoder>(websocket::MaskPolicy::kAny);
      counters_->Get("websocket.upgrades").Inc();
    }
  }

 private:
  CounterSet* counters_;
  FlowState* st_ = nullptr;
  bool learnt_ = false;
};

SensorPipeline::SensorPipeline(SensorConfig config, const intel::Snapshot* intel,
                               events::EventSink* sink, CounterSet* counters)
    : config_(std::move(config)),
      sink_(sink),
      counters_(counters != nullptr ? counters : &own_counters_),
      tls_taker_(std::make_unique<TlsFactsTaker>()),
      dns_taker_(std::make_unique<DnsMessageTaker>(&dns_cache_)),
      http_taker_(std::make_unique<HttpRecordTaker>(counters_)),
      max_spares_(std::max<size_t>(config_.flows.max_flows, 1)) {
  flows_ = std::make_unique<net::FlowTable>(config_.flows, this);
  stratum_decoder_ = std::make_unique<stratum::Decoder>(stratum_codec_counters_);
  detectors_.push_back(std::make_unique<detectors::StratumSessionDetector>());
  auto pool_name = std::make_unique<detectors::PoolNameDetector>(intel);
  pool_name_ = pool_name.get();
  detectors_.push_back(std::move(pool_name));
  detectors_.push_back(std::make_unique<detectors::HttpMiningDetector>());
  detectors_.push_back(std::make_unique<detectors::MiningRhythmDetector>());
  detectors_.push_back(std::make_unique<detectors::CryptoP2pDetector>());
}

SensorPipeline::~SensorPipeline() = default;

void SensorPipeline::SetIntel(const intel::Snapshot* intel) { pool_name_->SetIntel(intel); }

void SensorPipeline::ProcessFrame(const net::RawPacket& frame) {
  ++frames_;
  net::DecodedPacket p;
  const net::DecodeResult r =
      decoder_.Decode(frame.link_type, frame.data, frame.cap_len, frame.wire_len, frame.ts_us, p);
  last_ts_us_ = std::max(last_ts_us_, frame.ts_us);
  if (r != net::DecodeResult::kIp) {
    if (r == net::DecodeResult::kNotIp) ++not_ip_;
    return;
  }
  flows_->Process(p);
}

void SensorPipeline::ProcessFrames(std::span<const net::RawPacket> frames) {
  // Three passes over a group before it is processed, each issuing the loads the next needs:
  // decode and prefetch the index entry; read it and prefetch the flow; read the flow's state
  // pointer and prefetch the state. The hints never change what processing does.
  constexpr size_t kGroup = 16;
  std::array<net::DecodedPacket, kGroup> packets;
  std::array<net::DecodeResult, kGroup> results;
  std::array<uint32_t, kGroup> hashes;
  std::array<const net::Flow*, kGroup> flows;
  for (size_t base = 0; base < frames.size(); base += kGroup) {
    const size_t n = std::min(kGroup, frames.size() - base);
    for (size_t i = 0; i < n; ++i) {
      const net::RawPacket& f = frames[base + i];
      results[i] = decoder_.Decode(f.link_type, f.data, f.cap_len, f.wire_len, f.ts_us, packets[i]);
      hashes[i] = results[i] == net::DecodeResult::kIp ? flows_->HashOf(packets[i])
                                                       : net::FlowTable::kNoFlowHash;
      if (hashes[i] != net::FlowTable::kNoFlowHash) flows_->PrefetchIndex(hashes[i]);
    }
    for (size_t i = 0; i < n; ++i) {
      flows[i] = hashes[i] != net::FlowTable::kNoFlowHash ? flows_->PrefetchFlow(hashes[i]) : nullptr;
    }
    for (size_t i = 0; i < n; ++i) {
      // (A packet without payload, a bare ACK, never reaches the state: nothing to fetch.)
      if (flows[i] != nullptr && packets[i].payload_len > 0) PrefetchState(*flows[i]);
    }
    for (size_t i = 0; i < n; ++i) {
      ++frames_;
      last_ts_us_ = std::max(last_ts_us_, frames[base + i].ts_us);
      if (results[i] != net::DecodeResult::kIp) {
        if (results[i] == net::DecodeResult::kNotIp) ++not_ip_;
        continue;
      }
      flows_->Process(packets[i], hashes[i]);
    }
  }
}

void SensorPipeline::PrefetchState(const net::Flow& flow) {
  // The state's flags and the record's per-segment fields (flow_state.h keeps them first).
  if (flow.attachment) PrefetchBytes(flow.attachment.get(), 11 * kCacheLineBytes);
}

void SensorPipeline::WillEnd(const net::Flow& flow) {
  // OnFlowEnd() reads the whole state (the detectors' last look at the record).
  if (flow.attachment) PrefetchBytes(flow.attachment.get(), sizeof(FlowState));
}

void SensorPipeline::Advance(int64_t now_us) { flows_->Advance(now_us); }

void SensorPipeline::Finish() {
  flows_->Flush();
  ExportCounters();
}

void SensorPipeline::ExportCounters() {
  decoder_.stats().ExportTo(*counters_);
  flows_->ExportTo(*counters_);
  counters_->Get("sensor.frames").Set(frames_);
  counters_->Get("sensor.not_ip").Set(not_ip_);
  counters_->Get("sensor.alerts").Set(alerts_);
  counters_->Get("sensor.flow_states").Set(states_made_);
  counters_->Get("stratum.flows_final").Set(stratum_flows_final_);
  counters_->Get("stratum.lines_after_verdict").Set(stratum_lines_after_verdict_);
  counters_->Get("stratum.tls_decoys").Set(stratum_tls_decoys_);
  counters_->Get("dns_cache.entries").Set(dns_cache_.size());
  counters_->Get("dns_cache.evictions").Set(dns_cache_.evictions());
  counters_->Get("tls.certificate_cache.hits").Set(certificate_cache_.hits());
  counters_->Get("tls.certificate_cache.misses").Set(certificate_cache_.misses());
  counters_->Get("tls.certificate_whole_decodes").Set(certificate_cache_.whole_decodes());
  counters_->Get("tls.certificate_self_signed_assumed").Set(certificate_cache_.assumed());
  for (const CounterSet* set :
       {&tls_counters_, &dns_counters_, &http_counters_, &sv2_counters_, &stratum_codec_counters_}) {
    for (const auto& [name, value] : set->Snapshot()) counters_->Get(name).Set(value);
  }
}

SensorPipeline::FlowState& SensorPipeline::State(net::Flow& flow) {
  return *static_cast<FlowState*>(flow.attachment.get());
}

void SensorPipeline::OnFlowStart(net::Flow& flow) {
  std::unique_ptr<FlowState> st;
  if (!spare_states_.empty()) {
    st = std::move(spare_states_.back());
    spare_states_.pop_back();
    st->Recycle();  // here rather than when its flow ended: a capture's last flows never wait
  } else {
    st = std::make_unique<FlowState>();
    ++states_made_;
  }
  st->flow = &flow;
  detectors::FlowRecord& rec = st->rec;
  rec.flow_id = flow.id;
  rec.ip_proto = flow.ip_proto;
  rec.client = {flow.orig_addr, flow.orig_port};
  rec.server = {flow.resp_addr, flow.resp_port};
  rec.first_ts_us = rec.last_ts_us = flow.start_us;
  rec.saw_syn = !flow.mid_session;
  if (const auto* name = dns_cache_.Find(ToDnsIp(flow.resp_addr), flow.start_us)) {
    rec.server_name = name->query_name;
  }
  const bool port53 = flow.resp_port == 53 || flow.orig_port == 53;
  if (port53) {
    st->dns = ReuseOrMake(
        spare_dns_,
        flow.ip_proto == net::kProtoTcp ? analyzers::dns::DnsAnalyzer::Transport::kTcp
                                        : analyzers::dns::DnsAnalyzer::Transport::kUdp,
        &dns_counters_, dns_taker_.get());
  }
  st->stratum_candidate = flow.ip_proto == net::kProtoTcp && !port53;
  flow.attachment = std::move(st);
}

analyzers::StratumAnalyzer& SensorPipeline::StratumOf(FlowState& st) {
  if (!st.stratum) {
    FlowState* s = &st;
    st.stratum = std::make_unique<analyzers::StratumAnalyzer>(
        *counters_, *stratum_decoder_,
        [this, s](Direction dir, const stratum::Message&, const stratum::StratumMeta& m) {
          OnStratumMessage(*s, dir, m);
        });
    st.rec.stratum = &st.stratum->summary();
  }
  return *st.stratum;
}

void SensorPipeline::OnStratumMessage(FlowState& st, Direction dir, const stratum::StratumMeta& m) {
  if (config_.flow_events == FlowEvents::kNone) return;
  if (st.stratum_events >= config_.max_stratum_events_per_flow) return;
  ++st.stratum_events;
  events::Event e;
  FillBase(e, *st.flow, st.current_ts_us);
  e.event_type = "stratum";
  e.payload = nlohmann::ordered_json::object();
  AppendField(e.payload, "direction", dir == Direction::kToServer ? "to_server" : "to_client");
  AppendField(e.payload, "dialect", stratum::DialectName(m.dialect));
  AppendField(e.payload, "role", stratum::RoleName(m.role));
  AppendField(e.payload, "method", m.method);
  if (!m.login.empty()) AppendField(e.payload, "login", m.login);
  if (!m.agent.empty()) AppendField(e.payload, "agent", m.agent);
  if (!m.algo.empty()) AppendField(e.payload, "algo", m.algo);
  e.event_id = events::MakeEventId(config_.sensor_name, "stratum", st.flow->id,
                                   std::to_string(st.flow->start_us) + "/" +
                                       std::to_string(st.stratum_events));
  sink_->Emit(e);
}

void SensorPipeline::OnData(net::Flow& flow, net::Direction ndir, ByteSpan data, int64_t ts_us) {
  FlowState& st = State(flow);
  detectors::FlowRecord& rec = st.rec;
  const int d = net::Index(ndir);
  const Direction dir = ToAnalyzer(ndir);
  if (st.stratum_candidate && !st.sv2_started) {
    st.sv2_started = true;
    // Most TCP flows are ruled out by their first segment: counted as the analyzer would, and
    // no analyzer is built for them.
    const std::string_view ruled_out =
        analyzers::sv2::Sv2Analyzer::RuledOutByFirstSegment(dir, data);
    if (!ruled_out.empty()) {
      sv2_counters_.Get(ruled_out).Inc();
    } else {
      st.sv2 = ReuseOrMake(spare_sv2_, &sv2_counters_, /*keep_events=*/false);
      rec.sv2 = &st.sv2->features();
    }
  }
  st.current_ts_us = ts_us;
  rec.last_ts_us = std::max(rec.last_ts_us, ts_us);
  rec.packets[0] = flow.packets[0];
  rec.packets[1] = flow.packets[1];
  rec.bytes[0] = flow.bytes[0];
  rec.bytes[1] = flow.bytes[1];
  detectors::SegmentStats& seg = rec.seg[d];
  ++seg.segments;
  seg.payload_bytes += data.size();
  if (seg.samples.size() < detectors::SegmentStats::kMaxSamples) {
    seg.samples.emplace_back(uint32_t(data.size()), ts_us);
  }
  if (!rec.head[d].full()) rec.head[d].append(reinterpret_cast<const char*>(data.data()), data.size());
  bool learnt = false;
  bool tls_refused_first_header = false;  // this direction's first record header, just now

  if (!st.first_data_seen[d]) {
    st.first_data_seen[d] = true;
    if (flow.ip_proto == net::kProtoTcp && !st.dns) {
      // (Once a flow started like TLS, the other direction's first bytes are judged as TLS too,
      // as one analyzer fed both directions would judge them.)
      if ((st.tls_like || LooksLikeTlsRecord(data)) && !st.tls) {
        st.tls_like = true;
        // Most flows that start like a TLS record and are not TLS fail on that first header:
        // decided (and counted) as the analyzer would, without building one.
        if (analyzers::tls::TlsAnalyzer::RuledOutByFirstHeader(dir, data, &tls_counters_)) {
          st.tls_ruled_out[d] = true;
          tls_refused_first_header = true;
        } else {
          st.tls = ReuseOrMake(spare_tls_, &tls_counters_,
                               analyzers::tls::TlsAnalyzer::Fingerprints::kLeaveToCaller,
                               &certificate_cache_, tls_taker_.get());
          rec.tls.EmplaceCleared();
        }
      }
      if (dir == Direction::kToServer && LooksLikeHttpRequest(data) && !st.http) {
        st.http = ReuseOrMake(spare_http_, &http_counters_, http_taker_.get());
        rec.http = detectors::HttpFacts{};
      }
    }
  }

  if (st.dns) {
    rec.dns_queries.clear();
    dns_taker_->Point(&rec, ts_us);
    st.dns->Feed(dir, data);
    learnt = !rec.dns_queries.empty();
  }

  if (st.ws[d]) {
    st.ws[d]->Append(data);
    while (true) {
      auto next = st.ws[d]->Next();
      if (!next.ok()) {
        counters_->Get("websocket.errors").Inc();
        st.ws[d].reset();
        break;
      }
      if (!next->has_value()) break;
      const websocket::WsMessage& m = **next;
      counters_->Get("websocket.messages").Inc();
      if (m.opcode == websocket::Opcode::kText && st.stratum_candidate) {
        rec.stratum_in_websocket = true;
        if (st.stratum_final) {
          CountLinesAfterVerdict(AsString(m.payload), /*text=*/true);
        } else {
          StratumOf(st).FeedText(dir, AsString(m.payload), ts_us);
          learnt = true;
        }
      }
    }
  } else if (st.http && rec.tunnel_target() == nullptr) {
    http_taker_->Point(&st);
    st.http->Feed(dir, data);
    learnt = learnt || http_taker_->learnt();
    // A CONNECT answered 2xx (or another non-WebSocket upgrade): the HTTP analyzer is done, and
    // what follows in either direction is a stream of its own (TLS, Stratum, SV2 ... to the
    // host the proxy was asked for): its first bytes are looked at again, as a new flow's.
    if (st.http->Upgraded() && !st.ws[0]) {
      rec.http->tunnel = true;
      st.first_data_seen[0] = st.first_data_seen[1] = false;
      if (!st.sv2) st.sv2_started = false;
    }
  } else {
    ByteSpan stratum_bytes = data;
    // The client's bytes stopped being TLS records at `from`: a Stratum object close after it
    // is a decoy's payload, and the Stratum analyzer starts there.
    auto after_decoy = [&](size_t from) {
      if (dir != Direction::kToServer || !st.stratum_candidate) return;
      if (const size_t at = StratumAfterDecoyPrefix(data, from); at != std::string_view::npos) {
        st.stratum_after_tls = true;
        ++stratum_tls_decoys_;
        stratum_bytes = data.subspan(at);
      }
    };
    if (tls_refused_first_header) {
      after_decoy(0);
    } else if (st.tls && !st.tls_ruled_out[d] &&
               !(dir == Direction::kToClient && st.tls_server_encrypted)) {
      // (A direction that showed bytes other than TLS records is ignored by the analyzer from
      // then on: it is not called again. Nor is the server's once encrypted: nothing in it can
      // be read any more. The client's is, for a Stratum decoy behind a handshake.)
      tls_taker_->Point(&*rec.tls);
      st.tls->Feed(dir, data);
      st.tls_ruled_out[d] = st.tls->NotTls(dir);  // kept here: the analyzer is a cache miss
      if (dir == Direction::kToClient) st.tls_server_encrypted = st.tls->Encrypted(dir);
      if (st.tls_ruled_out[d]) after_decoy(st.tls->NotTlsOffset(dir));
      learnt = learnt || tls_taker_->learnt();
    }
    const bool stratum_may_run = !st.tls_like || st.stratum_after_tls;
    if (st.stratum_final && stratum_may_run) {
      CountLinesAfterVerdict(AsString(stratum_bytes), /*text=*/false);
    } else if (st.stratum_candidate && stratum_may_run && !(st.stratum && st.stratum->gave_up())) {
      analyzers::StratumAnalyzer& stratum = StratumOf(st);
      const uint32_t before = stratum.summary().decoded[0] + stratum.summary().decoded[1];
      stratum.Feed(dir, stratum_bytes, ts_us);
      learnt = learnt || stratum.summary().decoded[0] + stratum.summary().decoded[1] != before;
    }
  }
  if (st.sv2) {
    const auto& v = st.sv2->features();
    const bool was_matched = v.handshake_match;
    const bool had_user = !v.user_identity.empty();
    st.sv2->Feed(dir, data, ts_us);
    if (v.not_sv2) {
      rec.sv2 = nullptr;
      KeepSpare(spare_sv2_, st.sv2, max_spares_);
    } else if (v.handshake_match != was_matched || (!had_user && !v.user_identity.empty())) {
      learnt = true;
    }
  }
  if (learnt || ++st.segments_since_inspect >= kInspectEverySegments) {
    st.segments_since_inspect = 0;
    RunDetectors(flow, st, ts_us);
  }
  // Nothing left to learn from this direction's bytes: stop delivery (accounting goes on).
  // (This direction's bytes went to a Stratum analyzer above unless TLS, HTTP, WebSocket or DNS
  // took them, which keep delivery on anyway.) A TCP flow of unknown content goes on until its
  // size samples are complete: they are what the mining-rhythm detector judges it by.
  const bool stratum_done = !st.stratum || st.stratum->gave_up();
  const bool samples_done = flow.ip_proto != net::kProtoTcp ||
                            seg.samples.size() >= detectors::SegmentStats::kMaxSamples;
  if (stratum_done && !st.tls && !st.http && !st.dns && !st.sv2 && !st.ws[d] &&
      rec.head[d].full() && samples_done) {
    flow.want_data[d] = false;
  }
}

void SensorPipeline::OnGap(net::Flow& flow, net::Direction dir, uint32_t, int64_t) {
  FlowState& st = State(flow);
  // Built here if need be, so that the bytes after the gap resynchronise exactly as they would
  // have in an analyzer that existed from the start.
  if (st.stratum_candidate) StratumOf(st).OnGap(ToAnalyzer(dir));
}

void SensorPipeline::OnFlowEnd(net::Flow& flow, net::EndReason reason) {
  if (!flow.attachment) return;
  FlowState& st = State(flow);
  st.rec.ended = true;
  st.rec.last_ts_us = std::max(st.rec.last_ts_us, flow.last_us);
  st.rec.packets[0] = flow.packets[0];
  st.rec.packets[1] = flow.packets[1];
  st.rec.bytes[0] = flow.bytes[0];
  st.rec.bytes[1] = flow.bytes[1];
  if (st.http) {
    // (A message the end of the flow completes, a body delimited by the close or cut off, is
    // in the record for the detectors' last look.)
    http_taker_->Point(&st);
    st.http->Finish();
  }
  RunDetectors(flow, st, flow.last_us);
  const bool mining_related =
      !st.rec.alerted.empty() || (st.stratum && st.stratum->summary().any());
  if (config_.flow_events == FlowEvents::kAll ||
      (config_.flow_events == FlowEvents::kMining && mining_related)) {
    EmitFlowEvent(flow, st, reason);
  }
  // Take the state back for the next flow (reset when reused; its sample buffers keep their
  // capacity).
  KeepSpare(spare_tls_, st.tls, max_spares_);
  KeepSpare(spare_sv2_, st.sv2, max_spares_);
  KeepSpare(spare_dns_, st.dns, max_spares_);
  KeepSpare(spare_http_, st.http, max_spares_);
  st.rec.sv2 = nullptr;
  if (spare_states_.size() < max_spares_) {
    spare_states_.push_back(
        std::unique_ptr<FlowState>(static_cast<FlowState*>(flow.attachment.release())));
  }
}

void SensorPipeline::RunDetectors(net::Flow& flow, FlowState& st, int64_t ts_us) {
  findings_.clear();
  for (auto& d : detectors_) {
    const size_t before = findings_.size();
    d->Inspect(st.rec, findings_);
    for (size_t i = before; i < findings_.size(); ++i) findings_[i].evidence.shrink_to_fit();
    for (size_t i = before; i < findings_.size(); ++i) {
      if (!st.rec.Alerted(findings_[i].signature_id)) {
        st.rec.alerted.push_back(findings_[i].signature_id);
        findings_[i].evidence.insert(findings_[i].evidence.begin(), "detector " + std::string(d->name()));
        EmitAlert(flow, st, findings_[i], ts_us);
      }
    }
  }
  // Once the session alert for the flow's (settled) dialect is out and no more "stratum" events
  // are due, decoding further lines would change nothing that is reported.
  if (st.stratum && !st.stratum_final) {
    const analyzers::StratumFlowSummary& s = st.stratum->summary();
    const bool events_done = config_.flow_events == FlowEvents::kNone ||
                             st.stratum_events >= config_.max_stratum_events_per_flow;
    if (events_done && s.dialect != stratum::Dialect::kUnknown &&
        st.rec.Alerted(detectors::StratumSessionSignature(s.dialect))) {
      st.stratum_final = true;
      ++stratum_flows_final_;
    }
  }
}

void SensorPipeline::CountLinesAfterVerdict(std::string_view bytes, bool text) {
  // A text message is whole lines; a stream chunk counts the lines it completes.
  uint64_t lines = 0;
  for (const char* p = bytes.data(), *end = p + bytes.size();
       (p = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)))) != nullptr; ++p) {
    ++lines;
  }
  if (text && !bytes.empty() && bytes.back() != '\n') ++lines;
  stratum_lines_after_verdict_ += lines;
}

void SensorPipeline::FillBase(events::Event& e, const net::Flow& flow, int64_t ts_us) const {
  e.timestamp = events::FormatTimestamp(ts_us);
  e.sensor = config_.sensor_name;
  e.src_ip = flow.orig_addr.ToString();
  e.src_port = flow.orig_port;
  e.dest_ip = flow.resp_addr.ToString();
  e.dest_port = flow.resp_port;
  e.proto = flow.ip_proto == net::kProtoTcp ? "TCP" : flow.ip_proto == net::kProtoUdp ? "UDP" : "IP";
  e.flow_id = flow.id + 1;  // EVE flow ids are non-zero
}

void SensorPipeline::EmitAlert(const net::Flow& flow, FlowState&, const detectors::Finding& f,
                               int64_t ts_us) {
  events::Event e;
  FillBase(e, flow, ts_us);
  e.event_type = "alert";
  e.alert = events::Alert{f.signature_id, f.signature, f.category, f.severity,
                          {std::string(events::kMitreResourceHijacking)}};
  e.details.detector = f.evidence.empty() ? "" : f.evidence.front().substr(9);
  e.details.confidence = f.confidence;
  e.details.dialect = f.dialect;
  e.details.pool = f.pool;
  e.details.login = f.login;
  e.details.agent_string = f.agent_string;
  e.details.evidence.assign(f.evidence.begin() + (f.evidence.empty() ? 0 : 1), f.evidence.end());
  e.event_id = events::MakeEventId(
      config_.sensor_name, "alert:" + std::to_string(f.signature_id), flow.id,
      std::to_string(flow.start_us) + "/" + e.src_ip + ":" + std::to_string(e.src_port) + ">" +
          e.dest_ip + ":" + std::to_string(e.dest_port));
  ++alerts_;
  sink_->Emit(e);
}

void SensorPipeline::EmitFlowEvent(const net::Flow& flow, FlowState& st, net::EndReason reason) {
  events::Event e;
  FillBase(e, flow, flow.last_us);
  e.event_type = "flow";
  std::string app = "unknown";
  if (st.stratum && st.stratum->summary().any()) {
    app = std::string("stratum-") + std::string(stratum::DialectName(st.stratum->summary().dialect));
  } else if (st.rec.tls) {
    app = "tls";
  } else if (st.rec.http) {
    app = "http";
  } else if (st.dns) {
    app = "dns";
  }
  e.payload = {{"pkts_toserver", flow.packets[0]},
               {"pkts_toclient", flow.packets[1]},
               {"bytes_toserver", flow.bytes[0]},
               {"bytes_toclient", flow.bytes[1]},
               {"payload_toserver", st.rec.seg[0].payload_bytes},
               {"payload_toclient", st.rec.seg[1].payload_bytes},
               {"start", events::FormatTimestamp(flow.start_us)},
               {"end", events::FormatTimestamp(flow.last_us)},
               {"age", (flow.last_us - flow.start_us) / 1000000},
               {"reason", std::string(net::EndReasonName(reason))},
               {"app_proto", app},
               {"alerted", !st.rec.alerted.empty()}};
  if (st.rec.tls && st.rec.tls->client_hello) {
    const analyzers::tls::ClientHello& hello = st.rec.tls->hello;
    const detectors::TlsFacts& facts = *st.rec.tls;
    e.payload["tls"] = {{"sni", hello.sni},
                        {"ja3", analyzers::tls::Md5Hex(analyzers::tls::Ja3String(hello))},
                        {"ja4", analyzers::tls::Ja4(hello)}};
    if (!facts.server_alpn.empty()) e.payload["tls"]["alpn"] = facts.server_alpn;
    if (facts.certificate) {
      // The server's leaf certificate, read in the clear (TLS 1.2 and older): a pool's is often
      // self-signed, with a name of its own choosing.
      auto& cert = e.payload["tls"]["certificate"] = nlohmann::ordered_json::object();
      cert["subject"] = facts.cert_subject;
      cert["issuer"] = facts.cert_issuer;
      cert["self_signed"] = facts.self_signed;
      // Subject equal to issuer but the signature left unchecked (the sensor bounds how many
      // whole decodes it spends): self-signed is assumed.
      if (facts.self_signed_assumed) cert["signature_checked"] = false;
    }
  }
  e.event_id = events::MakeEventId(config_.sensor_name, "flow", flow.id,
                                   std::to_string(flow.start_us));
  sink_->Emit(e);
}

}  // namespace mw::sensor
