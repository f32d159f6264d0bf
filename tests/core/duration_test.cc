#include "core/duration.h"

#include <gtest/gtest.h>

namespace frankenetes::core {
namespace {

using std::chrono::milliseconds;

TEST(Duration, ParsesOperatorSpellings) {
  struct Case {
    const char* text;
    long long ms;
  };
  for (const auto& c : {Case{"500ms", 500}, Case{"10s", 10'000}, Case{"5m", 300'000},
                        Case{"1h", 3'600'000}, Case{"1m30s", 90'000}, Case{"0s", 0}}) {
    auto parsed = parse_duration(c.text);
    ASSERT_TRUE(parsed.has_value()) << c.text;
    EXPECT_EQ(parsed->count(), c.ms) << c.text;
  }
}

TEST(Duration, RejectsMalformedText) {
  for (const char* bad : {"", "10", "s", "10 s", "-5s", "1.5s", "10sec", "5d", "99999999999999999h"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

TEST(Duration, FormatsShortestExactSpelling) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(milliseconds(500)), "500ms");
  EXPECT_EQ(format_duration(milliseconds(90'000)), "1m30s");
  EXPECT_EQ(format_duration(milliseconds(3'600'000)), "1h");
}

}  // namespace
}  // namespace frankenetes::core
