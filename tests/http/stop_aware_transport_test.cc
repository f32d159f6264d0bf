#include "http/stop_aware_transport.h"

#include <gtest/gtest.h>

#include "support/fake_transport.h"

namespace frankenetes::http {
namespace {

TEST(StopAwareTransport, RefusesRequestsOnceStopped) {
  core::StopSignal signal;
  testing::FakeTransport inner;
  inner.push(200, "ok");
  StopAwareTransport transport(inner, signal);
  ClientRequest request;
  request.url = "https://management.azure.com/x";
  EXPECT_TRUE(transport.send(request).ok());
  signal.request_stop();
  const auto refused = transport.send(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, core::ErrorKind::kTerminal);  // neither retried nor polled again
  EXPECT_EQ(inner.requests().size(), 1u);
}

}  // namespace
}  // namespace frankenetes::http
