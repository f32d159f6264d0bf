// DnsSimulator as the sim core sees it: API requests with provider faults, and the /dns/...
// control routes (faults, out-of-band record changes, stats, lookup).
#include "sim/dns/dns_simulator.h"

#include <gtest/gtest.h>

#include "dns_test_support.h"
#include "support/fake_time_source.h"

namespace frankenetes::sim::dns {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::body_json;
using testing::cf_request;
using testing::request;

const std::string kRecords = std::string("/client/v4/zones/") + testing::kCfZone + "/dns_records";

std::string azure(const std::string& type_and_name) {
  return std::string(testing::kAzurePrefix) + "/" + type_and_name + "?" + testing::kApi;
}

class DnsSimulatorControlTest : public ::testing::Test {
 protected:
  http::Response api(const http::Request& r) {
    auto response = sim_.handle_api(r);
    EXPECT_TRUE(response.has_value());
    return response ? *response : http::Response{};
  }
  json control(const std::string& method, const std::string& target, const std::string& body = "",
               int expected_status = 200) {
    auto response = sim_.handle_control(request(method, target, body));
    EXPECT_TRUE(response.has_value());
    if (!response) return nullptr;
    EXPECT_EQ(response->status, expected_status) << response->body;
    return body_json(*response);
  }

  frankenetes::testing::FakeTimeSource clock_;
  DnsSimulator sim_{testing::sample_scenario(), clock_, DnsSimulatorOptions{"", "", 5}};
};

TEST_F(DnsSimulatorControlTest, OnlyClaimsItsOwnPaths) {
  EXPECT_FALSE(sim_.handle_api(request("GET", "/subscriptions/s/resourceGroups/r/providers/"
                                              "Microsoft.ContainerInstance/containerGroups"))
                   .has_value());
  EXPECT_FALSE(sim_.handle_control(request("GET", "/faults")).has_value());
  EXPECT_FALSE(sim_.handle_control(request("GET", "/dnsx")).has_value());
  EXPECT_EQ(sim_.handle_control(request("GET", "/dns/nope"))->status, 404);
}

TEST_F(DnsSimulatorControlTest, FailNextThenErrorRate) {
  control("PUT", "/dns/faults/azureDns", R"({"failNext": 2, "errorStatus": 503})");
  for (int i = 0; i < 2; ++i) {
    auto failed = api(request("GET", azure("A/cp-etcd")));
    EXPECT_EQ(failed.status, 503);
    EXPECT_EQ(body_json(failed)["error"]["code"], "ServiceUnavailable");
  }
  EXPECT_EQ(api(request("GET", azure("A/cp-etcd"))).status, 200);
  // Cloudflare is unaffected by Azure's faults.
  EXPECT_EQ(api(cf_request("GET", kRecords)).status, 200);

  control("PUT", "/dns/faults/cloudflare", R"({"errorRate": 1.0, "errorStatus": 500})");
  auto failed = api(cf_request("GET", kRecords));
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(body_json(failed)["success"], false);
  control("DELETE", "/dns/faults/cloudflare");
  EXPECT_EQ(api(cf_request("GET", kRecords)).status, 200);

  const auto stats = control("GET", "/dns/stats");
  EXPECT_EQ(stats["azureDns"]["requests"], 3);
  EXPECT_EQ(stats["azureDns"]["byStatus"]["503"], 2);
  EXPECT_EQ(stats["azureDns"]["faultsInjected"], 2);
  EXPECT_EQ(stats["cloudflare"]["requests"], 3);
}

TEST_F(DnsSimulatorControlTest, OutageWindowOpensAndCloses) {
  control("PUT", "/dns/faults/azureDns",
          R"({"outage": {"start": "10s", "duration": "30s", "status": 503}})");
  EXPECT_EQ(api(request("GET", azure("A/cp-etcd"))).status, 200);
  clock_.advance(10s);
  auto down = api(request("GET", azure("A/cp-etcd")));
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.headers["Retry-After"], "30");
  const auto faults = control("GET", "/dns/faults");
  EXPECT_EQ(faults["azureDns"]["outage"]["endsIn"], "30s");
  clock_.advance(30s);
  EXPECT_EQ(api(request("GET", azure("A/cp-etcd"))).status, 200);
}

TEST_F(DnsSimulatorControlTest, ThrottleStormAnswers429InEachProvidersStyle) {
  control("PUT", "/dns/faults/cloudflare", R"({"throttle": {"duration": "1m"}})");
  auto cf = api(cf_request("GET", kRecords));
  EXPECT_EQ(cf.status, 429);
  EXPECT_EQ(cf.headers["retry-after"], "60");
  EXPECT_EQ(body_json(cf)["errors"][0]["code"], 971);

  control("PUT", "/dns/faults/azureDns", R"({"throttle": {"duration": "1m", "retryAfter": "5s"}})");
  auto az = api(request("GET", azure("A/cp-etcd")));
  EXPECT_EQ(az.status, 429);
  EXPECT_EQ(az.headers["Retry-After"], "5");
  EXPECT_EQ(body_json(az)["error"]["code"], "TooManyRequests");
  clock_.advance(1min);
  EXPECT_EQ(api(request("GET", azure("A/cp-etcd"))).status, 200);
}

TEST_F(DnsSimulatorControlTest, LatencyIsReportedToTheCaller) {
  control("PUT", "/dns/faults/azureDns", R"({"latency": "250ms"})");
  auto reply = sim_.handle_api_reply(request("GET", azure("A/cp-etcd")));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->delay, 250ms);
  EXPECT_EQ(reply->response.status, 200);
}

TEST_F(DnsSimulatorControlTest, BadFaultBodiesAreRefused) {
  control("PUT", "/dns/faults/azureDns", R"({"latncy": "1s"})", 400);
  control("PUT", "/dns/faults/azureDns", R"({"outage": {"start": "1s"}})", 400);
  control("PUT", "/dns/faults/azureDns", R"({"errorRate": 2})", 400);
  control("PUT", "/dns/faults/azureDns", R"({"latency": "soon"})", 400);
  control("PUT", "/dns/faults/route53", "{}", 404);
}

TEST_F(DnsSimulatorControlTest, ChangeBehindTheClientsBackMakesItsEtagStale) {
  const auto etag =
      body_json(api(request("GET", azure("A/cp-etcd"))))["etag"].get<std::string>();
  const auto changed = control("POST", "/dns/records",
                               R"({"name": "cp-etcd.example.com", "type": "A", "values": ["127.0.0.99"]})");
  EXPECT_EQ(changed["provider"], "azureDns");
  EXPECT_NE(changed["recordSet"]["etag"], etag);
  EXPECT_EQ(changed["recordSet"]["properties"]["TTL"], 60);  // kept

  auto stale = api(request("PUT", azure("A/cp-etcd"),
                           R"({"properties":{"TTL":60,"ARecords":[{"ipv4Address":"127.0.0.8"}]}})",
                           {{"If-Match", etag}}));
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(control("GET", "/dns/lookup?name=cp-etcd.example.com&type=A")["answers"][0]["data"][0],
            "127.0.0.99");

  // touch: same data, new etag.
  const auto current = changed["recordSet"]["etag"];
  const auto touched = control("POST", "/dns/records",
                               R"({"name": "cp-etcd.example.com", "type": "A", "touch": true})");
  EXPECT_NE(touched["recordSet"]["etag"], current);
  EXPECT_EQ(touched["recordSet"]["properties"]["ARecords"][0]["ipv4Address"], "127.0.0.99");

  control("POST", "/dns/records", R"({"name": "cp-etcd.example.com", "type": "A", "delete": true})");
  EXPECT_EQ(api(request("GET", azure("A/cp-etcd"))).status, 404);
}

TEST_F(DnsSimulatorControlTest, CloudflareChangesKeepTheRecordId) {
  auto listed = body_json(api(cf_request("GET", kRecords + "?type=A&name=cp-apiserver.example.org")));
  const auto id = listed["result"][0]["id"];
  clock_.advance(1min);
  auto changed = control("POST", "/dns/records",
                         R"({"name": "cp-apiserver.example.org", "type": "A", "values": ["127.0.0.42"]})");
  EXPECT_EQ(changed["records"][0]["id"], id);
  auto record = body_json(api(cf_request("GET", kRecords + "/" + id.get<std::string>())));
  EXPECT_EQ(record["result"]["content"], "127.0.0.42");
  EXPECT_EQ(record["result"]["modified_on"], "2026-01-01T00:01:00.000000Z");
}

TEST_F(DnsSimulatorControlTest, ChangeRequestValidation) {
  control("POST", "/dns/records", R"({"name": "x.example.net", "type": "A", "values": []})", 404);
  control("POST", "/dns/records", R"({"name": "x.example.com", "type": "A", "values": ["nope"]})",
          400);
  control("POST", "/dns/records", R"({"name": "x.example.com", "type": "A"})", 400);
  control("POST", "/dns/records", R"({"name": "x.example.com", "type": "A", "touch": true})", 404);
}

TEST_F(DnsSimulatorControlTest, ZonesListsBothProviders) {
  const auto zones = control("GET", "/dns/zones")["zones"];
  ASSERT_EQ(zones.size(), 3u);
  EXPECT_EQ(zones[0]["provider"], "azureDns");
  EXPECT_EQ(zones[0]["records"].size(), 4u);
  EXPECT_EQ(zones[1]["id"], testing::kCfZone);
  EXPECT_EQ(sim_.zones().size(), 3u);
}

TEST(DnsSimulatorTest, DefaultSubscriptionFillsZonesWithoutOne) {
  frankenetes::testing::FakeTimeSource clock;
  auto scenario = parse_dns_scenario(
      YAML::Load("azureDns: { zones: [ { resourceGroup: dns-rg, name: example.com } ] }"), "s.yaml");
  ASSERT_TRUE(scenario.ok());
  DnsSimulator sim(std::move(*scenario), clock, DnsSimulatorOptions{"sub1", "", 1});
  EXPECT_EQ(sim.zones().at(0).id,
            "/subscriptions/sub1/resourceGroups/dns-rg/providers/Microsoft.Network/dnsZones/"
            "example.com");
}

}  // namespace
}  // namespace frankenetes::sim::dns
