// InlineVector<T, N>: a vector of a trivially copyable T whose first N elements live inside the
// object; a longer list moves to the heap. For the small lists a parser fills by the million
// (a TLS hello's cipher suites, extensions and groups), where a std::vector's allocation and
// free cost more than the parsing.
//
// The std::vector subset those users need: construction and assignment from an initializer
// list, push_back, resize, reserve, clear, iteration, indexing, equality. Moving a heap list
// hands its storage over; moving an inline one copies it. Not thread-safe (a value type).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <type_traits>

namespace mw {

template <class T, size_t N>
class InlineVector {
  static_assert(std::is_trivially_copyable_v<T>, "InlineVector holds plain values");
  static_assert(N > 0 && N < (size_t{1} << 31));

 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;
  static constexpr size_t kInlineCapacity = N;

  InlineVector() = default;
  InlineVector(std::initializer_list<T> init) { assign(init.begin(), init.end()); }
  InlineVector(const InlineVector& other) { assign(other.begin(), other.end()); }
  InlineVector(InlineVector&& other) noexcept { Steal(other); }
  InlineVector& operator=(const InlineVector& other) {
    if (this != &other) assign(other.begin(), other.end());
    return *this;
  }
  InlineVector& operator=(InlineVector&& other) noexcept {
    if (this != &other) {
      Release();
      Steal(other);
    }
    return *this;
  }
  InlineVector& operator=(std::initializer_list<T> init) {
    assign(init.begin(), init.end());
    return *this;
  }
  ~InlineVector() { Release(); }

  template <class It>
  void assign(It first, It last) {
    clear();
    reserve(size_t(std::distance(first, last)));
    T* out = data();
    for (; first != last; ++first) out[size_++] = *first;
  }
  void push_back(T value) {
    if (size_ == capacity_) Grow(size_t{capacity_} * 2);
    data()[size_++] = value;
  }
  // New elements are value-initialized (zero).
  void resize(size_t n) {
    reserve(n);
    if (n > size_) std::fill(data() + size_, data() + n, T{});
    size_ = uint32_t(n);
  }
  void reserve(size_t n) {
    if (n > capacity_) Grow(n);
  }
  void clear() { size_ = 0; }

  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  bool on_heap() const { return heap_ != nullptr; }
  T* data() { return heap_ != nullptr ? heap_ : inline_; }
  const T* data() const { return heap_ != nullptr ? heap_ : inline_; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T& front() { return data()[0]; }
  const T& front() const { return data()[0]; }
  T& back() { return data()[size_ - 1]; }
  const T& back() const { return data()[size_ - 1]; }

  friend bool operator==(const InlineVector& a, const InlineVector& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  void Grow(size_t n) {
    T* bigger = new T[n];
    if (heap_ != nullptr) {
      std::copy_n(heap_, size_, bigger);
      delete[] heap_;
    } else {
      std::copy_n(inline_, std::min<size_t>(size_, N), bigger);  // (size_ <= N here)
    }
    heap_ = bigger;
    capacity_ = uint32_t(n);
  }
  void Release() {
    delete[] heap_;
    heap_ = nullptr;
    capacity_ = N;
    size_ = 0;
  }
  // Takes `other`'s elements (its storage, when on the heap) and leaves it empty.
  void Steal(InlineVector& other) {
    if (other.heap_ != nullptr) {
      heap_ = other.heap_;
      capacity_ = other.capacity_;
      other.heap_ = nullptr;
      other.capacity_ = N;
    } else {
      std::copy_n(other.inline_, std::min<size_t>(other.size_, N), inline_);  // (size_ <= N)
    }
    size_ = other.size_;
    other.size_ = 0;
  }

  T* heap_ = nullptr;
  uint32_t size_ = 0;
  uint32_t capacity_ = N;
  T inline_[N] = {};
};

}  // namespace mw
