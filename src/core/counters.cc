#include "core/counters.h"

#include <algorithm>
#include <cstring>

namespace mw {

Counter& CounterSet::Get(std::string_view name) {
  const auto address = reinterpret_cast<uintptr_t>(name.data());
  std::atomic<const RecentName*>& slot =
      recent_[((address >> 3) ^ (address >> 11) ^ name.size()) % kRecentNames];
  if (const RecentName* r = slot.load(std::memory_order_acquire);
      r != nullptr && r->data == name.data() && r->size == name.size() &&
      std::memcmp(r->text, name.data(), name.size()) == 0) {
    return *r->counter;
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) {
    it = by_name_.emplace(std::string(name), &storage_.emplace_back()).first;
  }
  if (recent_entries_.size() < kMaxRecentEntries && name.size() <= kMaxRecentText) {
    RecentName& r = recent_entries_.emplace_back();
    r.data = name.data();
    r.size = uint32_t(name.size());
    r.counter = it->second;
    std::memcpy(r.text, name.data(), name.size());
    slot.store(&r, std::memory_order_release);
  }
  return *it->second;
}

Counter& CounterSet::Get(std::string_view prefix, std::string_view name) {
  char buf[128];
  if (prefix.size() + name.size() > sizeof(buf)) return Get(std::string(prefix) + std::string(name));
  std::copy(prefix.begin(), prefix.end(), buf);
  std::copy(name.begin(), name.end(), buf + prefix.size());
  return Get(std::string_view(buf, prefix.size() + name.size()));
}

uint64_t CounterSet::Value(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_name_.find(name);
  return it == by_name_.end() ? 0 : it->second->Get();
}

std::map<std::string, uint64_t> CounterSet::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, uint64_t> out;
  for (const auto& [name, c] : by_name_) {
    out[prefix_.empty() ? name : prefix_ + "." + name] = c->Get();
  }
  return out;
}

}  // namespace mw
