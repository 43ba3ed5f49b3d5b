#include "core/inline_vector.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace mw {
namespace {

using Small = InlineVector<uint16_t, 4>;

std::vector<uint16_t> Items(const Small& v) { return std::vector<uint16_t>(v.begin(), v.end()); }

TEST(InlineVector, StaysInlineUpToItsCapacityThenMovesToTheHeapInOrder) {
  Small v;
  EXPECT_TRUE(v.empty());
  for (uint16_t i = 1; i <= 4; ++i) v.push_back(i);
  EXPECT_FALSE(v.on_heap());
  v.push_back(5);
  EXPECT_TRUE(v.on_heap());
  EXPECT_GE(v.capacity(), 5u);
  for (uint16_t i = 6; i <= 40; ++i) v.push_back(i);
  ASSERT_EQ(v.size(), 40u);
  for (uint16_t i = 0; i < 40; ++i) EXPECT_EQ(v[i], i + 1);
  EXPECT_EQ(v.front(), 1);
  EXPECT_EQ(v.back(), 40);
  v.clear();
  EXPECT_TRUE(v.empty());
  EXPECT_TRUE(v.on_heap());  // clear keeps the storage
}

TEST(InlineVector, ResizeZeroesNewElementsAndAssignReplaces) {
  Small v = {7, 8};
  v.resize(6);
  EXPECT_EQ(Items(v), (std::vector<uint16_t>{7, 8, 0, 0, 0, 0}));
  v.resize(1);
  EXPECT_EQ(Items(v), std::vector<uint16_t>{7});
  v = {1, 2, 3};
  EXPECT_EQ(Items(v), (std::vector<uint16_t>{1, 2, 3}));
  const std::vector<uint16_t> many(9, 5);
  v.assign(many.begin(), many.end());
  EXPECT_EQ(Items(v), many);
}

TEST(InlineVector, CopiesAreDeepAndMovesEmptyTheSource) {
  for (const size_t n : {size_t{3}, size_t{9}}) {  // inline and on the heap
    Small a;
    for (size_t i = 0; i < n; ++i) a.push_back(uint16_t(100 + i));
    Small copy = a;
    EXPECT_EQ(copy, a);
    copy[0] = 1;
    EXPECT_EQ(a[0], 100) << "a copy shares nothing";
    const uint16_t* storage = a.data();
    Small moved = std::move(a);
    EXPECT_EQ(moved.size(), n);
    EXPECT_EQ(moved[n - 1], uint16_t(100 + n - 1));
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the contract says so
    if (n > Small::kInlineCapacity) {
      EXPECT_EQ(moved.data(), storage) << "heap storage handed over";
    }
    Small target = {9, 9, 9, 9, 9, 9};
    target = std::move(moved);
    EXPECT_EQ(target.size(), n);
    EXPECT_TRUE(moved.empty());  // NOLINT(bugprone-use-after-move)
    a = target;  // a moved-from vector is usable again
    EXPECT_EQ(a, target);
  }
  Small self = {1, 2, 3, 4, 5};
  const Small& alias = self;
  self = alias;
  EXPECT_EQ(Items(self), (std::vector<uint16_t>{1, 2, 3, 4, 5}));
  EXPECT_NE(Small({1, 2}), Small({1, 2, 3}));
}

}  // namespace
}  // namespace mw
