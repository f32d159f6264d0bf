// Invalid configurations whose problem lies between values: names that must be unique,
// references that must resolve, auth methods that need other keys, secrets and environment
// variables. Every case asserts the exact "file:line:col: key.path: message" lines.

#include <gtest/gtest.h>

#include "config_test_util.h"

namespace frankenetes::config::testing {
namespace {

struct InvalidCase {
  const char* name;
  std::string_view yaml;
  std::vector<std::string> expected;
  std::map<std::string, std::string> env = {};
};

class InvalidReferences : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidReferences, ReportsEveryProblemExactly) {
  const auto result = parse(GetParam().yaml, GetParam().env);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(problem_lines(result), GetParam().expected);
}

const std::vector<InvalidCase> kCases = {
    {.name = "DependencyCycleShowsPath",
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
        dependsOn: [apiserver]
      - name: apiserver
        role: apiserver
        containerGroup: apiserver
        dependsOn: [etcd]
)",
     .expected = {"test.yaml:14:21: clusters[0].members[1].dependsOn[0]: dependency cycle: "
                  "etcd -> apiserver -> etcd"}},

    {.name = "LongerDependencyCycle",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - {name: a, role: other, containerGroup: a, dependsOn: [b]}
      - {name: b, role: other, containerGroup: b, dependsOn: [c]}
      - {name: c, role: other, containerGroup: c, dependsOn: [nope, a]}
)",
     .expected = {"test.yaml:9:63: clusters[0].members[2].dependsOn[0]: unknown member \"nope\" "
                  "in cluster \"prod\"",
                  "test.yaml:9:69: clusters[0].members[2].dependsOn[1]: dependency cycle: a -> b "
                  "-> c -> a"}},

    {.name = "DanglingDependsOnSuggestsMember",
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
      - name: apiserver
        role: apiserver
        containerGroup: apiserver
        dependsOn: [etdc]
)",
     .expected = {"test.yaml:13:21: clusters[0].members[1].dependsOn[0]: unknown member \"etdc\" "
                  "(did you mean \"etcd\"?)"}},

    {.name = "SelfDependency",
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
        dependsOn: [etcd]
)",
     .expected = {"test.yaml:10:21: clusters[0].members[0].dependsOn[0]: a member cannot "
                  "depend on itself"}},

    {.name = "DuplicateMemberName",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd-1
      - name: etcd
        role: etcd
        containerGroup: etcd-2
)",
     .expected = {"test.yaml:10:15: clusters[0].members[1].name: duplicate member name \"etcd\" "
                  "(first used at line 7)"}},

    {.name = "DuplicateClusterName",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg-1
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
  - name: prod
    resourceGroup: rg-2
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
)",
     .expected = {"test.yaml:7:11: clusters[1].name: duplicate cluster name \"prod\" (first "
                  "used at line 4)"}},

    {.name = "TwoMembersWatchOneContainerGroup",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - {name: etcd, role: etcd, containerGroup: cp}
      - {name: apiserver, role: apiserver, containerGroup: cp}
)",
     .expected = {"test.yaml:8:60: clusters[0].members[1].containerGroup: container group "
                  "\"cp\" is already watched by member \"prod/etcd\""}},

    {.name = "UnknownDnsProviderListsDefinedOnes",
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
        dns: {provider: cloudflar, name: cp-etcd.example.com}
dns:
  ownerId: prod
  providers:
    cloudflare: {type: cloudflare, zoneId: abc, apiTokenFile: cf-token}
    bind: {type: rfc2136, server: ns1.example.com, zone: example.com}
)",
     .expected = {"test.yaml:10:25: clusters[0].members[0].dns.provider: unknown DNS provider "
                  "\"cloudflar\" (defined providers: bind, cloudflare)"}},

    {.name = "MemberDnsWithoutDnsSection",
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
        dns: {provider: bind, name: cp-etcd.example.com}
)",
     .expected = {"test.yaml:10:14: clusters[0].members[0].dns: a DNS record needs the "
                  "top-level \"dns\" section, which is missing"}},

    {.name = "DnsNameOutsideProviderZone",
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
        dns: {provider: azure, name: cp-etcd.notexample.com}
dns:
  ownerId: prod
  providers:
    azure: {type: azureDns, resourceGroup: dns, zone: example.com}
)",
     .expected = {"test.yaml:10:38: clusters[0].members[0].dns.name: name "
                  "\"cp-etcd.notexample.com\" is not inside zone \"example.com\" of provider "
                  "\"azure\""}},

    {.name = "InlineSecretRejectedWithoutEchoingIt",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
dns:
  ownerId: prod
  providers:
    cloudflare:
      type: cloudflare
      zoneName: example.com
      apiToken: s3cr3t-T0KEN
)",
     .expected = {"test.yaml:13:17: dns.providers.cloudflare.apiToken: inline secret not "
                  "allowed: put it in a file and use \"apiTokenFile\", or reference an "
                  "environment variable as \"${NAME}\""}},

    {.name = "SecretFromUnsetEnvironmentVariable",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
  tenantId: contoso.onmicrosoft.com
  auth:
    method: clientSecret
    clientId: frankenetes
    clientSecret: ${AZURE_CLIENT_SECRET}
clusters:
  - name: prod
    resourceGroup: rg
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
)",
     .expected = {"test.yaml:7:19: azure.auth.clientSecret: environment variable "
                  "\"AZURE_CLIENT_SECRET\" is not set"}},

    {.name = "PlainStringFromUnsetEnvironmentVariable",
     .yaml = R"(
azure:
  subscriptionId: ${AZURE_SUBSCRIPTION_ID}
clusters:
  - name: prod
    resourceGroup: rg
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
)",
     .expected = {"test.yaml:2:19: azure.subscriptionId: environment variable "
                  "\"AZURE_SUBSCRIPTION_ID\" is not set"}},

    {.name = "SecretAndSecretFileBothSet",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
dns:
  ownerId: prod
  providers:
    bind:
      type: rfc2136
      server: ns1.example.com
      zone: example.com
      tsig: {name: frankenetes, secret: "${TSIG}", secretFile: tsig.key}
)",
     .expected = {"test.yaml:14:64: dns.providers.bind.tsig.secretFile: set either \"secret\" or "
                  "\"secretFile\", not both"},
     .env = {{"TSIG", "c2VjcmV0"}}},

    {.name = "ClientSecretMethodNeedsClientIdAndTenant",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
  auth:
    method: clientSecret
    clientSecretFile: /etc/frankenetes/secret
clusters:
  - name: prod
    resourceGroup: rg
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
)",
     .expected = {"test.yaml:2:3: azure: missing required key \"tenantId\" (needed by auth method "
                  "\"clientSecret\")",
                  "test.yaml:4:5: azure.auth: missing required key \"clientId\" (needed by auth "
                  "method \"clientSecret\")"}},

    {.name = "StaticMethodNeedsTokenFile",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
  auth: {method: static}
clusters:
  - name: prod
    resourceGroup: rg
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
)",
     .expected = {"test.yaml:3:9: azure.auth: missing required key \"tokenFile\" (needed by auth "
                  "method \"static\")"}},

    {.name = "CloudflareNeedsZoneAndToken",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
dns:
  ownerId: prod
  providers:
    cf: {type: cloudflare}
)",
     .expected = {"test.yaml:10:9: dns.providers.cf: missing required key \"zoneId\" or "
                  "\"zoneName\"",
                  "test.yaml:10:9: dns.providers.cf: missing required key \"apiTokenFile\" or "
                  "\"apiToken\""}},

    {.name = "AdminApiOnANonLoopbackAddressNeedsTls",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
server:
  listen: "0.0.0.0:9720"
  adminTokenFile: /etc/frankenetes/admin-token
)",
     .expected = {"test.yaml:9:19: server.adminTokenFile: the admin API on 0.0.0.0:9720, which "
                  "is not a loopback address, needs server.tls (certFile, keyFile): its bearer "
                  "token must not cross the network in plain HTTP; set server.tls, or listen on "
                  "127.0.0.1"}},

    {.name = "ServerTlsNeedsBothFiles",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
server:
  tls: {certFile: server.crt, keyfile: server.key}
)",
     .expected = {"test.yaml:8:8: server.tls: missing required key \"keyFile\"",
                  "test.yaml:8:31: server.tls: unknown key \"keyfile\" (did you mean "
                  "\"keyFile\"?)"}},

    {.name = "ManyProblemsReportedTogetherInLineOrder",
     .yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
  requestTimout: 30s
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
        dependsOn: [nope]
        probe: {url: "http://{ip}:2379/health", failureThreshold: many}
policy:
  pollInterval: soon
log:
  format: xml
)",
     .expected = {"test.yaml:3:3: azure: unknown key \"requestTimout\" (did you mean "
                  "\"requestTimeout\"?)",
                  "test.yaml:11:21: clusters[0].members[0].dependsOn[0]: unknown member \"nope\" "
                  "in cluster \"prod\"",
                  "test.yaml:12:67: clusters[0].members[0].probe.failureThreshold: expected an "
                  "integer, got \"many\"",
                  "test.yaml:14:17: policy.pollInterval: invalid duration \"soon\": use a number "
                  "with a unit: ms, s, m, h (e.g. 500ms, 10s, 5m)",
                  "test.yaml:16:11: log.format: invalid value \"xml\" (expected one of: text, "
                  "json)"}},
};

INSTANTIATE_TEST_SUITE_P(Config, InvalidReferences, ::testing::ValuesIn(kCases),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

// A secret must never show up in what the operator or a log sees, whatever is wrong around it.
TEST(SecretsInProblems, ValueNeverAppearsInAnyMessage) {
  const std::string secret = "hunter2-super-secret";
  const std::string yaml = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
  tenantId: "not a tenant"
  auth:
    method: clientSecret
    clientId: app
    clientSecret: ${SECRET}
clusters:
  - name: prod
    resourceGroup: rg
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
dns:
  ownerId: prod
  providers:
    cf: {type: cloudflare, zoneName: example.com, apiToken: ")" +
                           secret + R"("}
    bind:
      type: rfc2136
      server: ns1.example.com
      zone: example.com
      tsig: {name: k, secret: [")" +
                           secret + R"("], secretFile: k.key}
server:
  adminToken: "prefix-${SECRET}"
)";
  const auto result = parse(yaml, {{"SECRET", secret}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.problems.size(), 4u);  // tenant, apiToken, tsig both set, adminToken
  for (const auto& line : problem_lines(result)) {
    EXPECT_EQ(line.find(secret), std::string::npos) << line;
    EXPECT_EQ(line.find("hunter2"), std::string::npos) << line;
  }
}

TEST(SecretsInProblems, EmptyEnvironmentVariableIsRejected) {
  const auto result = parse(R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
server:
  adminToken: ${ADMIN_TOKEN}
)",
                            {{"ADMIN_TOKEN", ""}});
  EXPECT_EQ(problem_lines(result),
            std::vector<std::string>{"test.yaml:8:15: server.adminToken: environment variable "
                                     "\"ADMIN_TOKEN\" is empty"});
}

}  // namespace
}  // namespace frankenetes::config::testing
