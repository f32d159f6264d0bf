#include "daemon/memory.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>

namespace frankenetes::daemon {
namespace {

using namespace std::chrono_literals;

TEST(FreeMemoryReleaser, ReleasesAtTheFirstPassThenAtMostOncePerPeriod) {
  int released = 0;
  FreeMemoryReleaser releaser(10s, [&released] { ++released; });
  const std::chrono::steady_clock::time_point t0{std::chrono::hours(1)};
  releaser.maybe_release(t0);
  EXPECT_EQ(released, 1);
  releaser.maybe_release(t0 + 5s);
  releaser.maybe_release(t0 + 9999ms);
  EXPECT_EQ(released, 1);
  releaser.maybe_release(t0 + 10s);
  EXPECT_EQ(released, 2);
  releaser.maybe_release(t0 + 15s);
  EXPECT_EQ(released, 2);
}

// The soft limit ends at the hard one (or 1 << 20), never below where it was.
TEST(RaiseDescriptorLimit, LiftsTheSoftLimitToTheHardOne) {
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
  const auto now = raise_descriptor_limit();
  rlimit after{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(now, static_cast<unsigned long>(after.rlim_cur));
  EXPECT_GE(after.rlim_cur, before.rlim_cur);
  EXPECT_EQ(after.rlim_cur, std::max(before.rlim_cur, std::min(before.rlim_max, rlim_t{1} << 20)));
}

}  // namespace
}  // namespace frankenetes::daemon
