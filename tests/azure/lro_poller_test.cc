#include "azure/lro_poller.h"

#include <gtest/gtest.h>

#include "http/retry_after.h"
#include "support/fake_sleeper.h"
#include "support/fake_transport.h"

namespace frankenetes::azure {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::FakeSleeper;
using testing::FakeTimeSource;
using testing::FakeTransport;

const LroLocation kAsync{LroLocation::Kind::kAzureAsyncOperation,
                         "https://management.azure.com/subscriptions/s/providers/"
                         "Microsoft.ContainerInstance/locations/eastus/operations/op1"
                         "?api-version=2018-06-01"};

struct Harness {
  FakeTimeSource time;
  FakeSleeper sleeper{time};
  FakeTransport transport;
  LroSettings settings{seconds(5), seconds(1), minutes(2)};

  core::Status wait(const LroLocation& location = kAsync,
                    std::optional<core::Duration> first_delay = std::nullopt) {
    LroPoller poller(time, sleeper, settings);
    return poller.wait(location, first_delay, "aci.restart", [this](const std::string& url) {
      http::ClientRequest r;
      r.url = url;
      return transport.send(r);
    });
  }
};

TEST(LroPoller, PollsUntilSucceeded) {
  Harness h;
  h.transport.push(200, R"({"status":"InProgress"})");
  h.transport.push(200, R"({"status":"InProgress"})", {{"Retry-After", "12"}});
  h.transport.push(200, R"({"status":"Succeeded"})");
  const auto status = h.wait();
  ASSERT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(h.transport.requests().size(), 3u);
  EXPECT_EQ(h.transport.requests()[0].url, kAsync.url);  // used exactly as given
  EXPECT_EQ(h.sleeper.sleeps(), (std::vector<core::Duration>{seconds(5), seconds(5), seconds(12)}));
}

TEST(LroPoller, FirstDelayComesFromTheStartingResponse) {
  Harness h;
  h.transport.push(200, R"({"status":"Succeeded"})");
  ASSERT_TRUE(h.wait(kAsync, seconds(20)).ok());
  EXPECT_EQ(h.sleeper.sleeps(), (std::vector<core::Duration>{seconds(20)}));
}

TEST(LroPoller, FailedSurfacesTheOperationsErrorCodeAndMessage) {
  Harness h;
  h.transport.push(
      200,
      R"({"status":"Failed","error":{"code":"ContainerGroupTransitioning","message":"The container group is transitioning"}})",
      {{"x-ms-request-id", "eastus:req-9"}});
  const auto status = h.wait();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(status.error().azure_code, "ContainerGroupTransitioning");
  EXPECT_EQ(status.error().request_id, "eastus:req-9");
  EXPECT_EQ(status.error().message,
            "aci.restart: operation Failed: The container group is transitioning");
}

TEST(LroPoller, CanceledIsAnError) {
  Harness h;
  h.transport.push(200, R"({"status":"Canceled"})");
  const auto status = h.wait();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("Canceled"), std::string::npos);
}

TEST(LroPoller, TimesOutAtTheDeadlineWithATransientError) {
  Harness h;
  for (int i = 0; i < 100; ++i) h.transport.push(200, R"({"status":"InProgress"})");
  const auto status = h.wait();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTransient);
  EXPECT_NE(status.error().message.find("timed out after 120s"), std::string::npos)
      << status.error().message;
  EXPECT_TRUE(status.error().timed_out);
  EXPECT_NE(status.error().message.find("status InProgress"), std::string::npos);
  EXPECT_EQ(h.sleeper.total(), minutes(2));  // never sleeps past the deadline
  EXPECT_EQ(h.transport.requests().size(), 24u);
}

TEST(LroPoller, TransientPollFailuresAreRetriedUntilTheDeadline) {
  Harness h;
  h.transport.push_error(core::ErrorKind::kTransient, "connection reset");
  h.transport.push(503, "");
  h.transport.push(429, "", {{"Retry-After", "30"}});
  h.transport.push(200, R"({"status":"Succeeded"})");
  ASSERT_TRUE(h.wait().ok());
  EXPECT_EQ(h.sleeper.sleeps(),
            (std::vector<core::Duration>{seconds(5), seconds(5), seconds(5), seconds(30)}));
}

TEST(LroPoller, TerminalPollFailuresEndTheWait) {
  Harness h;
  h.transport.push(403, R"({"error":{"code":"AuthorizationFailed","message":"no read access"}})");
  const auto status = h.wait();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().azure_code, "AuthorizationFailed");
  EXPECT_EQ(status.error().http_status, 403);

  Harness g;
  g.transport.push(200, "not json");
  const auto malformed = g.wait();
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(malformed.error().message.find("malformed"), std::string::npos);
}

TEST(LroPoller, LocationPollingEndsOnNon202) {
  Harness h;
  h.transport.push(202);
  h.transport.push(202);
  h.transport.push(200, "{}");
  ASSERT_TRUE(h.wait({LroLocation::Kind::kLocation, "https://management.azure.com/l"}).ok());
  EXPECT_EQ(h.transport.requests().size(), 3u);
}

// An absurd Retry-After on a poll waits kMaxRetryAfter at most (and never past the
// deadline); a status of the wrong type is a malformed answer, not "still running".
TEST(LroPoller, AbsurdRetryAfterIsCappedAndBadStatusIsAnError) {
  Harness h;
  h.settings.timeout = minutes(20);
  h.transport.push(200, R"({"status":"InProgress"})", {{"Retry-After", "99999999999"}});
  h.transport.push(200, R"({"status":"InProgress"})",
                   {{"Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT"}});
  h.transport.push(200, R"({"status":7})");
  const auto status = h.wait();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(status.error().http_status, 200);
  EXPECT_NE(status.error().message.find(R"("status" is an integer, expected a string)"),
            std::string::npos)
      << status.error().message;
  EXPECT_EQ(h.sleeper.sleeps(),
            (std::vector<core::Duration>{seconds(5), http::kMaxRetryAfter, http::kMaxRetryAfter}));
}

}  // namespace
}  // namespace frankenetes::azure
