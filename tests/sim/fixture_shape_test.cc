// Shape checks against the ACI swagger examples ($FRANKENETES_SHARED_DIR/fixtures/aci): for every
// fixture the sim performs the same operation and its response must have the same keys with the
// same JSON types (values may differ). Divergences we choose on purpose are listed per fixture in
// kDivergences with the reason. Skips when the shared directory is absent.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "sim_harness.h"

namespace frankenetes::sim::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::optional<fs::path> fixtures_dir() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("FRANKENETES_SHARED_DIR")) candidates.emplace_back(env);
  if (const char* src = std::getenv("FRANKENETES_SOURCE_DIR")) candidates.push_back(fs::path(src) / ".." / "shared");
  for (const auto& c : candidates) {
    if (fs::exists(c / "fixtures" / "aci")) return c / "fixtures" / "aci";
  }
  return std::nullopt;
}

json load(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

const char* type_name(const json& j) {
  if (j.is_object()) return "object";
  if (j.is_array()) return "array";
  if (j.is_string()) return "string";
  if (j.is_number()) return "number";
  if (j.is_boolean()) return "boolean";
  return "null";
}

// Keys (paths like "properties.containers[].properties.instanceView") the sim may add or
// omit relative to a fixture, with the reason. Reasons are the documentation.
struct Divergence {
  const char* path;
  const char* reason;
};
const std::map<std::string, std::vector<Divergence>> kDivergences = {
    {"ContainerGroupsCreateOrUpdate.json",
     {{"identity", "the hand-written sample drops the identity from the response; ARM echoes it with principalId"},
      {"properties.subnetIds", "echoed from the request (the sample drops it)"},
      {"properties.diagnostics", "echoed from the request (the sample's 201 body drops it, its 200 body keeps it)"},
      {"properties.diagnostics.logAnalytics.logType", "echoed; only workspaceKey is write-only"},
      {"properties.diagnostics.logAnalytics.metadata", "echoed; only workspaceKey is write-only"},
      {"properties.diagnostics.logAnalytics.workspaceResourceId", "echoed; only workspaceKey is write-only"},
      {"properties.dnsConfig.searchDomains", "echoed (the sample's 201 body drops it, its 200 body keeps it)"},
      {"properties.dnsConfig.options", "echoed (the sample's 201 body drops it, its 200 body keeps it)"}}},
    {"ContainerGroupsGet_Succeeded.json",
     {{"properties.instanceView", "live GET responses carry instanceView (recordings); the sample omits it"},
      {"properties.containers[].properties.instanceView", "live GET responses carry it; the sample omits it"}}},
    {"ContainerGroupsGet_Failed.json", {}},
    {"ContainerGroupsList.json", {}},
    {"ContainerGroupsListByResourceGroup.json", {}},
};

void compare(const json& fixture, const json& actual, const std::string& path, const std::set<std::string>& allowed,
             std::vector<std::string>& problems) {
  if (fixture.is_null()) return;
  if (std::string(type_name(fixture)) != type_name(actual)) {
    problems.push_back(path + ": fixture has " + type_name(fixture) + ", sim has " + type_name(actual));
    return;
  }
  const auto child = [&](const std::string& key) { return path.empty() ? key : path + "." + key; };
  if (fixture.is_object()) {
    for (const auto& [key, value] : fixture.items()) {
      if (!actual.contains(key)) {
        if (!allowed.count(child(key))) problems.push_back(child(key) + ": missing in the sim's response");
        continue;
      }
      compare(value, actual[key], child(key), allowed, problems);
    }
    for (const auto& [key, value] : actual.items()) {
      (void)value;
      if (!fixture.contains(key) && !allowed.count(child(key))) {
        problems.push_back(child(key) + ": not in the fixture");
      }
    }
  } else if (fixture.is_array() && !fixture.empty() && !actual.empty()) {
    compare(fixture[0], actual[0], path + "[]", allowed, problems);
  }
}

std::set<std::string> allowed_for(const std::string& file) {
  std::set<std::string> out;
  for (const auto& d : kDivergences.at(file)) out.insert(d.path);
  return out;
}

void expect_same_shape(const std::string& file, const json& fixture, const json& actual) {
  std::vector<std::string> problems;
  compare(fixture, actual, "", allowed_for(file), problems);
  std::string all;
  for (const auto& p : problems) all += "\n  " + p;
  EXPECT_TRUE(problems.empty()) << file << ":" << all << "\nsim response: " << actual.dump(2);
}

constexpr const char* kDemoScenario = R"(
subscriptionId: 00000000-0000-0000-0000-000000000001
tenantId: 00000000-0000-0000-0000-0000000000aa
credentials: {clientId: frankenetes-demo, clientSecret: s3cret}
resourceGroups: [demo]
)";

// A request body from a response sample: read-only fields out, osType kept.
json spec_from_response(json body) {
  for (const char* k : {"id", "name", "type"}) body.erase(k);
  auto& props = body["properties"];
  props.erase("provisioningState");
  props.erase("instanceView");
  props.erase("isCreatedFromStandbyPool");
  for (auto& c : props["containers"]) c["properties"].erase("instanceView");
  if (props.contains("ipAddress")) {
    props["ipAddress"].erase("ip");
    props["ipAddress"].erase("fqdn");
  }
  return body;
}

std::string path_for(const json& params, const std::string& suffix = {}) {
  return std::string("/subscriptions/") + kSub + "/resourceGroups/" + params["resourceGroupName"].get<std::string>() +
         "/providers/Microsoft.ContainerInstance/containerGroups/" + params["containerGroupName"].get<std::string>() +
         suffix + "?api-version=" + params["api-version"].get<std::string>();
}

class FixtureShape : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fixtures_dir();
    if (!dir_) GTEST_SKIP() << "shared fixtures not found (set FRANKENETES_SHARED_DIR or keep ../shared next to the source)";
  }
  json fixture(const std::string& name) { return load(*dir_ / name); }
  void create_from(SimHarness& h, const json& params, const json& response_body) {
    auto r = h.arm("PUT", path_for(params), spec_from_response(response_body).dump());
    ASSERT_EQ(r.status, 201) << r.body;
    h.advance(std::chrono::seconds(5));
  }
  std::optional<fs::path> dir_;
};

TEST_F(FixtureShape, EveryFixtureIsCovered) {
  std::set<std::string> covered = {"ContainerGroupsCreateOrUpdate.json", "ContainerGroupsDelete.json",
                                   "ContainerGroupsGet_Failed.json", "ContainerGroupsGet_Succeeded.json",
                                   "ContainerGroupsList.json", "ContainerGroupsListByResourceGroup.json",
                                   "ContainerGroupsRestart.json", "ContainerGroupsStart.json",
                                   "ContainerGroupsStop.json"};
  for (const auto& entry : fs::directory_iterator(*dir_)) {
    if (entry.path().extension() != ".json") continue;
    EXPECT_TRUE(covered.count(entry.path().filename().string())) << "no shape check for " << entry.path();
  }
}

TEST_F(FixtureShape, CreateOrUpdate) {
  const auto f = fixture("ContainerGroupsCreateOrUpdate.json");
  const auto& params = f["parameters"];
  SimHarness h(kDemoScenario);
  auto body = params["containerGroup"];
  body["zones"] = params["zones"];  // the SDK sends zones inside the body
  auto created = h.arm("PUT", path_for(params), body.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_FALSE(created.headers["Azure-AsyncOperation"].empty());
  expect_same_shape("ContainerGroupsCreateOrUpdate.json", f["responses"]["201"]["body"], json::parse(created.body));
  h.advance(std::chrono::seconds(5));
  auto updated = h.arm("PUT", path_for(params), body.dump());
  ASSERT_EQ(updated.status, 200) << updated.body;
  expect_same_shape("ContainerGroupsCreateOrUpdate.json", f["responses"]["200"]["body"], json::parse(updated.body));
}

TEST_F(FixtureShape, GetSucceededAndFailed) {
  for (const char* file : {"ContainerGroupsGet_Succeeded.json", "ContainerGroupsGet_Failed.json"}) {
    const auto f = fixture(file);
    SimHarness h(kDemoScenario);
    create_from(h, f["parameters"], f["responses"]["200"]["body"]);
    auto r = h.arm("GET", path_for(f["parameters"]));
    ASSERT_EQ(r.status, 200) << r.body;
    expect_same_shape(file, f["responses"]["200"]["body"], json::parse(r.body));
  }
}

TEST_F(FixtureShape, ListAndListByResourceGroup) {
  for (const char* file : {"ContainerGroupsList.json", "ContainerGroupsListByResourceGroup.json"}) {
    const auto f = fixture(file);
    const auto& item = f["responses"]["200"]["body"]["value"][0];
    SimHarness h(kDemoScenario);
    json params = {{"resourceGroupName", "demo"}, {"containerGroupName", item["name"]},
                   {"api-version", f["parameters"]["api-version"]}};
    create_from(h, params, item);
    const std::string api = f["parameters"]["api-version"];
    const std::string target = f["parameters"].contains("resourceGroupName")
                                   ? std::string("/subscriptions/") + kSub + "/resourceGroups/demo/providers/Microsoft.ContainerInstance/containerGroups?api-version=" + api
                                   : std::string("/subscriptions/") + kSub + "/providers/Microsoft.ContainerInstance/containerGroups?api-version=" + api;
    auto r = h.arm("GET", target);
    ASSERT_EQ(r.status, 200) << r.body;
    expect_same_shape(file, f["responses"]["200"]["body"], json::parse(r.body));
  }
}

// The action samples only fix status codes and headers.
TEST_F(FixtureShape, DeleteRestartStopStartStatusesAndHeaders) {
  const auto get = fixture("ContainerGroupsGet_Succeeded.json");
  SimHarness h(kDemoScenario);
  create_from(h, get["parameters"], get["responses"]["200"]["body"]);
  const auto& p = get["parameters"];

  const auto restart = fixture("ContainerGroupsRestart.json");
  auto r = h.arm("POST", path_for(p, "/restart"));
  EXPECT_TRUE(restart["responses"].contains(std::to_string(r.status))) << r.status;
  EXPECT_TRUE(r.body.empty());
  h.advance(std::chrono::seconds(3));

  const auto stop = fixture("ContainerGroupsStop.json");
  r = h.arm("POST", path_for(p, "/stop"));
  EXPECT_TRUE(stop["responses"].contains(std::to_string(r.status))) << r.status;

  const auto start = fixture("ContainerGroupsStart.json");
  r = h.arm("POST", path_for(p, "/start"));
  ASSERT_TRUE(start["responses"].contains(std::to_string(r.status))) << r.status;
  EXPECT_EQ(r.status, 202);
  EXPECT_FALSE(r.headers["azure-asyncoperation"].empty()) << "header names compare case-insensitively";
  h.advance(std::chrono::seconds(5));
  r = h.arm("POST", path_for(p, "/start"));
  EXPECT_EQ(r.status, 204) << "already running";
  EXPECT_TRUE(start["responses"].contains("204"));

  // Divergence: the sim answers DELETE with 202 + azure-asyncoperation (never the sample's
  // synchronous 200 with a body), and 204 when absent.
  const auto del = fixture("ContainerGroupsDelete.json");
  r = h.arm("DELETE", path_for(p));
  ASSERT_TRUE(del["responses"].contains(std::to_string(r.status))) << r.status;
  EXPECT_EQ(r.status, 202);
  EXPECT_FALSE(r.headers["azure-asyncoperation"].empty());
  h.advance(std::chrono::seconds(2));
  r = h.arm("DELETE", path_for(p));
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(del["responses"].contains("204"));
}

}  // namespace
}  // namespace frankenetes::sim::testing
