// DNS message parsing, the per-flow analyzer over UDP datagrams and TCP streams in arbitrary
// chunks, and the cache, on arbitrary bytes (input layout: chunked_input.h).
#include <cstdint>
#include <vector>

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
  // A TCP analyzer whose listener offers one reused Message per direction (as the sensor's
  // does) must hear exactly what the queue of `tcp` holds; each chunk parsed into one reused
  // Message must equal it parsed into a fresh one.
  struct Heard final : dns::DnsListener {
    dns::Message target[2];
    std::vector<dns::Message> got;
    dns::Message* MessageTarget(Direction d) override { return &target[DirectionIndex(d)]; }
    void OnMessage(Direction, dns::Message& m) override { got.push_back(m); }
  };
  Heard heard;
  dns::DnsAnalyzer tcp_heard(dns::DnsAnalyzer::Transport::kTcp, nullptr, &heard);
  std::vector<dns::Message> queued;
  dns::Message used;
  mw_fuzz::ForEachChunk(data, size, [&](bool client, mw::ByteSpan chunk, size_t index) {
    const Direction dir = client ? Direction::kToServer : Direction::kToClient;
    dns::Message fresh;
    const dns::ParseError e = dns::ParseMessage(chunk, fresh);
    if (dns::ParseMessage(chunk, used) != e || !(used == fresh)) __builtin_trap();
    udp.Feed(dir, chunk);
    tcp.Feed(dir, chunk);
    tcp_heard.Feed(dir, chunk);
    for (auto* a : {&udp, &tcp}) {
      for (const dns::DnsRecord& r : a->TakeRecords()) {
        if (a == &tcp) queued.push_back(r.message);
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
  if (queued != heard.got) __builtin_trap();
  return 0;
}
