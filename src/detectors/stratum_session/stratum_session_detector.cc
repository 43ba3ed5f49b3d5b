#include "detectors/stratum_session/stratum_session_detector.h"

#include <string>

namespace mw::detectors {
namespace {

uint32_t SignatureFor(stratum::Dialect d, const char** label) {
  switch (d) {
    case stratum::Dialect::kV1: *label = "Stratum V1"; return sid::kStratumV1;
    case stratum::Dialect::kXmrig: *label = "XMRig/CryptoNote stratum"; return sid::kStratumXmrig;
    case stratum::Dialect::kEthStratum:
      *label = "EthereumStratum/1.0.0"; return sid::kStratumEthStratum;
    case stratum::Dialect::kEthProxy: *label = "eth-proxy stratum"; return sid::kStratumEthProxy;
    case stratum::Dialect::kCoinhive:
      *label = "Coinhive-style browser miner"; return sid::kStratumCoinhive;
    case stratum::Dialect::kWebminerpool:
      *label = "webminerpool browser miner"; return sid::kStratumWebminerpool;
    case stratum::Dialect::kUnknown: break;
  }
  *label = "mining stratum";
  return sid::kStratumV1;
}

}  // namespace

uint32_t StratumSessionSignature(stratum::Dialect d) {
  const char* label = nullptr;
  return SignatureFor(d, &label);
}

void StratumSessionDetector::Inspect(const FlowRecord& flow, std::vector<Finding>& out) {
  const analyzers::StratumFlowSummary* s = flow.stratum;
  if (s == nullptr || !s->any()) return;
  const bool agent_login = !s->agent.empty() && !s->login.empty();
  // A client that only tried (the server closed or answered something else) is still a miner
  // looking for a pool: reported when the flow ends, with less confidence.
  const bool attempt_only = !s->confirmed() && !agent_login;
  if (attempt_only && !(flow.ended && s->decoded[0] >= 1)) return;
  // Wait for the login (it follows the subscribe within milliseconds) so the alert can name the
  // wallet, unless the capture started after it or the flow ended.
  const uint32_t total = s->decoded[0] + s->decoded[1];
  if (s->login.empty() && !flow.ended && total < kMessagesBeforeAlertWithoutLogin) return;
  const char* label = nullptr;
  const uint32_t signature_id = SignatureFor(s->dialect, &label);
  if (flow.Alerted(signature_id)) return;  // raised already: the pipeline would drop it

  Finding f;
  f.signature_id = signature_id;
  f.signature = std::string("MINEWATCH ") + label + " mining session" +
                (flow.stratum_in_websocket ? " over WebSocket" : "");
  f.severity = attempt_only ? 2 : 1;
  f.dialect = std::string(stratum::DialectName(s->dialect));
  f.login = s->login;
  f.agent_string = s->agent;
  // Through an HTTP proxy the pool is the host the proxy was asked to connect to.
  f.pool = flow.tunnel_target() != nullptr ? *flow.tunnel_target() : flow.server_endpoint();
  // Confidence grows with how much of the protocol was seen.
  double c = 0.7;
  if (s->decoded[0] > 0 && s->decoded[1] > 0) c += 0.15;
  if (s->server_jobs > 0) c += 0.05;
  if (s->client_submits > 0) c += 0.05;
  if (!s->role_mismatch) c += 0.04;
  f.confidence = attempt_only ? 0.6 : (c > 0.99 ? 0.99 : c);
  std::string methods;
  for (const std::string& m : s->methods) methods += (methods.empty() ? "" : ",") + m;
  f.evidence.push_back("dialect " + f.dialect + ", methods " + methods);
  f.evidence.push_back(std::to_string(s->decoded[0]) + " client and " +
                       std::to_string(s->decoded[1]) + " server messages decoded");
  if (s->server_jobs) f.evidence.push_back(std::to_string(s->server_jobs) + " job pushes from the pool");
  if (s->client_submits) f.evidence.push_back(std::to_string(s->client_submits) + " share submissions");
  if (!s->login.empty()) f.evidence.push_back("login " + s->login);
  if (!s->agent.empty()) f.evidence.push_back("agent " + s->agent);
  if (!s->algo.empty()) f.evidence.push_back("algorithm " + s->algo);
  if (flow.stratum_in_websocket) f.evidence.push_back("inside WebSocket frames");
  if (flow.tunnel_target() != nullptr) f.evidence.push_back(flow.TunnelEvidence());
  if (attempt_only) f.evidence.push_back("the server did not answer in a mining dialect");
  out.push_back(std::move(f));
}

}  // namespace mw::detectors
