#include "azure/credential_azure_cli.h"

#include <gtest/gtest.h>

#include <stdlib.h>
#include <sys/stat.h>

#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>

#include "azure/credential_fakes.h"
#include "azure/credential_token_response.h"
#include "support/temp_dir.h"

namespace frankenetes::azure {
namespace {

using namespace credential_testing;
using std::chrono::seconds;

CommandOutput az_output(std::string json) { return {0, std::move(json), ""}; }

TEST(AzureCliCredentialTest, RunsGetAccessTokenForTheResourceWithATimeout) {
  FakeCommandRunner runner;
  AzureCliCredential credential({std::nullopt, seconds(10), "az"}, runner);
  runner.reply(az_output(
      R"({"accessToken":"cli-token","expiresOn":"2026-01-01 01:00:00.000000","expires_on":1767229200,"subscription":"s","tenant":"t","tokenType":"Bearer"})"));

  const auto token = credential.get_token(kArmScope);
  ASSERT_TRUE(token.ok()) << token.error().describe();
  EXPECT_EQ(token->token.reveal(), "cli-token");
  EXPECT_EQ(token->expires_on, core::SystemTime(seconds(1767229200)));
  ASSERT_EQ(runner.calls().size(), 1u);
  EXPECT_EQ(runner.calls()[0],
            (std::vector<std::string>{"az", "account", "get-access-token", "--resource",
                                      "https://management.azure.com", "--output", "json"}));
  EXPECT_EQ(runner.timeouts()[0], seconds(10));
  EXPECT_EQ(credential.name(), "azure_cli");
}

TEST(AzureCliCredentialTest, PassesTheTenantWhenConfigured) {
  FakeCommandRunner runner;
  AzureCliCredential credential({std::string(kTenant), kDefaultAzureCliTimeout, "az"}, runner);
  runner.reply(az_output(R"({"accessToken":"t","expires_on":"1767229200"})"));
  ASSERT_TRUE(credential.get_token(kArmScope).ok());
  const auto& argv = runner.calls()[0];
  ASSERT_GE(argv.size(), 2u);
  EXPECT_EQ(argv[argv.size() - 2], "--tenant");
  EXPECT_EQ(argv.back(), kTenant);
}

TEST(AzureCliCredentialTest, ExpiresOnAsStringOrNumber) {
  for (const std::string value : {"1767229200", "\"1767229200\""}) {
    const auto token = parse_azure_cli_token(R"({"accessToken":"t","expires_on":)" + value + "}");
    ASSERT_TRUE(token.ok()) << value;
    EXPECT_EQ(token->expires_on, core::SystemTime(seconds(1767229200))) << value;
  }
}

TEST(AzureCliCredentialTest, OlderCliExpiresOnIsLocalTime) {
  // Older CLIs print only expiresOn, in the machine's local time zone.
  const auto token =
      parse_azure_cli_token(R"({"accessToken":"t","expiresOn":"2026-01-01 01:00:00.123456"})");
  ASSERT_TRUE(token.ok()) << token.error().describe();
  std::tm local{};
  local.tm_year = 126;
  local.tm_mon = 0;
  local.tm_mday = 1;
  local.tm_hour = 1;
  local.tm_isdst = -1;
  EXPECT_EQ(token->expires_on, std::chrono::system_clock::from_time_t(std::mktime(&local)));
}

TEST(AzureCliCredentialTest, RejectsOutputWithoutTokenOrExpiry) {
  for (const std::string body : {"", "ERROR", R"({"expires_on":1})", R"({"accessToken":"t"})",
                                 R"({"accessToken":"t","expiresOn":"tomorrow"})"}) {
    const auto token = parse_azure_cli_token(body);
    EXPECT_FALSE(token.ok()) << body;
  }
}

TEST(AzureCliCredentialTest, NotLoggedInReportsTheCliErrorLine) {
  FakeCommandRunner runner;
  AzureCliCredential credential({}, runner);
  runner.reply({1, "", "\nERROR: Please run 'az login' to setup account.\nmore detail\n"});
  const auto token = credential.get_token(kArmScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_NE(token.error().message.find("azure_cli"), std::string::npos);
  EXPECT_NE(token.error().message.find("exited with code 1"), std::string::npos);
  EXPECT_NE(token.error().message.find("Please run 'az login'"), std::string::npos)
      << token.error().message;
  EXPECT_EQ(token.error().message.find("more detail"), std::string::npos);
}

TEST(AzureCliCredentialTest, RunnerFailuresKeepTheirKind) {
  FakeCommandRunner runner;
  AzureCliCredential credential({}, runner);
  runner.fail(core::ErrorKind::kTransient, "az did not finish within 10000 ms");
  runner.fail(core::ErrorKind::kInvalidConfig, "cannot run az: No such file or directory");
  auto first = credential.get_token(kArmScope);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(first.error().message, "azure_cli: az did not finish within 10000 ms");
  auto second = credential.get_token(kArmScope);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind, core::ErrorKind::kInvalidConfig);
}

TEST(AzureCliCredentialTest, MalformedOutputNeverQuotesIt) {
  FakeCommandRunner runner;
  AzureCliCredential credential({}, runner);
  runner.reply(az_output(R"({"accessToken":"leaky-token-value"})"));
  const auto token = credential.get_token(kArmScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().message.find("leaky-token-value"), std::string::npos);
}

// The real runner, on /bin/sh: output capture, exit codes, a missing program, the timeout.
TEST(ProcessCommandRunnerTest, CapturesOutputAndExitCode) {
  ProcessCommandRunner runner;
  const auto out = runner.run({"sh", "-c", "echo out; echo err >&2; exit 3"}, seconds(10));
  ASSERT_TRUE(out.ok()) << out.error().describe();
  EXPECT_EQ(out->exit_code, 3);
  EXPECT_EQ(out->stdout_text, "out\n");
  EXPECT_EQ(out->stderr_text, "err\n");
}

TEST(ProcessCommandRunnerTest, MissingProgramIsAConfigError) {
  ProcessCommandRunner runner;
  const auto out = runner.run({"frankenetes-no-such-program-xyz"}, seconds(10));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_NE(out.error().message.find("frankenetes-no-such-program-xyz"), std::string::npos);
}

TEST(ProcessCommandRunnerTest, KillsTheProcessAtTheTimeout) {
  ProcessCommandRunner runner;
  const auto started = std::chrono::steady_clock::now();
  const auto out = runner.run({"sleep", "30"}, std::chrono::milliseconds(200));
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(10));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind, core::ErrorKind::kTransient);
  EXPECT_NE(out.error().message.find("did not finish"), std::string::npos);
}

// The CLI gets what it needs to find its login and reach Entra, nothing else of the daemon's
// environment.
TEST(MinimalCommandEnvironmentTest, KeepsOnlyWhatTheCliNeeds) {
  const char* const environment[] = {"PATH=/usr/bin:/bin",
                                     "AZURE_CLIENT_SECRET=canary-client-secret",
                                     "HOME=/var/lib/frankenetes",
                                     "FRANKENETES_ADMIN_TOKEN=canary-admin",
                                     "AZURE_CONFIG_DIR=/etc/frankenetes/az",
                                     "https_proxy=http://proxy:3128",
                                     "NO_PROXY=127.0.0.1",
                                     "CF_API_TOKEN=canary-cf",
                                     "PATHOLOGICAL=x",
                                     "LANG=C.UTF-8",
                                     "NOEQUALS",
                                     nullptr};
  EXPECT_EQ(minimal_command_environment(environment),
            (std::vector<std::string>{"PATH=/usr/bin:/bin", "HOME=/var/lib/frankenetes",
                                      "AZURE_CONFIG_DIR=/etc/frankenetes/az",
                                      "https_proxy=http://proxy:3128", "NO_PROXY=127.0.0.1",
                                      "LANG=C.UTF-8"}));
  EXPECT_TRUE(minimal_command_environment(nullptr).empty());
}

// Sets an environment variable for one test and restores what was there.
class ScopedEnvironmentVariable {
 public:
  ScopedEnvironmentVariable(const char* name, const std::string& value) : name_(name) {
    if (const char* old = ::getenv(name)) previous_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnvironmentVariable() {
    if (previous_) {
      ::setenv(name_, previous_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnvironmentVariable(const ScopedEnvironmentVariable&) = delete;
  ScopedEnvironmentVariable& operator=(const ScopedEnvironmentVariable&) = delete;

 private:
  const char* name_;
  std::optional<std::string> previous_;
};

// A fake `az` on PATH that writes its environment to a file and answers with a token: the
// real runner hands it the login's whereabouts and the proxy, never the daemon's secrets.
TEST(ProcessCommandRunnerTest, TheCliGetsAMinimalEnvironment) {
  const frankenetes::testing::TempDir dir("fk-az-env");
  const auto dump = (dir.path() / "env.txt").string();
  const auto az = dir.write("az", "#!/bin/sh\nenv > '" + dump +
                                      "'\necho '{\"accessToken\":\"t\",\"expires_on\":1767229200}'\n");
  ASSERT_EQ(::chmod(az.c_str(), 0700), 0);
  const char* path = ::getenv("PATH");
  const ScopedEnvironmentVariable search_path(
      "PATH", dir.path().string() + ":" + (path ? path : "/usr/bin:/bin"));
  const ScopedEnvironmentVariable client_secret("AZURE_CLIENT_SECRET", "canary-client-secret");
  const ScopedEnvironmentVariable admin_token("FRANKENETES_ADMIN_TOKEN", "canary-admin-token");
  const ScopedEnvironmentVariable config_dir("AZURE_CONFIG_DIR", "/etc/frankenetes/az");
  const ScopedEnvironmentVariable proxy("HTTPS_PROXY", "http://127.0.0.1:3128");

  ProcessCommandRunner runner;
  AzureCliCredential credential({std::nullopt, seconds(10), "az"}, runner);
  const auto token = credential.get_token(kArmScope);
  ASSERT_TRUE(token.ok()) << token.error().describe();

  std::ifstream in(dump);
  std::stringstream seen;
  seen << in.rdbuf();
  const auto text = seen.str();
  EXPECT_NE(text.find("AZURE_CONFIG_DIR=/etc/frankenetes/az\n"), std::string::npos) << text;
  EXPECT_NE(text.find("HTTPS_PROXY=http://127.0.0.1:3128\n"), std::string::npos) << text;
  EXPECT_NE(text.find("PATH=" + dir.path().string() + ":"), std::string::npos) << text;
  EXPECT_EQ(text.find("canary"), std::string::npos) << text;
  EXPECT_EQ(text.find("AZURE_CLIENT_SECRET"), std::string::npos) << text;
}

// Expiries the CLI could print that SystemTime cannot hold saturate (CachingCredential
// then caps them at a day); wrong types are errors naming the field.
TEST(AzureCliCredentialTest, ExpiryFieldTable) {
  const auto far = time_from_epoch_seconds(253402300799);
  for (const std::string body :
       {R"({"accessToken":"t","expires_on":253402300799})",
        R"({"accessToken":"t","expires_on":"253402300799"})",
        R"({"accessToken":"t","expires_on":9223372036854775807})",
        R"({"accessToken":"t","expiresOn":"9999-12-31 23:59:59.000000"})"}) {
    const auto token = parse_azure_cli_token(body);
    ASSERT_TRUE(token.ok()) << body << ": " << token.error().describe();
    EXPECT_LE(token->expires_on, far) << body;
    EXPECT_GT(token->expires_on, core::SystemTime(seconds(1767229200))) << body;
  }
  for (const std::string body :
       {R"({"accessToken":"t","expires_on":0})", R"({"accessToken":"t","expires_on":-5})",
        R"({"accessToken":"t","expires_on":true})", R"({"accessToken":"t","expires_on":"soon"})",
        R"({"accessToken":5,"expires_on":1767229200})", R"({"accessToken":"t","expiresOn":5})"}) {
    const auto token = parse_azure_cli_token(body);
    ASSERT_FALSE(token.ok()) << body;
    EXPECT_EQ(token.error().kind, core::ErrorKind::kTerminal) << body;
  }
  const auto typed = parse_azure_cli_token(R"({"accessToken":"t","expires_on":true})");
  EXPECT_NE(typed.error().message.find(R"("expires_on" is a boolean)"), std::string::npos)
      << typed.error().message;
}

}  // namespace
}  // namespace frankenetes::azure
