#include "reconcile/stop_signal.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "azure/fake_transport.h"

namespace frankenetes::reconcile {
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

TEST(StopAwareTransport, RefusesRequestsOnceStopped) {
  StopSignal signal;
  testing::FakeTransport inner;
  inner.push(200, "ok");
  StopAwareTransport transport(inner, signal);
  http::ClientRequest request;
  request.url = "https://management.azure.com/x";
  EXPECT_TRUE(transport.send(request).ok());
  signal.request_stop();
  const auto refused = transport.send(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, core::ErrorKind::kTerminal);  // neither retried nor polled again
  EXPECT_EQ(inner.requests().size(), 1u);
}

}  // namespace
}  // namespace frankenetes::reconcile
