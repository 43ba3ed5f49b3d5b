// DNS message parsing, the per-flow analyzer over UDP datagrams and TCP streams in arbitrary
// chunks, and the cache, on arbitrary bytes (input layout: chunked_input.h).
#include <cstdint>

#include "analyzers/dns/dns_analyzer.h"
#include "analyzers/dns/dns_cache.h"
#include "analyzers/dns/dns_message.h"
#include "common/chunked_input.h"

using namespace mw::analyzers;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dns::Message whole;
  (void)dns::ParseMessage(mw::ByteSpan(data, size), whole);
  dns::DnsAnalyzer udp(dns::DnsAnalyzer::Transport::kUdp);
  dns::DnsAnalyzer tcp(dns::DnsAnalyzer::Transport::kTcp);
  dns::DnsCache cache(dns::DnsCache::Options{.capacity = 4});
  mw_fuzz::ForEachChunk(data, size, [&](bool client, mw::ByteSpan chunk, size_t index) {
    const Direction dir = client ? Direction::kToServer : Direction::kToClient;
    udp.Feed(dir, chunk);
    tcp.Feed(dir, chunk);
    for (auto* a : {&udp, &tcp}) {
      for (const dns::DnsRecord& r : a->TakeRecords()) {
        for (const auto& q : r.message.questions) {
          if (q.name.size() > dns::kMaxNameWireBytes) __builtin_trap();
        }
        cache.Insert(r.message, int64_t(index) * 1000000);
        for (const auto& ans : r.message.answers) {
          (void)cache.Find(ans.address, int64_t(index) * 1000000);
          (void)dns::IpToString(ans.address);
        }
      }
    }
    if (cache.size() > 4) __builtin_trap();
  });
  return 0;
}
