#include "http/retrying_transport.h"

#include <gtest/gtest.h>

#include "http/retry_after.h"
#include "support/retrying_harness.h"

namespace frankenetes::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::arm_request;
using testing::kArmGroupUrl;
using Harness = testing::RetryingHarness;

TEST(RetryingTransport, SuccessIsPassedThroughWithoutSleeping) {
  Harness h;
  h.inner.push(200, "{}");
  auto t = h.make();
  const auto result = t.send(arm_request());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 200);
  EXPECT_TRUE(h.sleeper.sleeps().empty());
}

TEST(RetryingTransport, TooManyRequestsThenSuccessHonoursRetryAfter) {
  Harness h;
  h.inner.push(429, R"({"error":{"code":"TooManyRequests","message":"slow"}})",
               {{"Retry-After", "7"}});
  h.inner.push(200, "{}");
  auto t = h.make();
  const auto result = t.send(arm_request());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 200);
  ASSERT_EQ(h.sleeper.sleeps().size(), 1u);
  EXPECT_GE(h.sleeper.sleeps()[0], seconds(7));  // never shorter than Retry-After
  EXPECT_EQ(h.inner.requests().size(), 2u);
}

TEST(RetryingTransport, RetryAfterAsHttpDateIsAFloorToo) {
  Harness h;
  // FakeTimeSource starts at 2026-01-01T00:00:00Z; ask for 00:00:12.
  h.inner.push(503, "", {{"Retry-After", "Thu, 01 Jan 2026 00:00:12 GMT"}});
  h.inner.push(200, "{}");
  auto t = h.make();
  ASSERT_TRUE(t.send(arm_request()).ok());
  ASSERT_EQ(h.sleeper.sleeps().size(), 1u);
  EXPECT_GE(h.sleeper.sleeps()[0], seconds(12));
}

// After 429 with Retry-After: 7 nothing under that gate key is sent for 7 s, whatever the
// method and whoever the caller; other keys go on. (ARM keys by subscription: the full
// scenario is tests/azure/arm_throttle_test.cc.)
TEST(RetryingTransport, ThrottleGateBlocksEveryRequestUntilRetryAfterPassed) {
  Harness h;
  h.policy.max_attempts = 1;  // the caller gives up at once; the gate must still hold others
  h.inner.push(429, "", {{"Retry-After", "7"}});
  auto t = h.make();
  ASSERT_EQ(t.send(arm_request())->status, 429);
  h.time.advance(seconds(6));
  const auto blocked = t.send(arm_request("POST"));
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(h.inner.requests().size(), 1u);

  h.inner.push(200, "{}");
  h.inner.push(200, "{}");
  EXPECT_TRUE(t.send(arm_request("GET", "https://api.cloudflare.com/client/v4/zones")).ok());
  h.time.advance(seconds(1));
  EXPECT_TRUE(t.send(arm_request()).ok());
  EXPECT_EQ(h.inner.requests().size(), 3u);
}

TEST(RetryingTransport, BlockedMessageNamesTheRemainingSeconds) {
  Harness h;
  h.policy.max_attempts = 1;
  h.inner.push(429, "", {{"Retry-After", "7"}});
  auto t = h.make();
  ASSERT_TRUE(t.send(arm_request()).ok());
  h.time.advance(milliseconds(2500));
  const auto blocked = t.send(arm_request());
  ASSERT_FALSE(blocked.ok());
  EXPECT_NE(blocked.error().message.find("retry after 5s"), std::string::npos)
      << blocked.error().message;
}

TEST(RetryingTransport, FullJitterExponentialBackoffOn5xxAndTransportErrors) {
  Harness h;
  h.policy.backoff = {seconds(1), seconds(60), 2.0};
  h.random = 0.5;
  h.inner.push(500);
  h.inner.push_error(core::ErrorKind::kTransient, "connection reset");
  h.inner.push(408);
  h.inner.push(200, "{}");
  auto t = h.make();
  const auto result = t.send(arm_request());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(h.sleeper.sleeps(),
            (std::vector<core::Duration>{milliseconds(500), seconds(1), seconds(2)}));
}

TEST(RetryingTransport, StopsAtMaxAttemptsAndReturnsTheLastAnswer) {
  Harness h;
  h.policy.max_attempts = 3;
  for (int i = 0; i < 5; ++i) h.inner.push(503);
  auto t = h.make();
  const auto result = t.send(arm_request());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 503);
  EXPECT_EQ(h.inner.requests().size(), 3u);
  EXPECT_EQ(h.sleeper.sleeps().size(), 2u);
}

TEST(RetryingTransport, PostIsNeverRetried) {
  Harness h;
  h.inner.push(503);
  auto t = h.make();
  const auto result = t.send(arm_request("POST"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 503);
  EXPECT_EQ(h.inner.requests().size(), 1u);
  EXPECT_TRUE(h.sleeper.sleeps().empty());

  h.inner.push_error(core::ErrorKind::kTransient, "timeout");
  EXPECT_FALSE(t.send(arm_request("POST")).ok());
  EXPECT_EQ(h.inner.requests().size(), 2u);
}

TEST(RetryingTransport, IdempotentMethodsAndRetryableStatuses) {
  for (const char* m : {"GET", "HEAD", "PUT", "DELETE"}) {
    EXPECT_TRUE(RetryingTransport::is_idempotent(m)) << m;
  }
  EXPECT_FALSE(RetryingTransport::is_idempotent("POST"));
  EXPECT_FALSE(RetryingTransport::is_idempotent("PATCH"));
  for (int s : {408, 429, 500, 502, 503, 504})
    EXPECT_TRUE(RetryingTransport::is_retryable_status(s));
  for (int s : {200, 204, 400, 401, 403, 404, 409, 412}) {
    EXPECT_FALSE(RetryingTransport::is_retryable_status(s)) << s;
  }
}

TEST(RetryingTransport, NonTransientErrorsAndTerminalStatusesAreNotRetried) {
  Harness h;
  h.inner.push_error(core::ErrorKind::kTls, "certificate verify failed for sim.local");
  h.inner.push(404);
  auto t = h.make();
  const auto tls = t.send(arm_request());
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.error().kind, core::ErrorKind::kTls);
  const auto missing = t.send(arm_request());
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(h.inner.requests().size(), 2u);
  EXPECT_TRUE(h.sleeper.sleeps().empty());
}

TEST(RetryingTransport, BudgetExhaustionStopsRetries) {
  Harness h(RetryBudgetSettings{2.0, 0.5});
  for (int i = 0; i < 4; ++i) h.inner.push(503);
  auto t = h.make();
  // First request: 1 attempt + 2 retries paid from the budget, then the budget is empty
  // (max_attempts = 4 would have allowed a third retry).
  auto first = t.send(arm_request());
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->status, 503);
  EXPECT_EQ(h.inner.requests().size(), 3u);
  // Second request: no tokens, so exactly one attempt.
  auto second = t.send(arm_request());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(h.inner.requests().size(), 4u);
  EXPECT_EQ(h.sleeper.sleeps().size(), 2u);

  // Successes refill: two successes give back one whole retry.
  EXPECT_EQ(h.inner.remaining(), 0u);
  h.inner.push(200);
  h.inner.push(200);
  h.inner.push(503);
  h.inner.push(200);
  ASSERT_TRUE(t.send(arm_request()).ok());
  ASSERT_TRUE(t.send(arm_request()).ok());
  const auto third = t.send(arm_request());
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->status, 200);
  EXPECT_EQ(h.sleeper.sleeps().size(), 3u);
}

TEST(RetryingTransport, RetryAfterLongerThanMaxWaitIsNotWaitedOut) {
  Harness h;
  h.policy.max_wait = seconds(30);
  h.inner.push(429, "", {{"Retry-After", "120"}});
  auto t = h.make();
  const auto result = t.send(arm_request());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 429);
  EXPECT_TRUE(h.sleeper.sleeps().empty());
  EXPECT_EQ(h.gate.remaining(h.gate.key_for(kArmGroupUrl)), seconds(120));
}

TEST(RetryingTransport, TooManyRequestsWithoutRetryAfterStillClosesTheGate) {
  Harness h;
  h.policy.backoff = {milliseconds(100), seconds(10), 2.0};
  h.policy.throttle_without_retry_after = seconds(5);
  h.inner.push(429);
  h.inner.push(200, "{}");
  auto t = h.make();
  const auto result = t.send(arm_request());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 200);
  // The back-off alone would have been 50 ms; the closed gate makes the retry wait 5 s.
  EXPECT_EQ(h.sleeper.sleeps(), (std::vector<core::Duration>{seconds(5)}));
}

// A Retry-After far in the future (seconds or a year-9999 date) closes the gate for
// kMaxRetryAfter, not for good, and is not slept out on the worker.
TEST(RetryingTransport, AbsurdRetryAfterClosesTheGateForFiveMinutesOnly) {
  for (const char* value : {"99999999999999999999", "Fri, 31 Dec 9999 23:59:59 GMT"}) {
    Harness h;
    h.inner.push(429, "", {{"Retry-After", value}});
    auto t = h.make();
    const auto first = t.send(arm_request());
    ASSERT_TRUE(first.ok()) << value;
    EXPECT_EQ(first->status, 429) << value;
    EXPECT_TRUE(h.sleeper.sleeps().empty()) << value;  // 5 min > max_wait: not waited out
    EXPECT_EQ(h.gate.remaining(h.gate.key_for(kArmGroupUrl)), kMaxRetryAfter) << value;
    h.time.advance(kMaxRetryAfter - seconds(1));
    EXPECT_FALSE(t.send(arm_request()).ok()) << value;
    h.time.advance(seconds(1));
    h.inner.push(200, "{}");
    const auto later = t.send(arm_request());
    ASSERT_TRUE(later.ok()) << value;
    EXPECT_EQ(later->status, 200) << value;
  }
}

}  // namespace
}  // namespace frankenetes::http
