// http::RetryingTransport with ARM's gate key (azure::arm_throttle_key): ARM throttles per
// subscription, so a 429 holds back every request for that subscription and no other.

#include <gtest/gtest.h>

#include "azure/arm_paths.h"
#include "support/retrying_harness.h"

namespace frankenetes::azure {
namespace {

using std::chrono::seconds;
using testing::arm_request;
using testing::RetryingHarness;

// After ARM answers 429 with Retry-After: 7, no request for that subscription is sent within
// the next 7 s, from this caller or any other; other subscriptions go on.
TEST(ArmThrottling, A429ClosesTheGateForItsSubscriptionOnly) {
  RetryingHarness h({}, arm_throttle_key);
  h.policy.max_attempts = 1;  // the caller gives up at once; the gate must still hold others
  h.inner.push(429, "", {{"Retry-After", "7"}});
  auto t = h.make();
  const auto first = t.send(arm_request());
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->status, 429);
  ASSERT_EQ(h.inner.requests().size(), 1u);

  for (int second = 0; second < 7; ++second) {
    for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
      const auto blocked = t.send(arm_request(method));
      ASSERT_FALSE(blocked.ok());
      EXPECT_EQ(blocked.error().kind, core::ErrorKind::kTransient);
      EXPECT_NE(blocked.error().message.find("throttled: retry after"), std::string::npos)
          << blocked.error().message;
    }
    h.time.advance(seconds(1));
  }
  EXPECT_EQ(h.inner.requests().size(), 1u);  // nothing went out in those 7 s

  // Another subscription was never throttled.
  h.inner.push(200, "{}");
  h.inner.push(200, "{}");
  EXPECT_TRUE(
      t.send(arm_request("GET", "https://management.azure.com/subscriptions/sub-2/x")).ok());
  // And after 7 s the gate opens again.
  EXPECT_TRUE(t.send(arm_request()).ok());
  EXPECT_EQ(h.inner.requests().size(), 3u);
}

}  // namespace
}  // namespace frankenetes::azure
