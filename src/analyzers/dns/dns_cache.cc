#include "analyzers/dns/dns_cache.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/random_seed.h"

namespace mw::analyzers::dns {

namespace {

uint64_t Fold(__uint128_t m) { return uint64_t(m) ^ uint64_t(m >> 64); }

}  // namespace

DnsCache::DnsCache(Options options) : options_(options) {
  const uint64_t seed = options_.hash_seed != 0 ? options_.hash_seed : RandomSeed();
  seed_[0] = seed ^ 0x9e3779b97f4a7c15ull;
  seed_[1] = Fold(__uint128_t(seed) * 0xc2b2ae3d27d4eb4full);
}

uint64_t DnsCache::HashOf(const IpAddress& ip) const {
  // The two halves, each mixed with the seed, multiplied and folded; then once more, so that
  // the index's low bits depend on every bit of the product. Answer addresses are chosen by
  // whoever runs the DNS server: with a seed they cannot know, they cannot aim at one slot.
  uint64_t lo, hi;
  std::memcpy(&lo, ip.data(), 8);
  std::memcpy(&hi, ip.data() + 8, 8);
  const uint64_t h = Fold(__uint128_t(lo ^ seed_[0]) * (hi ^ seed_[1]));
  return Fold(__uint128_t(h ^ seed_[1]) * 0x9fb21c651e98df25ull);
}

void DnsCache::Unlink(uint32_t node) {
  Node& n = nodes_[node];
  (n.older == kNone ? oldest_ : nodes_[n.older].newer) = n.newer;
  (n.newer == kNone ? newest_ : nodes_[n.newer].older) = n.older;
  n.older = n.newer = kNone;
}

void DnsCache::LinkNewest(uint32_t node) {
  Node& n = nodes_[node];
  n.older = newest_;
  n.newer = kNone;
  (newest_ == kNone ? oldest_ : nodes_[newest_].newer) = node;
  newest_ = node;
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
  const uint64_t hash = HashOf(ip);
  uint32_t node = index_.Find(hash, [&](uint32_t n) { return nodes_[n].ip == ip; });
  if (node != kNone) {
    // A refresh: the entry takes the new name and becomes the newest, in place (its strings
    // keep their storage).
    Unlink(node);
  } else {
    if (index_.size() >= options_.capacity) {
      // The oldest entry goes; its node (and the storage of its strings) is the new one's.
      node = oldest_;
      Unlink(node);
      const IpAddress& old = nodes_[node].ip;
      index_.Erase(HashOf(old), [&](uint32_t n) { return n == node; });
      ++evictions_;
    } else {
      node = uint32_t(nodes_.size());
      nodes_.emplace_back();
    }
    nodes_[node].ip = ip;
    index_.Insert(hash, node);
  }
  LinkNewest(node);
  CachedName& name = nodes_[node].name;
  name.query_name.assign(query_name);
  name.cname_chain.assign(cname_chain.begin(), cname_chain.end());
  name.expires_us = expires_us;
}

const CachedName* DnsCache::Find(const IpAddress& ip, int64_t now_us) const {
  const uint32_t node = index_.Find(HashOf(ip), [&](uint32_t n) { return nodes_[n].ip == ip; });
  if (node == kNone || nodes_[node].name.expires_us <= now_us) return nullptr;
  return &nodes_[node].name;
}

}  // namespace mw::analyzers::dns
