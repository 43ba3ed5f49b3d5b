#include "detectors/mining_rhythm/mining_rhythm_detector.h"

#include <cstdio>

namespace mw::detectors {
namespace {

bool OffersWebAlpn(const TlsFacts& t) {
  for (const std::string& a : t.hello.alpn) {
    if (a == "h2" || a == "http/1.1" || a == "h3" || a == "http/1.0") return true;
  }
  return !t.server_alpn.empty();
}

bool KnownOtherProtocol(const FlowRecord& flow) {
  if (flow.head[0].starts_with("SSH-") || flow.head[1].starts_with("SSH-")) return true;
  // Protocols that speak in the clear before STARTTLS: a mail or file server's greeting, an
  // XMPP client's stream header. Chat and mail push to the client and acknowledge what it
  // sends, as a pool does; no pool greets like this.
  const HeadBytes& server = flow.head[1];
  if (server.starts_with("220 ") || server.starts_with("220-") || server.starts_with("* OK") ||
      server.starts_with("+OK")) {
    return true;
  }
  const HeadBytes& client = flow.head[0];
  if (client.starts_with("<?xml") || client.starts_with("<stream:stream")) return true;
  if (flow.http && flow.tunnel_target() == nullptr) return true;  // a tunnel's content is not HTTP
  return false;
}

}  // namespace

void MiningRhythmDetector::InspectSv2(const FlowRecord& flow, std::vector<Finding>& out) const {
  const auto* v = flow.sv2;
  if (v == nullptr || v->not_sv2) return;
  if (v->plaintext && (v->client_records >= 1)) {
    if (flow.Alerted(sid::kStratumV2Plaintext)) return;
    // The SetupConnection is proof enough; the channel open that follows it names the login,
    // so wait for it unless the flow ended (or went on without one).
    if (v->user_identity.empty() && v->client_records < 3 && !flow.ended) return;
    Finding f;
    f.signature_id = sid::kStratumV2Plaintext;
    f.signature = "MINEWATCH Stratum V2 mining session (plaintext SetupConnection)";
    f.severity = 1;
    f.confidence = 0.95;
    f.dialect = "sv2";
    f.login = v->user_identity;
    f.agent_string = v->device;
    f.evidence.push_back("Stratum V2 SetupConnection for the mining protocol" +
                         (v->device.empty() ? std::string() : " from device '" + v->device + "'"));
    if (!v->user_identity.empty()) {
      f.evidence.push_back("mining channel opened as '" + v->user_identity + "'");
    }
    if (v->n_share_sized_records > 0 || v->server_jobs > 0) {
      f.evidence.push_back(std::to_string(v->n_share_sized_records) + " share submission(s), " +
                           std::to_string(v->server_jobs) + " job message(s) so far");
    }
    out.push_back(std::move(f));
    return;
  }
  if (v->handshake_match && (v->n_share_sized_records >= 3 || v->server_records >= 2) &&
      !flow.Alerted(sid::kStratumV2Encrypted)) {
    Finding f;
    f.signature_id = sid::kStratumV2Encrypted;
    f.signature = "MINEWATCH Stratum V2 encrypted mining session (Noise handshake and cadence)";
    f.severity = 2;
    f.confidence = v->n_share_sized_records >= 3 ? 0.85 : 0.7;
    f.dialect = "sv2";
    char buf[160];
    std::snprintf(buf, sizeof(buf),
                  "client opened with %zu high-entropy bytes (entropy %.2f), server answered %zu",
                  v->client_first_flight, v->client_first_entropy, v->server_first_flight);
    f.evidence.emplace_back(buf);
    std::snprintf(buf, sizeof(buf), "%llu share-sized 62-byte client records, %llu server records",
                  static_cast<unsigned long long>(v->n_share_sized_records),
                  static_cast<unsigned long long>(v->server_records));
    f.evidence.emplace_back(buf);
    out.push_back(std::move(f));
  }
}

void MiningRhythmDetector::Inspect(const FlowRecord& flow, std::vector<Finding>& out) {
  if (flow.ip_proto != 6) return;
  InspectSv2(flow, out);
  // Content that was read is judged on its content, by the other detectors.
  if (flow.stratum != nullptr && flow.stratum->any()) return;
  if (KnownOtherProtocol(flow)) return;
  if (flow.duration_s() < t_.min_duration_s) return;
  if (flow.Alerted(sid::kMiningRhythm)) return;
  const bool tls = flow.tls.has_value() && flow.tls->client_hello;
  const RhythmFeatures r = ComputeRhythm(flow, tls ? 3 : 1);
  if (tls) {
    // Web browsing offers HTTP ALPNs; a web port with a CA-issued certificate is web-like.
    if (OffersWebAlpn(*flow.tls)) return;
    if (r.web_port && !flow.tls->self_signed) return;
  } else if (r.web_port) {
    return;
  }
  if (r.client_records < t_.min_client_records) return;
  if (r.client_median_bytes > t_.max_client_median_bytes) return;
  if (r.server_pushes < t_.min_server_pushes) return;
  if (r.client_records == 0 ||
      double(r.replied_client_records) / r.client_records < t_.min_reply_ratio) {
    return;
  }
  if (r.client_mean_interval_s < t_.min_interval_s || r.client_mean_interval_s > t_.max_interval_s) {
    return;
  }
  // Shares come when the hashing finds one: at random. A client that sends on a clock (an IoT
  // device's telemetry, MQTT keep-alives) is not mining, whatever else matches.
  if (r.client_intervals < t_.min_client_intervals) return;
  if (r.client_periodic_share > t_.max_periodic_share) return;
  Finding f;
  f.signature_id = sid::kMiningRhythm;
  f.signature = std::string("MINEWATCH mining rhythm in ") + (tls ? "TLS" : "an unidentified") +
                " flow (share submissions and job pushes)";
  f.severity = 2;
  f.confidence = 0.6;
  if (tls && flow.tls->self_signed) f.confidence += 0.1;
  if (!r.web_port) f.confidence += 0.1;
  f.dialect = tls ? "tls" : "unknown";
  // Through an HTTP proxy the pool is the host the proxy was asked to connect to.
  const std::string sni = flow.tls ? flow.tls->hello.sni : "";
  f.pool = flow.tunnel_target() != nullptr
               ? *flow.tunnel_target()
               : (!sni.empty() ? sni : flow.server.ip.ToString()) + ":" +
                     std::to_string(flow.server.port);
  f.evidence = r.Describe();
  if (tls) {
    // A self-signed certificate's name is the pool operator's own choice: worth showing.
    const std::string cert_name =
        flow.tls->cert_subject.empty() ? "" : " '" + flow.tls->cert_subject + "'";
    f.evidence.push_back(std::string("TLS without HTTP ALPN") +
                         (!flow.tls->self_signed ? ""
                          : flow.tls->self_signed_assumed
                              ? ", self-issued certificate" + cert_name +
                                    " (signature not checked: too many to check)"
                              : ", self-signed certificate" + cert_name) +
                         (sni.empty() ? ", no SNI" : ", SNI " + sni));
    // The client's TLS stack: the same miner build gives the same fingerprints everywhere.
    const analyzers::tls::ClientHello& hello = flow.tls->hello;
    f.evidence.push_back("TLS client fingerprints JA4 " + analyzers::tls::Ja4(hello) + ", JA3 " +
                         analyzers::tls::Md5Hex(analyzers::tls::Ja3String(hello)));
  }
  if (!r.web_port) f.evidence.push_back("non-web port " + std::to_string(flow.destination_port()));
  if (flow.tunnel_target() != nullptr) f.evidence.push_back(flow.TunnelEvidence());
  out.push_back(std::move(f));
}

}  // namespace mw::detectors
