#include "http/retry_after.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace frankenetes::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const core::SystemTime kNow{seconds(784111777)};  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(RetryAfter, Seconds) {
  EXPECT_EQ(parse_retry_after("7", kNow), seconds(7));
  EXPECT_EQ(parse_retry_after(" 0 ", kNow), seconds(0));
  EXPECT_EQ(parse_retry_after("300", kNow), seconds(300));
}

TEST(RetryAfter, HttpDate) {
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", kNow), seconds(10));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", kNow), core::Duration(0));
}

TEST(RetryAfter, HttpDateIsRoundedUp) {
  const auto now = kNow + milliseconds(400);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now), milliseconds(9600));
  const auto sub_ms = kNow + std::chrono::microseconds(1500);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", sub_ms), milliseconds(9999));
}

// A value a broken or hostile peer sends must neither overflow a duration nor
// close a gate for good: everything above kMaxRetryAfter is kMaxRetryAfter, and says so.
TEST(RetryAfter, HugeValuesAreCappedAndFlagged) {
  struct Case {
    const char* value;
    core::Duration wait;
    bool clamped;
  };
  const Case cases[] = {
      {"301", kMaxRetryAfter, true},
      {"86400", kMaxRetryAfter, true},
      {"99999999999999999999", kMaxRetryAfter, true},
      {"000000000000000000000000000000000000000007", seconds(7), false},
      {"Sun, 06 Nov 1994 08:54:37 GMT", minutes(5), false},         // exactly 5 minutes ahead
      {"Sun, 06 Nov 1994 08:54:38 GMT", kMaxRetryAfter, true},      // one second more
      {"Fri, 31 Dec 9999 23:59:59 GMT", kMaxRetryAfter, true},      // beyond SystemTime
      {"Thu, 01 Jan 1970 00:00:00 GMT", core::Duration(0), false},  // long past
      {"Mon, 01 Jan 0001 00:00:00 GMT", core::Duration(0), false},  // before SystemTime
  };
  for (const auto& c : cases) {
    const auto parsed = read_retry_after(c.value, kNow);
    ASSERT_TRUE(parsed.has_value()) << c.value;
    EXPECT_EQ(parsed->wait, c.wait) << c.value;
    EXPECT_EQ(parsed->clamped, c.clamped) << c.value;
    EXPECT_EQ(parse_retry_after(c.value, kNow), c.wait) << c.value;
  }
  EXPECT_EQ(kMaxRetryAfter, minutes(5));
}

TEST(RetryAfter, GarbageIsIgnored) {
  for (const std::string& value :
       std::vector<std::string>{"", "   ", "-1", "-0", "7s", "soon", "1.5", "0x10", "+5", "7 8",
                                "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT",
                                "Sun, 06 Nov 1994 08:49:37 UTC", "Sunday, 06-Nov-94 08:49:37 GMT",
                                std::string("5\0", 2)}) {
    EXPECT_FALSE(read_retry_after(value, kNow).has_value()) << value;
    EXPECT_FALSE(parse_retry_after(value, kNow).has_value()) << value;
  }
}

TEST(RetryAfter, FromHeadersCaseInsensitivelyAndCapped) {
  EXPECT_EQ(retry_after({{"retry-after", "3"}}, kNow), seconds(3));
  EXPECT_EQ(retry_after({{"Retry-After", "99999999999"}}, kNow), kMaxRetryAfter);
  EXPECT_EQ(retry_after({{"Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT"}}, kNow), kMaxRetryAfter);
  EXPECT_FALSE(retry_after({{"Retry-After", "garbage"}}, kNow).has_value());
  EXPECT_FALSE(retry_after({}, kNow).has_value());
}

}  // namespace
}  // namespace frankenetes::http
