#include "http/throttle_gate.h"

#include <gtest/gtest.h>

#include "http/retry_after.h"
#include "support/fake_time_source.h"

namespace frankenetes::http {
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

// The default key is the URL's origin; a service that throttles by something else says so
// (ARM: azure::arm_throttle_key, tested in tests/azure/arm_paths_test.cc).
TEST(ThrottleGate, KeyedByOriginUnlessGivenAKey) {
  testing::FakeTimeSource time;
  const ThrottleGate by_origin(time);
  EXPECT_EQ(by_origin.key_for("https://API.cloudflare.com:443/client/v4/zones/z/dns_records"),
            "https://api.cloudflare.com");
  const ThrottleGate by_path(time, [](std::string_view url) { return std::string(url); });
  EXPECT_EQ(by_path.key_for("https://x/a"), "https://x/a");
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
}  // namespace frankenetes::http
