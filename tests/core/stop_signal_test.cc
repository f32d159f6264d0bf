#include "core/stop_signal.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace frankenetes::core {
namespace {

using namespace std::chrono_literals;

TEST(StopSignal, WakesASleeperAtOnce) {
  StopSignal signal;
  const auto started = std::chrono::steady_clock::now();
  std::thread stopper([&] {
    std::this_thread::sleep_for(20ms);
    signal.request_stop();
  });
  signal.sleep_for(std::chrono::minutes(5));
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
  EXPECT_TRUE(signal.stop_requested());
  signal.sleep_for(std::chrono::minutes(5));  // returns at once once stopped
}

}  // namespace
}  // namespace frankenetes::core
