#include "azure/credential_chain.h"

#include <gtest/gtest.h>

#include "azure/credential_fakes.h"

namespace frankenetes::azure {
namespace {

using namespace credential_testing;
using std::chrono::seconds;

const core::SystemTime kExpiry{seconds(1767229200)};

struct Chain {
  // Raw pointers into the chain, for scripting and counting; the chain owns the links.
  ScriptedCredential* environment;
  ScriptedCredential* workload;
  ScriptedCredential* managed;
  ScriptedCredential* cli;
  std::unique_ptr<ChainedCredential> credential;
};

Chain make_chain() {
  Chain chain{};
  std::vector<std::unique_ptr<TokenCredential>> links;
  auto add = [&](const char* name) {
    auto link = std::make_unique<ScriptedCredential>(name);
    auto* raw = link.get();
    links.push_back(std::move(link));
    return raw;
  };
  chain.environment = add("environment");
  chain.workload = add("workload_identity");
  chain.managed = add("managed_identity");
  chain.cli = add("azure_cli");
  chain.credential = std::make_unique<ChainedCredential>(std::move(links));
  return chain;
}

TEST(ChainedCredentialTest, FirstWorkingLinkWinsAndLaterLinksAreNotAsked) {
  auto chain = make_chain();
  chain.environment->reply("env-token", kExpiry);
  const auto token = chain.credential->get_token(kArmScope);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->token.reveal(), "env-token");
  EXPECT_EQ(chain.workload->calls() + chain.managed->calls() + chain.cli->calls(), 0);
  EXPECT_EQ(chain.credential->selected(), "environment");
  EXPECT_EQ(chain.credential->name(), "default");
}

TEST(ChainedCredentialTest, FallsThroughInDefaultAzureCredentialOrder) {
  auto chain = make_chain();
  chain.environment->fail(core::ErrorKind::kInvalidConfig,
                          "environment: AZURE_CLIENT_SECRET not set");
  chain.workload->fail(core::ErrorKind::kInvalidConfig, "no federated token file");
  chain.managed->reply("mi-token", kExpiry);

  const auto token = chain.credential->get_token(kArmScope);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->token.reveal(), "mi-token");
  EXPECT_EQ(chain.environment->calls(), 1);
  EXPECT_EQ(chain.workload->calls(), 1);
  EXPECT_EQ(chain.managed->calls(), 1);
  EXPECT_EQ(chain.cli->calls(), 0);
  EXPECT_EQ(chain.managed->scopes(), std::vector<std::string>{kArmScope});
}

TEST(ChainedCredentialTest, RemembersTheLinkThatWorked) {
  auto chain = make_chain();
  chain.environment->fail(core::ErrorKind::kInvalidConfig, "not configured");
  chain.workload->fail(core::ErrorKind::kInvalidConfig, "not configured");
  chain.managed->fail(core::ErrorKind::kTransient, "IMDS unreachable");
  chain.cli->reply("cli-1", kExpiry);
  ASSERT_TRUE(chain.credential->get_token(kArmScope).ok());
  EXPECT_EQ(chain.credential->selected(), "azure_cli");

  // Later calls go straight to the CLI; its failures are its own, not a walk of the chain.
  chain.cli->reply("cli-2", kExpiry);
  chain.cli->fail(core::ErrorKind::kTransient, "az did not finish within 10000 ms");
  ASSERT_EQ(chain.credential->get_token(kArmScope)->token.reveal(), "cli-2");
  const auto failed = chain.credential->get_token(kArmScope);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "az did not finish within 10000 ms");
  EXPECT_EQ(chain.environment->calls(), 1);
  EXPECT_EQ(chain.managed->calls(), 1);
  EXPECT_EQ(chain.cli->calls(), 3);
}

TEST(ChainedCredentialTest, AggregatedErrorListsEveryLinkInOrder) {
  auto chain = make_chain();
  chain.environment->fail(core::ErrorKind::kInvalidConfig, "environment: missing client secret");
  chain.workload->fail(core::ErrorKind::kInvalidConfig, "missing federated token file");
  chain.managed->fail(core::ErrorKind::kTransient, "managed_identity: connection refused");
  chain.cli->fail(core::ErrorKind::kInvalidConfig, "cannot run az");

  const auto token = chain.credential->get_token(kArmScope);
  ASSERT_FALSE(token.ok());
  const auto& message = token.error().message;
  EXPECT_EQ(message,
            "default credential chain found no usable credential: "
            "environment: missing client secret; "
            "workload_identity: missing federated token file; "
            "managed_identity: connection refused; "
            "azure_cli: cannot run az");
  // One link might work later (IMDS was unreachable): worth retrying.
  EXPECT_EQ(token.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(chain.credential->selected(), std::nullopt);
}

TEST(ChainedCredentialTest, AggregatedErrorKindAndHttpDetails) {
  {
    auto chain = make_chain();
    for (auto* link : {chain.environment, chain.workload, chain.managed, chain.cli}) {
      link->fail(core::ErrorKind::kInvalidConfig, "not configured");
    }
    const auto token = chain.credential->get_token(kArmScope);
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.error().kind, core::ErrorKind::kInvalidConfig);
  }
  {
    auto chain = make_chain();
    chain.environment->fail(core::ErrorKind::kInvalidConfig, "not configured");
    chain.workload->fail(core::ErrorKind::kInvalidConfig, "not configured");
    chain.managed->fail(core::ErrorKind::kTerminal, "no identity");
    chain.cli->fail(core::ErrorKind::kInvalidConfig, "not logged in");
    const auto token = chain.credential->get_token(kArmScope);
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.error().kind, core::ErrorKind::kTerminal);
  }
}

TEST(ChainedCredentialTest, CarriesTheFirstHttpFailureDetails) {
  std::vector<std::unique_ptr<TokenCredential>> links;
  struct Rejecting final : TokenCredential {
    core::Result<AccessToken> get_token(const std::string&) override {
      auto error = make_error(core::ErrorKind::kTerminal, "invalid_client: AADSTS7000215");
      error.http_status = 401;
      error.azure_code = "invalid_client";
      error.request_id = "trace-1";
      return error;
    }
    std::string name() const override { return "environment"; }
  };
  links.push_back(
      std::make_unique<UnavailableCredential>("workload_identity", "missing client ID"));
  links.push_back(std::make_unique<Rejecting>());
  ChainedCredential chain(std::move(links));
  const auto token = chain.get_token(kArmScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().http_status, 401);
  EXPECT_EQ(token.error().azure_code, "invalid_client");
  EXPECT_EQ(token.error().request_id, "trace-1");
  EXPECT_NE(token.error().message.find("workload_identity: missing client ID; environment: "),
            std::string::npos)
      << token.error().message;
}

TEST(ChainedCredentialTest, EmptyChainIsAConfigError) {
  ChainedCredential chain({});
  const auto token = chain.get_token(kArmScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().kind, core::ErrorKind::kInvalidConfig);
}

TEST(UnavailableCredentialTest, ExplainsItself) {
  UnavailableCredential credential("environment", "missing client secret (AZURE_CLIENT_SECRET)");
  const auto token = credential.get_token(kArmScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_EQ(token.error().message, "environment: missing client secret (AZURE_CLIENT_SECRET)");
  EXPECT_EQ(credential.name(), "environment");
}

}  // namespace
}  // namespace frankenetes::azure
