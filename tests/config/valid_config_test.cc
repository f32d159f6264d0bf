// Valid configurations: defaults, typed values, ${ENV} expansion, path resolution, secrets,
// equality for reload, and reading from disk.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config_test_util.h"

namespace frankenetes::config::testing {
namespace {

using namespace std::chrono_literals;

Config parse_ok(std::string_view yaml, std::map<std::string, std::string> env = {},
                const std::string& file = kTestFile) {
  const auto result = parse_config(yaml_text(yaml), file, fake_env(std::move(env)));
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(problem_lines(result));
  return result.config.value_or(Config{});
}

TEST(ValidConfig, MinimalConfigGetsEveryDefault) {
  const auto config = parse_ok(kMinimalConfig);
  EXPECT_EQ(config.azure.cloud.name, "AzurePublicCloud");
  EXPECT_EQ(config.azure.cloud.resource_manager, "https://management.azure.com");
  EXPECT_EQ(config.azure.cloud.authority, "https://login.microsoftonline.com");
  EXPECT_EQ(config.azure.cloud.scope, "https://management.azure.com/.default");
  EXPECT_EQ(config.azure.subscription_id, "00000000-0000-0000-0000-000000000001");
  EXPECT_EQ(config.azure.auth.method, AuthMethod::kDefault);
  EXPECT_EQ(config.azure.auth.imds_endpoint,
            "http://169.254.169.254/metadata/identity/oauth2/token");
  EXPECT_EQ(config.azure.api_version, "2023-05-01");
  EXPECT_EQ(config.azure.request_timeout, 30s);
  EXPECT_FALSE(config.azure.ca_file.has_value());

  ASSERT_EQ(config.clusters.size(), 1u);
  const auto& cluster = config.clusters[0];
  EXPECT_EQ(cluster.name, "prod");
  EXPECT_EQ(cluster.subscription_id, config.azure.subscription_id);
  EXPECT_EQ(cluster.resource_group, "rg");
  ASSERT_EQ(cluster.members.size(), 1u);
  const auto& member = cluster.members[0];
  EXPECT_EQ(member.name, "etcd");
  EXPECT_EQ(member.role, MemberRole::kEtcd);
  EXPECT_EQ(member.container_group, "etcd");
  EXPECT_TRUE(member.depends_on.empty());
  EXPECT_FALSE(member.probe || member.dns || member.spec);
  EXPECT_TRUE(member.remediate);

  EXPECT_FALSE(config.dns.has_value());
  EXPECT_EQ(config.policy.poll_interval, 10s);
  EXPECT_EQ(config.policy.get_interval.healthy, 5min);
  EXPECT_EQ(config.policy.get_interval.unhealthy, 5s);
  EXPECT_EQ(config.policy.stale_after, 20s);
  EXPECT_EQ(config.policy.crash_loop.restarts, 3);
  EXPECT_EQ(config.policy.crash_loop.window, 10min);
  EXPECT_EQ(config.policy.backoff.initial, 10s);
  EXPECT_EQ(config.policy.backoff.max, 5min);
  EXPECT_EQ(config.policy.backoff.reset_after, 10min);
  EXPECT_EQ(config.policy.budget.max_actions_per_hour, 12);
  EXPECT_EQ(config.policy.budget.arm_reads_per_minute, 750);
  EXPECT_EQ(config.policy.action_timeout, 5min);
  EXPECT_FALSE(config.policy.dry_run);
  EXPECT_EQ(config.server.listen, (HostPort{"127.0.0.1", 9720}));
  EXPECT_FALSE(config.server.admin_token.has_value());
  EXPECT_EQ(config.server.max_connections, 64);
  EXPECT_EQ(config.log.level, LogLevel::kInfo);
  EXPECT_EQ(config.log.format, LogFormat::kText);
}

TEST(ValidConfig, MemberSettingsAndProbeDefaults) {
  const auto config = parse_ok(R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    subscriptionId: 00000000-0000-0000-0000-000000000002
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: cp-etcd
        probe: {url: "http://{ip}:2379/health"}
        remediate: false
      - name: apiserver
        role: apiserver
        containerGroup: cp-apiserver
        dependsOn: [etcd]
        probe: {url: "https://{fqdn}:6443/livez", period: 1m30s, timeout: 500ms,
                failureThreshold: 5, caFile: pki/ca.pem, insecureSkipVerify: true}
        spec: {file: groups/apiserver.json}
)");
  const auto& cluster = config.clusters.at(0);
  EXPECT_EQ(cluster.subscription_id, "00000000-0000-0000-0000-000000000002");
  const auto& etcd = cluster.members.at(0);
  ASSERT_TRUE(etcd.probe.has_value());
  EXPECT_EQ(etcd.probe->url, "http://{ip}:2379/health");
  EXPECT_EQ(etcd.probe->period, 5s);
  EXPECT_EQ(etcd.probe->timeout, 2s);
  EXPECT_EQ(etcd.probe->failure_threshold, 3);
  EXPECT_FALSE(etcd.probe->insecure_skip_verify);
  EXPECT_FALSE(etcd.remediate);

  const auto& apiserver = cluster.members.at(1);
  EXPECT_EQ(apiserver.depends_on, std::vector<std::string>{"etcd"});
  EXPECT_EQ(apiserver.probe->period, 90s);
  EXPECT_EQ(apiserver.probe->timeout, 500ms);
  EXPECT_EQ(apiserver.probe->failure_threshold, 5);
  EXPECT_EQ(apiserver.probe->ca_file, "pki/ca.pem");  // test.yaml has no directory
  EXPECT_TRUE(apiserver.probe->insecure_skip_verify);
  ASSERT_TRUE(apiserver.spec.has_value());
  EXPECT_EQ(apiserver.spec->file, "groups/apiserver.json");  // test.yaml has no directory
}

TEST(ValidConfig, RelativePathsResolveAgainstTheConfigDirectory) {
  const auto config = parse_ok(R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
  tenantId: 00000000-0000-0000-0000-0000000000aa
  auth: {method: clientSecret, clientId: app, clientSecretFile: ../secrets/./client-secret}
  caFile: /usr/share/ca.pem
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
        spec: {file: groups/etcd.json}
        probe: {url: "https://{ip}:2379/health", caFile: pki/etcd-ca.pem}
)",
                               {}, "/etc/frankenetes/conf.d/frankenetes.yaml");
  ASSERT_TRUE(config.azure.auth.client_secret.has_value());
  EXPECT_EQ(config.azure.auth.client_secret->file, "/etc/frankenetes/secrets/client-secret");
  EXPECT_FALSE(config.azure.auth.client_secret->value.has_value());
  EXPECT_EQ(config.azure.ca_file, "/usr/share/ca.pem");
  const auto& member = config.clusters.at(0).members.at(0);
  EXPECT_EQ(member.spec->file, "/etc/frankenetes/conf.d/groups/etcd.json");
  EXPECT_EQ(member.probe->ca_file, "/etc/frankenetes/conf.d/pki/etcd-ca.pem");
}

TEST(ValidConfig, EnvironmentReferencesExpandInStringsAndSecrets) {
  const auto config = parse_ok(R"(
azure:
  subscriptionId: ${SUBSCRIPTION}
  tenantId: ${TENANT}
  auth:
    method: clientSecret
    clientId: "app-${STAGE}"
    clientSecret: ${CLIENT_SECRET}
clusters:
  - name: prod
    resourceGroup: "rg-${STAGE}"
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
policy:
  pollInterval: ${POLL}
  dryRun: ${DRY_RUN}
server:
  listen: "127.0.0.1:${PORT}"
  adminToken: ${ADMIN}
log:
  level: ${LEVEL}
)",
                               {{"SUBSCRIPTION", "00000000-0000-0000-0000-000000000009"},
                                {"TENANT", "contoso.onmicrosoft.com"},
                                {"STAGE", "blue"},
                                {"CLIENT_SECRET", "s3cret"},
                                {"POLL", "250ms"},
                                {"DRY_RUN", "true"},
                                {"PORT", "19720"},
                                {"ADMIN", "admin-token"},
                                {"LEVEL", "debug"}});
  EXPECT_EQ(config.azure.subscription_id, "00000000-0000-0000-0000-000000000009");
  EXPECT_EQ(config.azure.tenant_id, "contoso.onmicrosoft.com");
  EXPECT_EQ(config.azure.auth.client_id, "app-blue");
  ASSERT_TRUE(config.azure.auth.client_secret && config.azure.auth.client_secret->value);
  EXPECT_EQ(config.azure.auth.client_secret->value->reveal(), "s3cret");
  EXPECT_EQ(config.clusters.at(0).resource_group, "rg-blue");
  EXPECT_EQ(config.policy.poll_interval, 250ms);
  EXPECT_EQ(config.policy.stale_after, 500ms);
  EXPECT_TRUE(config.policy.dry_run);
  EXPECT_EQ(config.server.listen, (HostPort{"127.0.0.1", 19720}));
  EXPECT_EQ(config.server.admin_token->value->reveal(), "admin-token");
  EXPECT_EQ(config.log.level, LogLevel::kDebug);
}

TEST(ValidConfig, DnsProvidersOfEveryType) {
  const auto config = parse_ok(R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
        dns: {provider: cf, name: cp-etcd.example.com., ttl: 300, mode: cname, adopt: true,
              deleteWhenGone: true}
      - name: apiserver
        role: apiserver
        containerGroup: apiserver
        dns: {provider: az, name: cp-apiserver.EXAMPLE.com}
      - name: scheduler
        role: scheduler
        containerGroup: scheduler
        dns: {provider: bind, name: cp-scheduler.example.com}
dns:
  ownerId: prod-frankenetes
  verify: {nameservers: ["127.0.0.1:5353", "[::1]", ns1.example.com], timeout: 3s,
           interval: 200ms}
  resyncInterval: 30m
  maxMemberReadsPerSecond: 4
  providers:
    cf: {type: cloudflare, zoneId: "023e105f", apiToken: "${CF_TOKEN}"}
    az: {type: azureDns, resourceGroup: dns, zone: example.com}
    bind:
      type: rfc2136
      server: "[2001:db8::53]:5353"
      zone: example.com
      tsig: {name: frankenetes, algorithm: hmac-sha512, secretFile: /run/tsig.key}
)",
                               {{"CF_TOKEN", "cf-secret"}});
  ASSERT_TRUE(config.dns.has_value());
  const auto& dns = *config.dns;
  EXPECT_EQ(dns.owner_id, "prod-frankenetes");
  EXPECT_EQ(dns.verify.nameservers,
            (std::vector<HostPort>{{"127.0.0.1", 5353}, {"::1", 53}, {"ns1.example.com", 53}}));
  EXPECT_EQ(dns.verify.timeout, 3s);
  EXPECT_EQ(dns.verify.interval, 200ms);
  EXPECT_EQ(dns.resync_interval, 30min);
  EXPECT_EQ(dns.max_member_reads_per_second, 4);
  ASSERT_EQ(dns.providers.size(), 3u);

  const auto& cf = dns.providers.at("cf");
  EXPECT_EQ(cf.name, "cf");
  EXPECT_EQ(cf.type(), DnsProviderType::kCloudflare);
  EXPECT_FALSE(cf.zone().has_value());  // only an ID: no zone check possible
  const auto& cloudflare = std::get<CloudflareProviderConfig>(cf.settings);
  EXPECT_EQ(cloudflare.zone_id, "023e105f");
  EXPECT_EQ(cloudflare.api_token.value->reveal(), "cf-secret");
  EXPECT_EQ(cloudflare.base_url, "https://api.cloudflare.com/client/v4");

  const auto& az = std::get<AzureDnsProviderConfig>(dns.providers.at("az").settings);
  EXPECT_EQ(az.subscription_id, config.azure.subscription_id);
  EXPECT_EQ(az.resource_group, "dns");
  EXPECT_EQ(dns.providers.at("az").zone(), "example.com");

  const auto& bind = std::get<Rfc2136ProviderConfig>(dns.providers.at("bind").settings);
  EXPECT_EQ(bind.server, (HostPort{"2001:db8::53", 5353}));
  EXPECT_EQ(bind.server.to_string(), "[2001:db8::53]:5353");
  EXPECT_EQ(bind.timeout, 5s);
  ASSERT_TRUE(bind.tsig.has_value());
  EXPECT_EQ(bind.tsig->algorithm, TsigAlgorithm::kHmacSha512);
  EXPECT_EQ(bind.tsig->secret.file, "/run/tsig.key");

  const auto& etcd_dns = *config.clusters[0].members[0].dns;
  EXPECT_EQ(etcd_dns.name, "cp-etcd.example.com");  // trailing dot dropped
  EXPECT_EQ(etcd_dns.ttl, 300);
  EXPECT_EQ(etcd_dns.mode, DnsRecordMode::kCname);
  EXPECT_TRUE(etcd_dns.adopt);
  EXPECT_TRUE(etcd_dns.delete_when_gone);
  const auto& apiserver_dns = *config.clusters[0].members[1].dns;
  EXPECT_EQ(apiserver_dns.ttl, 60);
  EXPECT_EQ(apiserver_dns.mode, DnsRecordMode::kA);
  EXPECT_FALSE(apiserver_dns.adopt);
}

TEST(ValidConfig, CustomCloudDefaultsScopeAndAllowsLoopbackHttp) {
  const auto config = parse_ok(R"(
azure:
  cloud: {resourceManager: "http://localhost:8080/", authority: "https://127.0.0.2:8443"}
  subscriptionId: 00000000-0000-0000-0000-000000000001
  auth: {method: static, tokenFile: token}
clusters:
  - name: prod
    resourceGroup: rg
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
)");
  EXPECT_EQ(config.azure.cloud, (Cloud{"custom", "http://localhost:8080", "https://127.0.0.2:8443",
                                       "http://localhost:8080/.default"}));
  EXPECT_EQ(config.azure.auth.method, AuthMethod::kStatic);
  EXPECT_EQ(config.azure.auth.token_file, "token");
}

TEST(ValidConfig, WellKnownClouds) {
  for (const auto& [name, resource_manager] :
       {std::pair{"AzureChinaCloud", "https://management.chinacloudapi.cn"},
        std::pair{"AzureUSGovernment", "https://management.usgovcloudapi.net"}}) {
    std::string yaml(yaml_text(kMinimalConfig));
    yaml.replace(0, std::string("azure:\n").size(), "azure:\n  cloud: " + std::string(name) + "\n");
    const auto config = parse_ok(yaml);
    EXPECT_EQ(config.azure.cloud.name, name);
    EXPECT_EQ(config.azure.cloud.resource_manager, resource_manager);
    EXPECT_EQ(config.azure.cloud.scope, std::string(resource_manager) + "/.default");
  }
}

TEST(ValidConfig, NullValuesCountAsNotSet) {
  const auto config = parse_ok(R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
  caFile: null
  tenantId: ~
clusters:
  - name: prod
    resourceGroup: rg
    members: [{name: etcd, role: etcd, containerGroup: etcd, probe: null}]
policy:
)");
  EXPECT_FALSE(config.azure.ca_file.has_value());
  EXPECT_FALSE(config.azure.tenant_id.has_value());
  EXPECT_FALSE(config.clusters[0].members[0].probe.has_value());
}

TEST(ValidConfig, EscapedDollarBraceIsLiteral) {
  const auto config = parse_ok(R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
  auth: {method: managedIdentity, managedIdentityClientId: "id-$${NOT_A_VAR}"}
clusters:
  - name: prod
    resourceGroup: rg
    members: [{name: etcd, role: etcd, containerGroup: etcd}]
)");
  EXPECT_EQ(config.azure.auth.managed_identity_client_id, "id-${NOT_A_VAR}");
}

TEST(ValidConfig, EqualConfigsCompareEqualAndChangesDoNot) {
  const auto a = parse_ok(kMinimalConfig);
  const auto b = parse_ok(kMinimalConfig);
  EXPECT_EQ(a, b);
  std::string changed(yaml_text(kMinimalConfig));
  changed += "policy: {dryRun: true}\n";
  EXPECT_NE(a, parse_ok(changed));
}

class ConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("frankenetes-config-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, std::string_view text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  std::filesystem::path dir_;
};

TEST_F(ConfigFile, LoadsAndResolvesPathsAgainstItsDirectory) {
  std::string yaml(yaml_text(kMinimalConfig));
  yaml += "server: {adminTokenFile: admin-token}\n";
  const auto path = write("frankenetes.yaml", yaml);
  const auto result = load_config_file(path, fake_env());
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(problem_lines(result));
  EXPECT_EQ(result.config->server.admin_token->file, (dir_ / "admin-token").string());
}

TEST_F(ConfigFile, AdminApiWithTlsMayListenOnAnyAddress) {
  std::string yaml(yaml_text(kMinimalConfig));
  yaml += "server:\n  listen: \"0.0.0.0:9720\"\n  adminTokenFile: admin-token\n"
          "  tls: {certFile: tls/server.crt, keyFile: tls/server.key}\n";
  const auto result = load_config_file(write("frankenetes.yaml", yaml), fake_env());
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(problem_lines(result));
  ASSERT_TRUE(result.config->server.tls.has_value());
  EXPECT_EQ(result.config->server.tls->cert_file, (dir_ / "tls/server.crt").string());
  EXPECT_EQ(result.config->server.tls->key_file, (dir_ / "tls/server.key").string());
}

TEST_F(ConfigFile, AdminApiOnLoopbackNeedsNoTls) {
  for (const char* listen : {"127.0.0.1:9720", "[::1]:9720", "localhost:9720"}) {
    std::string yaml(yaml_text(kMinimalConfig));
    yaml += std::string("server: {listen: \"") + listen + "\", adminTokenFile: admin-token}\n";
    const auto result = load_config_file(write("frankenetes.yaml", yaml), fake_env());
    EXPECT_TRUE(result.ok()) << listen << ": " << ::testing::PrintToString(problem_lines(result));
  }
}

TEST_F(ConfigFile, ProblemsNameTheFileAsGiven) {
  const auto path = write("bad.yaml", "azure: {}\n");
  const auto result = load_config_file(path, fake_env());
  EXPECT_EQ(
      problem_lines(result),
      (std::vector<std::string>{path + ":1:1: missing required key \"clusters\"",
                                path + ":1:8: azure: missing required key \"subscriptionId\""}));
}

TEST_F(ConfigFile, UnreadableFileIsOneProblemWithoutPosition) {
  const auto path = (dir_ / "missing.yaml").string();
  const auto result = load_config_file(path, fake_env());
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].line, 0);
  EXPECT_EQ(result.problems[0].column, 0);
  EXPECT_EQ(result.problems[0].to_string(), path + ": cannot read file: No such file or directory");
}

TEST_F(ConfigFile, DirectoryIsUnreadable) {
  const auto result = load_config_file(dir_.string(), fake_env());
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].to_string(), dir_.string() + ": cannot read file: Is a directory");
}

// A config of a thousand clusters is over 1 MiB: a file just under the limit loads whole
// (it is read in chunks), one byte more is rejected.
TEST_F(ConfigFile, AFileJustUnderTheLimitLoads) {
  std::string yaml(yaml_text(kMinimalConfig));
  yaml += "\n";
  const std::string line = "# " + std::string(97, 'x') + "\n";
  while (yaml.size() + line.size() <= kMaxConfigBytes) yaml += line;
  yaml += std::string(kMaxConfigBytes - yaml.size(), '#');
  ASSERT_EQ(yaml.size(), kMaxConfigBytes);
  const auto path = write("large.yaml", yaml);
  const auto result = load_config_file(path, fake_env());
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(problem_lines(result));
}

TEST_F(ConfigFile, OversizedFileIsRejected) {
  const auto path = write("huge.yaml", std::string(kMaxConfigBytes + 1, '#'));
  const auto result = load_config_file(path, fake_env());
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].to_string(),
            path + ": file is larger than the limit of " + std::to_string(kMaxConfigBytes) +
                " bytes");
}

}  // namespace
}  // namespace frankenetes::config::testing
