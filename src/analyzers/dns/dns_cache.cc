#include "analyzers/dns/dns_cache.h"

#include <algorithm>
#include <cstring>

namespace mw::analyzers::dns {

size_t DnsCache::IpHash::operator()(const IpAddress& ip) const {
  // The two halves, multiplied and folded: addresses are not attacker-chosen keys in a way that
  // matters for a bounded table, and this avoids allocating a string key.
  uint64_t lo, hi;
  std::memcpy(&lo, ip.data(), 8);
  std::memcpy(&hi, ip.data() + 8, 8);
  const __uint128_t m = static_cast<__uint128_t>(lo ^ 0x9e3779b97f4a7c15ull) *
                         (hi ^ 0xc2b2ae3d27d4eb4full);
  return size_t(uint64_t(m) ^ uint64_t(m >> 64));
}

size_t DnsCache::Insert(const Message& response, int64_t now_us) {
  if (!response.is_response || response.rcode != 0 || response.questions.empty() ||
      options_.capacity == 0) {
    return 0;
  }
  const std::string& qname = response.questions.front().name;
  size_t stored = 0;
  std::vector<std::string_view> chain;
  for (const Answer& a : response.answers) {
    if (a.type != kTypeA && a.type != kTypeAaaa) continue;
    // Walk the CNAME chain from the question to this record's owner; answers whose owner is not
    // reachable from the question are not about it and are skipped.
    chain.clear();
    std::string_view cur = qname;
    bool reachable = cur == a.name;
    for (size_t hop = 0; !reachable && hop < 8; ++hop) {
      auto it = std::find_if(response.answers.begin(), response.answers.end(),
                             [&](const Answer& c) { return c.type == kTypeCname && c.name == cur; });
      if (it == response.answers.end()) break;
      cur = it->target;
      chain.push_back(cur);
      reachable = cur == a.name;
    }
    if (!reachable) continue;
    const uint32_t ttl = std::clamp(a.ttl, options_.min_ttl_s, options_.max_ttl_s);
    Put(a.address, qname, chain, now_us + int64_t(ttl) * 1000000);
    ++stored;
  }
  return stored;
}

void DnsCache::Put(const IpAddress& ip, std::string_view query_name,
                   const std::vector<std::string_view>& cname_chain, int64_t expires_us) {
  auto it = map_.find(ip);
  if (it != map_.end()) {
    // A refresh: the entry takes the new name and becomes the newest, in place (its strings
    // keep their storage).
    order_.splice(order_.end(), order_, it->second.order);
  } else {
    while (map_.size() >= options_.capacity) {
      map_.erase(order_.front());
      order_.pop_front();
      ++evictions_;
    }
    order_.push_back(ip);
    it = map_.emplace(ip, Entry{CachedName{}, std::prev(order_.end())}).first;
  }
  CachedName& name = it->second.name;
  name.query_name.assign(query_name);
  name.cname_chain.assign(cname_chain.begin(), cname_chain.end());
  name.expires_us = expires_us;
}

const CachedName* DnsCache::Find(const IpAddress& ip, int64_t now_us) const {
  auto it = map_.find(ip);
  if (it == map_.end() || it->second.name.expires_us <= now_us) return nullptr;
  return &it->second.name;
}

}  // namespace mw::analyzers::dns
