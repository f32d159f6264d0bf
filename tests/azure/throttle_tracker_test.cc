#include "azure/throttle_tracker.h"

#include <gtest/gtest.h>

#include "support/fake_time_source.h"
#include "support/fake_transport.h"

namespace frankenetes::azure {
namespace {

using std::chrono::seconds;

TEST(ThrottleTracker, RecordsRemainingReadsAndWrites) {
  testing::FakeTimeSource time;
  ThrottleTracker tracker(time, {50, seconds(60)});
  EXPECT_FALSE(tracker.remaining_reads("s").has_value());
  EXPECT_FALSE(tracker.should_defer_nonessential("s"));
  tracker.record("s", {{"x-ms-ratelimit-remaining-subscription-reads", "249"}});
  tracker.record("s", {{"X-MS-RateLimit-Remaining-Subscription-Writes", "199"}});
  EXPECT_EQ(tracker.remaining_reads("s"), 249);
  EXPECT_EQ(tracker.remaining_writes("s"), 199);
  EXPECT_FALSE(tracker.should_defer_nonessential("s"));
  tracker.record("s", {{"x-ms-ratelimit-remaining-subscription-reads", "12"}});
  EXPECT_TRUE(tracker.should_defer_nonessential("s"));
  EXPECT_FALSE(tracker.should_defer_nonessential("other"));
}

TEST(ThrottleTracker, IgnoresGarbageAndForgetsOldReadings) {
  testing::FakeTimeSource time;
  ThrottleTracker tracker(time, {50, seconds(60)});
  tracker.record("s", {{"x-ms-ratelimit-remaining-subscription-reads", "12"}});
  tracker.record("s", {{"x-ms-ratelimit-remaining-subscription-reads", "lots"}});
  tracker.record("s", {{"x-ms-ratelimit-remaining-subscription-reads", "-1"}});
  EXPECT_EQ(tracker.remaining_reads("s"), 12);
  time.advance(seconds(61));
  EXPECT_FALSE(tracker.remaining_reads("s").has_value());
  EXPECT_FALSE(tracker.should_defer_nonessential("s"));
}

TEST(ThrottleTracker, MinimumOverSubscriptions) {
  testing::FakeTimeSource time;
  ThrottleTracker tracker(time);
  EXPECT_FALSE(tracker.min_remaining_reads().has_value());
  tracker.record("a", {{"x-ms-ratelimit-remaining-subscription-reads", "100"}});
  tracker.record("b", {{"x-ms-ratelimit-remaining-subscription-reads", "40"}});
  EXPECT_EQ(tracker.min_remaining_reads(), 40);
}

// The daemon's wiring: the tracker listens to the ARM stack's ObservingTransport and files
// each response's headers under the subscription in the request URL.
TEST(ThrottleTracker, FedByObservingTransportPerSubscription) {
  testing::FakeTimeSource time;
  testing::FakeTransport inner(&time);
  ThrottleTracker tracker(time);
  http::ObservingTransport t(inner, time, {}, &tracker);
  inner.push(200, "{}", {{"x-ms-ratelimit-remaining-subscription-reads", "248"}});
  http::ClientRequest request;
  request.url = "https://management.azure.com/subscriptions/SUB/resourceGroups/r?api-version=1";
  ASSERT_TRUE(t.send(request).ok());
  EXPECT_EQ(tracker.remaining_reads("sub"), 248);
}

}  // namespace
}  // namespace frankenetes::azure
