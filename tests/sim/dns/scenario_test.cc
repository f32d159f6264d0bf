#include "sim/dns/scenario.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "dns_test_support.h"

namespace frankenetes::sim::dns {
namespace {

using testing::parse_scenario_text;

core::Result<DnsScenario> parse(const std::string& text, const std::string& sub = "sub1") {
  return parse_dns_scenario(YAML::Load(text), "scenario.yaml", sub);
}

TEST(DnsScenarioTest, ParsesTheSampleWithDefaults) {
  const auto s = testing::sample_scenario();
  ASSERT_EQ(s.azure_zones.size(), 1u);
  const auto& zone = s.azure_zones[0];
  EXPECT_EQ(zone.subscription_id, "sub1");
  EXPECT_EQ(zone.resource_group, "dns-rg");
  EXPECT_EQ(zone.name, "example.com");
  ASSERT_EQ(zone.record_sets.size(), 4u);
  EXPECT_EQ(zone.record_sets[0].name, "cp-etcd");
  EXPECT_EQ(zone.record_sets[0].ttl, 60u);
  EXPECT_EQ(zone.record_sets[0].metadata.at("owner"), "frankenetes");
  EXPECT_EQ(zone.record_sets[3].ttl, 3600u);  // default
  EXPECT_EQ(zone.record_sets[2].cname, "cp-etcd.example.com");

  ASSERT_EQ(s.cloudflare_accounts.size(), 2u);
  EXPECT_EQ(s.cloudflare_accounts[0].api_token.reveal(), "cf-token-demo");
  const auto& cf_zone = s.cloudflare_accounts[0].zones[0];
  EXPECT_EQ(cf_zone.id, testing::kCfZone);
  EXPECT_EQ(cf_zone.records[0].name, "cp-apiserver.example.org");  // relative → FQDN
  EXPECT_EQ(cf_zone.records[1].ttl, 1u);                           // automatic by default
  // A zone without id gets a stable one derived from its name.
  EXPECT_EQ(s.cloudflare_accounts[1].zones[0].id, derive_cloudflare_zone_id("other.net"));
  EXPECT_EQ(s.cloudflare_requests_per_window, 1200u);
  EXPECT_EQ(s.cloudflare_window, std::chrono::minutes(5));
  EXPECT_EQ(s.azure_page_size, 100u);
}

TEST(DnsScenarioTest, EmptyOrAbsentSectionIsAnEmptyScenario) {
  auto parsed = parse_dns_scenario(YAML::Node(), "s.yaml");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->azure_zones.empty());
}

TEST(DnsScenarioTest, TxtRecordsTakeStringsOrChunkLists) {
  const auto s = parse_scenario_text(R"(
azureDns:
  zones:
    - resourceGroup: rg
      name: example.com
      recordSets:
        - { name: "@", type: TXT, records: ["one", [a, b]] }
)");
  ASSERT_EQ(s.azure_zones.size(), 1u);
  const auto& set = s.azure_zones[0].record_sets.at(0);
  EXPECT_EQ(set.name, "@");
  ASSERT_EQ(set.txt_records.size(), 2u);
  EXPECT_EQ(set.txt_records[1], (std::vector<std::string>{"a", "b"}));
}

TEST(DnsScenarioTest, SettingsAreRead) {
  const auto s = parse_scenario_text(R"(
azureDns: { pageSize: 7 }
cloudflare: { rateLimit: { requests: 10, window: 30s }, perPage: 50 }
)");
  EXPECT_EQ(s.azure_page_size, 7u);
  EXPECT_EQ(s.cloudflare_requests_per_window, 10u);
  EXPECT_EQ(s.cloudflare_window, std::chrono::seconds(30));
  EXPECT_EQ(s.cloudflare_per_page, 50u);
}

TEST(DnsScenarioTest, ServerListenIsRead) {
  const auto s = parse_scenario_text("server: { listen: \"127.0.0.1:8453\" }");
  EXPECT_EQ(s.server_listen, "127.0.0.1:8453");
  EXPECT_EQ(parse_scenario_text("azureDns: {}").server_listen, "");  // no server by default
}

TEST(DnsScenarioTest, MissingSubscriptionIsLeftForTheSimulatorDefault) {
  auto parsed = parse("azureDns: { zones: [ { resourceGroup: rg, name: example.com } ] }", "");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->azure_zones[0].subscription_id, "");
}

TEST(DnsScenarioTest, TokenFromFileRelativeToTheScenario) {
  const auto dir = std::filesystem::temp_directory_path() / "fk_dns_scenario_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "cf-token") << "secret-from-file\n";
  auto parsed = parse_dns_scenario(
      YAML::Load("cloudflare: { accounts: [ { apiTokenFile: cf-token } ] }"),
      (dir / "scenario.yaml").string());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->cloudflare_accounts[0].api_token.reveal(), "secret-from-file");
  std::filesystem::remove_all(dir);
}

struct BadScenario {
  const char* name;
  const char* yaml;
  const char* expected;  // substring of the error, including position and key path
};

// Test names in ctest show the case name, not the bytes of the struct.
void PrintTo(const BadScenario& c, std::ostream* os) { *os << c.name; }

class DnsScenarioErrorTest : public ::testing::TestWithParam<BadScenario> {};

TEST_P(DnsScenarioErrorTest, ReportsPositionPathAndReason) {
  auto parsed = parse(GetParam().yaml);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_NE(parsed.error().message.find(GetParam().expected), std::string::npos)
      << parsed.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DnsScenarioErrorTest,
    ::testing::Values(
        BadScenario{"UnknownTopKey", "azureDNS: {}",
                    "scenario.yaml:1:1: dns: unknown key 'azureDNS' (did you mean 'azureDns'?)"},
        BadScenario{"UnknownServerKey", "server: { listn: \"127.0.0.1:53\" }",
                    "scenario.yaml:1:11: dns.server: unknown key 'listn' (did you mean 'listen'?)"},
        BadScenario{"ServerWithoutListen", "server: {}",
                    "dns.server: missing required key 'listen'"},
        BadScenario{"ServerListenWithoutPort", "server: { listen: 127.0.0.1 }",
                    "scenario.yaml:1:19: dns.server.listen: listen 127.0.0.1:"},
        BadScenario{"UnknownZoneKey",
                    "azureDns:\n  zones:\n    - { resourceGroup: rg, name: a.com, recrdSets: [] }",
                    "scenario.yaml:3:41: dns.azureDns.zones[0]: unknown key 'recrdSets'"},
        BadScenario{"MissingResourceGroup", "azureDns: { zones: [ { name: a.com } ] }",
                    "dns.azureDns.zones[0]: missing required key 'resourceGroup'"},
        BadScenario{"BadType",
                    "azureDns: { zones: [ { resourceGroup: r, name: a.com, recordSets: [ { name: "
                    "x, type: MX, records: [] } ] } ] }",
                    "dns.azureDns.zones[0].recordSets[0].type: unknown record type 'MX'"},
        BadScenario{"BadIp",
                    "azureDns: { zones: [ { resourceGroup: r, name: a.com, recordSets: [ { name: "
                    "x, type: A, records: [1.2.3.256] } ] } ] }",
                    "'1.2.3.256' for property 'ipv4Address' is not a valid IPv4 address"},
        BadScenario{"CnameConflict",
                    "azureDns: { zones: [ { resourceGroup: r, name: a.com, recordSets: [ { name: "
                    "x, type: A, records: [1.2.3.4] }, { name: x, type: CNAME, records: [b.com] } "
                    "] } ] }",
                    "cannot share its name 'x'"},
        BadScenario{"CloudflareBadTtl",
                    "cloudflare: { accounts: [ { apiToken: t, zones: [ { name: a.org, records: [ "
                    "{ name: x, type: A, content: 1.2.3.4, ttl: 30 } ] } ] } ] }",
                    "TTL must be between 60 and 86400"},
        BadScenario{"CloudflareNoToken", "cloudflare: { accounts: [ { name: a } ] }",
                    "give exactly one of 'apiToken' and 'apiTokenFile'"},
        BadScenario{"CloudflareBadZoneId",
                    "cloudflare: { accounts: [ { apiToken: t, zones: [ { name: a.org, id: nope } ] "
                    "} ] }",
                    "a Cloudflare zone id must be 32 lowercase hex digits"},
        BadScenario{"DuplicateZoneAcrossProviders",
                    "azureDns: { zones: [ { resourceGroup: r, name: a.com } ] }\n"
                    "cloudflare: { accounts: [ { apiToken: t, zones: [ { name: a.com } ] } ] }",
                    "zone 'a.com' is defined more than once"},
        BadScenario{"BadWindow", "cloudflare: { rateLimit: { window: soon } }",
                    "dns.cloudflare.rateLimit.window: expected a positive duration"}),
    [](const auto& test) { return std::string(test.param.name); });

TEST(DnsScenarioTest, ReportsEveryProblemNotJustTheFirst) {
  auto parsed = parse("azureDns: { zones: [ { name: a.com }, { name: b.com } ] }");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("zones[0]"), std::string::npos);
  EXPECT_NE(parsed.error().message.find("zones[1]"), std::string::npos);
}

TEST(DnsScenarioTest, SectionParserAdapterReturnsProblemsOnePerLine) {
  DnsScenario out;
  auto parser = dns_section_parser(&out);
  EXPECT_TRUE(parser(YAML::Load(testing::kSampleScenario), "s.yaml").empty());
  EXPECT_EQ(out.azure_zones.size(), 1u);
  auto problems = parser(YAML::Load("azureDns: { zones: [ { name: a.com }, { name: b.com } ] }"),
                         "s.yaml");
  EXPECT_EQ(problems.size(), 2u);
}

}  // namespace
}  // namespace frankenetes::sim::dns
