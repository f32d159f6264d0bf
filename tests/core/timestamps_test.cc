#include "core/timestamps.h"

#include <gtest/gtest.h>

namespace frankenetes::core {
namespace {

using std::chrono::seconds;

core::SystemTime at(long long epoch_seconds) { return core::SystemTime(seconds(epoch_seconds)); }

TEST(Iso8601, ParsesUtcWithZ) {
  // 2017-08-08T00:09:10Z
  EXPECT_EQ(parse_iso8601("2017-08-08T00:09:10Z"), at(1502150950));
}

TEST(Iso8601, ParsesSevenFractionalDigits) {
  const auto t = parse_iso8601("2019-03-11T07:31:31.6532123Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t - at(1552289491), std::chrono::nanoseconds(653212300));
}

TEST(Iso8601, ParsesOffsetsAndMissingZoneAsUtc) {
  EXPECT_EQ(parse_iso8601("2017-08-08T02:09:10+02:00"), at(1502150950));
  EXPECT_EQ(parse_iso8601("2017-08-07T23:09:10-0100"), at(1502150950));
  EXPECT_EQ(parse_iso8601("2017-08-08T00:09:10"), at(1502150950));
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00Z"), at(0));
  EXPECT_EQ(parse_iso8601("2024-02-29T00:00:00Z"), at(1709164800));
}

TEST(Iso8601, RejectsGarbage) {
  for (const char* bad : {"", "2017", "2017-08-08", "2017-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
                          "2017-08-08T25:00:00Z", "2017-08-08T00:09:10.Z", "2017-08-08T00:09:10Zx",
                          "not a date", "2017-08-08T00:09:10+2"}) {
    EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
  }
}

TEST(HttpDate, ParsesImfFixdate) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), at(784111777));
  EXPECT_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT").has_value());
  EXPECT_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT").has_value());
  EXPECT_FALSE(parse_http_date("").has_value());
}

// core::SystemTime counts nanoseconds in 64 bits (about 1678 to 2262): dates outside that
// are unknown (nullopt), never an overflowed time point. Only the seconds form holds them.
TEST(Timestamps, DatesSystemTimeCannotHoldAreRejectedNotOverflowed) {
  for (const char* far : {"9999-12-31T23:59:59Z", "2263-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
                          "1600-01-01T00:00:00.5Z"}) {
    EXPECT_FALSE(parse_iso8601(far).has_value()) << far;
  }
  EXPECT_TRUE(parse_iso8601("2261-12-31T23:59:59Z").has_value());
  EXPECT_TRUE(parse_iso8601("1700-01-01T00:00:00Z").has_value());

  EXPECT_FALSE(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT").has_value());
  EXPECT_EQ(parse_http_date_seconds("Fri, 31 Dec 9999 23:59:59 GMT"), 253402300799);
  EXPECT_EQ(parse_http_date_seconds("Mon, 01 Jan 0001 00:00:00 GMT"), -62135596800);
  EXPECT_EQ(parse_http_date_seconds("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_FALSE(parse_http_date_seconds("Sun, 06 Nov 1994 08:49:37 UTC").has_value());
}

TEST(HttpDate, FormatsImfFixdateInUtc) {
  EXPECT_EQ(format_http_date(at(784111777)), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format_http_date(at(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_http_date(at(1709164800) + std::chrono::milliseconds(999)),
            "Thu, 29 Feb 2024 00:00:00 GMT");
}

TEST(HttpDate, FormatAndParseAgree) {
  for (long long t : {0LL, 951782400LL, 1767225600LL, 4102444799LL}) {
    EXPECT_EQ(parse_http_date(format_http_date(at(t))), at(t)) << t;
  }
}

TEST(Iso8601, FormatsRfc3339UtcTruncatedToTheSecondAndParsesBack) {
  EXPECT_EQ(format_iso8601(at(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(at(1796219100) + std::chrono::milliseconds(999)), "2026-12-02T13:45:00Z");
  EXPECT_EQ(format_iso8601(at(1709164800) - seconds(1)), "2024-02-28T23:59:59Z");
  for (long long t : {0LL, 951782400LL, 1709164800LL, 1796219100LL, 4102444799LL}) {
    EXPECT_EQ(parse_iso8601(format_iso8601(at(t))), at(t)) << t;
  }
}

// Found by fuzz/fuzz_status_page: the earliest time points overflowed (UBSan) while the
// midnight before them was computed in nanoseconds.
TEST(Timestamps, FormatsTheWholeRangeOfSystemTime) {
  EXPECT_EQ(format_iso8601(core::SystemTime::min()), "1677-09-21T00:12:43Z");
  EXPECT_EQ(format_iso8601(core::SystemTime::max()), "2262-04-11T23:47:16Z");
  EXPECT_EQ(format_iso8601_basic(core::SystemTime::min()), "16770921T001243Z");
  EXPECT_EQ(format_http_date(core::SystemTime::min()), "Tue, 21 Sep 1677 00:12:43 GMT");
}

TEST(Iso8601Basic, FormatsUtcTruncatedToTheSecond) {
  EXPECT_EQ(format_iso8601_basic(at(0)), "19700101T000000Z");
  EXPECT_EQ(format_iso8601_basic(at(1502150950)), "20170808T000910Z");
  // 2026-12-02T13:45:00Z and a moment before the end of that second.
  EXPECT_EQ(format_iso8601_basic(at(1796219100) + std::chrono::milliseconds(999)),
            "20261202T134500Z");
  EXPECT_EQ(format_iso8601_basic(at(1709164800) - seconds(1)), "20240228T235959Z");
}

TEST(Iso8601Basic, ParseAndFormatRoundTrip) {
  for (long long t : {0LL, 951782400LL, 1709164800LL, 1796219100LL, 4102444799LL}) {
    EXPECT_EQ(parse_iso8601_basic(format_iso8601_basic(at(t))), at(t)) << t;
  }
}

TEST(Iso8601Basic, AcceptsOnlyTheExactForm) {
  for (const char* bad : {"", "20261202T134500", "20261202T134500z", "20261202t134500Z",
                          "2026-12-02T13:45:00Z", "20261202T13450Z", "20261202T1345000Z",
                          "20261302T134500Z", "20230229T000000Z", "20261202T244500Z",
                          "20261202T134560Z", "2026120xT134500Z", " 20261202T134500Z"}) {
    EXPECT_FALSE(parse_iso8601_basic(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace frankenetes::core
