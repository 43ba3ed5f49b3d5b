#include "analyzers/tls/certificate_cache.h"

#include <algorithm>
#include <cstring>

namespace mw::analyzers::tls {

CertificateCache::CertificateCache(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

uint64_t CertificateCache::KeyOf(ByteSpan der) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ der.size();
  const size_t n = std::min<size_t>(der.size(), 32);
  const uint8_t* tail = der.data() + der.size() - n;
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, tail + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  for (size_t i = n - n % 8; i < n; ++i) h = (h ^ tail[i]) * 0xc4ceb9fe1a85ec53ull;
  return h;
}

CertError CertificateCache::Parse(ByteSpan der, CertificateInfo& out) {
  const uint64_t key = KeyOf(der);
  const auto is_key = [&](uint32_t slot) { return slots_[slot].key == key; };
  const uint32_t found = index_.Find(key, is_key);
  if (found != FlatIndex::kNone) {
    const Slot& s = slots_[found];
    if (s.der.size() == der.size() && std::memcmp(s.der.data(), der.data(), der.size()) == 0) {
      ++hits_;
      out = s.info;
      return CertError::kOk;
    }
  }
  ++misses_;
  const bool may_decode_whole = whole_decodes_ < kFreeWholeDecodes + misses_ / kWholeDecodeShare;
  bool decoded_whole = false;
  const CertError e = ParseCertificateDer(
      der, out, may_decode_whole ? SelfIssued::kCheck : SelfIssued::kAssume, &decoded_whole);
  whole_decodes_ += decoded_whole;
  if (out.self_signed_assumed) ++assumed_;
  // (An assumed answer is not kept: a repeat is checked when the budget allows.)
  if (e != CertError::kOk || out.self_signed_assumed) return e;
  size_t slot;
  if (found != FlatIndex::kNone) {
    slot = found;  // another certificate under the same key: the newer one takes it
  } else if (slots_.size() < capacity_) {
    slot = slots_.size();
    slots_.emplace_back();
    index_.Insert(key, uint32_t(slot));
  } else {
    slot = next_;
    next_ = (next_ + 1) % capacity_;
    const uint64_t old = slots_[slot].key;
    index_.Erase(old, [&](uint32_t s) { return slots_[s].key == old; });
    index_.Insert(key, uint32_t(slot));
  }
  Slot& s = slots_[slot];
  s.key = key;
  s.der.assign(reinterpret_cast<const char*>(der.data()), der.size());
  s.info = out;
  return CertError::kOk;
}

}  // namespace mw::analyzers::tls
