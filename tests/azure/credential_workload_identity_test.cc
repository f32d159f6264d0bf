#include "azure/credential_workload_identity.h"

#include <gtest/gtest.h>

#include "azure/credential_fakes.h"
#include "support/fake_time_source.h"

namespace frankenetes::azure {
namespace {

using namespace credential_testing;
using std::chrono::seconds;

constexpr const char* kAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

class WorkloadIdentityCredentialTest : public ::testing::Test {
 protected:
  WorkloadIdentityCredential make(const std::string& token_file) {
    return WorkloadIdentityCredential(
        {"https://login.microsoftonline.com/", kTenant, kClientId, kDefaultEntraTimeout},
        token_file, transport_, time_);
  }

  ScriptedTransport transport_;
  testing::FakeTimeSource time_;
  ScratchDir dir_;
};

TEST_F(WorkloadIdentityCredentialTest, SendsTheFederatedTokenAsClientAssertion) {
  auto credential = make(dir_.write("azure-identity-token", "eyJhbGciOi.first.sig\n"));
  transport_.reply(entra_token_reply("arm-token", 3599));

  const auto token = credential.get_token(kArmScope);
  ASSERT_TRUE(token.ok()) << token.error().describe();
  EXPECT_EQ(token->token.reveal(), "arm-token");

  const auto& request = transport_.last();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url,
            std::string("https://login.microsoftonline.com/") + kTenant + "/oauth2/v2.0/token");
  EXPECT_EQ(request.headers.at("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(parse_form(request.body),
            (std::map<std::string, std::string>{{"client_id", kClientId},
                                                {"scope", kArmScope},
                                                {"client_assertion_type", kAssertionType},
                                                {"client_assertion", "eyJhbGciOi.first.sig"},
                                                {"grant_type", "client_credentials"}}));
  EXPECT_EQ(credential.name(), "workload_identity");
}

TEST_F(WorkloadIdentityCredentialTest, RereadsTheTokenFileOnEveryRequest) {
  const auto file = dir_.write("token", "assertion-1");
  auto credential = make(file);
  transport_.reply(entra_token_reply("a"));
  transport_.reply(entra_token_reply("b"));

  ASSERT_TRUE(credential.get_token(kArmScope).ok());
  EXPECT_EQ(parse_form(transport_.last().body)["client_assertion"], "assertion-1");
  dir_.write("token", "assertion-2-rotated-by-kubelet");
  ASSERT_TRUE(credential.get_token(kArmScope).ok());
  EXPECT_EQ(parse_form(transport_.last().body)["client_assertion"],
            "assertion-2-rotated-by-kubelet");
}

TEST_F(WorkloadIdentityCredentialTest, RejectedAssertionNeverAppearsInTheError) {
  auto credential = make(dir_.write("token", "secret.assertion.jwt"));
  transport_.reply(json_reply(
      400,
      R"({"error":"invalid_client","error_description":"AADSTS70021: No matching federated identity record found for presented assertion secret.assertion.jwt. Trace ID: t","error_codes":[70021],"trace_id":"t"})"));

  const auto token = credential.get_token(kArmScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().azure_code, "invalid_client");
  EXPECT_NE(token.error().message.find("AADSTS70021"), std::string::npos);
  EXPECT_NE(token.error().message.find("workload_identity"), std::string::npos);
  EXPECT_EQ(token.error().describe().find("secret.assertion.jwt"), std::string::npos)
      << token.error().describe();
}

TEST_F(WorkloadIdentityCredentialTest, MissingOrEmptyTokenFileFailsWithoutARequest) {
  for (const auto& path : {dir_.path("absent"), dir_.write("empty", " \n")}) {
    auto credential = make(path);
    const auto token = credential.get_token(kArmScope);
    ASSERT_FALSE(token.ok()) << path;
    EXPECT_EQ(token.error().kind, core::ErrorKind::kInvalidConfig);
    EXPECT_NE(token.error().message.find(path), std::string::npos) << token.error().message;
  }
  EXPECT_TRUE(transport_.requests().empty());
}

}  // namespace
}  // namespace frankenetes::azure
