#include "core/backoff.h"

#include <gtest/gtest.h>

namespace frankenetes::core {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(Backoff, DoublesFromInitialUpToMax) {
  const BackoffPolicy policy{seconds(10), minutes(5), 2.0};
  EXPECT_EQ(backoff_delay(policy, 0), seconds(10));
  EXPECT_EQ(backoff_delay(policy, 1), seconds(20));
  EXPECT_EQ(backoff_delay(policy, 4), seconds(160));
  EXPECT_EQ(backoff_delay(policy, 5), minutes(5));  // 320 s capped at 300 s
  EXPECT_EQ(backoff_delay(policy, 5000), minutes(5));  // no overflow for huge attempts
}

TEST(Backoff, FullJitterStaysWithinZeroAndTheUnjitteredDelay) {
  const BackoffPolicy policy{seconds(1), seconds(60), 2.0};
  EXPECT_EQ(backoff_delay_full_jitter(policy, 3, 0.0), Duration(0));
  EXPECT_EQ(backoff_delay_full_jitter(policy, 3, 0.5), seconds(4));
  EXPECT_EQ(backoff_delay_full_jitter(policy, 3, 7.0), seconds(8));  // clamped to 1.0
}

}  // namespace
}  // namespace frankenetes::core
