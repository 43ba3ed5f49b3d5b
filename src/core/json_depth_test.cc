#include "core/json_depth.h"

#include <gtest/gtest.h>

#include <string>

namespace mw {
namespace {

TEST(JsonDepth, CountsObjectsAndArraysTogether) {
  EXPECT_FALSE(JsonNestsDeeperThan("", 0));
  EXPECT_FALSE(JsonNestsDeeperThan("1", 0));
  EXPECT_TRUE(JsonNestsDeeperThan("{}", 0));
  EXPECT_FALSE(JsonNestsDeeperThan("{}", 1));
  EXPECT_FALSE(JsonNestsDeeperThan(R"({"a":[1,{"b":[]}]})", 4));
  EXPECT_TRUE(JsonNestsDeeperThan(R"({"a":[1,{"b":[]}]})", 3));
  // Siblings do not add up: depth is how deep, not how many.
  EXPECT_FALSE(JsonNestsDeeperThan("[[],[],[],{},{}]", 2));
}

TEST(JsonDepth, BracketsInsideStringsDoNotCount) {
  EXPECT_FALSE(JsonNestsDeeperThan(R"(["[[[[{{{{"])", 1));
  // An escaped quote does not end the string; an escaped backslash before a quote does.
  EXPECT_FALSE(JsonNestsDeeperThan(R"(["\"[[[["])", 1));
  EXPECT_TRUE(JsonNestsDeeperThan(R"(["\\",[[[]]]])", 3));
  EXPECT_FALSE(JsonNestsDeeperThan(R"(["\\",[[[]]]])", 4));
}

TEST(JsonDepth, FindsTheDeepPartOfALongText) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_TRUE(JsonNestsDeeperThan(deep, 64));
  EXPECT_FALSE(JsonNestsDeeperThan(deep, 100000));
  // Closing brackets without openers never make the depth negative.
  EXPECT_TRUE(JsonNestsDeeperThan("]]]]" + std::string(3, '['), 2));
}

}  // namespace
}  // namespace mw
