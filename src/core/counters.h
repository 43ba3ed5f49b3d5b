// Named counters that every component exposes, so a user can see why something did or did not
// fire (packets seen, lines dropped, shares rejected ...).
//
// A CounterSet owns its counters; Counter references stay valid for the set's lifetime.
// Increments are lock-free and thread-safe; Add() of a new name takes a lock.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mw {

class Counter {
 public:
  void Inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Get() const { return v_.load(std::memory_order_relaxed); }
  void Set(uint64_t v) { v_.store(v, std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class CounterSet {
 public:
  explicit CounterSet(std::string prefix = "") : prefix_(std::move(prefix)) {}
  CounterSet(const CounterSet&) = delete;
  CounterSet& operator=(const CounterSet&) = delete;

  // Returns the counter called `name`, creating it at zero. Hot paths may call it per event
  // (an analyzer's "client_hello", "malformed.<reason>"): a name asked for again from the same
  // address (a literal) is found without the lock, in a small cache keyed by that address, its
  // text compared; other names take the lock and a hash lookup.
  Counter& Get(std::string_view name);
  // The counter called `prefix` + `name`, without building the name on the heap when it exists.
  Counter& Get(std::string_view prefix, std::string_view name);
  // Current value, 0 for an unknown name.
  uint64_t Value(std::string_view name) const;
  // name -> value, names prefixed with the set's prefix and a dot when it has one.
  std::map<std::string, uint64_t> Snapshot() const;

 private:
  std::string prefix_;
  mutable std::mutex mu_;
  std::deque<Counter> storage_;
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Counter*, NameHash, std::equal_to<>> by_name_;
  // Keyed by where the caller's name text lives; an entry counts only when the text matches too
  // (a name built in a reused buffer can come from the same address with other text). Entries
  // are immutable once published (release store, acquire load) and live as long as the set;
  // after kMaxRecentEntries of them, names are no longer cached (the lock path still works).
  // The name's text is kept in the entry itself, so that a hit reads one entry and the
  // caller's text, not the map's key as well; longer names are not cached.
  static constexpr size_t kMaxRecentText = 48;
  struct RecentName {
    const char* data = nullptr;
    uint32_t size = 0;
    Counter* counter = nullptr;
    char text[kMaxRecentText] = {};
  };
  static constexpr size_t kRecentNames = 64;
  static constexpr size_t kMaxRecentEntries = 1024;
  std::array<std::atomic<const RecentName*>, kRecentNames> recent_{};
  std::deque<RecentName> recent_entries_;  // under mu_
};

}  // namespace mw
