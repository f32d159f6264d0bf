// A secret written where the configuration does not take it (inline, under a misspelt key,
// as a list or a map) is refused without being quoted: problems are printed, logged and
// shown by --check-config, so none may carry the value.

#include <gtest/gtest.h>

#include "config_test_util.h"

namespace frankenetes::config::testing {
namespace {

constexpr const char* kCanary = "fk-canary-config-secret-4Tz9";

// One section per kind of secret; `{key}` is replaced by the entry under test.
const std::vector<std::string> kSecretSections = {
    "azure:\n  subscriptionId: 00000000-0000-0000-0000-000000000001\n"
    "  tenantId: contoso.onmicrosoft.com\n"
    "  auth:\n    method: clientSecret\n    clientId: app\n    {key}\n",
    "server:\n  {key}\n",
    "storage:\n  account: frankenetesdata\n  container: frankenetes\n  {key}\n",
    "dns:\n  ownerId: prod\n  providers:\n    cf:\n      type: cloudflare\n"
    "      zoneName: example.com\n      {key}\n",
    "dns:\n  ownerId: prod\n  providers:\n    bind:\n      type: rfc2136\n"
    "      server: 127.0.0.1:53\n      zone: example.com\n"
    "      tsig:\n        name: k\n        {key}\n",
};
const std::vector<std::string> kSecretKeys = {"clientSecret", "adminToken", "key", "apiToken",
                                              "secret"};

std::string replace(std::string text, const std::string& what, const std::string& with) {
  text.replace(text.find(what), what.size(), with);
  return text;
}

TEST(SecretValues, AreNeverQuotedInProblems) {
  for (std::size_t i = 0; i < kSecretSections.size(); ++i) {
    const auto& key = kSecretKeys[i];
    for (const std::string& entry :
         {key + ": " + kCanary, key + ": \"" + kCanary + "\"", key + "x: " + kCanary,
          key + ": [" + kCanary + "]", key + ": {value: " + kCanary + "}",
          key + "File: [" + kCanary + "]", key + ": ${" + kCanary + "}x"}) {
      std::string yaml(kMinimalConfig);
      if (i == 0) yaml = yaml.substr(yaml.find("clusters:"));  // the azure section is replaced
      yaml += replace(kSecretSections[i], "{key}", entry);
      const auto result = parse(yaml);
      EXPECT_FALSE(result.ok()) << yaml;
      for (const auto& line : problem_lines(result)) {
        EXPECT_EQ(line.find("fk-canary"), std::string::npos) << line;
      }
    }
  }
}

}  // namespace
}  // namespace frankenetes::config::testing
