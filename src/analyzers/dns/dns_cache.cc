#include "analyzers/dns/dns_cache.h"

#include <algorithm>

namespace mw::analyzers::dns {

size_t DnsCache::IpHash::operator()(const IpAddress& ip) const {
  // FNV-1a over the 16 bytes: addresses are not attacker-chosen keys in a way that matters for
  // a bounded table, and this avoids allocating a string key.
  uint64_t h = 1469598103934665603ull;
  for (uint8_t b : ip) h = (h ^ b) * 1099511628211ull;
  return size_t(h);
}

size_t DnsCache::Insert(const Message& response, int64_t now_us) {
  if (!response.is_response || response.rcode != 0 || response.questions.empty() ||
      options_.capacity == 0) {
    return 0;
  }
  const std::string& qname = response.questions.front().name;
  size_t stored = 0;
  for (const Answer& a : response.answers) {
    if (a.type != kTypeA && a.type != kTypeAaaa) continue;
    // Walk the CNAME chain from the question to this record's owner; answers whose owner is not
    // reachable from the question are not about it and are skipped.
    CachedName name;
    name.query_name = qname;
    std::string cur = qname;
    bool reachable = cur == a.name;
    for (size_t hop = 0; !reachable && hop < 8; ++hop) {
      auto it = std::find_if(response.answers.begin(), response.answers.end(),
                             [&](const Answer& c) { return c.type == kTypeCname && c.name == cur; });
      if (it == response.answers.end()) break;
      cur = it->target;
      name.cname_chain.push_back(cur);
      reachable = cur == a.name;
    }
    if (!reachable) continue;
    const uint32_t ttl = std::clamp(a.ttl, options_.min_ttl_s, options_.max_ttl_s);
    name.expires_us = now_us + int64_t(ttl) * 1000000;
    Put(a.address, std::move(name));
    ++stored;
  }
  return stored;
}

void DnsCache::Put(const IpAddress& ip, CachedName name) {
  auto it = map_.find(ip);
  if (it != map_.end()) {
    order_.erase(it->second.order);
    map_.erase(it);
  }
  while (map_.size() >= options_.capacity) {
    map_.erase(order_.front());
    order_.pop_front();
    ++evictions_;
  }
  order_.push_back(ip);
  map_.emplace(ip, Entry{std::move(name), std::prev(order_.end())});
}

std::optional<CachedName> DnsCache::Lookup(const IpAddress& ip, int64_t now_us) const {
  auto it = map_.find(ip);
  if (it == map_.end() || it->second.name.expires_us <= now_us) return std::nullopt;
  return it->second.name;
}

}  // namespace mw::analyzers::dns
