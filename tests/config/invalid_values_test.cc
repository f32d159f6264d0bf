// Invalid configurations whose problem is in one value or one map: every case asserts the exact
// line an operator sees, "file:line:col: key.path: message". Problems that relate values to
// each other (references, duplicates, secrets) are in invalid_references_test.cc.

#include <gtest/gtest.h>

#include "config_test_util.h"

namespace frankenetes::config::testing {
namespace {

struct InvalidCase {
  const char* name;
  std::string_view yaml;
  std::vector<std::string> expected;
};

class InvalidValues : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidValues, ReportsEveryProblemExactly) {
  const auto result = parse(GetParam().yaml);
  EXPECT_FALSE(result.ok());
  EXPECT_FALSE(result.config.has_value());
  EXPECT_EQ(problem_lines(result), GetParam().expected);
}

const std::vector<InvalidCase> kCases = {
    {.name = "TypoKeySuggestsClosest",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
policy:
  pollIntervall: 5s
)",
     .expected = {"test.yaml:11:3: policy: unknown key \"pollIntervall\" (did you mean "
                  "\"pollInterval\"?)"}},

    {.name = "UnknownKeyWithoutCloseMatchListsValidKeys",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
log:
  colour: red
)",
     .expected = {"test.yaml:11:3: log: unknown key \"colour\" (valid keys: level, format)"}},

    {.name = "UnknownTopLevelKey",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
polcy:
  dryRun: true
)",
     .expected = {"test.yaml:10:1: unknown key \"polcy\" (did you mean \"policy\"?)"}},

    {.name = "StringWhereIntegerExpected",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
policy:
  crashLoop:
    restarts: three
)",
     .expected = {"test.yaml:12:15: policy.crashLoop.restarts: expected an integer, got "
                  "\"three\""}},

    {.name = "ReadBudgetOutOfRange",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
policy:
  budget:
    armReadsPerMinute: 0
)",
     .expected = {"test.yaml:12:24: policy.budget.armReadsPerMinute: must be between 1 and "
                  "90000, got 0"}},

    {.name = "MapWhereStringExpected",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: {name: rg}
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
)",
     .expected = {"test.yaml:5:20: clusters[0].resourceGroup: expected a string, got a map"}},

    {.name = "ScalarWhereListExpected",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
        dependsOn: apiserver
)",
     .expected = {"test.yaml:10:20: clusters[0].members[0].dependsOn: expected a list, got "
                  "\"apiserver\""}},

    {.name = "ListWhereMapExpected",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
server: [127.0.0.1, 9720]
)",
     .expected = {"test.yaml:10:9: server: expected a map, got a list"}},

    {.name = "YesIsNotABoolean",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
policy: {dryRun: yes}
)",
     .expected = {"test.yaml:10:18: policy.dryRun: expected true or false, got \"yes\""}},

    {.name = "DurationWithoutUnit",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
policy:
  pollInterval: 10 sec
)",
     .expected = {"test.yaml:11:17: policy.pollInterval: invalid duration \"10 sec\": use a "
                  "number with a unit: ms, s, m, h (e.g. 500ms, 10s, 5m)"}},

    {.name = "DurationBelowMinimum",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
policy:
  getInterval: {healthy: 50ms}
)",
     .expected = {"test.yaml:11:26: policy.getInterval.healthy: must be at least 100ms, got "
                  "50ms"}},

    {.name = "MissingRequiredKeyReportedAtParent",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
)",
     .expected = {"test.yaml:4:5: clusters[0]: missing required key \"resourceGroup\""}},

    {.name = "RequiredKeyWithoutValue",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup:
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
)",
     .expected = {"test.yaml:5:5: clusters[0].resourceGroup: required key \"resourceGroup\" has "
                  "no value"}},

    {.name = "MissingTopLevelSections",
     .yaml = R"(
log:
  level: debug
)",
     .expected = {"test.yaml:1:1: missing required key \"azure\"",
                  "test.yaml:1:1: missing required key \"clusters\""}},

    {.name = "EmptyDocument",
     .yaml = "# nothing here\n",
     .expected = {"test.yaml:1:1: configuration is empty: expected a map with \"azure\" and "
                  "\"clusters\""}},

    {.name = "YamlSyntaxError",
     .yaml = R"(
azure:
  subscriptionId: [00000000-0000-0000-0000-000000000001
clusters: []
)",
     .expected = {"test.yaml:3:9: invalid YAML: end of sequence flow not found"}},

    {.name = "DuplicateKey",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
  subscriptionId: 00000000-0000-0000-0000-000000000002
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
)",
     .expected = {"test.yaml:3:3: azure: duplicate key \"subscriptionId\" (first at line 2)"}},

    {.name = "InvalidEnumValueListsChoices",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: restart
        containerGroup: etcd
)",
     .expected = {"test.yaml:8:15: clusters[0].members[0].role: invalid value \"restart\" "
                  "(expected one of: etcd, apiserver, controller-manager, scheduler, other)"}},

    {.name = "InvalidLogLevel",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
log: {level: verbose, format: json}
)",
     .expected = {"test.yaml:10:14: log.level: invalid value \"verbose\" (expected one of: "
                  "trace, debug, info, warn, error, critical, off)"}},

    {.name = "EmptyClusterList",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters: []
)",
     .expected = {"test.yaml:3:11: clusters: must list at least one cluster"}},

    {.name = "EmptyMemberList",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members: []
)",
     .expected = {"test.yaml:6:14: clusters[0].members: must list at least one member"}},

    {.name = "SubscriptionIdNotAGuid",
     .yaml = R"(
azure:
  subscriptionId: my-subscription
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
)",
     .expected = {"test.yaml:2:19: azure.subscriptionId: invalid subscription ID "
                  "\"my-subscription\": expected a GUID such as "
                  "00000000-0000-0000-0000-000000000000"}},

    {.name = "PlainHttpCloudUrlToPublicHost",
     .yaml = R"(
azure:
  cloud: {resourceManager: "http://management.example.com", authority: "https://127.0.0.1:8443"}
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
)",
     .expected = {"test.yaml:2:28: azure.cloud.resourceManager: URL must use https (http is "
                  "allowed only for localhost and 127.0.0.0/8), got "
                  "\"http://management.example.com\""}},

    {.name = "UnknownCloudName",
     .yaml = R"(
azure:
  cloud: AzureGermanCloud
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
)",
     .expected = {"test.yaml:2:10: azure.cloud: invalid value \"AzureGermanCloud\" (expected "
                  "one of: AzurePublicCloud, AzureChinaCloud, AzureUSGovernment, or a map with "
                  "\"resourceManager\" and \"authority\")"}},

    {.name = "ProbeTimeoutNotShorterThanPeriod",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
        probe:
          url: "http://{ip}:2379/health"
          period: 2s
          timeout: 2s
)",
     .expected = {"test.yaml:13:20: clusters[0].members[0].probe.timeout: timeout (2s) must be "
                  "shorter than period (2s)"}},

    {.name = "ShortPeriodClashesWithDefaultTimeout",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
        probe: {url: "http://{ip}:2379/health", period: 1s}
)",
     .expected = {"test.yaml:10:57: clusters[0].members[0].probe.period: timeout (2s) must be "
                  "shorter than period (1s)"}},

    {.name = "BadValueIsNotAlsoComparedWithItsNeighbour",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
        probe: {url: "http://{ip}:2379/health", period: 1s, timeout: fast}
)",
     .expected = {"test.yaml:10:70: clusters[0].members[0].probe.timeout: invalid duration "
                  "\"fast\": use a number with a unit: ms, s, m, h (e.g. 500ms, 10s, 5m)"}},

    {.name = "ProbeUrlUnknownPlaceholder",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
        probe: {url: "http://{host}:2379/health"}
)",
     .expected = {"test.yaml:10:22: clusters[0].members[0].probe.url: unknown placeholder "
                  "\"{host}\" in URL (allowed: {ip}, {fqdn})"}},

    {.name = "ProbeWithoutUrl",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
        probe: {period: 5s}
)",
     .expected = {"test.yaml:10:16: clusters[0].members[0].probe: missing required key "
                  "\"url\""}},

    {.name = "ListenAddressWithoutPort",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
server:
  listen: localhost
)",
     .expected = {"test.yaml:11:11: server.listen: invalid address \"localhost\": use host:port "
                  "(e.g. 127.0.0.1:9720)"}},

    {.name = "TtlOutOfRange",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
        dns: {provider: bind, name: cp-etcd.example.com, ttl: 0}
dns:
  ownerId: prod
  providers:
    bind: {type: rfc2136, server: ns1.example.com, zone: example.com}
)",
     .expected = {"test.yaml:10:63: clusters[0].members[0].dns.ttl: must be between 1 and "
                  "86400, got 0"}},

    {.name = "BackoffInitialLongerThanMax",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
policy:
  backoff: {initial: 10m, max: 5m}
)",
     .expected = {"test.yaml:11:22: policy.backoff.initial: initial (10m) must not be longer "
                  "than max (5m)"}},

    {.name = "StaleAfterShorterThanPollInterval",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
policy:
  pollInterval: 10s
  staleAfter: 5s
)",
     .expected = {"test.yaml:12:15: policy.staleAfter: must be at least pollInterval (10s), got "
                  "5s"}},

    {.name = "ClusterNameNotALabel",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: Prod_1
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
)",
     .expected = {"test.yaml:4:11: clusters[0].name: invalid cluster name \"Prod_1\": use "
                  "lowercase letters, digits and hyphens (at most 63, not starting or ending with "
                  "a hyphen)"}},

    {.name = "ProviderKeysDependOnItsType",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
dns:
  ownerId: prod
  providers:
    azure: {type: azureDns, resourceGroup: dns, zoneName: example.com}
)",
     .expected = {"test.yaml:13:12: dns.providers.azure: missing required key \"zone\"",
                  "test.yaml:13:49: dns.providers.azure: unknown key \"zoneName\" (valid keys: "
                  "type, subscriptionId, resourceGroup, zone)"}},
};

INSTANTIATE_TEST_SUITE_P(Config, InvalidValues, ::testing::ValuesIn(kCases),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

// dns.resyncInterval and dns.maxMemberReadsPerSecond: ranges, and a resync of at least a pass.
TEST(InvalidValues, DnsReadSettings) {
  const std::string providers = R"(
  providers:
    bind: {type: rfc2136, server: ns1.example.com, zone: example.com}
)";
  auto dns = [&](const std::string& keys) {
    return std::string(kMinimalConfig) + "dns:\n  ownerId: prod\n" + keys + providers;
  };
  EXPECT_EQ(
      problem_lines(parse(dns("  resyncInterval: 48h\n  maxMemberReadsPerSecond: 0\n"))),
      (std::vector<std::string>{
          "test.yaml:12:19: dns.resyncInterval: must be between 100ms and 24h, got 48h",
          "test.yaml:13:28: dns.maxMemberReadsPerSecond: must be between 1 and 10000, got 0"}));
  EXPECT_EQ(problem_lines(parse(dns("  resyncInterval: 5s\n") + "policy:\n  pollInterval: 10s\n")),
            (std::vector<std::string>{"test.yaml:12:19: dns.resyncInterval: must be at least "
                                      "policy.pollInterval (10s), got 5s"}));
}

}  // namespace
}  // namespace frankenetes::config::testing
