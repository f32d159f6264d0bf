// The storage section: account, container, endpoint (defaulted from azure.cloud) and exactly one
// way to authenticate. Invalid cases assert the exact line an operator sees.

#include <gtest/gtest.h>

#include <filesystem>

#include "config_test_util.h"

namespace frankenetes::config::testing {
namespace {

// kMinimalConfig (9 lines) followed by `storage`, which therefore starts on line 10.
std::string with_storage(std::string_view storage) {
  return std::string(kMinimalConfig) + std::string(storage);
}

StorageConfig parse_storage_ok(std::string_view storage,
                               std::map<std::string, std::string> env = {}) {
  const auto result = parse(with_storage(storage), std::move(env));
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(problem_lines(result));
  if (!result.ok() || !result.config->storage) return {};
  return *result.config->storage;
}

TEST(StorageSection, AbsentByDefault) {
  const auto result = parse(kMinimalConfig);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result.config->storage.has_value());
}

TEST(StorageSection, KeyFileWithTheDefaultEndpoint) {
  const auto storage = parse_storage_ok(R"(storage:
  account: frankenetesdata
  container: frankenetes
  keyFile: secrets/storage-key
)");
  EXPECT_EQ(storage.account, "frankenetesdata");
  EXPECT_EQ(storage.container, "frankenetes");
  EXPECT_EQ(storage.endpoint, "https://frankenetesdata.blob.core.windows.net");
  EXPECT_EQ(storage.file_endpoint, "https://frankenetesdata.file.core.windows.net");
  EXPECT_EQ(storage.auth, StorageAuth::kSharedKey);
  ASSERT_TRUE(storage.key.has_value());
  EXPECT_FALSE(storage.key->value.has_value());
  // Relative to the configuration file's directory (test.yaml: the working directory).
  EXPECT_EQ(storage.key->file, std::filesystem::path("secrets/storage-key").lexically_normal());
}

TEST(StorageSection, KeyFromTheEnvironment) {
  const auto storage = parse_storage_ok(R"(storage:
  account: frankenetesdata
  container: frankenetes
  key: ${STORAGE_KEY}
)",
                                        {{"STORAGE_KEY", "a2V5"}});
  ASSERT_TRUE(storage.key.has_value());
  ASSERT_TRUE(storage.key->value.has_value());
  EXPECT_EQ(storage.key->value->reveal(), "a2V5");
}

TEST(StorageSection, EntraTokensNeedNoKey) {
  const auto storage = parse_storage_ok(R"(storage:
  account: frankenetesdata
  container: frankenetes
  auth: azure
)");
  EXPECT_EQ(storage.auth, StorageAuth::kAzure);
  EXPECT_FALSE(storage.key.has_value());
}

TEST(StorageSection, LoopbackEndpointOverHttpLosesItsTrailingSlash) {
  // Azurite's path-style endpoint: the account is the first path segment.
  const auto storage = parse_storage_ok(R"(storage:
  account: devstoreaccount1
  container: snapshots
  endpoint: http://127.0.0.1:10000/devstoreaccount1/
  keyFile: /etc/frankenetes/storage-key
)");
  EXPECT_EQ(storage.endpoint, "http://127.0.0.1:10000/devstoreaccount1");
}

TEST(StorageSection, FileEndpointFollowsTheSameRules) {
  // The simulator's path-style Azure Files endpoint, for etcd restores.
  const auto storage = parse_storage_ok(R"(storage:
  account: devstoreaccount1
  container: snapshots
  endpoint: http://127.0.0.1:10000/devstoreaccount1
  fileEndpoint: https://127.0.0.1:8444/devstoreaccount1/
  keyFile: /etc/frankenetes/storage-key
)");
  EXPECT_EQ(storage.file_endpoint, "https://127.0.0.1:8444/devstoreaccount1");
}

TEST(StorageSection, DefaultEndpointFollowsTheCloud) {
  const auto result = parse(R"(
azure:
  cloud: AzureChinaCloud
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
storage:
  account: frankenetesdata
  container: frankenetes
  auth: azure
)");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(problem_lines(result));
  EXPECT_EQ(result.config->storage->endpoint, "https://frankenetesdata.blob.core.chinacloudapi.cn");
}

struct InvalidCase {
  const char* name;
  std::string_view storage;
  std::vector<std::string> expected;
};

class InvalidStorage : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidStorage, ReportsEveryProblemExactly) {
  const auto result = parse(with_storage(GetParam().storage), {{"STORAGE_KEY", "a2V5"}});
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(problem_lines(result), GetParam().expected);
}

const std::vector<InvalidCase> kInvalidCases = {
    {.name = "AccountNameRules",
     .storage = R"(storage:
  account: Frankenetes-Data
  container: frankenetes
  keyFile: key
)",
     .expected = {"test.yaml:11:12: storage.account: invalid account name \"Frankenetes-Data\": "
                  "use 3 to 24 lowercase letters and digits"}},

    {.name = "AccountNameTooLong",
     .storage = R"(storage:
  account: abcdefghijklmnopqrstuvwxy
  container: frankenetes
  keyFile: key
)",
     .expected = {"test.yaml:11:12: storage.account: invalid account name "
                  "\"abcdefghijklmnopqrstuvwxy\": use 3 to 24 lowercase letters and digits"}},

    {.name = "ContainerNameRules",
     .storage = R"(storage:
  account: frankenetesdata
  container: etcd--snapshots
  keyFile: key
)",
     .expected = {"test.yaml:12:14: storage.container: invalid container name "
                  "\"etcd--snapshots\": use 3 to 63 lowercase letters, digits and single "
                  "hyphens, starting and ending with a letter or digit"}},

    {.name = "AccountAndContainerRequired",
     .storage = R"(storage:
  keyFile: key
)",
     .expected = {"test.yaml:11:3: storage: missing required key \"account\"",
                  "test.yaml:11:3: storage: missing required key \"container\""}},

    {.name = "KeyAndEntraTokensExcludeEachOther",
     .storage = R"(storage:
  account: frankenetesdata
  container: frankenetes
  auth: azure
  keyFile: key
)",
     .expected = {"test.yaml:14:12: storage.keyFile: auth \"azure\" uses Entra ID tokens: remove "
                  "the account key, or remove \"auth: azure\" to use the key"}},

    {.name = "NoWayToAuthenticate",
     .storage = R"(storage:
  account: frankenetesdata
  container: frankenetes
)",
     .expected = {"test.yaml:11:3: storage: missing required key \"keyFile\" (the account key, "
                  "or \"key: ${NAME}\"), or \"auth: azure\" for Entra ID tokens"}},

    {.name = "SharedKeyNamedWithoutAKey",
     .storage = R"(storage:
  account: frankenetesdata
  container: frankenetes
  auth: sharedKey
)",
     .expected = {"test.yaml:11:3: storage: missing required key \"keyFile\" (the account key, "
                  "or \"key: ${NAME}\"), or \"auth: azure\" for Entra ID tokens"}},

    {.name = "KeyAndKeyFile",
     .storage = R"(storage:
  account: frankenetesdata
  container: frankenetes
  key: ${STORAGE_KEY}
  keyFile: key
)",
     .expected = {"test.yaml:14:12: storage.keyFile: set either \"key\" or \"keyFile\", not both"}},

    {.name = "InlineKeyRefused",
     .storage = R"(storage:
  account: frankenetesdata
  container: frankenetes
  key: Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==
)",
     .expected = {"test.yaml:13:8: storage.key: inline secret not allowed: put it in a file and "
                  "use \"keyFile\", or reference an environment variable as \"${NAME}\""}},

    {.name = "UnknownAuth",
     .storage = R"(storage:
  account: frankenetesdata
  container: frankenetes
  auth: sas
  keyFile: key
)",
     .expected = {"test.yaml:13:9: storage.auth: invalid value \"sas\" (expected one of: "
                  "sharedKey, azure)"}},

    {.name = "PlainHttpOnlyToLoopback",
     .storage = R"(storage:
  account: frankenetesdata
  container: frankenetes
  endpoint: http://frankenetesdata.blob.core.windows.net
  keyFile: key
)",
     .expected = {"test.yaml:13:13: storage.endpoint: URL must use https (http is allowed only "
                  "for localhost and 127.0.0.0/8), got "
                  "\"http://frankenetesdata.blob.core.windows.net\""}},

    {.name = "EndpointWithQuery",
     .storage = R"(storage:
  account: frankenetesdata
  container: frankenetes
  endpoint: https://frankenetesdata.blob.core.windows.net/?sv=2021
  keyFile: key
)",
     .expected = {"test.yaml:13:13: storage.endpoint: the endpoint must not have a query or "
                  "fragment, got \"https://frankenetesdata.blob.core.windows.net/?sv=2021\""}},

    {.name = "TypoSuggestsTheKey",
     .storage = R"(storage:
  account: frankenetesdata
  container: frankenetes
  keyfile: key
)",
     .expected = {"test.yaml:11:3: storage: missing required key \"keyFile\" (the account key, "
                  "or \"key: ${NAME}\"), or \"auth: azure\" for Entra ID tokens",
                  "test.yaml:13:3: storage: unknown key \"keyfile\" (did you mean \"keyFile\"?)"}},
};

INSTANTIATE_TEST_SUITE_P(Config, InvalidStorage, ::testing::ValuesIn(kInvalidCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(StorageSection, CustomCloudNeedsAnEndpoint) {
  const auto result = parse(R"(
azure:
  cloud: {resourceManager: "https://127.0.0.1:8443", authority: "https://127.0.0.1:8443"}
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
storage:
  account: frankenetesdata
  container: frankenetes
  auth: azure
)");
  EXPECT_EQ(problem_lines(result),
            std::vector<std::string>{"test.yaml:12:3: storage: missing required key \"endpoint\""});
}

}  // namespace
}  // namespace frankenetes::config::testing
