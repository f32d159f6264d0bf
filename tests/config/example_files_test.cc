// The shipped configuration files must always load: config/example.yaml (the reference) and
// config/demo.yaml (the simulator demo).

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "config_test_util.h"

namespace frankenetes::config::testing {
namespace {

using namespace std::chrono_literals;

// ctest sets FRANKENETES_SOURCE_DIR; when the binary runs by hand, find the tree from here.
std::filesystem::path source_dir() {
  if (const char* dir = std::getenv("FRANKENETES_SOURCE_DIR")) return dir;
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
}

LoadResult load(const std::string& name, std::map<std::string, std::string> env = {}) {
  return load_config_file((source_dir() / "config" / name).string(), fake_env(std::move(env)));
}

TEST(ExampleFiles, ExampleValidatesWithFourMembersAndThreeProviders) {
  const auto result = load("example.yaml");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(problem_lines(result));
  const auto& config = *result.config;
  ASSERT_EQ(config.clusters.size(), 1u);
  const auto& members = config.clusters[0].members;
  ASSERT_EQ(members.size(), 4u);
  EXPECT_EQ(members[0].name, "etcd");
  EXPECT_EQ(members[1].depends_on, std::vector<std::string>{"etcd"});
  EXPECT_EQ(members[2].depends_on, std::vector<std::string>{"apiserver"});
  EXPECT_EQ(members[3].depends_on, std::vector<std::string>{"apiserver"});
  ASSERT_TRUE(config.dns.has_value());
  EXPECT_EQ(config.dns->providers.size(), 3u);
  EXPECT_EQ(config.dns->providers.at("cloudflare").type(), DnsProviderType::kCloudflare);
  EXPECT_EQ(config.dns->providers.at("azure").type(), DnsProviderType::kAzureDns);
  EXPECT_EQ(config.dns->providers.at("bind").type(), DnsProviderType::kRfc2136);
  // Relative paths resolve against config/.
  EXPECT_EQ(members[0].spec->file, (source_dir() / "config/groups/etcd.json").lexically_normal());
}

// The example spells out every default; loading it must give the same values as leaving the
// keys out, or the documentation has drifted from defaults.h.
TEST(ExampleFiles, ExampleDocumentsTheRealDefaults) {
  const auto config = *load("example.yaml").config;
  const PolicyConfig defaults;
  EXPECT_EQ(config.policy, defaults);
  EXPECT_EQ(config.server.listen, ServerConfig{}.listen);
  EXPECT_EQ(config.server.max_connections, ServerConfig{}.max_connections);
  EXPECT_EQ(config.log, LogConfig{});
  EXPECT_EQ(config.azure.api_version, AzureConfig{}.api_version);
  EXPECT_EQ(config.azure.request_timeout, AzureConfig{}.request_timeout);
  EXPECT_EQ(config.dns->verify.timeout, DnsVerifyConfig{}.timeout);
  EXPECT_EQ(config.dns->verify.interval, DnsVerifyConfig{}.interval);
  EXPECT_EQ(config.dns->resync_interval, DnsConfig{}.resync_interval);
  EXPECT_EQ(config.dns->max_member_reads_per_second, DnsConfig{}.max_member_reads_per_second);
  const auto& etcd = config.clusters[0].members[0];
  EXPECT_EQ(etcd.probe->period, ProbeConfig{}.period);
  EXPECT_EQ(etcd.probe->timeout, ProbeConfig{}.timeout);
  EXPECT_EQ(etcd.probe->failure_threshold, ProbeConfig{}.failure_threshold);
  EXPECT_EQ(etcd.dns->ttl, MemberDnsConfig{}.ttl);
  EXPECT_EQ(etcd.remediate, MemberConfig{}.remediate);
  // storage.endpoint is left at its default, the public cloud's endpoint for the account.
  ASSERT_TRUE(config.storage.has_value());
  EXPECT_EQ(config.storage->endpoint, "https://frankenetesdata.blob.core.windows.net");
  EXPECT_EQ(config.storage->auth, StorageConfig{}.auth);
  // With storage, snapshots default to enabled; the rest are the plain defaults.
  EtcdConfig etcd_defaults;
  etcd_defaults.snapshots.enabled = true;
  EXPECT_EQ(config.etcd, etcd_defaults);
}

TEST(ExampleFiles, DemoValidatesAndStaysOnLoopback) {
  const auto result = load("demo.yaml");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(problem_lines(result));
  const auto& config = *result.config;
  EXPECT_EQ(config.azure.cloud.resource_manager, "https://127.0.0.1:8443");
  EXPECT_EQ(config.azure.cloud.authority, "https://127.0.0.1:8443");
  EXPECT_EQ(config.azure.subscription_id, "00000000-0000-0000-0000-000000000001");
  EXPECT_EQ(config.azure.tenant_id, "00000000-0000-0000-0000-0000000000aa");
  EXPECT_EQ(config.azure.auth.method, AuthMethod::kClientSecret);
  EXPECT_EQ(config.azure.auth.client_id, "frankenetes-demo");
  EXPECT_EQ(config.azure.auth.client_secret->file,
            (source_dir() / "build/demo/sim/client-secret").lexically_normal());
  EXPECT_EQ(config.azure.ca_file, (source_dir() / "build/demo/sim/ca.pem").lexically_normal());
  EXPECT_EQ(config.azure.auth.imds_endpoint,
            "http://127.0.0.1:8444/metadata/identity/oauth2/token");
  // DNS through the sim's Azure DNS API, verified against its DNS server on loopback.
  ASSERT_TRUE(config.dns.has_value());
  ASSERT_EQ(config.dns->providers.size(), 1u);
  EXPECT_EQ(config.dns->providers.at("azure").type(), DnsProviderType::kAzureDns);
  EXPECT_EQ(config.dns->providers.at("azure").zone(), "example.com");
  EXPECT_EQ(config.dns->verify.nameservers, (std::vector<HostPort>{{"127.0.0.1", 8453}}));
  EXPECT_EQ(config.policy.poll_interval, 5s);
  EXPECT_EQ(config.server.listen, (HostPort{"127.0.0.1", 9720}));
  ASSERT_EQ(config.clusters.size(), 1u);
  EXPECT_EQ(config.clusters[0].name, "demo");
  EXPECT_EQ(config.clusters[0].resource_group, "frankenetes");
  std::vector<std::string> probes;
  for (const auto& member : config.clusters[0].members) probes.push_back(member.probe->url);
  EXPECT_EQ(probes,
            (std::vector<std::string>{"http://{ip}:2379/health", "http://{ip}:6445/healthz",
                                      "http://{ip}:10252/healthz", "http://{ip}:10251/healthz"}));
  // Every member has a DNS name; the stateless ones a spec (etcd's layout would lose data).
  for (const auto& member : config.clusters[0].members) {
    ASSERT_TRUE(member.dns.has_value()) << member.name;
    EXPECT_EQ(member.dns->name, "cp-" + member.name + ".example.com");
    if (member.role == MemberRole::kEtcd) {
      EXPECT_FALSE(member.spec.has_value());
    } else {
      ASSERT_TRUE(member.spec.has_value()) << member.name;
      EXPECT_EQ(member.spec->file,
                (source_dir() / "config/sim-groups" / (member.name + ".json")).lexically_normal());
    }
  }
}

}  // namespace
}  // namespace frankenetes::config::testing
