#include "sim/dns/rate_limiter.h"

#include <gtest/gtest.h>

#include "support/fake_time_source.h"

namespace frankenetes::sim::dns {
namespace {

using namespace std::chrono_literals;

TEST(RequestRateLimiterTest, BlocksForAWholeWindowOnceTheQuotaIsUsed) {
  frankenetes::testing::FakeTimeSource clock;
  RequestRateLimiter limiter(3, 5min);
  EXPECT_EQ(limiter.admit("t", clock.monotonic_time()).remaining, 2u);
  clock.advance(1min);
  EXPECT_TRUE(limiter.admit("t", clock.monotonic_time()).allowed);
  auto third = limiter.admit("t", clock.monotonic_time());
  EXPECT_TRUE(third.allowed);
  EXPECT_EQ(third.remaining, 0u);
  EXPECT_EQ(third.reset_in, 4min);  // the first request leaves the window then

  auto refused = limiter.admit("t", clock.monotonic_time());
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 5min);
  EXPECT_TRUE(limiter.admit("other", clock.monotonic_time()).allowed);  // per key

  clock.advance(4min + 59s);
  refused = limiter.admit("t", clock.monotonic_time());
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 1s);
  clock.advance(1s);
  auto again = limiter.admit("t", clock.monotonic_time());
  EXPECT_TRUE(again.allowed);
  EXPECT_EQ(again.remaining, 2u);
}

TEST(RequestRateLimiterTest, SlidingWindowForgetsOldRequests) {
  frankenetes::testing::FakeTimeSource clock;
  RequestRateLimiter limiter(2, 10s);
  EXPECT_TRUE(limiter.admit("t", clock.monotonic_time()).allowed);
  clock.advance(6s);
  EXPECT_TRUE(limiter.admit("t", clock.monotonic_time()).allowed);
  clock.advance(4s);  // the first one has left the window
  EXPECT_TRUE(limiter.admit("t", clock.monotonic_time()).allowed);
}

}  // namespace
}  // namespace frankenetes::sim::dns
