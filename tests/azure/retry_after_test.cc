#include "azure/retry_after.h"

#include <gtest/gtest.h>

namespace frankenetes::azure {
namespace {

using std::chrono::seconds;

const core::SystemTime kNow{seconds(784111777)};  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(RetryAfter, Seconds) {
  EXPECT_EQ(parse_retry_after("7", kNow), seconds(7));
  EXPECT_EQ(parse_retry_after(" 0 ", kNow), seconds(0));
  EXPECT_EQ(parse_retry_after("99999999999999999999", kNow), seconds(86400));
}

TEST(RetryAfter, HttpDate) {
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", kNow), seconds(10));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", kNow), core::Duration(0));
}

TEST(RetryAfter, GarbageIsIgnored) {
  EXPECT_FALSE(parse_retry_after("", kNow).has_value());
  EXPECT_FALSE(parse_retry_after("-1", kNow).has_value());
  EXPECT_FALSE(parse_retry_after("7s", kNow).has_value());
  EXPECT_FALSE(parse_retry_after("soon", kNow).has_value());
}

TEST(RetryAfter, FromHeadersCaseInsensitively) {
  EXPECT_EQ(retry_after({{"retry-after", "3"}}, kNow), seconds(3));
  EXPECT_FALSE(retry_after({}, kNow).has_value());
}

}  // namespace
}  // namespace frankenetes::azure
