#include "azure/credential_factory.h"

#include <gtest/gtest.h>

#include "azure/credential_cache.h"
#include "azure/credential_chain.h"
#include "azure/credential_fakes.h"
#include "support/fake_time_source.h"

namespace frankenetes::azure {
namespace {

using namespace credential_testing;
using std::chrono::seconds;

constexpr const char* kLoopbackImds = "http://127.0.0.1:1/metadata/identity/oauth2/token";

class MakeCredentialTest : public ::testing::Test {
 protected:
  std::unique_ptr<TokenCredential> make(const config::AzureConfig& azure,
                                        std::map<std::string, std::string> env = {},
                                        CredentialOptions options = {}) {
    auto made = make_credential(azure, transport_, fake_env(std::move(env)), runner_, time_,
                                std::move(options));
    EXPECT_TRUE(made.ok()) << made.error().describe();
    return made.ok() ? std::move(made).value() : nullptr;
  }
  std::string token_url(const std::string& authority, const std::string& tenant) {
    return authority + "/" + tenant + "/oauth2/v2.0/token";
  }

  ScriptedTransport transport_;
  FakeCommandRunner runner_;
  testing::FakeTimeSource time_;
  ScratchDir dir_;
};

TEST_F(MakeCredentialTest, DefaultChainUsesEnvironmentClientSecretFirst) {
  auto credential = make(test_azure_config(config::AuthMethod::kDefault),
                         {{"AZURE_TENANT_ID", kTenant},
                          {"AZURE_CLIENT_ID", kClientId},
                          {"AZURE_CLIENT_SECRET", "env-secret"}});
  ASSERT_NE(credential, nullptr);
  transport_.reply(entra_token_reply("env-token", 3599));

  ASSERT_EQ(credential->get_token(kArmScope)->token.reveal(), "env-token");
  EXPECT_EQ(transport_.last().url, token_url("https://login.microsoftonline.com", kTenant));
  const auto form = parse_form(transport_.last().body);
  EXPECT_EQ(form.at("client_secret"), "env-secret");
  EXPECT_EQ(form.at("client_id"), kClientId);
  EXPECT_EQ(credential->name(), "default");

  // Cached: no second request while the token is fresh.
  time_.advance(seconds(60));
  ASSERT_TRUE(credential->get_token(kArmScope).ok());
  EXPECT_EQ(transport_.requests().size(), 1u);
  auto* cache = dynamic_cast<CachingCredential*>(credential.get());
  ASSERT_NE(cache, nullptr);
  auto* chain = dynamic_cast<ChainedCredential*>(&cache->inner());
  ASSERT_NE(chain, nullptr);
  EXPECT_EQ(chain->selected(), "environment");
}

TEST_F(MakeCredentialTest, DefaultChainFallsThroughToAzureCliWithAnAggregatedHistory) {
  auto credential = make(test_azure_config(config::AuthMethod::kDefault));
  transport_.fail(core::ErrorKind::kTransient, "connect: connection refused");  // IMDS
  runner_.reply({0, R"({"accessToken":"cli-token","expires_on":1767229200})", ""});
  ASSERT_EQ(credential->get_token(kArmScope)->token.reveal(), "cli-token");
  ASSERT_EQ(transport_.requests().size(), 1u);
  EXPECT_EQ(without_query(transport_.last().url), kLoopbackImds);
  EXPECT_EQ(transport_.last().headers.at("Metadata"), "true");
  EXPECT_EQ(transport_.last().timeout, kDefaultImdsTimeout);
  EXPECT_EQ(runner_.calls().size(), 1u);
}

TEST_F(MakeCredentialTest, DefaultChainErrorSaysWhyEachLinkFailed) {
  CredentialOptions options;
  options.cache = false;
  auto credential = make(test_azure_config(config::AuthMethod::kDefault), {}, options);
  transport_.fail(core::ErrorKind::kTransient, "connect: connection refused");
  runner_.fail(core::ErrorKind::kInvalidConfig, "cannot run az: No such file or directory");

  const auto token = credential->get_token(kArmScope);
  ASSERT_FALSE(token.ok());
  const auto& message = token.error().message;
  const auto environment = message.find("environment: missing tenant ID");
  const auto workload = message.find("workload_identity: missing tenant ID");
  const auto managed = message.find("managed_identity: token request to IMDS endpoint");
  const auto cli = message.find("azure_cli: cannot run az");
  ASSERT_NE(environment, std::string::npos) << message;
  ASSERT_NE(workload, std::string::npos) << message;
  ASSERT_NE(managed, std::string::npos) << message;
  ASSERT_NE(cli, std::string::npos) << message;
  EXPECT_LT(environment, workload);
  EXPECT_LT(workload, managed);
  EXPECT_LT(managed, cli);
  EXPECT_NE(message.find("AZURE_CLIENT_SECRET"), std::string::npos);
  EXPECT_NE(message.find("AZURE_FEDERATED_TOKEN_FILE"), std::string::npos);
  EXPECT_EQ(token.error().kind, core::ErrorKind::kTransient);
}

TEST_F(MakeCredentialTest, DefaultChainPicksWorkloadIdentityFromTheEnvironment) {
  const auto file = dir_.write("azure-identity-token", "federated-jwt");
  auto credential = make(test_azure_config(config::AuthMethod::kDefault),
                         {{"AZURE_TENANT_ID", kTenant},
                          {"AZURE_CLIENT_ID", kClientId},
                          {"AZURE_FEDERATED_TOKEN_FILE", file},
                          {"AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us/"}});
  transport_.reply(entra_token_reply("wi-token"));
  ASSERT_EQ(credential->get_token(kArmScope)->token.reveal(), "wi-token");
  ASSERT_EQ(transport_.requests().size(), 1u);
  // With the public cloud (the default) in the config, AZURE_AUTHORITY_HOST picks the authority.
  EXPECT_EQ(transport_.last().url, token_url("https://login.microsoftonline.us", kTenant));
  EXPECT_EQ(parse_form(transport_.last().body).at("client_assertion"), "federated-jwt");
}

TEST_F(MakeCredentialTest, ConfiguredSovereignCloudBeatsAzureAuthorityHost) {
  auto azure = test_azure_config(config::AuthMethod::kWorkloadIdentity);
  azure.cloud = {"AzureChinaCloud", "https://management.chinacloudapi.cn",
                 "https://login.chinacloudapi.cn", "https://management.chinacloudapi.cn/.default"};
  auto credential = make(azure, {{"AZURE_TENANT_ID", kTenant},
                                 {"AZURE_CLIENT_ID", kClientId},
                                 {"AZURE_FEDERATED_TOKEN_FILE", dir_.write("t", "jwt")},
                                 {"AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/"}});
  transport_.reply(entra_token_reply("t"));
  ASSERT_TRUE(credential->get_token(azure.cloud.scope).ok());
  EXPECT_EQ(transport_.last().url, token_url("https://login.chinacloudapi.cn", kTenant));
  EXPECT_EQ(credential->name(), "workload_identity");
}

TEST_F(MakeCredentialTest, ConfigValuesWinOverTheEnvironment) {
  auto azure = test_azure_config(config::AuthMethod::kWorkloadIdentity);
  azure.tenant_id = "contoso.onmicrosoft.com";
  azure.auth.client_id = "config-client";
  azure.auth.federated_token_file = dir_.write("config-token", "config-jwt");
  auto credential =
      make(azure, {{"AZURE_TENANT_ID", kTenant},
                   {"AZURE_CLIENT_ID", kClientId},
                   {"AZURE_FEDERATED_TOKEN_FILE", dir_.write("env-token", "env-jwt")}});
  transport_.reply(entra_token_reply("t"));
  ASSERT_TRUE(credential->get_token(kArmScope).ok());
  EXPECT_EQ(transport_.last().url,
            token_url("https://login.microsoftonline.com", "contoso.onmicrosoft.com"));
  const auto form = parse_form(transport_.last().body);
  EXPECT_EQ(form.at("client_id"), "config-client");
  EXPECT_EQ(form.at("client_assertion"), "config-jwt");
}

TEST_F(MakeCredentialTest, ClientSecretFromAConfiguredFile) {
  auto azure = test_azure_config(config::AuthMethod::kClientSecret);
  azure.cloud = {"custom", "https://127.0.0.1:8443", "https://127.0.0.1:8443",
                 "https://management.azure.com/.default"};
  azure.tenant_id = kTenant;
  azure.auth.client_id = kClientId;
  azure.auth.client_secret =
      config::SecretSource{std::nullopt, dir_.write("secret", "file-secret\n")};
  azure.request_timeout = seconds(12);
  auto credential = make(azure);
  transport_.reply(entra_token_reply("t"));
  ASSERT_TRUE(credential->get_token(azure.cloud.scope).ok());
  EXPECT_EQ(transport_.last().url, token_url("https://127.0.0.1:8443", kTenant));
  EXPECT_EQ(parse_form(transport_.last().body).at("client_secret"), "file-secret");
  EXPECT_EQ(transport_.last().timeout, seconds(12));
  EXPECT_EQ(credential->name(), "client_secret");
}

TEST_F(MakeCredentialTest, NamedMethodWithoutItsSettingsIsAConfigError) {
  for (const auto method : {config::AuthMethod::kClientSecret,
                            config::AuthMethod::kWorkloadIdentity, config::AuthMethod::kStatic}) {
    const auto made =
        make_credential(test_azure_config(method), transport_, fake_env({}), runner_, time_);
    ASSERT_FALSE(made.ok()) << static_cast<int>(method);
    EXPECT_EQ(made.error().kind, core::ErrorKind::kInvalidConfig);
  }
  const auto made =
      make_credential(test_azure_config(config::AuthMethod::kWorkloadIdentity), transport_,
                      fake_env({{"AZURE_TENANT_ID", kTenant}}), runner_, time_);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().message,
            "workload_identity: missing client ID (azure.auth.clientId or AZURE_CLIENT_ID), "
            "federated token file (azure.auth.federatedTokenFile or AZURE_FEDERATED_TOKEN_FILE)");
}

TEST_F(MakeCredentialTest, ManagedIdentityUsesTheConfiguredEndpointAndClientId) {
  auto azure = test_azure_config(config::AuthMethod::kManagedIdentity);
  azure.auth.imds_endpoint = "http://127.0.0.1:40342/metadata/identity/oauth2/token";
  azure.auth.managed_identity_client_id = kClientId;
  CredentialOptions options;
  options.imds_timeout = std::chrono::milliseconds(500);
  auto credential = make(azure, {}, options);
  transport_.reply(imds_token_reply("mi", 60, 0));
  ASSERT_TRUE(credential->get_token(kArmScope).ok());
  EXPECT_EQ(without_query(transport_.last().url), azure.auth.imds_endpoint);
  EXPECT_EQ(query_of(transport_.last().url).at("client_id"), kClientId);
  EXPECT_EQ(transport_.last().timeout, std::chrono::milliseconds(500));
}

TEST_F(MakeCredentialTest, AzureCliAndStaticMethods) {
  auto cli_config = test_azure_config(config::AuthMethod::kAzureCli);
  cli_config.tenant_id = kTenant;
  auto cli = make(cli_config);
  runner_.reply({0, R"({"accessToken":"cli","expires_on":"1767229200"})", ""});
  ASSERT_EQ(cli->get_token(kArmScope)->token.reveal(), "cli");
  EXPECT_EQ(runner_.calls()[0].back(), kTenant);
  EXPECT_EQ(cli->name(), "azure_cli");

  auto static_config = test_azure_config(config::AuthMethod::kStatic);
  static_config.auth.token_file = dir_.write("token", "sim-token");
  auto fixed = make(static_config);
  ASSERT_EQ(fixed->get_token(kArmScope)->token.reveal(), "sim-token");
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(MakeCredentialTest, RefreshErrorsReachTheReporter) {
  auto azure = test_azure_config(config::AuthMethod::kManagedIdentity);
  std::vector<std::string> reported;
  CredentialOptions options;
  options.on_refresh_error = [&](const std::string& name, const core::Error& error) {
    reported.push_back(name + " " + error.message);
  };
  auto credential = make(azure, {}, options);
  transport_.reply(imds_token_reply("mi", 60, 0));
  ASSERT_TRUE(credential->get_token(kArmScope).ok());
  time_.advance(seconds(30));
  transport_.fail(core::ErrorKind::kTransient, "timed out");
  ASSERT_EQ(credential->get_token(kArmScope)->token.reveal(), "mi");
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0].rfind("managed_identity managed_identity: token request", 0), 0u)
      << reported[0];
}

}  // namespace
}  // namespace frankenetes::azure
