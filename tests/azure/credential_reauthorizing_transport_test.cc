// ReauthorizingTransport: a 401 to a bearer request drops the refused token and resends the
// request once with a new one; never a loop, never without a new token, never a secret in a
// message. With the real CachingCredential underneath, the refused token is really gone.

#include "azure/credential_reauthorizing_transport.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "azure/credential_cache.h"
#include "azure/credential_fakes.h"
#include "support/fake_time_source.h"

namespace frankenetes::azure {
namespace {

using namespace credential_testing;
using std::chrono::hours;

constexpr const char* kUrl =
    "https://management.azure.com/subscriptions/s/resourceGroups/r/providers/"
    "Microsoft.ContainerInstance/containerGroups/etcd/restart?api-version=2023-05-01";

http::Response arm_401() {
  return json_reply(401, R"({"error":{"code":"ExpiredAuthenticationToken","message":"expired"}})");
}

class ReauthorizingTransportTest : public ::testing::Test {
 protected:
  ReauthorizingTransportTest() {
    auto inner = std::make_unique<ScriptedCredential>("managed_identity");
    issuer_ = inner.get();
    cache_ = std::make_unique<CachingCredential>(std::move(inner), time_);
    transport_ = std::make_unique<ReauthorizingTransport>(wire_, *cache_, kArmScope);
  }

  // What AciClient does: a token from the credential into the Authorization header.
  core::Result<http::Response> send(const std::string& method = "GET") {
    auto token = cache_->get_token(kArmScope);
    EXPECT_TRUE(token.ok());
    http::ClientRequest request;
    request.method = method;
    request.url = kUrl;
    request.operation = "aci.restart";
    request.headers["Authorization"] = "Bearer " + token->token.reveal();
    request.headers["x-ms-client-request-id"] = "id-1";
    return transport_->send(request);
  }
  std::string bearer(std::size_t i) const {
    return wire_.requests().at(i).headers.at("authorization");
  }
  core::SystemTime in_an_hour() const { return time_.system_time() + hours(1); }

  testing::FakeTimeSource time_;
  ScriptedTransport wire_;
  ScriptedCredential* issuer_ = nullptr;
  std::unique_ptr<CachingCredential> cache_;
  std::unique_ptr<ReauthorizingTransport> transport_;
};

TEST_F(ReauthorizingTransportTest, A401IsRetriedOnceWithANewToken) {
  issuer_->reply("old-SECRET", in_an_hour());
  issuer_->reply("new-SECRET", in_an_hour());
  wire_.reply(arm_401());
  wire_.reply(json_reply(204, ""));
  const auto result = send("POST");  // safe: a 401 means nothing ran
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 204);
  ASSERT_EQ(wire_.requests().size(), 2u);
  EXPECT_EQ(bearer(0), "Bearer old-SECRET");
  EXPECT_EQ(bearer(1), "Bearer new-SECRET");
  EXPECT_EQ(wire_.requests()[1].method, "POST");
  EXPECT_EQ(wire_.requests()[1].url, kUrl);
  EXPECT_EQ(wire_.requests()[1].headers.at("x-ms-client-request-id"), "id-1");
  EXPECT_EQ(issuer_->calls(), 2);
  // The new token is the cached one from now on.
  wire_.reply(json_reply(200, "{}"));
  ASSERT_TRUE(send().ok());
  EXPECT_EQ(bearer(2), "Bearer new-SECRET");
  EXPECT_EQ(issuer_->calls(), 2);
}

TEST_F(ReauthorizingTransportTest, ASecond401IsReturnedNotLoopedOn) {
  issuer_->reply("t1", in_an_hour());
  issuer_->reply("t2", in_an_hour());
  wire_.reply(arm_401());
  wire_.reply(arm_401());
  const auto result = send();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 401);
  EXPECT_EQ(wire_.requests().size(), 2u);
  EXPECT_EQ(wire_.pending(), 0u);
}

TEST_F(ReauthorizingTransportTest, SameTokenAgainMeansNoRetry) {
  // A static token file nobody rotated, or IMDS handing out its cached token.
  issuer_->reply("same", in_an_hour());
  issuer_->reply("same", in_an_hour());
  wire_.reply(arm_401());
  const auto result = send();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 401);
  EXPECT_EQ(wire_.requests().size(), 1u);
  EXPECT_EQ(issuer_->calls(), 2);  // it did ask
}

TEST_F(ReauthorizingTransportTest, FailingCredentialReturnsTheFirst401) {
  issuer_->reply("t1", in_an_hour());
  issuer_->fail(core::ErrorKind::kTransient, "IMDS unreachable");
  wire_.reply(arm_401());
  const auto result = send();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 401);
  EXPECT_EQ(wire_.requests().size(), 1u);
}

TEST_F(ReauthorizingTransportTest, OtherAnswersAndRequestsWithoutBearerPassThrough) {
  issuer_->reply("t1", in_an_hour());
  for (int status : {200, 403, 404, 429, 500}) wire_.reply(json_reply(status, "{}"));
  for (int status : {200, 403, 404, 429, 500}) {
    const auto result = send();
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->status, status);
  }
  wire_.fail(core::ErrorKind::kTransient, "connection reset");
  EXPECT_FALSE(send().ok());
  EXPECT_EQ(wire_.requests().size(), 6u);

  http::ClientRequest anonymous;
  anonymous.url = kUrl;
  wire_.reply(arm_401());
  const auto result = transport_->send(anonymous);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 401);
  EXPECT_EQ(wire_.requests().size(), 7u);
  EXPECT_EQ(issuer_->calls(), 1);
}

}  // namespace
}  // namespace frankenetes::azure
