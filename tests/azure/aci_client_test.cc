#include "azure/aci_client.h"

#include <gtest/gtest.h>

#include <regex>

#include "azure/throttle_tracker.h"
#include "fake_token_credential.h"
#include "http/observing_transport.h"
#include "http/retrying_transport.h"
#include "support/fake_sleeper.h"
#include "support/fake_transport.h"

namespace frankenetes::azure {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::FakeSleeper;
using testing::FakeTimeSource;
using testing::FakeTokenCredential;
using testing::FakeTransport;

constexpr const char* kArm = "https://management.azure.com";
constexpr const char* kSub = "00000000-0000-0000-0000-000000000001";
const ContainerGroupRef kEtcd{kSub, "cp", "etcd"};
const std::string kGroupUrl = std::string(kArm) + "/subscriptions/" + kSub +
                              "/resourceGroups/cp/providers/Microsoft.ContainerInstance/"
                              "containerGroups/etcd";
const std::string kAsyncUrl = std::string(kArm) + "/subscriptions/" + kSub +
                              "/providers/Microsoft.ContainerInstance/locations/eastus/"
                              "operations/op-1?api-version=2018-06-01";

std::string group_json(const std::string& name, const std::string& state = "Running") {
  return R"({"id":"/subscriptions/s/resourceGroups/cp/providers/Microsoft.ContainerInstance/containerGroups/)" +
         name + R"(","name":")" + name +
         R"(","location":"eastus","properties":{"provisioningState":"Succeeded","ipAddress":{"ip":"20.0.0.1","type":"Public"},"instanceView":{"state":")" +
         state + R"(","events":[]},"containers":[{"name":")" + name +
         R"(","properties":{"image":"img","instanceView":{"restartCount":2,"currentState":{"state":"Running","startTime":"2026-11-27T06:00:00Z","detailStatus":""}}}}]}})";
}

std::string page_json(std::vector<std::string> names, const std::string& next_link = "") {
  std::string body = R"({"value":[)";
  for (std::size_t i = 0; i < names.size(); ++i) {
    body += (i ? "," : "") + std::string(R"({"name":")") + names[i] +
            R"(","id":"/subscriptions/s/resourceGroups/cp/providers/x/y/)" + names[i] +
            R"(","properties":{"provisioningState":"Succeeded"}})";
  }
  body += "]";
  if (!next_link.empty()) body += R"(,"nextLink":")" + next_link + "\"";
  return body + "}";
}

struct Harness {
  FakeTimeSource time;
  FakeSleeper sleeper{time};
  FakeTransport transport{&time};
  FakeTokenCredential credential;
  AciClientSettings settings = [] {
    AciClientSettings s;
    s.version = "1.2.3";
    s.lro = LroSettings{seconds(5), seconds(1), minutes(1)};
    return s;
  }();

  AciClient client(http::HttpTransport& via) {
    return AciClient(via, credential, time, sleeper, settings);
  }
  AciClient client() { return client(transport); }
};

// ---- reads ----

TEST(AciClient, ListFollowsNextLinkAcrossThreePages) {
  Harness h;
  const std::string page2 = std::string(kArm) + "/subscriptions/" + kSub +
                            "/providers/Microsoft.ContainerInstance/containerGroups"
                            "?api-version=2023-05-01&$skipToken=2";
  const std::string page3 = page2.substr(0, page2.size() - 1) + "3";
  h.transport.push(200, page_json({"etcd", "apiserver"}, page2));
  h.transport.push(200, page_json({"scheduler"}, page3));
  h.transport.push(200, page_json({"controller-manager"}));
  auto client = h.client();
  const auto groups = client.list_in_subscription(kSub);
  ASSERT_TRUE(groups.ok()) << groups.error().describe();
  ASSERT_EQ(groups->size(), 4u);
  EXPECT_EQ((*groups)[0].name, "etcd");
  EXPECT_EQ((*groups)[3].name, "controller-manager");
  EXPECT_EQ((*groups)[3].resource_group, "cp");
  ASSERT_EQ(h.transport.requests().size(), 3u);
  EXPECT_EQ(h.transport.requests()[0].url,
            std::string(kArm) + "/subscriptions/" + kSub +
                "/providers/Microsoft.ContainerInstance/containerGroups?api-version=2023-05-01");
  EXPECT_EQ(h.transport.requests()[1].url, page2);
  EXPECT_EQ(h.transport.requests()[2].url, page3);
  for (const auto& r : h.transport.requests()) {
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.operation, "aci.list");
  }
}

TEST(AciClient, ListInResourceGroupUsesTheResourceGroupPath) {
  Harness h;
  h.transport.push(200, page_json({"etcd"}));
  auto client = h.client();
  ASSERT_TRUE(client.list_in_resource_group(kSub, "cp").ok());
  EXPECT_NE(h.transport.requests()[0].url.find("/resourceGroups/cp/providers/"), std::string::npos);
}

TEST(AciClient, ListRefusesNextLinkToAnotherHostAndLoops) {
  Harness h;
  h.transport.push(200, page_json({"etcd"}, "https://evil.example.com/steal?x=1"));
  auto client = h.client();
  const auto foreign = client.list_in_subscription(kSub);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(foreign.error().message.find("evil.example.com"), std::string::npos);
  EXPECT_EQ(h.transport.requests().size(), 1u);  // the token never went there

  const auto first = container_groups_in_subscription_url(h.settings.endpoint, kSub);
  h.transport.push(200, page_json({"etcd"}, first));
  const auto loop = client.list_in_subscription(kSub);
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.error().message.find("repeats"), std::string::npos);
}

TEST(AciClient, ListErrorsAndMalformedPages) {
  Harness h;
  h.transport.push(403, R"({"error":{"code":"AuthorizationFailed","message":"denied"}})");
  h.transport.push(200, "{not json");
  auto client = h.client();
  const auto denied = client.list_in_subscription(kSub);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().azure_code, "AuthorizationFailed");
  EXPECT_EQ(denied.error().kind, core::ErrorKind::kTerminal);
  const auto garbage = client.list_in_subscription(kSub);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(garbage.error().message.find("malformed"), std::string::npos);
}

TEST(AciClient, GetParsesTheInstanceView) {
  Harness h;
  h.transport.push(200, group_json("etcd"));
  auto client = h.client();
  const auto view = client.get(kEtcd);
  ASSERT_TRUE(view.ok()) << view.error().describe();
  EXPECT_EQ(view->summary.name, "etcd");
  EXPECT_EQ(view->state, "Running");
  EXPECT_EQ(view->summary.ip, "20.0.0.1");
  ASSERT_EQ(view->containers.size(), 1u);
  EXPECT_EQ(view->containers[0].restart_count, 2);
  EXPECT_EQ(h.transport.requests()[0].url, kGroupUrl + "?api-version=2023-05-01");
  EXPECT_EQ(h.transport.requests()[0].operation, "aci.get");
}

TEST(AciClient, GetOfMissingGroupIsNotFound) {
  Harness h;
  h.transport.push(
      404,
      R"({"error":{"code":"ResourceNotFound","message":"The Resource 'Microsoft.ContainerInstance/containerGroups/etcd' under resource group 'cp' was not found."}})",
      {{"x-ms-request-id", "eastus:abc"}});
  auto client = h.client();
  const auto view = client.get(kEtcd);
  ASSERT_FALSE(view.ok());
  EXPECT_EQ(view.error().kind, core::ErrorKind::kNotFound);
  EXPECT_EQ(view.error().http_status, 404);
  EXPECT_EQ(view.error().azure_code, "ResourceNotFound");
  EXPECT_EQ(view.error().request_id, "eastus:abc");
}

// Coordination: the replica's User-Agent, when the daemon sets one, replaces the default.
TEST(AciClient, AUserAgentSetInTheSettingsIsSent) {
  Harness h;
  h.settings.user_agent = "frankenetesd/1.2.3 replica/east-1";
  h.transport.push(200, group_json("etcd"));
  auto client = h.client();
  ASSERT_TRUE(client.get(kEtcd).ok());
  EXPECT_EQ(h.transport.requests().at(0).headers.at("user-agent"),
            "frankenetesd/1.2.3 replica/east-1");
}

TEST(AciClient, EveryRequestCarriesAuthUserAgentAndAFreshClientRequestId) {
  Harness h;
  h.transport.push(200, group_json("etcd"));
  h.transport.push(200, group_json("etcd"));
  auto client = h.client();
  ASSERT_TRUE(client.get(kEtcd).ok());
  ASSERT_TRUE(client.get(kEtcd).ok());
  const std::regex guid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> ids;
  for (const auto& r : h.transport.requests()) {
    EXPECT_EQ(r.headers.at("Authorization"), "Bearer " + h.credential.token());
    EXPECT_EQ(r.headers.at("user-agent"), "frankenetesd/1.2.3");
    const auto& id = r.headers.at("x-ms-client-request-id");
    EXPECT_TRUE(std::regex_match(id, guid)) << id;
    ids.insert(id);
    EXPECT_EQ(r.timeout, h.settings.request_timeout);
  }
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_EQ(h.credential.last_scope(), "https://management.azure.com/.default");
}

// ---- retries and throttling through the composed stack ----

struct Stack {
  Harness& h;
  http::RetryBudget budget;
  http::ThrottleGate gate{h.time, arm_throttle_key};
  ThrottleTracker tracker{h.time};
  std::vector<http::RequestRecord> records;
  http::ObservingTransport observing{h.transport, h.time,
                                     [this](const http::RequestRecord& r) { records.push_back(r); },
                                     &tracker};
  http::RetryingTransport retrying{
      observing, budget, gate, h.time, h.sleeper, http::RetryPolicy{}, [] { return 0.5; }};
  explicit Stack(Harness& harness, http::RetryBudgetSettings settings = {})
      : h(harness), budget(settings) {}
};

TEST(AciClient, TooManyRequestsThenSuccessHonoursRetryAfter) {
  Harness h;
  Stack stack(h);
  h.transport.push(429, R"({"error":{"code":"TooManyRequests","message":"throttled"}})",
                   {{"Retry-After", "9"}});
  h.transport.push(200, group_json("etcd"),
                   {{"x-ms-ratelimit-remaining-subscription-reads", "17"}});
  auto client = h.client(stack.retrying);
  const auto view = client.get(kEtcd);
  ASSERT_TRUE(view.ok()) << view.error().describe();
  ASSERT_EQ(h.sleeper.sleeps().size(), 1u);
  EXPECT_GE(h.sleeper.sleeps()[0], seconds(9));
  ASSERT_EQ(stack.records.size(), 2u);
  EXPECT_EQ(stack.records[0].code(), "429");
  EXPECT_EQ(stack.records[1].code(), "200");
  EXPECT_EQ(stack.records[1].operation, "aci.get");
  EXPECT_EQ(stack.tracker.remaining_reads(kSub), 17);
  EXPECT_TRUE(stack.tracker.should_defer_nonessential(kSub));
}

TEST(AciClient, RetryBudgetExhaustionStopsRetries) {
  Harness h;
  Stack stack(h, http::RetryBudgetSettings{1.0, 0.1});
  for (int i = 0; i < 3; ++i) h.transport.push(503);
  auto client = h.client(stack.retrying);
  const auto first = client.get(kEtcd);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(first.error().http_status, 503);
  EXPECT_EQ(h.transport.requests().size(), 2u);  // one retry, then the budget was empty
  const auto second = client.get(kEtcd);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(h.transport.requests().size(), 3u);  // no retry at all
}

TEST(AciClient, RestartPostIsNeverRetriedOn503) {
  Harness h;
  Stack stack(h);
  h.transport.push(503, R"({"error":{"code":"ServiceUnavailable","message":"try later"}})");
  h.transport.push(204);
  auto client = h.client(stack.retrying);
  const auto status = client.restart(kEtcd);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(status.error().azure_code, "ServiceUnavailable");
  EXPECT_EQ(h.transport.requests().size(), 1u);
  EXPECT_TRUE(h.sleeper.sleeps().empty());
}

// ---- mutations and long-running operations ----

TEST(AciClient, Restart204WithAsyncOperationIsPolledToSuccess) {
  Harness h;
  h.transport.push(204, "", {{"Azure-AsyncOperation", kAsyncUrl}});
  h.transport.push(200, R"({"status":"InProgress"})");
  h.transport.push(200,
                   R"({"id":"x","status":"Succeeded","startTime":"2026-11-27T06:00:00.1234567Z"})");
  auto client = h.client();
  const auto status = client.restart(kEtcd);
  ASSERT_TRUE(status.ok()) << status.error().describe();
  const auto& requests = h.transport.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].url, kGroupUrl + "/restart?api-version=2023-05-01");
  EXPECT_EQ(requests[0].operation, "aci.restart");
  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_EQ(requests[1].url, kAsyncUrl);
  EXPECT_EQ(requests[1].operation, "aci.lro_poll");
  EXPECT_EQ(requests[1].headers.at("Authorization"), "Bearer " + h.credential.token());
}

TEST(AciClient, RestartOperationFailureSurfacesTheErrorCode) {
  Harness h;
  h.transport.push(204, "", {{"Azure-AsyncOperation", kAsyncUrl}});
  h.transport.push(
      200,
      R"({"status":"Failed","error":{"code":"ContainerGroupRestartFailed","message":"image pull failed"}})");
  auto client = h.client();
  const auto status = client.restart(kEtcd);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(status.error().azure_code, "ContainerGroupRestartFailed");
  EXPECT_NE(status.error().message.find("image pull failed"), std::string::npos);
}

TEST(AciClient, RestartOperationTimesOut) {
  Harness h;
  h.transport.push(204, "", {{"Azure-AsyncOperation", kAsyncUrl}});
  for (int i = 0; i < 50; ++i) h.transport.push(200, R"({"status":"InProgress"})");
  auto client = h.client();
  const auto status = client.restart(kEtcd);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTransient);
  EXPECT_NE(status.error().message.find("timed out"), std::string::npos);
  EXPECT_LE(h.sleeper.total(), minutes(1));
}

TEST(AciClient, RestartOfStoppedGroupIsAConflictWithAciMessage) {
  Harness h;
  h.transport.push(
      409,
      R"({"error":{"code":"ContainerGroupStopped","message":"Container Group 'etcd' in resource group 'cp' is stopped. Please start the container group."}})");
  auto client = h.client();
  const auto status = client.restart(kEtcd);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kConflict);
  EXPECT_EQ(status.error().http_status, 409);
  EXPECT_NE(status.error().message.find("is stopped"), std::string::npos);
  EXPECT_EQ(h.transport.requests().size(), 1u);
}

TEST(AciClient, RestartRefusesAnOperationUrlOnAnotherHost) {
  Harness h;
  h.transport.push(204, "", {{"Azure-AsyncOperation", "https://attacker.example/op"}});
  auto client = h.client();
  const auto status = client.restart(kEtcd);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(h.transport.requests().size(), 1u);
}

TEST(AciClient, StopIsNotAnLroAndStartMayBe) {
  Harness h;
  h.transport.push(204);                                             // stop
  h.transport.push(202, "", {{"azure-asyncoperation", kAsyncUrl}});  // start
  h.transport.push(200, R"({"status":"Succeeded"})");
  h.transport.push(204);  // start, already running
  auto client = h.client();
  ASSERT_TRUE(client.stop(kEtcd).ok());
  ASSERT_TRUE(client.start(kEtcd).ok());
  ASSERT_TRUE(client.start(kEtcd).ok());
  const auto& r = h.transport.requests();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].url, kGroupUrl + "/stop?api-version=2023-05-01");
  EXPECT_EQ(r[0].operation, "aci.stop");
  EXPECT_EQ(r[1].url, kGroupUrl + "/start?api-version=2023-05-01");
  EXPECT_EQ(r[1].operation, "aci.start");
  EXPECT_EQ(r[2].operation, "aci.lro_poll");
  EXPECT_TRUE(h.sleeper.sleeps().size() == 1u);
}

TEST(AciClient, DeleteAccepts200And202And204) {
  Harness h;
  h.transport.push(200, group_json("etcd"));
  h.transport.push(202, "", {{"Azure-AsyncOperation", kAsyncUrl}});
  h.transport.push(200, R"({"status":"Succeeded"})");
  h.transport.push(204);
  h.transport.push(409, R"({"error":{"code":"Conflict","message":"busy"}})");
  auto client = h.client();
  EXPECT_TRUE(client.delete_group(kEtcd).ok());
  EXPECT_TRUE(client.delete_group(kEtcd).ok());
  EXPECT_TRUE(client.delete_group(kEtcd).ok());
  const auto busy = client.delete_group(kEtcd);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().kind, core::ErrorKind::kConflict);
  EXPECT_EQ(h.transport.requests()[0].method, "DELETE");
  EXPECT_EQ(h.transport.requests()[0].operation, "aci.delete");
}

TEST(AciClient, CreateOrUpdatePutsTheSpecWaitsAndReadsTheGroup) {
  Harness h;
  const std::string spec = R"({"location":"eastus","properties":{"containers":[]}})";
  h.transport.push(201, group_json("etcd", "Pending"),
                   {{"Azure-AsyncOperation", kAsyncUrl}, {"Retry-After", "15"}});
  h.transport.push(200, R"({"status":"Succeeded"})");
  h.transport.push(200, group_json("etcd", "Running"));
  auto client = h.client();
  const auto view = client.create_or_update(kEtcd, spec);
  ASSERT_TRUE(view.ok()) << view.error().describe();
  EXPECT_EQ(view->state, "Running");
  const auto& r = h.transport.requests();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].method, "PUT");
  EXPECT_EQ(r[0].body, spec);
  EXPECT_EQ(r[0].headers.at("Content-Type"), "application/json");
  EXPECT_EQ(r[0].operation, "aci.create_or_update");
  EXPECT_EQ(r[2].operation, "aci.get");
  EXPECT_EQ(h.sleeper.sleeps(), (std::vector<core::Duration>{seconds(15)}));
}

TEST(AciClient, CreateOrUpdateRejectsASpecThatIsNotJsonWithoutSending) {
  Harness h;
  auto client = h.client();
  const auto view = client.create_or_update(kEtcd, "containers: [] # yaml?");
  ASSERT_FALSE(view.ok());
  EXPECT_EQ(view.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_TRUE(h.transport.requests().empty());
}

TEST(AciClient, LogsReturnsTheContent) {
  Harness h;
  h.transport.push(200, R"({"content":"line1\nline2\n"})");
  auto client = h.client();
  const auto logs = client.logs(kEtcd, "etcd", 50);
  ASSERT_TRUE(logs.ok());
  EXPECT_EQ(*logs, "line1\nline2\n");
  EXPECT_EQ(h.transport.requests()[0].url,
            kGroupUrl + "/containers/etcd/logs?api-version=2023-05-01&tail=50");
}

// ---- secrets ----

TEST(AciClient, TokenNeverAppearsInErrors) {
  Harness h;
  const std::string token = h.credential.token();
  h.transport.push(
      401,
      R"({"error":{"code":"InvalidAuthenticationToken","message":"The access token is invalid."}})");
  h.transport.push_error(core::ErrorKind::kTransient, "connection reset by peer");
  h.transport.push(500, "<html>oops</html>");
  h.transport.push(204, "", {{"Azure-AsyncOperation", kAsyncUrl}});
  h.transport.push(200, R"({"status":"Failed","error":{"code":"X","message":"boom"}})");
  h.transport.push(200, "{broken");
  auto client = h.client();
  std::vector<core::Error> errors;
  if (auto r = client.get(kEtcd); !r.ok()) errors.push_back(r.error());
  if (auto r = client.get(kEtcd); !r.ok()) errors.push_back(r.error());
  if (auto r = client.list_in_subscription(kSub); !r.ok()) errors.push_back(r.error());
  if (auto r = client.restart(kEtcd); !r.ok()) errors.push_back(r.error());
  if (auto r = client.get(kEtcd); !r.ok()) errors.push_back(r.error());
  ASSERT_EQ(errors.size(), 5u);
  EXPECT_EQ(errors[0].kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(errors[0].azure_code, "InvalidAuthenticationToken");
  for (const auto& e : errors) {
    EXPECT_EQ(e.describe().find(token), std::string::npos) << e.describe();
    EXPECT_EQ(e.describe().find("Bearer"), std::string::npos) << e.describe();
  }
}

// ARM quotes the body it refused (InvalidRequestContent): the spec's secrets — a secureValue,
// an image registry password, an Azure Files key, a secret volume — never reach the error,
// whichever step fails.
TEST(AciClient, CreateOrUpdateErrorsNeverQuoteTheSpecsSecrets) {
  const std::string spec = R"({"location":"eastus","properties":{"containers":[{"name":"c",
    "properties":{"environmentVariables":[{"name":"A","value":"plain-value"},
                                          {"name":"S","secureValue":"canary-secure-value"}]}}],
    "initContainers":[{"name":"i","properties":{"environmentVariables":[
                       {"name":"T","secureValue":"canary-init-secure"}]}}],
    "imageRegistryCredentials":[{"server":"r.io","username":"u","password":"canary-registry"}],
    "volumes":[{"name":"v","azureFile":{"shareName":"s","storageAccountName":"a",
                                         "storageAccountKey":"canary-files-key"}},
               {"name":"w","secret":{"token":"Y2FuYXJ5LXNlY3JldC12b2x1bWU="}}]}})";
  const std::string echo =
      "environmentVariables S canary-secure-value T canary-init-secure password canary-registry "
      "key canary-files-key volume Y2FuYXJ5LXNlY3JldC12b2x1bWU= A plain-value";
  Harness h;
  h.transport.push(400, R"({"error":{"code":"InvalidRequestContent","message":")" + echo + R"("}})");
  h.transport.push(200, "not json: " + echo);
  h.transport.push(201, "", {{"Azure-AsyncOperation", kAsyncUrl}});
  h.transport.push(200, R"({"status":"Failed","error":{"code":"X","message":")" + echo + R"("}})");
  auto client = h.client();
  for (int step = 0; step < 3; ++step) {
    const auto view = client.create_or_update(kEtcd, spec);
    ASSERT_FALSE(view.ok()) << step;
    const auto text = view.error().describe();
    EXPECT_EQ(text.find("canary"), std::string::npos) << text;
    EXPECT_EQ(text.find("Y2FuYXJ5"), std::string::npos) << text;
    if (step == 1) continue;  // a malformed body is described, not quoted
    EXPECT_NE(text.find("<redacted>"), std::string::npos) << text;
    EXPECT_NE(text.find("plain-value"), std::string::npos) << text;  // not a secret
  }
}

// A peer that quotes the request back — a proxy's error page, a gateway echoing headers, a
// transport error naming what it sent — never carries the access token further than the client.
TEST(AciClient, AnEchoedTokenIsRedactedFromErrorsAndBodies) {
  Harness h;
  const std::string token = h.credential.token();
  const std::string echo = "Authorization: Bearer " + token;
  h.transport.push(
      401, R"({"error":{"code":"InvalidAuthenticationToken","message":")" + echo + R"("}})");
  h.transport.push(502, "<html><pre>" + echo + "</pre></html>");
  h.transport.push_error(core::ErrorKind::kTransient, "proxy refused: " + echo);
  h.transport.push(200, R"({"content":"env: )" + echo + R"("})");
  auto client = h.client();
  std::vector<std::string> texts;
  for (int i = 0; i < 3; ++i) {
    const auto view = client.get(kEtcd);
    ASSERT_FALSE(view.ok()) << i;
    texts.push_back(view.error().describe());
  }
  const auto logs = client.logs(kEtcd, "etcd", 10);
  ASSERT_TRUE(logs.ok());
  texts.push_back(*logs);
  for (const auto& text : texts) {
    EXPECT_EQ(text.find(token), std::string::npos) << text;
    EXPECT_NE(text.find("Bearer <redacted>"), std::string::npos) << text;
  }
}

TEST(AciClient, CredentialFailureIsReturnedAndNothingIsSent) {
  Harness h;
  core::Error failure;
  failure.kind = core::ErrorKind::kTransient;
  failure.message = "IMDS unreachable";
  h.credential.fail_with(failure);
  auto client = h.client();
  const auto view = client.get(kEtcd);
  ASSERT_FALSE(view.ok());
  EXPECT_EQ(view.error().kind, core::ErrorKind::kTransient);
  EXPECT_NE(view.error().message.find("aci.get: no access token (fake): IMDS unreachable"),
            std::string::npos)
      << view.error().message;
  EXPECT_TRUE(h.transport.requests().empty());
}

}  // namespace
}  // namespace frankenetes::azure
