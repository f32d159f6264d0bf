#include "sim/scenario.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "sim/yaml_json.h"

namespace frankenetes::sim {
namespace {

TEST(Scenario, ParsesGroupsDelaysAndFaults) {
  auto s = parse_scenario(R"(
mode: process
timeScale: 0.1
tokenLifetime: 5m
resourceGroups: [rg]
arm: {pageSize: 7, throttle: {reads: {burst: 10, refillPerSecond: 1}}}
aci: {provisioningDelay: 2s, backoff: {initial: 1s, max: 8s}}
containerGroups:
  - name: g
    properties:
      containers: [{name: c, properties: {image: nginx, command: ["--port", "80", "--flag=yes"]}}]
      ipAddress: {ports: [{port: 80}], type: Public}
faults:
  - {at: 30s, action: crash, group: g, container: c, exitCode: 1}
)", "s.yaml");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->mode, "process");
  EXPECT_EQ(*s->time_scale, 0.1);
  EXPECT_EQ(s->token_lifetime, std::chrono::minutes(5));
  EXPECT_EQ(s->page_size, 7u);
  EXPECT_EQ(s->reads.burst, 10);
  EXPECT_EQ(s->aci.provisioning_delay, std::chrono::seconds(2));
  EXPECT_EQ(s->aci.backoff.max, std::chrono::seconds(8));
  ASSERT_EQ(s->groups.size(), 1u);
  EXPECT_EQ(s->groups[0].resource_group, "rg");
  EXPECT_EQ(s->groups[0].body["location"], "westeurope");
  const auto& cmd = s->groups[0].body["properties"]["containers"][0]["properties"]["command"];
  EXPECT_EQ(cmd[1], "80") << "quoted scalars stay strings";
  EXPECT_EQ(s->groups[0].body["properties"]["ipAddress"]["ports"][0]["port"], 80);
  ASSERT_EQ(s->faults.size(), 1u);
  EXPECT_EQ(s->faults[0].at, std::chrono::seconds(30));
  EXPECT_EQ(s->faults[0].action["action"], "crash");
  EXPECT_FALSE(s->faults[0].action.contains("at"));
}

TEST(Scenario, ReportsEveryProblemWithLocation) {
  auto s = parse_scenario("mode: sometimes\nregoin: x\naci:\n  provisioningDelay: soon\n", "bad.yaml");
  ASSERT_FALSE(s.ok());
  const auto& m = s.error().message;
  EXPECT_NE(m.find("bad.yaml:1:7: mode: must be 'process' or 'virtual'"), std::string::npos) << m;
  EXPECT_NE(m.find("bad.yaml:2:1: regoin: unknown key (did you mean 'region'?)"), std::string::npos) << m;
  EXPECT_NE(m.find("bad.yaml:4:22: aci.provisioningDelay:"), std::string::npos) << m;
}

TEST(Scenario, SyntaxErrorHasLocation) {
  auto s = parse_scenario("a: [1, 2\n", "syn.yaml");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message.rfind("syn.yaml:", 0), 0u) << s.error().message;
}

TEST(Scenario, PluginSectionsGoToTheirParser) {
  ScenarioParseOptions options;
  int calls = 0;
  options.sections["dns"] = [&](const YAML::Node& node, const std::string& file) {
    ++calls;
    std::vector<std::string> problems;
    if (!node["zones"]) problems.push_back(yaml_location(file, node) + ": dns: missing zones");
    return problems;
  };
  auto ok = parse_scenario("dns:\n  zones: [example.com]\n", "d.yaml", options);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->extensions.at("dns")["zones"][0], "example.com");
  auto bad = parse_scenario("dns:\n  other: 1\n", "d.yaml", options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("d.yaml:2:3: dns: missing zones"), std::string::npos) << bad.error().message;
  EXPECT_EQ(calls, 2);
  EXPECT_FALSE(parse_scenario("dns: {}\n", "d.yaml").ok()) << "without a parser, dns is an unknown key";
}

}  // namespace
}  // namespace frankenetes::sim
