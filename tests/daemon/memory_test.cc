#include "daemon/memory.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace frankenetes::daemon
