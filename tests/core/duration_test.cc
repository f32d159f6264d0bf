#include "core/duration.h"

#include <gtest/gtest.h>

#include <string>

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

// Every part fits alone, their sum does not (found by fuzz_http_values): rejected, never
// wrapped around to a negative or small duration. A sum that fits still parses.
TEST(Duration, RejectsASumThatOverflows) {
  constexpr long long kPart = 256'204'778'801;  // the largest hour count parse_duration takes
  constexpr long long kPartMs = kPart * 3'600'000;  // ~9.2e17: ten of them exceed 2^63 ms
  std::string nine;
  std::string eleven;
  for (int i = 0; i < 9; ++i) nine += std::to_string(kPart) + "h";
  eleven = nine + std::to_string(kPart) + "h" + std::to_string(kPart) + "h";
  const auto fits = parse_duration(nine);
  ASSERT_TRUE(fits.has_value());
  EXPECT_EQ(fits->count(), 9 * kPartMs);
  EXPECT_FALSE(parse_duration(eleven).has_value());
  EXPECT_FALSE(parse_duration(nine + "9223372036854ms" + std::to_string(kPart) + "h").has_value());
}

TEST(Duration, FormatsShortestExactSpelling) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(milliseconds(500)), "500ms");
  EXPECT_EQ(format_duration(milliseconds(90'000)), "1m30s");
  EXPECT_EQ(format_duration(milliseconds(3'600'000)), "1h");
}

}  // namespace
}  // namespace frankenetes::core
