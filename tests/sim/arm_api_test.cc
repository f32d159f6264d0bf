// ARM front door of the simulator, driven through Simulator::handle_https with a fake clock.

#include "sim/arm_api.h"

#include <gtest/gtest.h>

#include "sim_harness.h"

namespace frankenetes::sim::testing {
namespace {

using nlohmann::json;

std::string list_path(const std::string& rg = {}) {
  if (rg.empty()) {
    return std::string("/subscriptions/") + kSub + "/providers/Microsoft.ContainerInstance/containerGroups?api-version=" + kApi;
  }
  return std::string("/subscriptions/") + kSub + "/resourceGroups/" + rg +
         "/providers/Microsoft.ContainerInstance/containerGroups?api-version=" + kApi;
}

// The path+query part of an absolute nextLink.
std::string relative(const std::string& url) {
  const auto pos = url.find("/subscriptions/");
  return url.substr(pos);
}

TEST(ArmApi, RequestWithoutTokenGets401WithWwwAuthenticate) {
  SimHarness h;
  auto r = h.sim_.handle_https(make_request("GET", group_path("frankenetes", "etcd"))).response;
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "AuthenticationFailed");
  const auto www = r.headers["WWW-Authenticate"];
  EXPECT_NE(www.find("Bearer authorization_uri="), std::string::npos) << www;
  EXPECT_NE(www.find("error=\"invalid_token\""), std::string::npos) << www;
  EXPECT_FALSE(r.headers["x-ms-request-id"].empty());

  r = h.sim_.handle_https(make_request("GET", group_path("frankenetes", "etcd"), {}, "forged.token.x")).response;
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "InvalidAuthenticationToken");
}

TEST(ArmApi, ExpiredTokenGets401Expired) {
  SimHarness h;
  h.token();
  h.advance(std::chrono::hours(2));
  auto r = h.arm("GET", group_path("frankenetes", "etcd"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "ExpiredAuthenticationToken");
}

TEST(ArmApi, EveryResponseCarriesIdsAndRateLimitHeaders) {
  SimHarness h;
  auto r = h.arm("GET", group_path("frankenetes", "etcd"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["x-ms-request-id"].rfind("westeurope:", 0), 0u);
  EXPECT_FALSE(r.headers["x-ms-correlation-request-id"].empty());
  EXPECT_EQ(r.headers["x-ms-ratelimit-remaining-subscription-reads"], "249");
  auto w = h.arm("POST", group_path("frankenetes", "etcd", "/stop"));
  EXPECT_EQ(w.status, 204);
  EXPECT_EQ(w.headers["x-ms-ratelimit-remaining-subscription-writes"], "199");
}

TEST(ArmApi, GetHasInstanceViewListNever) {
  SimHarness h;
  auto g = h.get_json(group_path("frankenetes", "etcd"));
  EXPECT_EQ(g["properties"]["instanceView"]["state"], "Running");
  EXPECT_EQ(g["properties"]["containers"][0]["properties"]["instanceView"]["restartCount"], 0);
  EXPECT_EQ(g["properties"]["ipAddress"]["fqdn"], "fk-etcd.westeurope.azurecontainer.io");

  for (const auto& path : {list_path(), list_path("frankenetes")}) {
    auto list = h.get_json(path);
    ASSERT_FALSE(list["value"].empty());
    for (const auto& item : list["value"]) {
      EXPECT_FALSE(item["properties"].contains("instanceView"));
      for (const auto& c : item["properties"]["containers"]) {
        EXPECT_FALSE(c["properties"].contains("instanceView"));
      }
    }
  }
}

TEST(ArmApi, ListPagesWithAbsoluteNextLink) {
  SimHarness h;  // page size 2
  for (int i = 0; i < 4; ++i) {
    auto r = h.arm("PUT", group_path("frankenetes", "g" + std::to_string(i)), group_body("g" + std::to_string(i)).dump());
    ASSERT_EQ(r.status, 201) << r.body;
  }
  std::set<std::string> names;
  std::string next = list_path("frankenetes");
  int pages = 0;
  while (!next.empty()) {
    auto page = h.get_json(next);
    ++pages;
    EXPECT_LE(page["value"].size(), 2u);
    for (const auto& item : page["value"]) names.insert(item["name"]);
    if (page.contains("nextLink")) {
      const auto link = page["nextLink"].get<std::string>();
      EXPECT_EQ(link.rfind("https://127.0.0.1:8443/subscriptions/", 0), 0u) << link;
      EXPECT_NE(link.find("api-version=2023-05-01"), std::string::npos);
      EXPECT_NE(link.find("$skipToken="), std::string::npos);
      next = relative(link);
    } else {
      next.clear();
    }
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names.size(), 5u);
}

TEST(ArmApi, UnsupportedApiVersionIsRejected) {
  SimHarness h;
  auto r = h.arm("GET", group_path("frankenetes", "etcd", "", "2099-01-01"));
  EXPECT_EQ(r.status, 400);
  const auto body = json::parse(r.body);
  EXPECT_EQ(body["error"]["code"], "NoRegisteredProviderFound");
  EXPECT_NE(body["error"]["message"].get<std::string>().find("2023-05-01"), std::string::npos);
  r = h.arm("GET", std::string("/subscriptions/") + kSub +
                       "/resourceGroups/frankenetes/providers/Microsoft.ContainerInstance/containerGroups/etcd");
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "MissingApiVersionParameter");
  for (const char* v : {"2018-10-01", "2021-09-01", "2022-10-01-preview", "2025-09-01"}) {
    EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd", "", v)).status, 200) << v;
  }
}

TEST(ArmApi, EmptyBucketGives429WithRetryAfter) {
  SimHarness h;
  h.control("PUT", "/throttle", R"({"reads":{"burst":3,"refillPerSecond":0.5}})");
  h.token();
  int ok = 0;
  http::Response last;
  for (int i = 0; i < 10; ++i) {
    last = h.arm("GET", group_path("frankenetes", "etcd"));
    if (last.status == 200) ++ok;
    else break;
  }
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(last.status, 429);
  EXPECT_EQ(last.headers["Retry-After"], "2");
  EXPECT_EQ(json::parse(last.body)["error"]["code"], "TooManyRequests");
  h.advance(std::chrono::seconds(2));
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 200);
}

TEST(ArmApi, PutCreatesWithAsyncOperation) {
  SimHarness h;
  auto r = h.arm("PUT", group_path("frankenetes", "web"), group_body("web").dump());
  ASSERT_EQ(r.status, 201) << r.body;
  auto body = json::parse(r.body);
  EXPECT_EQ(body["properties"]["provisioningState"], "Pending");
  EXPECT_FALSE(body["properties"]["ipAddress"]["ip"].get<std::string>().empty());
  EXPECT_FALSE(body["properties"].contains("instanceView"));
  // secrets are write-only
  EXPECT_FALSE(body["properties"]["containers"][0]["properties"]["environmentVariables"][1].contains("secureValue"));
  const auto async = r.headers["Azure-AsyncOperation"];
  ASSERT_FALSE(async.empty());
  EXPECT_NE(async.find("/providers/Microsoft.ContainerInstance/locations/westeurope/operations/"), std::string::npos);
  EXPECT_NE(async.find("api-version=2018-06-01"), std::string::npos);
  auto op = h.get_json(relative(async));
  EXPECT_EQ(op["status"], "InProgress");
  EXPECT_EQ(op["id"], body["id"]);
  h.advance(std::chrono::seconds(4));
  op = h.get_json(relative(async));
  EXPECT_EQ(op["status"], "Succeeded");
  EXPECT_TRUE(op.contains("endTime"));
  EXPECT_EQ(h.get_json(group_path("frankenetes", "web"))["properties"]["provisioningState"], "Succeeded");

  r = h.arm("PUT", group_path("frankenetes", "web"), group_body("web").dump());
  EXPECT_EQ(r.status, 200);
}

TEST(ArmApi, PutValidationUsesArmCodes) {
  SimHarness h;
  auto code = [&](const std::string& name, const std::string& body) {
    auto r = h.arm("PUT", group_path("frankenetes", name), body);
    EXPECT_EQ(r.status / 100, 4) << r.body;
    return json::parse(r.body)["error"]["code"].get<std::string>();
  };
  EXPECT_EQ(code("x1", "{not json"), "InvalidRequestContent");
  auto b = group_body();
  b.erase("location");
  EXPECT_EQ(code("x1", b.dump()), "LocationRequired");
  b = group_body();
  b["properties"]["containers"][0]["properties"].erase("image");
  EXPECT_EQ(code("x1", b.dump()), "InvalidRequestContent");
  EXPECT_EQ(code("Bad_Name", group_body().dump()), "InvalidResourceName");
  auto r = h.arm("PUT", group_path("nosuchrg", "x1"), group_body().dump());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "ResourceGroupNotFound");
}

TEST(ArmApi, RestartStopStartDelete) {
  SimHarness h;
  const auto ip = h.get_json(group_path("frankenetes", "etcd"))["properties"]["ipAddress"]["ip"].get<std::string>();
  auto r = h.arm("POST", group_path("frankenetes", "etcd", "/restart"));
  EXPECT_EQ(r.status, 204);
  EXPECT_FALSE(r.headers["Azure-AsyncOperation"].empty());
  h.advance(std::chrono::seconds(3));
  EXPECT_EQ(h.get_json(group_path("frankenetes", "etcd"))["properties"]["ipAddress"]["ip"], ip);

  EXPECT_EQ(h.arm("POST", group_path("frankenetes", "etcd", "/start")).status, 204) << "already running";
  EXPECT_EQ(h.arm("POST", group_path("frankenetes", "etcd", "/stop")).status, 204);
  auto g = h.get_json(group_path("frankenetes", "etcd"));
  EXPECT_EQ(g["properties"]["instanceView"]["state"], "Stopped");
  r = h.arm("POST", group_path("frankenetes", "etcd", "/restart"));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(json::parse(r.body)["error"]["message"],
            "Container Group 'etcd' in resource group 'frankenetes' is stopped");
  r = h.arm("POST", group_path("frankenetes", "etcd", "/start"));
  EXPECT_EQ(r.status, 202);
  EXPECT_FALSE(r.headers["Azure-AsyncOperation"].empty());
  h.advance(std::chrono::seconds(5));
  g = h.get_json(group_path("frankenetes", "etcd"));
  EXPECT_EQ(g["properties"]["instanceView"]["state"], "Running");
  EXPECT_NE(g["properties"]["ipAddress"]["ip"], ip) << "stop/start gives a new IP";

  r = h.arm("DELETE", group_path("frankenetes", "etcd"));
  EXPECT_EQ(r.status, 202);
  const auto async = r.headers["Azure-AsyncOperation"];
  h.advance(std::chrono::seconds(2));
  EXPECT_EQ(h.get_json(relative(async))["status"], "Succeeded");
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 404);
  EXPECT_EQ(h.arm("DELETE", group_path("frankenetes", "etcd")).status, 204);
}

TEST(ArmApi, CrashLoopVisibleInGet) {
  SimHarness h;
  ASSERT_EQ(h.control("POST", "/groups/frankenetes/etcd/containers/etcd/crash", R"({"always":true,"exitCode":2})").status, 200);
  auto view = h.get_json(group_path("frankenetes", "etcd"))["properties"]["containers"][0]["properties"]["instanceView"];
  EXPECT_EQ(view["currentState"]["state"], "Waiting");
  EXPECT_EQ(view["currentState"]["detailStatus"], "CrashLoopBackOff: Back-off restarting failed");
  EXPECT_EQ(view["previousState"]["exitCode"], 2);
  h.advance(std::chrono::seconds(11));
  h.advance(std::chrono::seconds(21));
  view = h.get_json(group_path("frankenetes", "etcd"))["properties"]["containers"][0]["properties"]["instanceView"];
  EXPECT_EQ(view["restartCount"], 2);
}

TEST(ArmApi, LogsAndFaults) {
  SimHarness h;
  auto logs = h.get_json(group_path("frankenetes", "etcd", "/containers/etcd/logs"));
  EXPECT_TRUE(logs["content"].is_string());
  ASSERT_EQ(h.control("POST", "/faults/arm", R"({"operation":"get","status":503,"count":1})").status, 200);
  auto r = h.arm("GET", group_path("frankenetes", "etcd"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "ServiceUnavailable");
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 200);
  h.control("POST", "/faults/arm", R"({"operation":"list","latencyMs":250})");
  auto reply = h.sim_.handle_https(make_request("GET", list_path(), {}, h.token()));
  EXPECT_EQ(reply.response.status, 200);
  EXPECT_EQ(reply.delay.count(), 250);
}

TEST(ArmApi, RequestLogCountsCalls) {
  SimHarness h;
  h.token();
  h.arm("GET", group_path("frankenetes", "etcd"));
  h.arm("GET", group_path("frankenetes", "etcd"));
  h.arm("GET", list_path());
  auto log = json::parse(h.control("GET", "/requests?api=arm&operation=get").body);
  EXPECT_EQ(log["count"], 2);
  EXPECT_EQ(log["entries"][0]["userAgent"], "sim-test");
  EXPECT_EQ(log["entries"][0]["status"], 200);
  EXPECT_EQ(json::parse(h.control("GET", "/requests?api=token").body)["count"], 1);
  h.control("DELETE", "/requests");
  EXPECT_EQ(json::parse(h.control("GET", "/requests").body)["count"], 0);
}

}  // namespace
}  // namespace frankenetes::sim::testing

namespace frankenetes::sim::testing {
namespace {

// 5000 virtual groups are served in pages of the configured size and each is readable. How
// fast is a benchmark's question (bench/), not a unit test's.
TEST(ArmApiScale, FiveThousandVirtualGroupsArePagedAndReadable) {
  SimHarness h(R"(
credentials: {clientId: frankenetes-demo, clientSecret: s3cret}
resourceGroups: [scale]
mode: virtual
arm: {pageSize: 1000, throttle: {reads: {burst: 100000, refillPerSecond: 1000}}}
aci: {ipPool: 127.64.0.0/12}
generatedGroups:
  count: 5000
  resourceGroup: scale
  template:
    properties:
      osType: Linux
      containers: [{name: c, properties: {image: nginx, resources: {requests: {cpu: 1, memoryInGB: 1}}}}]
      ipAddress: {type: Public, ports: [{port: 80}], dnsNameLabel: scale}
)");
  ASSERT_EQ(h.sim_.model().size(), 5000u);
  std::size_t seen = 0;
  std::size_t pages = 0;
  std::string next = std::string("/subscriptions/") + kSub + "/providers/Microsoft.ContainerInstance/containerGroups?api-version=" + kApi;
  while (!next.empty()) {
    auto page = h.get_json(next);
    seen += page["value"].size();
    ++pages;
    next = page.contains("nextLink") ? page["nextLink"].get<std::string>().substr(std::string("https://127.0.0.1:8443").size()) : "";
  }
  for (int i = 0; i < 500; ++i) {
    ASSERT_EQ(h.arm("GET", group_path("scale", "cg-" + std::to_string(i * 10))).status, 200);
  }
  EXPECT_EQ(seen, 5000u);
  EXPECT_EQ(pages, 5u);
}

}  // namespace
}  // namespace frankenetes::sim::testing

namespace frankenetes::sim::testing {
namespace {

TEST(FaultSchedule, ScenarioActionsRunAtScaledTime) {
  std::string yaml = kScenario;
  yaml += R"(timeScale: 0.5
faults:
  - {at: 20s, action: crash, group: etcd, container: etcd, exitCode: 3}
  - {at: 30s, action: armFault, operation: get, status: 500, count: 1}
)";
  SimHarness h(yaml);
  h.advance(std::chrono::seconds(9));
  EXPECT_EQ(h.sim_.model().find("frankenetes", "etcd")->containers[0].phase, ContainerPhase::kRunning);
  h.advance(std::chrono::seconds(1));  // 20 s × 0.5
  EXPECT_EQ(h.sim_.model().find("frankenetes", "etcd")->containers[0].previous->exit_code, 3);
  h.advance(std::chrono::seconds(5));
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 500);
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 200);
}

}  // namespace
}  // namespace frankenetes::sim::testing
