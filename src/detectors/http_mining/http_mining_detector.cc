#include "detectors/http_mining/http_mining_detector.h"

namespace mw::detectors {

void HttpMiningDetector::Inspect(const FlowRecord& flow, std::vector<Finding>& out) {
  if (!flow.http) return;
  const HttpFacts& h = *flow.http;
  // Findings already raised on this flow are not built again (the pipeline would drop them).
  const bool rpc = h.mining_rpc && !flow.Alerted(sid::kHttpMiningRpc);
  const bool headers = !h.mining_headers.empty() && !flow.Alerted(sid::kHttpMiningHeaders);
  const bool agent = !h.miner_agent.empty() && !flow.Alerted(sid::kHttpMinerAgent);
  const bool script = !h.web_miner_script.empty() && !h.web_miner_script_weak &&
                      !flow.Alerted(sid::kWebMinerScript);
  if (!rpc && !headers && !agent && !script) return;
  const std::string where = (h.host.empty() ? flow.server.ip.ToString() : h.host) + h.uri;
  auto base = [&](uint32_t id, std::string signature, int severity, double confidence) {
    Finding f;
    f.signature_id = id;
    f.signature = std::move(signature);
    f.severity = severity;
    f.confidence = confidence;
    f.pool = h.host;
    f.agent_string = h.user_agent;
    f.dialect = "http";
    return f;
  };
  if (rpc) {
    Finding f = base(sid::kHttpMiningRpc, "MINEWATCH getwork/getblocktemplate mining over HTTP", 1,
                     0.9);
    std::string methods;
    for (const auto& m : h.rpc_methods) methods += (methods.empty() ? "" : ",") + m;
    f.evidence.push_back("JSON-RPC methods " + methods + " in " + h.method + " " + where);
    out.push_back(std::move(f));
  }
  if (headers) {
    Finding f = base(sid::kHttpMiningHeaders, "MINEWATCH mining extension headers over HTTP", 1,
                     0.85);
    f.evidence.push_back(h.mining_headers);
    out.push_back(std::move(f));
  }
  if (agent) {
    Finding f = base(sid::kHttpMinerAgent, "MINEWATCH miner software user-agent over HTTP", 2, 0.7);
    f.evidence.push_back("User-Agent " + h.user_agent + " (" + h.miner_agent + ")");
    out.push_back(std::move(f));
  }
  if (script) {
    Finding f = base(sid::kWebMinerScript, "MINEWATCH in-browser miner script fetched", 2, 0.75);
    f.evidence.push_back("script " + h.web_miner_script + " fetched from " + where);
    out.push_back(std::move(f));
  }
}

}  // namespace mw::detectors
