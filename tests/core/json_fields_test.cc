// core/json_fields.h: every lookup tells absent / null / wrong type / out of range / present
// apart and never throws, whatever the peer sent.

#include "core/json_fields.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace frankenetes::core::json_fields {
namespace {

const json kDoc = json::parse(R"({
  "s": "text", "empty": "", "n": 42, "neg": -7, "big": 18446744073709551615, "f": 1.5,
  "whole": 60.0, "huge": 1e300, "b": true, "null": null, "o": {"k": 1}, "a": [1, 2],
  "digits": "3599", "neg_digits": "-5", "long_digits": "1234567890123456789", "junk": "12a"
})");

TEST(JsonFields, StringTable) {
  EXPECT_EQ(string(kDoc, "s").value(), "text");
  EXPECT_EQ(string(kDoc, "empty").value(), "");
  EXPECT_EQ(string(kDoc, "missing").presence(), Presence::kAbsent);
  EXPECT_EQ(string(kDoc, "null").presence(), Presence::kNull);
  EXPECT_TRUE(string(kDoc, "null").absent());
  const auto wrong = string(kDoc, "n");
  EXPECT_EQ(wrong.presence(), Presence::kWrongType);
  EXPECT_FALSE(wrong.absent());
  EXPECT_FALSE(wrong.optional().has_value());
  EXPECT_EQ(wrong.describe("n"), R"("n" is an integer, expected a string)");
  EXPECT_EQ(string(json::array(), "s").describe("s"), R"("s" is absent (not inside an object))");
  EXPECT_EQ(string(json(), "s").presence(), Presence::kAbsent);
}

TEST(JsonFields, BooleanObjectArrayTable) {
  EXPECT_TRUE(boolean(kDoc, "b").value());
  EXPECT_EQ(boolean(kDoc, "s").describe("s"), R"("s" is a string, expected a boolean)");
  EXPECT_EQ(boolean(kDoc, "n").presence(), Presence::kWrongType);  // 1/0 are not booleans
  EXPECT_EQ((*object(kDoc, "o").value())["k"], 1);
  EXPECT_EQ(object(kDoc, "a").describe("a"), R"("a" is an array, expected an object)");
  EXPECT_EQ(array(kDoc, "a").value()->size(), 2u);
  EXPECT_EQ(array(kDoc, "o").describe("o"), R"("o" is an object, expected an array)");
  EXPECT_EQ(array(kDoc, "null").presence(), Presence::kNull);
}

TEST(JsonFields, IntegerTable) {
  EXPECT_EQ(integer(kDoc, "n").value(), 42);
  EXPECT_EQ(integer(kDoc, "neg").value(), -7);
  EXPECT_EQ(integer(kDoc, "whole").value(), 60);
  EXPECT_EQ(integer(kDoc, "n", 0, 10).describe("n"), R"("n" is 42, expected 0..10)");
  EXPECT_EQ(integer(kDoc, "neg", 0).presence(), Presence::kOutOfRange);
  EXPECT_EQ(integer(kDoc, "big").presence(), Presence::kOutOfRange);
  EXPECT_EQ(integer(kDoc, "huge").presence(), Presence::kOutOfRange);
  EXPECT_EQ(integer(kDoc, "f").describe("f"),
            R"("f" is a number with a fraction, expected an integer)");
  EXPECT_EQ(integer(kDoc, "digits").describe("digits"),
            R"("digits" is a string, expected an integer)");
  EXPECT_EQ(integer(kDoc, "b").presence(), Presence::kWrongType);
  EXPECT_EQ(integer(kDoc, "missing").presence(), Presence::kAbsent);
  EXPECT_EQ(integer(kDoc, "null").presence(), Presence::kNull);
}

TEST(JsonFields, IntegerOrDecimalStringTable) {
  EXPECT_EQ(integer_or_decimal_string(kDoc, "digits").value(), 3599);
  EXPECT_EQ(integer_or_decimal_string(kDoc, "n").value(), 42);
  EXPECT_EQ(integer_or_decimal_string(kDoc, "neg_digits").value(), -5);
  EXPECT_EQ(integer_or_decimal_string(kDoc, "neg_digits", 1).presence(), Presence::kOutOfRange);
  EXPECT_EQ(integer_or_decimal_string(kDoc, "long_digits").presence(), Presence::kOutOfRange);
  EXPECT_EQ(integer_or_decimal_string(kDoc, "junk").describe("junk"),
            R"("junk" is a string, expected an integer or a string of digits)");
  EXPECT_EQ(integer_or_decimal_string(kDoc, "empty").presence(), Presence::kWrongType);
  EXPECT_EQ(integer_or_decimal_string(kDoc, "f").presence(), Presence::kWrongType);
  EXPECT_EQ(integer_or_decimal_string(kDoc, "o").presence(), Presence::kWrongType);
}

TEST(JsonFields, ParseAndDumpNeverThrow) {
  std::string error;
  EXPECT_FALSE(parse("{", error).has_value());
  EXPECT_EQ(error, "not valid JSON");
  EXPECT_FALSE(parse("", error).has_value());
  EXPECT_EQ(error, "empty body");
  EXPECT_FALSE(parse("\"\xff\"", error).has_value());  // invalid UTF-8 is malformed input
  EXPECT_EQ(parse("[1]", error).value(), json::array({1}));
  const json bad_utf8 = std::string(
      "a\xff"
      "b");
  EXPECT_EQ(dump(bad_utf8),
            "\"a\xEF\xBF\xBD"
            "b\"");
}

}  // namespace
}  // namespace frankenetes::core::json_fields
