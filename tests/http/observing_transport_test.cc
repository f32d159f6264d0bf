#include "http/observing_transport.h"

#include <gtest/gtest.h>

#include "support/fake_transport.h"

namespace frankenetes::http {
namespace {

using std::chrono::milliseconds;

class RecordingListener final : public ResponseListener {
 public:
  void on_response(const ClientRequest& request, const Response& response) override {
    seen.emplace_back(request.url, response.status);
  }
  std::vector<std::pair<std::string, int>> seen;
};

TEST(ObservingTransport, ReportsEveryExchangeAndHandsResponsesToTheListener) {
  testing::FakeTimeSource time;
  testing::FakeTransport inner(&time, milliseconds(120));
  RecordingListener listener;
  std::vector<RequestRecord> records;
  ObservingTransport t(
      inner, time, [&](const RequestRecord& r) { records.push_back(r); }, &listener);

  inner.push(200, "{}", {{"x-ms-ratelimit-remaining-subscription-reads", "248"}});
  inner.push_error(core::ErrorKind::kTransient, "connection refused");

  ClientRequest request;
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
  // Only the exchange that got a response reaches the listener.
  EXPECT_EQ(listener.seen, (std::vector<std::pair<std::string, int>>{{request.url, 200}}));
}

TEST(ObservingTransport, ObserverAndListenerAreOptional) {
  testing::FakeTimeSource time;
  testing::FakeTransport inner;
  ObservingTransport t(inner, time, {});
  inner.push(204);
  ClientRequest request;
  request.url = "https://x/";
  EXPECT_TRUE(t.send(request).ok());
}

}  // namespace
}  // namespace frankenetes::http
