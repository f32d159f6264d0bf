#include "config/value_syntax.h"

#include <gtest/gtest.h>

#include "config/env.h"
#include "config_test_util.h"

namespace frankenetes::config {
namespace {

TEST(ValueSyntax, Guid) {
  EXPECT_TRUE(is_guid("00000000-0000-0000-0000-0000000000aA"));
  EXPECT_FALSE(is_guid("00000000-0000-0000-0000-00000000000"));
  EXPECT_FALSE(is_guid("00000000000000000000000000000000"));
  EXPECT_FALSE(is_guid("0000000g-0000-0000-0000-000000000000"));
}

TEST(ValueSyntax, DnsLabelAndDomainName) {
  EXPECT_TRUE(is_dns_label("controller-manager"));
  EXPECT_FALSE(is_dns_label("-etcd"));
  EXPECT_FALSE(is_dns_label("Etcd"));
  EXPECT_FALSE(is_dns_label(std::string(64, 'a')));
  EXPECT_TRUE(is_domain_name("_acme.cp-etcd.Example.com"));
  EXPECT_FALSE(is_domain_name("cp..example.com"));
  EXPECT_FALSE(is_domain_name("cp etcd.example.com"));
}

TEST(ValueSyntax, InZone) {
  EXPECT_TRUE(is_in_zone("cp.example.com", "example.com"));
  EXPECT_TRUE(is_in_zone("Example.COM", "example.com"));
  EXPECT_FALSE(is_in_zone("cp.notexample.com", "example.com"));
  EXPECT_FALSE(is_in_zone("example.com", "cp.example.com"));
}

TEST(ValueSyntax, HostPort) {
  EXPECT_EQ(parse_host_port("127.0.0.1:9720", std::nullopt), (HostPort{"127.0.0.1", 9720}));
  EXPECT_EQ(parse_host_port("[::1]:0", std::nullopt), (HostPort{"::1", 0}));
  EXPECT_EQ(parse_host_port("ns1.example.com", 53), (HostPort{"ns1.example.com", 53}));
  EXPECT_FALSE(parse_host_port("ns1.example.com", std::nullopt));
  EXPECT_FALSE(parse_host_port("host:65536", std::nullopt));
  EXPECT_FALSE(parse_host_port("host:", 53));
  EXPECT_FALSE(parse_host_port(":9720", std::nullopt));
  EXPECT_FALSE(parse_host_port("::1:53", std::nullopt));
  EXPECT_FALSE(parse_host_port("[::1]x", 53));
}

TEST(ValueSyntax, Url) {
  const auto url = parse_url("https://127.0.0.1:8443/a?b=c");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->path, "/a?b=c");
  EXPECT_EQ(parse_url("http://[::1]/")->host, "::1");
  EXPECT_FALSE(parse_url("http://example.com")->port.has_value());
  EXPECT_FALSE(parse_url("ftp://example.com"));
  EXPECT_FALSE(parse_url("https://user:pw@example.com"));
  EXPECT_FALSE(parse_url("https://"));
  EXPECT_FALSE(parse_url("example.com/path"));
}

TEST(ValueSyntax, Loopback) {
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_FALSE(is_loopback_host("127.0.0.1.example.com"));
  EXPECT_FALSE(is_loopback_host("127.0.0.256"));
  EXPECT_FALSE(is_loopback_host("169.254.169.254"));
}

TEST(EnvReferences, Expansion) {
  const auto env = testing::fake_env({{"A", "1"}, {"B_2", "two"}});
  EXPECT_EQ(expand_env_references("x${A}y${B_2}", env).value(), "x1ytwo");
  EXPECT_EQ(expand_env_references("$${A} costs $5", env).value(), "${A} costs $5");
  EXPECT_EQ(expand_env_references("${C}", env).error().message,
            "environment variable \"C\" is not set");
  EXPECT_FALSE(expand_env_references("${A", env).ok());
  EXPECT_FALSE(expand_env_references("${1A}", env).ok());
}

TEST(EnvReferences, ExactReferenceName) {
  EXPECT_EQ(env_reference_name("${TOKEN}"), "TOKEN");
  EXPECT_FALSE(env_reference_name("x${TOKEN}"));
  EXPECT_FALSE(env_reference_name("${TOKEN}x"));
  EXPECT_FALSE(env_reference_name("${}"));
  EXPECT_FALSE(env_reference_name("s3cret"));
}

TEST(ConfigProblem, ToString) {
  EXPECT_EQ((ConfigProblem{"a.yaml", 3, 7, "policy", "bad"}).to_string(),
            "a.yaml:3:7: policy: bad");
  EXPECT_EQ((ConfigProblem{"a.yaml", 1, 1, "", "bad"}).to_string(), "a.yaml:1:1: bad");
  EXPECT_EQ((ConfigProblem{"a.yaml", 0, 0, "", "unreadable"}).to_string(), "a.yaml: unreadable");
}

TEST(Enums, ToStringUsesYamlSpelling) {
  EXPECT_EQ(to_string(MemberRole::kControllerManager), "controller-manager");
  EXPECT_EQ(to_string(AuthMethod::kWorkloadIdentity), "workloadIdentity");
  EXPECT_EQ(to_string(DnsProviderType::kAzureDns), "azureDns");
  EXPECT_EQ(to_string(TsigAlgorithm::kHmacSha512), "hmac-sha512");
  EXPECT_EQ(to_string(LogLevel::kCritical), "critical");
  EXPECT_EQ(to_string(LogFormat::kJson), "json");
  EXPECT_EQ(to_string(DnsRecordMode::kCname), "cname");
}

}  // namespace
}  // namespace frankenetes::config
