#include "azure/throttle_gate.h"

#include <gtest/gtest.h>

#include "azure/retry_after.h"
#include "support/fake_time_source.h"

namespace frankenetes::azure {
namespace {

using std::chrono::seconds;

TEST(ThrottleGate, ClosedUntilRetryAfterHasPassed) {
  testing::FakeTimeSource time;
  ThrottleGate gate(time);
  const std::string key = "subscription:s1";
  EXPECT_FALSE(gate.remaining(key).has_value());
  gate.close_for(key, seconds(7));
  EXPECT_EQ(gate.remaining(key), seconds(7));
  time.advance(seconds(6));
  EXPECT_EQ(gate.remaining(key), seconds(1));
  EXPECT_FALSE(gate.remaining("subscription:other").has_value());
  time.advance(seconds(1));
  EXPECT_FALSE(gate.remaining(key).has_value());
}

TEST(ThrottleGate, NeverShortensAClosure) {
  testing::FakeTimeSource time;
  ThrottleGate gate(time);
  gate.close_for("k", seconds(30));
  gate.close_for("k", seconds(5));
  EXPECT_EQ(gate.remaining("k"), seconds(30));
}

TEST(ThrottleGate, KeyedBySubscriptionElseOrigin) {
  EXPECT_EQ(ThrottleGate::key_for_url(
                "https://management.azure.com/subscriptions/ABC/resourceGroups/r?api-version=1"),
            "subscription:abc");
  EXPECT_EQ(ThrottleGate::key_for_url("https://management.azure.com/subscriptions/abc/providers/"
                                      "Microsoft.ContainerInstance/locations/x/operations/y"),
            "subscription:abc");
  EXPECT_EQ(ThrottleGate::key_for_url("https://login.microsoftonline.com/t/oauth2/v2.0/token"),
            "https://login.microsoftonline.com");
}

TEST(ThrottleGate, AClosureIsCappedSoTheGateAlwaysReopens) {
  testing::FakeTimeSource time;
  ThrottleGate gate(time);
  gate.close_for("k", std::chrono::hours(24 * 365 * 100));
  EXPECT_EQ(gate.remaining("k"), kMaxRetryAfter);
  gate.close_for("k", core::Duration::max());  // would overflow the time point uncapped
  EXPECT_EQ(gate.remaining("k"), kMaxRetryAfter);
  time.advance(kMaxRetryAfter);
  EXPECT_FALSE(gate.remaining("k").has_value());
}

TEST(ThrottleGate, ZeroOrNegativeDoesNotClose) {
  testing::FakeTimeSource time;
  ThrottleGate gate(time);
  gate.close_for("k", core::Duration(0));
  gate.close_for("k", seconds(-5));
  gate.close_for("k", core::Duration::min());
  EXPECT_FALSE(gate.remaining("k").has_value());
}

}  // namespace
}  // namespace frankenetes::azure
