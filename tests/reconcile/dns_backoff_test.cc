// DnsProviderBackoff on plain time points: the delays, the cap, and what a success resets.

#include "reconcile/dns_backoff.h"

#include <gtest/gtest.h>

#include "support/fake_time_source.h"

namespace frankenetes::reconcile {
namespace {

using namespace std::chrono_literals;

TEST(DnsProviderBackoff, NewProviderIsCalled) {
  testing::FakeTimeSource clock;
  const DnsProviderBackoff backoff;
  EXPECT_FALSE(backoff.backing_off(clock.monotonic_time()));
  EXPECT_EQ(backoff.failures(), 0u);
}

TEST(DnsProviderBackoff, DelayDoublesFromOneSecond) {
  testing::FakeTimeSource clock;
  DnsProviderBackoff backoff;
  EXPECT_EQ(backoff.failed(clock.monotonic_time(), 1min), 1s);
  EXPECT_TRUE(backoff.backing_off(clock.monotonic_time()));
  clock.advance(999ms);
  EXPECT_TRUE(backoff.backing_off(clock.monotonic_time()));
  clock.advance(1ms);
  EXPECT_FALSE(backoff.backing_off(clock.monotonic_time()));
  EXPECT_EQ(backoff.failed(clock.monotonic_time(), 1min), 2s);
  EXPECT_EQ(backoff.failed(clock.monotonic_time(), 1min), 4s);
  EXPECT_EQ(backoff.failures(), 3u);
  clock.advance(3s);
  EXPECT_TRUE(backoff.backing_off(clock.monotonic_time()));
  clock.advance(1s);
  EXPECT_FALSE(backoff.backing_off(clock.monotonic_time()));
}

TEST(DnsProviderBackoff, CappedAtTheCallersCapButNeverBelowTheInitialDelay) {
  testing::FakeTimeSource clock;
  DnsProviderBackoff backoff;
  for (int i = 0; i < 10; ++i) backoff.failed(clock.monotonic_time(), 10s);
  EXPECT_EQ(backoff.failed(clock.monotonic_time(), 10s), 10s);
  clock.advance(10s);
  EXPECT_FALSE(backoff.backing_off(clock.monotonic_time()));

  DnsProviderBackoff tiny_cap;
  EXPECT_EQ(tiny_cap.failed(clock.monotonic_time(), 100ms), DnsProviderBackoff::kInitial);
}

TEST(DnsProviderBackoff, SuccessEndsTheBackOffAndSaysWhetherItRecovered) {
  testing::FakeTimeSource clock;
  DnsProviderBackoff backoff;
  EXPECT_FALSE(backoff.succeeded()) << "nothing to recover from";
  backoff.failed(clock.monotonic_time(), 1min);
  backoff.failed(clock.monotonic_time(), 1min);
  EXPECT_TRUE(backoff.succeeded());
  EXPECT_FALSE(backoff.backing_off(clock.monotonic_time()));
  EXPECT_EQ(backoff.failures(), 0u);
  EXPECT_EQ(backoff.failed(clock.monotonic_time(), 1min), 1s) << "starts again from the start";
}

}  // namespace
}  // namespace frankenetes::reconcile
