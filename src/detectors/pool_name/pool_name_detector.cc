#include "detectors/pool_name/pool_name_detector.h"

#include <functional>
#include <string>
#include <string_view>

namespace mw::detectors {
namespace {

intel::IpAddress ToIntel(const net::IpAddress& ip) {
  intel::IpAddress out;
  if (ip.version == 4) {
    out = intel::IpAddress::FromV4(uint32_t(ip.bytes[0]) << 24 | uint32_t(ip.bytes[1]) << 16 |
                                   uint32_t(ip.bytes[2]) << 8 | ip.bytes[3]);
  } else {
    out.bytes = ip.bytes;
  }
  return out;
}

}  // namespace

void PoolNameDetector::Report(const intel::MatchResult& m, uint32_t signature_id,
                              const std::string& where, const std::string& what,
                              std::vector<Finding>& out) const {
  // The strongest category among the matched entries decides.
  bool mining = false;
  intel::Category best = intel::Category::kCryptoGeneral;
  std::vector<std::string> provenance;
  for (uint32_t i = 0; i < m.count; ++i) {
    intel::EntryInfo e = intel_->Entry(m.entries[i]);
    if (e.category != intel::Category::kCryptoGeneral) {
      mining = true;
      best = e.category;
    }
    if (provenance.size() < 4) provenance.push_back(intel::Snapshot::DescribeEntry(e));
  }
  Finding f;
  f.signature_id = signature_id;
  f.category = std::string(mining ? events::kCategoryMining : events::kCategoryCurrency);
  const bool address = signature_id == sid::kPoolAddress;
  f.severity = mining ? (address ? 3 : 2) : 3;
  f.confidence = mining ? (address ? 0.4 : 0.6) : 0.3;
  f.signature = std::string("MINEWATCH ") +
                (mining ? std::string(intel::CategoryName(best)) + " listed in threat intel"
                        : "cryptocurrency service listed in threat intel") +
                " (" + where + ")";
  f.pool = what;
  f.evidence.push_back(where + " " + what);
  for (auto& p : provenance) f.evidence.push_back("intel: " + p);
  out.push_back(std::move(f));
}

void PoolNameDetector::Inspect(const FlowRecord& flow, std::vector<Finding>& out) {
  if (intel_ == nullptr) return;
  intel::MatchResult m;
  // Signatures already raised on this flow are not matched again (the pipeline would drop them),
  // and neither is what this flow's memo says was matched before (the SNI and the address never
  // change; the Host may, with the next request).
  // (The checks read the record itself first, and the boxed TLS and HTTP facts and the alert
  // list only when they may matter: the detector runs a few times per flow, on cold state.)
  for (const std::string& q : flow.dns_queries) {
    if (flow.Alerted(sid::kPoolNameDns)) break;
    if (intel_->Match(q, &m)) Report(m, sid::kPoolNameDns, "DNS query", q, out);
  }
  FlowRecord::DetectorMemo& memo = flow.memo;
  if (memo.pool_name_generation != generation_) {  // matched against an intel since replaced
    memo.pool_name_sni = memo.pool_name_address = false;
    memo.pool_name_host = 0;
    memo.pool_name_generation = generation_;
  }
  if (!memo.pool_name_sni && flow.tls && !flow.tls->hello.sni.empty() &&
      !flow.Alerted(sid::kPoolNameTls)) {
    memo.pool_name_sni = true;
    if (intel_->Match(flow.tls->hello.sni, &m, flow.server.port)) {
      Report(m, sid::kPoolNameTls, "TLS SNI", flow.tls->hello.sni, out);
    }
  }
  if (flow.http && !flow.http->host.empty() && !flow.Alerted(sid::kPoolNameHttp)) {
    std::string_view host = flow.http->host;
    if (auto colon = host.rfind(':'); colon != std::string_view::npos &&
                                      host.find(']') == std::string_view::npos &&
                                      host.find(':') == colon) {
      host = host.substr(0, colon);
    }
    const size_t h = std::hash<std::string_view>{}(host) | 1;  // never 0, "none yet"
    if (h != memo.pool_name_host) {
      memo.pool_name_host = h;
      if (intel_->Match(host, &m)) Report(m, sid::kPoolNameHttp, "HTTP Host", std::string(host), out);
    }
  }
  if (!memo.pool_name_address && flow.ip_proto == 6 && flow.server.ip.version != 0 &&
      !flow.Alerted(sid::kPoolAddress)) {
    memo.pool_name_address = true;
    if (intel_->MatchIp(ToIntel(flow.server.ip), flow.server.port, &m)) {
      Report(m, sid::kPoolAddress, "connection to",
             flow.server.ip.ToString() + ":" + std::to_string(flow.server.port), out);
    }
  }
}

}  // namespace mw::detectors
