#include "azure/container_group_codec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/timestamps.h"
#include "shared_fixtures.h"

namespace frankenetes::azure {
namespace {

using nlohmann::json;
using testing::read_file;

json load_fixture(const std::filesystem::path& dir, const char* name) {
  return json::parse(read_file(dir / name));
}

std::string response_body(const json& fixture, const char* status) {
  return fixture.at("responses").at(status).at("body").dump();
}

// ---- fixtures (real example payloads from Azure/azure-rest-api-specs) ----

TEST(ContainerGroupCodecFixtures, ListBySubscription) {
  FK_REQUIRE_ACI_FIXTURES(dir);
  const auto page = parse_container_group_list(
      response_body(load_fixture(dir, "ContainerGroupsList.json"), "200"));
  ASSERT_TRUE(page.ok()) << page.error().describe();
  ASSERT_EQ(page->groups.size(), 1u);
  const auto& g = page->groups[0];
  EXPECT_EQ(g.name, "demo1");
  EXPECT_EQ(g.resource_group, "demo");
  EXPECT_EQ(g.location, "WestUs");
  EXPECT_EQ(g.provisioning_state, "Succeeded");
  EXPECT_EQ(g.ip, "10.0.0.1");
  EXPECT_FALSE(g.fqdn.has_value());
  EXPECT_EQ(g.id,
            "/subscriptions/subid/resourceGroups/demo/providers/Microsoft.ContainerInstance/"
            "containerGroups/demo1");
  EXPECT_FALSE(page->next_link.has_value());
}

TEST(ContainerGroupCodecFixtures, ListByResourceGroup) {
  FK_REQUIRE_ACI_FIXTURES(dir);
  const auto page = parse_container_group_list(
      response_body(load_fixture(dir, "ContainerGroupsListByResourceGroup.json"), "200"));
  ASSERT_TRUE(page.ok()) << page.error().describe();
  ASSERT_EQ(page->groups.size(), 1u);
  EXPECT_EQ(page->groups[0].name, "demo1");
  EXPECT_EQ(page->groups[0].restart_policy, "");  // absent in the sample
}

TEST(ContainerGroupCodecFixtures, GetSucceededHasNoInstanceView) {
  FK_REQUIRE_ACI_FIXTURES(dir);
  const auto view = parse_container_group(
      response_body(load_fixture(dir, "ContainerGroupsGet_Succeeded.json"), "200"));
  ASSERT_TRUE(view.ok()) << view.error().describe();
  EXPECT_EQ(view->summary.name, "demo1");
  EXPECT_EQ(view->summary.provisioning_state, "Succeeded");
  EXPECT_EQ(view->state, "");
  EXPECT_TRUE(view->events.empty());
  ASSERT_EQ(view->containers.size(), 1u);
  EXPECT_EQ(view->containers[0].name, "demo1");
  EXPECT_EQ(view->containers[0].image, "nginx");
  EXPECT_EQ(view->containers[0].restart_count, std::nullopt) << "no instanceView: unknown, not 0";
  EXPECT_EQ(view->containers[0].volume_mounts,
            (std::vector<model::VolumeMount>{{"volume1", "/mnt/volume1"}}));
  EXPECT_EQ(view->volumes, (std::vector<model::Volume>{{"volume1", model::VolumeKind::kAzureFile}}));
  EXPECT_FALSE(view->containers[0].current_state.has_value());
}

TEST(ContainerGroupCodecFixtures, GetFailedHasGroupAndContainerInstanceView) {
  FK_REQUIRE_ACI_FIXTURES(dir);
  const auto view = parse_container_group(
      response_body(load_fixture(dir, "ContainerGroupsGet_Failed.json"), "200"));
  ASSERT_TRUE(view.ok()) << view.error().describe();
  EXPECT_EQ(view->summary.provisioning_state, "Failed");
  EXPECT_EQ(view->state, "Pending");
  ASSERT_EQ(view->events.size(), 1u);
  EXPECT_EQ(view->events[0].name, "FailedMount");
  EXPECT_EQ(view->events[0].message, "Output: mount error(2): Permission denied");
  EXPECT_EQ(view->events[0].first_timestamp, core::parse_iso8601("2017-10-08T00:19:10Z"));
  ASSERT_EQ(view->containers.size(), 1u);
  const auto& c = view->containers[0];
  ASSERT_TRUE(c.current_state.has_value());
  EXPECT_EQ(c.current_state->state, "Waiting");
  EXPECT_EQ(c.current_state->detail_status, "");
  EXPECT_EQ(c.current_state->start_time, core::parse_iso8601("2017-08-08T00:09:10Z"));
  EXPECT_FALSE(c.current_state->exit_code.has_value());
  EXPECT_FALSE(c.previous_state.has_value());
  // Pulling and Pulled: the earlier firstTimestamp of the two.
  EXPECT_EQ(c.deployed_at, core::parse_iso8601("2017-08-08T00:09:01Z"));
}

TEST(ContainerGroupCodecFixtures, CreateOrUpdateAndDeleteBodiesParseAsGroups) {
  FK_REQUIRE_ACI_FIXTURES(dir);
  const auto create = load_fixture(dir, "ContainerGroupsCreateOrUpdate.json");
  for (const char* status : {"200", "201"}) {
    const auto view = parse_container_group(response_body(create, status));
    ASSERT_TRUE(view.ok()) << status << ": " << view.error().describe();
    EXPECT_EQ(view->summary.fqdn, "dnsnamelabel1.azure-container.io");
    EXPECT_EQ(view->summary.ip, "10.0.0.1");
  }
  const auto deleted =
      parse_container_group(response_body(load_fixture(dir, "ContainerGroupsDelete.json"), "200"));
  ASSERT_TRUE(deleted.ok()) << deleted.error().describe();
  EXPECT_EQ(deleted->summary.name, "demo1");
}

// Every response body in every fixture parses (as a page when it has value[], else as a
// group): the codecs must take whatever the spec examples contain.
TEST(ContainerGroupCodecFixtures, EveryFixtureBodyParses) {
  FK_REQUIRE_ACI_FIXTURES(dir);
  int bodies = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    const auto fixture = json::parse(read_file(entry.path()));
    for (const auto& [status, response] : fixture.at("responses").items()) {
      if (!response.contains("body")) continue;
      ++bodies;
      const auto text = response.at("body").dump();
      if (response.at("body").contains("value")) {
        EXPECT_TRUE(parse_container_group_list(text).ok()) << entry.path() << " " << status;
      } else {
        EXPECT_TRUE(parse_container_group(text).ok()) << entry.path() << " " << status;
      }
    }
  }
  EXPECT_GE(bodies, 6);
}

// ---- inline payloads for what the examples never show (the state vocabularies) -------

constexpr const char* kCrashLooping = R"({
  "id": "/subscriptions/s/resourceGroups/cp/providers/Microsoft.ContainerInstance/containerGroups/etcd",
  "name": "etcd", "location": "eastus",
  "properties": {
    "provisioningState": "Succeeded", "restartPolicy": "Always",
    "ipAddress": {"type": "Public", "ip": "20.1.2.3", "fqdn": "cp-etcd.eastus.azurecontainer.io"},
    "containers": [{
      "name": "etcd",
      "properties": {
        "image": "quay.io/coreos/etcd:v3.5.9",
        "instanceView": {
          "restartCount": 7,
          "currentState": {"state": "Waiting", "startTime": "2026-11-27T06:00:01.1234567Z",
                           "detailStatus": "CrashLoopBackOff: Back-off restarting failed"},
          "previousState": {"state": "Terminated", "startTime": "2026-11-27T05:59:50Z",
                            "exitCode": 1, "finishTime": "2026-11-27T05:59:55.5Z",
                            "detailStatus": "Error"},
          "events": [{"count": 7, "firstTimestamp": "2026-11-27T05:50:00Z",
                      "lastTimestamp": "2026-11-27T05:59:55Z", "name": "Killing",
                      "message": "Killing container with id abc", "type": "Warning"}]
        }
      }
    }],
    "instanceView": {"state": "Running", "events": []}
  }
})";

TEST(ContainerGroupCodec, CrashLoopWithPreviousStateAndRestartCount) {
  const auto view = parse_container_group(kCrashLooping);
  ASSERT_TRUE(view.ok()) << view.error().describe();
  EXPECT_EQ(view->state, "Running");
  EXPECT_EQ(view->summary.restart_policy, "Always");
  EXPECT_EQ(view->summary.resource_group, "cp");
  EXPECT_EQ(view->summary.fqdn, "cp-etcd.eastus.azurecontainer.io");
  ASSERT_EQ(view->containers.size(), 1u);
  const auto& c = view->containers[0];
  EXPECT_EQ(c.restart_count, 7);
  ASSERT_TRUE(c.current_state && c.previous_state);
  EXPECT_EQ(c.current_state->state, "Waiting");
  EXPECT_EQ(c.current_state->detail_status, "CrashLoopBackOff: Back-off restarting failed");
  EXPECT_EQ(c.current_state->start_time, core::parse_iso8601("2026-11-27T06:00:01.1234567Z"));
  EXPECT_EQ(c.previous_state->state, "Terminated");
  EXPECT_EQ(c.previous_state->exit_code, 1);
  EXPECT_EQ(c.previous_state->detail_status, "Error");
  EXPECT_EQ(c.previous_state->finish_time, core::parse_iso8601("2026-11-27T05:59:55.5Z"));
  EXPECT_EQ(c.deployed_at, core::parse_iso8601("2026-11-27T05:50:00Z"));
}

TEST(ContainerGroupCodec, AContainersDeploymentIsItsEarliestEventWithATimestamp) {
  const auto view = parse_container_group(R"({"name": "g", "properties": {"containers": [
    {"name": "a", "properties": {"instanceView": {"events": [
      {"name": "Started", "firstTimestamp": "2026-11-27T06:00:00Z"},
      {"name": "Pulled", "firstTimestamp": "2026-11-27T05:58:00Z"},
      {"name": "Odd", "firstTimestamp": 17},
      "not-an-event",
      {"name": "Pulling"}]}}},
    {"name": "b", "properties": {"instanceView": {"events": [{"name": "Pulling"}]}}},
    {"name": "c", "properties": {"instanceView": {"events": {"not": "a list"}}}}]}})");
  ASSERT_TRUE(view.ok()) << view.error().describe();
  ASSERT_EQ(view->containers.size(), 3u);
  EXPECT_EQ(view->containers[0].deployed_at, core::parse_iso8601("2026-11-27T05:58:00Z"));
  EXPECT_EQ(view->containers[1].deployed_at, std::nullopt) << "no timestamp: unknown";
  EXPECT_EQ(view->containers[2].deployed_at, std::nullopt);
}

TEST(ContainerGroupCodec, UnknownStringsAndWrongTypesAreTolerated) {
  const auto view = parse_container_group(R"({
    "name": "g", "extra": {"whatever": [1,2,3]},
    "properties": {
      "instanceView": {"state": "Node Stopped", "events": "not-an-array"},
      "containers": [
        {"name": "a", "properties": {"instanceView": {
          "restartCount": "three",
          "currentState": {"state": "Node Pending", "startTime": "yesterday", "exitCode": 1.5}}}},
        42,
        {"name": "b"}
      ]
    }
  })");
  ASSERT_TRUE(view.ok()) << view.error().describe();
  EXPECT_EQ(view->state, "Node Stopped");
  EXPECT_TRUE(view->events.empty());
  ASSERT_EQ(view->containers.size(), 2u);
  EXPECT_EQ(view->containers[0].restart_count, std::nullopt);
  ASSERT_TRUE(view->containers[0].current_state.has_value());
  EXPECT_EQ(view->containers[0].current_state->state, "Node Pending");
  EXPECT_FALSE(view->containers[0].current_state->start_time.has_value());
  EXPECT_FALSE(view->containers[0].current_state->exit_code.has_value());
  EXPECT_EQ(view->containers[1].name, "b");
  EXPECT_EQ(view->summary.resource_group, "");  // no id
}

TEST(ContainerGroupCodec, StructureOfTheWrongTypeIsMalformedNotAbsent) {
  for (const char* bad : {R"({"name": "g", "properties": []})",
                          R"({"name": "g", "properties": "Running"})",
                          R"({"name": "g", "properties": {"instanceView": ["Running"]}})",
                          R"({"name": "g", "properties": {"containers": {"name": "etcd"}}})"}) {
    const auto view = parse_container_group(bad);
    ASSERT_FALSE(view.ok()) << bad;
    EXPECT_EQ(view.error().kind, core::ErrorKind::kTerminal);
    EXPECT_NE(view.error().message.find("malformed"), std::string::npos) << view.error().message;
  }
  const auto page = parse_container_group_list(R"({"value": [{"name": "g", "properties": 1}]})");
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.error().message.find("\"properties\" is number, expected an object"),
            std::string::npos)
      << page.error().message;
  // Null reads as absent, like any optional member.
  EXPECT_TRUE(parse_container_group(R"({"name": "g", "properties": null})").ok());
}

TEST(ContainerGroupCodec, ListNextLinkAbsentNullOrPresent) {
  const auto with = parse_container_group_list(
      R"({"value": [{"name": "a"}], "nextLink": "https://management.azure.com/x?$skipToken=1"})");
  ASSERT_TRUE(with.ok());
  EXPECT_EQ(with->next_link, "https://management.azure.com/x?$skipToken=1");
  const auto null_link = parse_container_group_list(R"({"value": [], "nextLink": null})");
  ASSERT_TRUE(null_link.ok());
  EXPECT_FALSE(null_link->next_link.has_value());
  EXPECT_TRUE(null_link->groups.empty());
}

TEST(ContainerGroupCodec, MalformedInputIsATerminalErrorNotACrash) {
  for (const char* bad : {"", "{", "[]", "null", "\"text\"", "{\"value\": 3}", "<html>502</html>",
                          "{\"value\": [1]}", "{\"value\": [{\"id\": \"x\"}]}"}) {
    const auto page = parse_container_group_list(bad);
    ASSERT_FALSE(page.ok()) << bad;
    EXPECT_EQ(page.error().kind, core::ErrorKind::kTerminal);
    EXPECT_NE(page.error().message.find("malformed"), std::string::npos) << page.error().message;
  }
  for (const char* bad : {"", "{", "[]", "null", "{\"properties\": {}}", "\xff\xfe"}) {
    const auto view = parse_container_group(bad);
    ASSERT_FALSE(view.ok()) << bad;
    EXPECT_EQ(view.error().kind, core::ErrorKind::kTerminal);
    EXPECT_NE(view.error().message.find("malformed"), std::string::npos);
  }
}

// A cheap stand-in for fuzzing: every truncation and a byte flip at every position of a real
// payload either parses or gives an Error; nothing throws or crashes.
TEST(ContainerGroupCodec, TruncatedAndCorruptedPayloadsNeverThrow) {
  const std::string text = kCrashLooping;
  for (std::size_t n = 0; n < text.size(); ++n) {
    const auto prefix = text.substr(0, n);
    EXPECT_NO_THROW({ (void)parse_container_group(prefix); });
    EXPECT_NO_THROW({ (void)parse_container_group_list(prefix); });
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto corrupted = text;
    corrupted[i] = static_cast<char>(corrupted[i] ^ 0x5A);
    EXPECT_NO_THROW({ (void)parse_container_group(corrupted); });
  }
}

// Every way ARM (or a proxy, or a replay) can hand us a restartCount: only a non-negative
// integer is a value; everything else is unknown, never 0.
struct RestartCountCase {
  std::string name;
  std::string instance_view;  // the container's instanceView object
  std::optional<int> expected;
};

class RestartCounts : public ::testing::TestWithParam<RestartCountCase> {};

TEST_P(RestartCounts, AbsentIsNotZero) {
  const auto view = parse_container_group(
      R"({"name":"g","properties":{"containers":[{"name":"c","properties":{"instanceView":)" +
      GetParam().instance_view + "}}]}}");
  ASSERT_TRUE(view.ok()) << view.error().describe();
  ASSERT_EQ(view->containers.size(), 1u);
  EXPECT_EQ(view->containers[0].restart_count, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    ContainerGroupCodec, RestartCounts,
    ::testing::Values(RestartCountCase{"present", R"({"restartCount":57})", 57},
                      RestartCountCase{"zero", R"({"restartCount":0})", 0},
                      RestartCountCase{"absent", R"({})", std::nullopt},
                      RestartCountCase{"null", R"({"restartCount":null})", std::nullopt},
                      RestartCountCase{"string", R"({"restartCount":"57"})", std::nullopt},
                      RestartCountCase{"negative", R"({"restartCount":-1})", std::nullopt},
                      RestartCountCase{"fraction", R"({"restartCount":2.5})", std::nullopt},
                      RestartCountCase{"huge", R"({"restartCount":99999999999})", std::nullopt},
                      RestartCountCase{"boolean", R"({"restartCount":true})", std::nullopt}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(ContainerGroupCodec, CommandEnvironmentAndVolumesForTheEtcdLayout) {
  const auto view = parse_container_group(R"({
    "name": "etcd",
    "properties": {
      "containers": [{"name": "etcd", "properties": {
        "image": "quay.io/coreos/etcd:v3.2.8",
        "command": ["/usr/local/bin/etcd", "--data-dir=/etcd/data", "--wal-dir=/etcd-wal"],
        "environmentVariables": [{"name": "ETCD_NAME", "value": "aci"},
                                 {"name": "SECRET", "secureValue": null}],
        "volumeMounts": [{"name": "etcd", "mountPath": "/etcd"}, {"name": 7}]}}],
      "volumes": [{"name": "etcd", "azureFile": {"shareName": "etcd", "storageAccountName": "sa"}},
                  {"name": "scratch", "emptyDir": {}},
                  {"name": "conf", "secret": {"a": "Yg=="}},
                  {"name": "odd", "nfs": {}},
                  {"azureFile": {}}]
    }
  })");
  ASSERT_TRUE(view.ok()) << view.error().describe();
  const auto& c = view->containers.at(0);
  EXPECT_EQ(c.command, (std::vector<std::string>{"/usr/local/bin/etcd", "--data-dir=/etcd/data",
                                                 "--wal-dir=/etcd-wal"}));
  EXPECT_EQ(c.env, (std::vector<std::pair<std::string, std::string>>{{"ETCD_NAME", "aci"}}));
  EXPECT_EQ(c.volume_mounts, (std::vector<model::VolumeMount>{{"etcd", "/etcd"}}));
  EXPECT_EQ(view->volumes, (std::vector<model::Volume>{{"etcd", model::VolumeKind::kAzureFile},
                                                       {"scratch", model::VolumeKind::kEmptyDir},
                                                       {"conf", model::VolumeKind::kSecret},
                                                       {"odd", model::VolumeKind::kOther}}));
  EXPECT_EQ(view->azure_file_shares,
            (std::map<std::string, model::AzureFileShare>{{"etcd", {"etcd", "sa"}}}))
      << "the share each azureFile volume is, for a restore";
}

TEST(ContainerGroupCodec, ACommandWithANonStringArgumentIsUnknown) {
  const auto view = parse_container_group(
      R"({"name":"g","properties":{"containers":[{"name":"c","properties":{"command":["etcd",5]}}]}})");
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->containers[0].command.empty());
}

}  // namespace
}  // namespace frankenetes::azure

