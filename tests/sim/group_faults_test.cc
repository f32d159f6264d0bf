// Per-group faults (spurious 404s, GET bodies without restartCount, slow deletes) through the
// control API and the ARM front door, on a fake clock.

#include "sim/group_faults.h"

#include <gtest/gtest.h>

#include "sim_harness.h"

namespace frankenetes::sim::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kNotFoundMessage =
    "The Resource 'Microsoft.ContainerInstance/containerGroups/etcd' under resource group 'frankenetes' "
    "was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix";

std::string list_path() {
  return std::string("/subscriptions/") + kSub +
         "/resourceGroups/frankenetes/providers/Microsoft.ContainerInstance/containerGroups?api-version=" + kApi;
}

std::string relative(const std::string& url) { return url.substr(url.find("/subscriptions/")); }

bool listed(SimHarness& h, const std::string& name) {
  const auto list = h.get_json(list_path());
  for (const auto& g : list["value"]) {
    if (g["name"] == name) return true;
  }
  return false;
}

json log_entries(SimHarness& h, const std::string& query) {
  return json::parse(h.control("GET", "/requests?" + query).body)["entries"];
}

// A second group, so that faults on etcd are seen not to leak to it.
void add_web(SimHarness& h) {
  ASSERT_EQ(h.arm("PUT", group_path("frankenetes", "web"), group_body("web").dump()).status, 201);
  h.advance(seconds(5));
}

TEST(GroupFaults, NotFoundWithArmEnvelopeForTheNextNGets) {
  SimHarness h;
  add_web(h);
  auto set = h.control("POST", "/groups/frankenetes/etcd/faults/notFound", R"({"count":2})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(json::parse(set.body)["faults"]["notFound"], json({{"count", 2}, {"body", "arm"}}));

  for (int i = 0; i < 2; ++i) {
    auto r = h.arm("GET", group_path("frankenetes", "etcd"));
    ASSERT_EQ(r.status, 404) << i;
    // Exactly what a deleted group gets: ARM's envelope and headers.
    EXPECT_EQ(json::parse(r.body),
              json({{"error", {{"code", "ResourceNotFound"}, {"message", kNotFoundMessage}}}}));
    EXPECT_EQ(r.headers["Content-Type"], "application/json; charset=utf-8");
    EXPECT_EQ(r.headers["x-ms-request-id"].rfind("westeurope:", 0), 0u);
    EXPECT_FALSE(r.headers["x-ms-correlation-request-id"].empty());
    EXPECT_FALSE(r.headers["x-ms-ratelimit-remaining-subscription-reads"].empty());
    // The group is untouched: listed, running, other groups unaffected.
    EXPECT_TRUE(listed(h, "etcd"));
    EXPECT_EQ(h.arm("GET", group_path("frankenetes", "web")).status, 200);
    EXPECT_EQ(h.sim_.model().find("frankenetes", "etcd")->phase, GroupPhase::kRunning);
  }
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 200) << "the count is used up";
  EXPECT_EQ(json::parse(h.control("GET", "/groups/frankenetes/etcd/faults").body)["faults"], json::object());

  // The request log says which answers were injected.
  const auto injected = log_entries(h, "api=arm&fault=notFound:arm");
  ASSERT_EQ(injected.size(), 2u);
  for (const auto& e : injected) {
    EXPECT_EQ(e["method"], "GET");
    EXPECT_EQ(e["operation"], "get");
    EXPECT_EQ(e["status"], 404);
    EXPECT_NE(e["path"].get<std::string>().find("/containerGroups/etcd?api-version="), std::string::npos);
  }
  EXPECT_EQ(log_entries(h, "api=arm&operation=get&status=200&path=/containerGroups/etcd").size(), 1u);
}

TEST(GroupFaults, NotFoundAsAProxysHtmlPage) {
  SimHarness h;
  ASSERT_EQ(h.control("POST", "/groups/frankenetes/etcd/faults/notFound", R"({"body":"html"})").status, 200);
  auto r = h.arm("GET", group_path("frankenetes", "etcd"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers["Content-Type"], "text/html");
  EXPECT_NE(r.body.find("<title>404 Not Found</title>"), std::string::npos) << r.body;
  EXPECT_TRUE(json::parse(r.body, nullptr, false).is_discarded()) << "not JSON at all";
  EXPECT_EQ(r.headers.count("x-ms-request-id"), 0u) << "no ARM headers from a proxy";
  EXPECT_EQ(r.headers.count("x-ms-ratelimit-remaining-subscription-reads"), 0u);
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 200) << "count defaults to 1";
  const auto e = log_entries(h, "fault=notFound:html");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0]["status"], 404);
  EXPECT_EQ(e[0]["method"], "GET");
}

TEST(GroupFaults, NotFoundCountsOnlySuccessfulGetsOfThatGroup) {
  SimHarness h;
  add_web(h);
  ASSERT_EQ(h.control("POST", "/groups/frankenetes/etcd/faults/notFound", R"({"count":1})").status, 200);
  h.arm("GET", list_path());
  h.arm("GET", group_path("frankenetes", "web"));
  h.arm("GET", group_path("frankenetes", "etcd", "/containers/etcd/logs"));
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd", "", "2099-01-01")).status, 400);
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 404) << "the fault is still armed";
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 200);
}

TEST(GroupFaults, OmitRestartCountForTheNextNGets) {
  SimHarness h;
  ASSERT_EQ(h.control("POST", "/groups/frankenetes/etcd/containers/etcd/crash", R"({"exitCode":1})").status, 200);
  h.advance(seconds(11));
  const auto restart_count_of = [&](const json& g) {
    return g["properties"]["containers"][0]["properties"]["instanceView"];
  };
  ASSERT_EQ(restart_count_of(h.get_json(group_path("frankenetes", "etcd")))["restartCount"], 1);

  ASSERT_EQ(h.control("POST", "/groups/frankenetes/etcd/faults/omitRestartCount", R"({"count":2})").status, 200);
  for (int i = 0; i < 2; ++i) {
    const auto view = restart_count_of(h.get_json(group_path("frankenetes", "etcd")));
    EXPECT_FALSE(view.contains("restartCount")) << view.dump();
    // Only that field is missing.
    EXPECT_EQ(view["currentState"]["state"], "Running");
    EXPECT_EQ(view["previousState"]["exitCode"], 1);
    EXPECT_TRUE(view["events"].is_array());
  }
  EXPECT_EQ(restart_count_of(h.get_json(group_path("frankenetes", "etcd")))["restartCount"], 1);
  EXPECT_EQ(log_entries(h, "fault=omitRestartCount&status=200&method=GET").size(), 2u);
  // The control API's view of the group is the truth, never faulted.
  auto state = json::parse(h.control("GET", "/groups/frankenetes/etcd").body);
  EXPECT_EQ(state["containers"][0]["restartCount"], 1);
}

TEST(GroupFaults, OmitRestartCountUntilCleared) {
  SimHarness h;
  ASSERT_EQ(h.control("POST", "/groups/frankenetes/etcd/faults/omitRestartCount", "").status, 200);
  EXPECT_EQ(json::parse(h.control("GET", "/groups/frankenetes/etcd/faults").body)["faults"]["omitRestartCount"]["count"],
            -1);
  for (int i = 0; i < 5; ++i) {
    const auto g = h.get_json(group_path("frankenetes", "etcd"));
    EXPECT_FALSE(g["properties"]["containers"][0]["properties"]["instanceView"].contains("restartCount"));
  }
  ASSERT_EQ(h.control("DELETE", "/groups/frankenetes/etcd/faults/omitRestartCount").status, 200);
  const auto g = h.get_json(group_path("frankenetes", "etcd"));
  EXPECT_EQ(g["properties"]["containers"][0]["properties"]["instanceView"]["restartCount"], 0);
}

TEST(GroupFaults, NotFoundTakesPrecedenceAndLeavesOmitRestartCountArmed) {
  SimHarness h;
  h.control("POST", "/groups/frankenetes/etcd/faults/notFound", R"({"count":1})");
  h.control("POST", "/groups/frankenetes/etcd/faults/omitRestartCount", R"({"count":1})");
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 404);
  auto g = h.get_json(group_path("frankenetes", "etcd"));
  EXPECT_FALSE(g["properties"]["containers"][0]["properties"]["instanceView"].contains("restartCount"));
  g = h.get_json(group_path("frankenetes", "etcd"));
  EXPECT_TRUE(g["properties"]["containers"][0]["properties"]["instanceView"].contains("restartCount"));
}

TEST(GroupFaults, SlowDeleteStaysInProgressAndDeletingForItsDuration) {
  SimHarness h;
  ASSERT_EQ(h.control("POST", "/groups/frankenetes/etcd/faults/slowDelete", R"({"seconds":30})").status, 200);
  auto r = h.arm("DELETE", group_path("frankenetes", "etcd"));
  ASSERT_EQ(r.status, 202);
  const auto async = r.headers["Azure-AsyncOperation"];
  ASSERT_FALSE(async.empty());
  const auto deleting = [&] {
    EXPECT_EQ(h.get_json(relative(async))["status"], "InProgress");
    const auto g = h.get_json(group_path("frankenetes", "etcd"));
    EXPECT_EQ(g["properties"]["provisioningState"], "Deleting");
    EXPECT_TRUE(listed(h, "etcd"));
  };
  deleting();
  h.advance(seconds(29));
  deleting();
  // Writes are refused meanwhile, as on ACI.
  EXPECT_EQ(h.arm("POST", group_path("frankenetes", "etcd", "/restart")).status, 409);
  // A second DELETE neither extends nor shortens it.
  EXPECT_EQ(h.arm("DELETE", group_path("frankenetes", "etcd")).status, 202);
  h.advance(milliseconds(999));
  deleting();
  h.advance(milliseconds(1));
  const auto op = h.get_json(relative(async));
  EXPECT_EQ(op["status"], "Succeeded");
  EXPECT_TRUE(op.contains("endTime"));
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 404);
  EXPECT_FALSE(listed(h, "etcd"));

  const auto e = log_entries(h, "fault=slowDelete");
  ASSERT_EQ(e.size(), 1u) << "only the DELETE that started the deletion";
  EXPECT_EQ(e[0]["method"], "DELETE");
  EXPECT_EQ(e[0]["status"], 202);
  EXPECT_NE(e[0]["path"].get<std::string>().find("/containerGroups/etcd?"), std::string::npos);

  // One DELETE by default: the group recreated deletes at the normal speed (1 s).
  ASSERT_EQ(h.arm("PUT", group_path("frankenetes", "etcd"), group_body("etcd").dump()).status, 201);
  h.advance(seconds(5));
  ASSERT_EQ(h.arm("DELETE", group_path("frankenetes", "etcd")).status, 202);
  h.advance(seconds(1));
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 404);
}

TEST(GroupFaults, SlowDeleteAppliesToTheControlApiDeleteToo) {
  SimHarness h;
  h.control("POST", "/groups/frankenetes/etcd/faults/slowDelete", R"({"seconds":10})");
  ASSERT_EQ(h.control("DELETE", "/groups/frankenetes/etcd").status, 200);
  h.advance(seconds(9));
  EXPECT_EQ(h.sim_.model().find("frankenetes", "etcd")->provisioning_state, "Deleting");
  h.advance(seconds(1));
  EXPECT_EQ(h.sim_.model().find("frankenetes", "etcd"), nullptr);
}

TEST(GroupFaults, ActionsFormAndScenarioSchedule) {
  std::string yaml = kScenario;
  yaml += R"(faults:
  - {at: 10s, action: notFound, group: etcd, count: 1, body: html}
  - {at: 20s, action: omitRestartCount, group: etcd}
  - {at: 30s, action: clearGroupFaults, group: etcd, fault: omitRestartCount}
  - {at: 40s, action: slowDelete, group: etcd, seconds: 5}
)";
  SimHarness h(yaml);
  h.advance(seconds(10));
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 404);
  h.advance(seconds(10));
  auto g = h.get_json(group_path("frankenetes", "etcd"));
  EXPECT_FALSE(g["properties"]["containers"][0]["properties"]["instanceView"].contains("restartCount"));
  h.advance(seconds(10));
  g = h.get_json(group_path("frankenetes", "etcd"));
  EXPECT_TRUE(g["properties"]["containers"][0]["properties"]["instanceView"].contains("restartCount"));
  h.advance(seconds(10));
  EXPECT_EQ(json::parse(h.control("GET", "/faults/groups").body),
            json({{"frankenetes/etcd", {{"slowDelete", {{"seconds", 5.0}, {"count", 1}}}}}}));
  ASSERT_EQ(h.control("POST", "/actions", R"({"action":"delete","group":"etcd"})").status, 200);
  h.advance(seconds(4));
  EXPECT_NE(h.sim_.model().find("frankenetes", "etcd"), nullptr);
  h.advance(seconds(1));
  EXPECT_EQ(h.sim_.model().find("frankenetes", "etcd"), nullptr);
}

TEST(GroupFaults, ControlApiRejectsBadRequests) {
  SimHarness h;
  const auto status = [&](const std::string& method, const std::string& path, const std::string& body = "") {
    return h.control(method, path, body).status;
  };
  EXPECT_EQ(status("POST", "/groups/frankenetes/nosuch/faults/notFound"), 404);
  EXPECT_EQ(status("POST", "/groups/frankenetes/etcd/faults/flaky"), 404);
  EXPECT_EQ(status("POST", "/groups/frankenetes/etcd/faults/notFound", R"({"count":0})"), 400);
  EXPECT_EQ(status("POST", "/groups/frankenetes/etcd/faults/notFound", R"({"count":"2"})"), 400);
  EXPECT_EQ(status("POST", "/groups/frankenetes/etcd/faults/notFound", R"({"body":"xml"})"), 400);
  EXPECT_EQ(status("POST", "/groups/frankenetes/etcd/faults/notFound", R"({"cuont":2})"), 400);
  EXPECT_EQ(status("POST", "/groups/frankenetes/etcd/faults/omitRestartCount", R"({"count":-1})"), 400);
  EXPECT_EQ(status("POST", "/groups/frankenetes/etcd/faults/slowDelete", "{}"), 400);
  EXPECT_EQ(status("POST", "/groups/frankenetes/etcd/faults/slowDelete", R"({"seconds":0})"), 400);
  EXPECT_EQ(status("POST", "/groups/frankenetes/etcd/faults/slowDelete", R"({"seconds":"30"})"), 400);
  EXPECT_EQ(status("POST", "/groups/frankenetes/etcd/faults"), 405);
  EXPECT_EQ(status("DELETE", "/groups/frankenetes/etcd/faults/flaky"), 404);
  EXPECT_EQ(status("POST", "/actions", R"({"action":"notFound"})"), 400) << "needs a group";
  EXPECT_EQ(status("POST", "/actions", R"({"action":"notFound","group":"etcd","sometimes":true})"), 400);
  // Nothing was set by any of these.
  EXPECT_EQ(json::parse(h.control("GET", "/faults/groups").body), json::object());
  // Clearing a gone group's faults is fine.
  EXPECT_EQ(status("DELETE", "/groups/frankenetes/nosuch/faults"), 200);
}

TEST(GroupFaults, ClearEverything) {
  SimHarness h;
  h.control("POST", "/groups/frankenetes/etcd/faults/notFound", R"({"count":5})");
  h.control("POST", "/groups/frankenetes/etcd/faults/slowDelete", R"({"seconds":5})");
  ASSERT_EQ(h.control("DELETE", "/faults/groups").status, 200);
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 200);
  EXPECT_EQ(json::parse(h.control("GET", "/faults/groups").body), json::object());
}

// The pure bookkeeping, without HTTP.
TEST(GroupFaultsBook, CountsDownAndForgets) {
  GroupFaults f;
  f.set_not_found("rg/a", 2, NotFoundBody::kHtml);
  EXPECT_EQ(f.take_get("rg/b").label(), "");
  EXPECT_EQ(f.take_get("rg/a").label(), "notFound:html");
  EXPECT_EQ(f.take_get("rg/a").label(), "notFound:html");
  EXPECT_EQ(f.take_get("rg/a").label(), "");
  EXPECT_EQ(f.describe_all(), json::object());

  f.set_omit_restart_count("rg/a", GroupFaults::kUntilCleared);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(f.take_get("rg/a").omit_restart_count);
  EXPECT_TRUE(f.clear("rg/a", "omitRestartCount"));
  EXPECT_FALSE(f.take_get("rg/a").omit_restart_count);
  EXPECT_FALSE(f.clear("rg/a", "sometimes"));

  f.set_slow_delete("rg/a", seconds(3), 2);
  EXPECT_EQ(f.take_delete("rg/a"), core::Duration(seconds(3)));
  EXPECT_EQ(f.take_delete("rg/a"), core::Duration(seconds(3)));
  EXPECT_EQ(f.take_delete("rg/a"), std::nullopt);
}

}  // namespace
}  // namespace frankenetes::sim::testing
