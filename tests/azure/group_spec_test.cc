// Container group specs are validated when the configuration loads: every problem is named
// with the spec file, a position (JSON syntax) or a JSON path (shape), before any DELETE.

#include "azure/group_spec.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace frankenetes::azure {
namespace {

const std::string kGood = R"({
  "location": "westeurope",
  "properties": {
    "osType": "Linux",
    "containers": [{"name": "etcd", "properties": {
      "image": "quay.io/coreos/etcd:v3.2.8",
      "command": ["etcd", "--data-dir=/etcd/data", "--wal-dir=/etcd/wal"],
      "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}},
      "volumeMounts": [{"name": "etcd", "mountPath": "/etcd"}]}}],
    "volumes": [{"name": "etcd", "azureFile": {"shareName": "etcd", "storageAccountName": "sa"}}]
  }
})";

std::vector<std::string> problems_of(const std::string& text) {
  std::vector<config::ConfigProblem> problems;
  (void)parse_group_spec(text, "groups/etcd.json", problems);
  std::vector<std::string> out;
  for (const auto& p : problems) out.push_back(p.to_string());
  return out;
}

TEST(GroupSpec, AValidSpecParsesWithItsLayout) {
  std::vector<config::ConfigProblem> problems;
  const auto view = parse_group_spec(kGood, "groups/etcd.json", problems);
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(view->containers.at(0).command.at(1), "--data-dir=/etcd/data");
  EXPECT_EQ(view->volumes.at(0).kind, model::VolumeKind::kAzureFile);
}

TEST(GroupSpec, InvalidJsonNamesLineAndColumn) {
  const auto problems = problems_of("{\n  \"location\": \"westeurope\",\n  \"properties\": {,}\n}");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("groups/etcd.json:3:18: not valid JSON: ", 0), 0u) << problems[0];
}

struct ShapeCase {
  std::string name;
  std::string text;
  std::vector<std::string> problems;
};

class Shapes : public ::testing::TestWithParam<ShapeCase> {};

TEST_P(Shapes, EveryProblemIsNamed) { EXPECT_EQ(problems_of(GetParam().text), GetParam().problems); }

INSTANTIATE_TEST_SUITE_P(
    GroupSpec, Shapes,
    ::testing::Values(
        ShapeCase{"not_an_object", "[1,2]",
                  {"groups/etcd.json:1:1: a container group spec must be a JSON object"}},
        ShapeCase{"empty_object", "{}",
                  {"groups/etcd.json:1:1: location: required string is missing",
                   "groups/etcd.json:1:1: properties: required object is missing"}},
        ShapeCase{"no_containers", R"({"location":"x","properties":{"osType":"Linux","containers":[]}})",
                  {"groups/etcd.json:1:1: properties.containers: at least one container is required"}},
        ShapeCase{"container_without_image_or_resources",
                  R"({"location":"x","properties":{"containers":[{"name":"a","properties":{"command":"etcd"}}]}})",
                  {"groups/etcd.json:1:1: properties.osType: required string is missing (Linux or Windows)",
                   "groups/etcd.json:1:1: properties.containers[0].properties.image: required string is missing",
                   "groups/etcd.json:1:1: properties.containers[0].properties.resources.requests: required object is missing",
                   "groups/etcd.json:1:1: properties.containers[0].properties.command: must be an array of strings"}},
        ShapeCase{"resources_as_strings",
                  R"({"location":"x","properties":{"osType":"Linux","containers":[{"name":"a","properties":{"image":"i","resources":{"requests":{"cpu":"1","memoryInGB":0}}}}]}})",
                  {"groups/etcd.json:1:1: properties.containers[0].properties.resources.requests.cpu: must be a positive number",
                   "groups/etcd.json:1:1: properties.containers[0].properties.resources.requests.memoryInGB: must be a positive number"}},
        ShapeCase{"mount_of_an_undefined_volume",
                  R"({"location":"x","properties":{"osType":"Linux","containers":[{"name":"a","properties":{"image":"i","resources":{"requests":{"cpu":1,"memoryInGB":1}},"volumeMounts":[{"name":"data","mountPath":"/d"}]}}]}})",
                  {"groups/etcd.json:1:1: properties.containers[0].properties.volumeMounts[0].name: names volume 'data', which properties.volumes does not define"}}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(GroupSpec, LoadFillsTheConfigOrNamesTheMember) {
  const auto dir = std::filesystem::temp_directory_path() / ("fk-spec-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "good.json") << kGood;
  std::ofstream(dir / "bad.json") << "{\"location\": ";
  config::Config cfg;
  config::ClusterConfig cluster;
  cluster.name = "prod";
  for (const auto* file : {"good.json", "bad.json", "absent.json"}) {
    config::MemberConfig m;
    m.name = file;
    m.spec = config::GroupSpecConfig{};
    m.spec->file = (dir / file).string();
    cluster.members.push_back(m);
  }
  cfg.clusters.push_back(cluster);
  const auto problems = load_group_specs(cfg);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].to_string().find("bad.json:1:14: not valid JSON"), std::string::npos)
      << problems[0].to_string();
  EXPECT_EQ(problems[1].key_path, "clusters[0].members[2].spec.file");
  EXPECT_NE(problems[1].message.find("cannot read spec file"), std::string::npos);
  EXPECT_EQ(cfg.clusters[0].members[0].spec->text, kGood);
  ASSERT_NE(cfg.clusters[0].members[0].spec->view, nullptr);
  EXPECT_TRUE(cfg.clusters[0].members[1].spec->text.empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace frankenetes::azure
