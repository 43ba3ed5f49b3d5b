// DnsCache: remembers which name an address was an answer for, so that a later flow to that
// address can be labelled "pool.example.org" even though the flow itself carries only an IP.
//
// Bounded (least recently inserted/refreshed entries are evicted first) and TTL-aware. The clock
// is explicit: every call takes `now_us` (microseconds, any epoch as long as it is consistent),
// typically the packet timestamp. Not thread-safe; the sensor owns one per capture thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/dns/dns_message.h"
#include "core/flat_index.h"

namespace mw::analyzers::dns {

struct CachedName {
  std::string query_name;               // the name the client asked for
  std::vector<std::string> cname_chain;  // CNAME targets followed to reach the address, in order
  int64_t expires_us = 0;
};

class DnsCache {
 public:
  struct Options {
    size_t capacity = 65536;
    uint32_t min_ttl_s = 60;      // very short TTLs are stretched: flows start after the lookup
    uint32_t max_ttl_s = 86400;   // and absurd ones clamped
    // Seeds the address hash; 0 (the default) draws one per cache (RandomSeed()), so that
    // answers whose addresses were chosen to collide under a seed known in advance do not.
    uint64_t hash_seed = 0;
  };
  DnsCache() : DnsCache(Options{}) {}
  explicit DnsCache(Options options);

  // Records every A/AAAA answer of a successful response (rcode 0) under the first question's
  // name, following CNAMEs in the answer section. Returns how many addresses were stored.
  size_t Insert(const Message& response, int64_t now_us);
  // The name for `ip`, if an unexpired answer named it (else nullptr); valid until the next
  // Insert().
  const CachedName* Find(const IpAddress& ip, int64_t now_us) const;

  size_t size() const { return index_.size(); }
  // The index's hash of `ip` under this cache's seed (exposed for tests).
  uint64_t HashOf(const IpAddress& ip) const;
  uint64_t evictions() const { return evictions_; }

 private:
  // Entries live in nodes_ (at most capacity of them; an evicted entry's node, strings
  // included, is taken by the next new address), linked oldest to newest, and are found through
  // index_ by the address's hash. A flow start looks its server up here: one cache line of the
  // index, and the node on a hit.
  static constexpr uint32_t kNone = FlatIndex::kNone;
  struct Node {
    IpAddress ip{};
    CachedName name;
    uint32_t older = kNone, newer = kNone;
  };
  void Unlink(uint32_t node);
  void LinkNewest(uint32_t node);
  void Put(const IpAddress& ip, std::string_view query_name,
           const std::vector<std::string_view>& cname_chain, int64_t expires_us);

  Options options_;
  uint64_t seed_[2];  // from options_.hash_seed, or drawn
  std::vector<Node> nodes_;
  FlatIndex index_;
  uint32_t oldest_ = kNone, newest_ = kNone;
  uint64_t evictions_ = 0;
};

}  // namespace mw::analyzers::dns
