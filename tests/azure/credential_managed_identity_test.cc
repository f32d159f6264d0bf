#include "azure/credential_managed_identity.h"

#include <gtest/gtest.h>

#include "azure/credential_fakes.h"
#include "support/fake_time_source.h"

namespace frankenetes::azure {
namespace {

using namespace credential_testing;
using std::chrono::seconds;

// Tests always override the endpoint to loopback (ScriptedTransport fails on 169.254.169.254).
constexpr const char* kLoopbackImds = "http://127.0.0.1:40342/metadata/identity/oauth2/token";

class ManagedIdentityCredentialTest : public ::testing::Test {
 protected:
  ManagedIdentityCredential make(std::optional<std::string> client_id = std::nullopt) {
    return ManagedIdentityCredential({kLoopbackImds, std::move(client_id), kDefaultImdsTimeout},
                                     transport_, time_);
  }

  ScriptedTransport transport_;
  testing::FakeTimeSource time_;
};

TEST_F(ManagedIdentityCredentialTest, GetsFromTheConfiguredEndpointWithMetadataHeader) {
  auto credential = make();
  const auto now_epoch =
      std::chrono::duration_cast<seconds>(time_.system_time().time_since_epoch()).count();
  transport_.reply(imds_token_reply("mi-token", 28799, now_epoch + 28799));

  const auto token = credential.get_token(kArmScope);
  ASSERT_TRUE(token.ok()) << token.error().describe();
  EXPECT_EQ(token->token.reveal(), "mi-token");
  EXPECT_EQ(token->expires_on, time_.system_time() + seconds(28799));

  const auto& request = transport_.last();
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(without_query(request.url), kLoopbackImds);
  EXPECT_EQ(request.url, std::string(kLoopbackImds) +
                             "?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com");
  EXPECT_EQ(request.headers.at("Metadata"), "true");
  EXPECT_TRUE(request.body.empty());
  EXPECT_EQ(request.operation, "imds.token");
  EXPECT_EQ(query_of(request.url).count("client_id"), 0u);
  EXPECT_EQ(credential.name(), "managed_identity");
}

TEST_F(ManagedIdentityCredentialTest, UserAssignedIdentityAddsClientId) {
  auto credential = make(std::string(kClientId));
  transport_.reply(imds_token_reply("t", 600, 0));
  ASSERT_TRUE(credential.get_token(kArmScope).ok());
  const auto query = query_of(transport_.last().url);
  EXPECT_EQ(query.at("client_id"), kClientId);
  EXPECT_EQ(query.at("api-version"), "2018-02-01");
  EXPECT_EQ(query.at("resource"), "https://management.azure.com");
}

TEST_F(ManagedIdentityCredentialTest, TimeoutIsShortSoTheChainMovesOn) {
  auto credential = make();
  transport_.fail(core::ErrorKind::kTransient, "connect to 127.0.0.1:40342 timed out");
  const auto token = credential.get_token(kArmScope);
  EXPECT_LE(transport_.last().timeout, seconds(5));
  EXPECT_EQ(transport_.last().timeout, kDefaultImdsTimeout);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().kind, core::ErrorKind::kTransient);
  EXPECT_NE(token.error().message.find(kLoopbackImds), std::string::npos) << token.error().message;
  EXPECT_NE(token.error().message.find("timed out"), std::string::npos);
}

TEST_F(ManagedIdentityCredentialTest, ImdsErrorBodyBecomesAnError) {
  auto credential = make(std::string("not-assigned"));
  transport_.reply(
      json_reply(400, R"({"error":"invalid_request","error_description":"Identity not found"})"));
  const auto token = credential.get_token(kArmScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(token.error().azure_code, "invalid_request");
  EXPECT_NE(token.error().message.find("Identity not found"), std::string::npos);
  EXPECT_NE(token.error().message.find("not-assigned"), std::string::npos) << token.error().message;
}

TEST_F(ManagedIdentityCredentialTest, EndpointWithQueryKeepsIt) {
  ManagedIdentityCredential credential(
      {"http://127.0.0.1:9/token?x=1", std::nullopt, kDefaultImdsTimeout}, transport_, time_);
  transport_.reply(imds_token_reply("t", 60, 0));
  ASSERT_TRUE(credential.get_token(kArmScope).ok());
  EXPECT_EQ(transport_.last().url,
            "http://127.0.0.1:9/"
            "token?x=1&api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com");
}

}  // namespace
}  // namespace frankenetes::azure
