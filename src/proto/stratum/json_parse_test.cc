#include "proto/stratum/json_parse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mw::stratum {
namespace {

using Json = nlohmann::ordered_json;

// Each text is parsed by ParseJson and by nlohmann: both accept it or both reject it, and an
// accepted one dumps the same (values, key order) with the same top-level type.
void ExpectAsNlohmann(const std::string& text) {
  SCOPED_TRACE("text: " + text);
  const Json reference = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  Json ours;
  const bool ok = ParseJson(text, ours);
  ASSERT_EQ(ok, !reference.is_discarded());
  if (ok) {
    EXPECT_EQ(ours.dump(), reference.dump());
    EXPECT_EQ(ours.type(), reference.type());
  }
}

TEST(ParseJson, AcceptsAndBuildsWhatNlohmannDoes) {
  const std::vector<std::string> texts = {
      R"({"id":1,"method":"mining.subscribe","params":["cpuminer/2.5.1"]})",
      R"({ "params" : { "login" : "x" , "pass" : "y" } , "id" : 2 , "method" : "login" })",
      R"({"result":{"id":"1","job":{"blob":"0707","job_id":"a","target":"b7d10000"}},"error":null})",
      "[]", "{}", "[[[[[]]]]]", " \t\r\n 7 \n", "-0", "0.5", "1e5", "1E-5", "-1.25e+3",
      "18446744073709551615", "18446744073709551616", "-9223372036854775808",
      "-9223372036854775809", "123456789012345678901234567890", "1e-400", "\"\"",
      R"("\"\\\/\b\f\n\r\t")", R"("\u0041\u00e9\u20ac\ud83d\ude00\u0000")", "\"é€😀\"",
      R"({"a":1,"b":2,"a":3})", R"({"a":{"x":1},"a":[2]})", "true", "false", "null",
      "\xEF\xBB\xBF{}", std::string("{}\0garbage", 10), std::string("[1]\0", 4),
  };
  for (const std::string& t : texts) ExpectAsNlohmann(t);
}

TEST(ParseJson, RejectsWhatNlohmannRejects) {
  const std::vector<std::string> texts = {
      "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "1.", ".5",
      "1e", "1e+", "-", "+1", "0x10", "1e400", "-1e400", "tru", "nul", "True", "'a'",
      "\"abc", "\"a\x01\"", R"("\x")", R"("\u12")", R"("\uD800")", R"("\uDC00")",
      R"("\uD800\u0041")", "\"\xC0\x80\"", "\"\xED\xA0\x80\"", "\"\xF4\x90\x80\x80\"",
      "\"\xE2\x82\"", "\"\xFF\"", "{} {}", "[1]x", "\xEF\xBB{}", std::string("\0{}", 3),
      std::string("[1,\0]", 5),
  };
  for (const std::string& t : texts) ExpectAsNlohmann(t);
}

TEST(ParseJson, NestsDeeperThanAnyStackWouldAllow) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  Json out;
  ASSERT_TRUE(ParseJson(deep, out));
  EXPECT_TRUE(out.is_array());
  EXPECT_FALSE(ParseJson(std::string(100000, '['), out));
}

TEST(ParseJson, NumberTypesAreNlohmanns) {
  Json out;
  ASSERT_TRUE(ParseJson("[5, -5, 5.0, 18446744073709551616]", out));
  EXPECT_TRUE(out[0].is_number_unsigned());
  EXPECT_TRUE(out[1].is_number_integer());
  EXPECT_FALSE(out[1].is_number_unsigned());
  EXPECT_TRUE(out[2].is_number_float());
  EXPECT_TRUE(out[3].is_number_float());
}

}  // namespace
}  // namespace mw::stratum
