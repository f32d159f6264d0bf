#include "azure/observing_transport.h"

#include <gtest/gtest.h>

#include "fake_transport.h"

namespace frankenetes::azure {
namespace {

using std::chrono::milliseconds;

TEST(ObservingTransport, ReportsEveryExchangeAndFeedsTheTracker) {
  testing::FakeTimeSource time;
  testing::FakeTransport inner(&time, milliseconds(120));
  ThrottleTracker tracker(time);
  std::vector<RequestRecord> records;
  ObservingTransport t(
      inner, time, [&](const RequestRecord& r) { records.push_back(r); }, &tracker);

  inner.push(200, "{}", {{"x-ms-ratelimit-remaining-subscription-reads", "248"}});
  inner.push_error(core::ErrorKind::kTransient, "connection refused");

  http::ClientRequest request;
  request.method = "GET";
  request.url = "https://management.azure.com/subscriptions/SUB/resourceGroups/r?api-version=1";
  request.operation = "aci.get";
  ASSERT_TRUE(t.send(request).ok());
  ASSERT_FALSE(t.send(request).ok());

  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].operation, "aci.get");
  EXPECT_EQ(records[0].method, "GET");
  EXPECT_EQ(records[0].status, 200);
  EXPECT_EQ(records[0].code(), "200");
  EXPECT_EQ(records[0].duration, milliseconds(120));
  EXPECT_EQ(records[1].status, 0);
  EXPECT_EQ(records[1].code(), "transient");
  EXPECT_EQ(tracker.remaining_reads("sub"), 248);
}

TEST(ObservingTransport, ObserverAndTrackerAreOptional) {
  testing::FakeTimeSource time;
  testing::FakeTransport inner;
  ObservingTransport t(inner, time, {});
  inner.push(204);
  http::ClientRequest request;
  request.url = "https://x/";
  EXPECT_TRUE(t.send(request).ok());
}

}  // namespace
}  // namespace frankenetes::azure
