#include "azure/credential_client_secret.h"

#include <gtest/gtest.h>

#include "azure/credential_fakes.h"
#include "support/fake_time_source.h"

namespace frankenetes::azure {
namespace {

using namespace credential_testing;
using std::chrono::seconds;

class ClientSecretCredentialTest : public ::testing::Test {
 protected:
  ClientSecretCredential make(config::SecretSource secret,
                              std::string authority = "https://login.microsoftonline.com") {
    return ClientSecretCredential({std::move(authority), kTenant, kClientId, seconds(7)},
                                  std::move(secret), transport_, time_);
  }
  static config::SecretSource value(std::string secret) {
    return {core::Secret(std::move(secret)), std::nullopt};
  }

  ScriptedTransport transport_;
  testing::FakeTimeSource time_;
  ScratchDir dir_;
};

TEST_F(ClientSecretCredentialTest, PostsTheClientCredentialsForm) {
  auto credential = make(value("p@ss w0rd&=+"));
  transport_.reply(entra_token_reply("token-1", 3599));

  const auto token = credential.get_token(kArmScope);
  ASSERT_TRUE(token.ok()) << token.error().describe();
  EXPECT_EQ(token->token.reveal(), "token-1");
  EXPECT_EQ(token->expires_on, time_.system_time() + seconds(3599));

  ASSERT_EQ(transport_.requests().size(), 1u);
  const auto& request = transport_.last();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url,
            std::string("https://login.microsoftonline.com/") + kTenant + "/oauth2/v2.0/token");
  EXPECT_EQ(request.headers.at("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(request.timeout, seconds(7));
  EXPECT_EQ(request.operation, "entra.token");
  // The scope is URL-encoded on the wire, not just in the decoded view.
  EXPECT_NE(request.body.find("scope=https%3A%2F%2Fmanagement.azure.com%2F.default"),
            std::string::npos)
      << request.body;
  const auto form = parse_form(request.body);
  EXPECT_EQ(form, (std::map<std::string, std::string>{{"client_id", kClientId},
                                                      {"scope", kArmScope},
                                                      {"client_secret", "p@ss w0rd&=+"},
                                                      {"grant_type", "client_credentials"}}));
  EXPECT_EQ(request.headers.count("Authorization"), 0u);
  EXPECT_EQ(credential.name(), "client_secret");
}

TEST_F(ClientSecretCredentialTest, AuthorityWithTrailingSlashAndSovereignCloud) {
  auto credential = make(value("s"), "https://login.chinacloudapi.cn/");
  transport_.reply(entra_token_reply("t"));
  ASSERT_TRUE(credential.get_token("https://management.chinacloudapi.cn/.default").ok());
  EXPECT_EQ(transport_.last().url,
            std::string("https://login.chinacloudapi.cn/") + kTenant + "/oauth2/v2.0/token");
  EXPECT_EQ(parse_form(transport_.last().body)["scope"],
            "https://management.chinacloudapi.cn/.default");
}

TEST_F(ClientSecretCredentialTest, WrongSecretIsInvalidClientAndNeverEchoesTheSecret) {
  auto credential = make(value("wrong-secret-value"));
  transport_.reply(invalid_client_reply());

  const auto token = credential.get_token(kArmScope);
  ASSERT_FALSE(token.ok());
  const auto& error = token.error();
  EXPECT_EQ(error.kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(error.azure_code, "invalid_client");
  EXPECT_EQ(error.http_status, 401);
  EXPECT_NE(error.message.find("AADSTS7000215"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find(kTenant), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("client_secret"), std::string::npos) << error.message;
  EXPECT_EQ(error.describe().find("wrong-secret-value"), std::string::npos) << error.describe();
}

TEST_F(ClientSecretCredentialTest, TransportErrorsKeepTheirKindAndNeverCarryTheSecret) {
  auto credential = make(value("hunter2-secret"));
  // A transport that (wrongly) repeats the body in its message must still not leak it.
  transport_.fail(core::ErrorKind::kTransient,
                  "connection reset while sending client_secret=hunter2-secret");
  const auto token = credential.get_token(kArmScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(token.error().message.find("hunter2-secret"), std::string::npos)
      << token.error().message;
  EXPECT_NE(token.error().message.find("connection reset"), std::string::npos);
}

TEST_F(ClientSecretCredentialTest, SecretFileIsReadOnEveryRequest) {
  const auto file = dir_.write("secret", "first-secret\n");
  auto credential = make({std::nullopt, file});
  transport_.reply(entra_token_reply("t1"));
  transport_.reply(entra_token_reply("t2"));

  ASSERT_TRUE(credential.get_token(kArmScope).ok());
  EXPECT_EQ(parse_form(transport_.last().body)["client_secret"], "first-secret");
  dir_.write("secret", "rotated-secret");
  ASSERT_TRUE(credential.get_token(kArmScope).ok());
  EXPECT_EQ(parse_form(transport_.last().body)["client_secret"], "rotated-secret");
}

TEST_F(ClientSecretCredentialTest, MissingSecretFileIsAConfigErrorWithoutARequest) {
  auto credential = make({std::nullopt, dir_.path("absent")});
  const auto token = credential.get_token(kArmScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_NE(token.error().message.find(dir_.path("absent")), std::string::npos);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(ClientSecretCredentialTest, EmptySecretValueIsAConfigError) {
  auto credential = make(value(""));
  const auto token = credential.get_token(kArmScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_TRUE(transport_.requests().empty());
}

}  // namespace
}  // namespace frankenetes::azure
