// Every Azure DNS swagger example ($FRANKENETES_SHARED_DIR/fixtures/dns) is replayed against the
// simulator and the response compared field by field: the same keys with the same JSON types
// (values may differ; the simulator may add keys the live service adds, such as provisioningState).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dns_test_support.h"
#include "sim/dns/dns_simulator.h"
#include "support/fake_time_source.h"

namespace frankenetes::sim::dns {
namespace {

using nlohmann::json;
using testing::body_json;
using testing::request;

const char* kFixtureScenario = R"(
azureDns:
  zones:
    - { subscriptionId: subid, resourceGroup: rg1, name: zone1 }
)";

std::string kind_of(const json& j) {
  if (j.is_number()) return "number";  // int and float alike: JSON has one number type
  return j.type_name();
}

// Appends to `problems` every place where `actual` lacks a key of `expected` or holds
// another type. Arrays compare their first elements.
void compare_shape(const json& expected, const json& actual, const std::string& path,
                   std::vector<std::string>& problems) {
  if (kind_of(expected) != kind_of(actual)) {
    problems.push_back(path + ": expected " + kind_of(expected) + ", got " + kind_of(actual));
    return;
  }
  if (expected.is_object()) {
    for (const auto& [key, value] : expected.items()) {
      if (!actual.contains(key)) {
        problems.push_back(path + "." + key + ": missing");
        continue;
      }
      compare_shape(value, actual[key], path + "." + key, problems);
    }
  } else if (expected.is_array() && !expected.empty()) {
    if (actual.empty()) {
      problems.push_back(path + ": empty array, expected items");
      return;
    }
    compare_shape(expected[0], actual[0], path + "[0]", problems);
  }
}

class DnsFixtureShapeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto shared = testing::shared_dir();
    if (!shared || !std::filesystem::is_directory(*shared / "fixtures" / "dns")) {
      GTEST_SKIP() << "shared fixtures not found: set FRANKENETES_SHARED_DIR or keep ../shared "
                      "next to the source tree (fixtures/dns)";
    }
    dir_ = *shared / "fixtures" / "dns";
  }

  static json load(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
  }

  std::filesystem::path dir_;
};

// The request body the record set must hold before the operation: the example response's
// properties minus what the service computes.
std::string seed_body(const json& fixture) {
  json body = fixture["responses"]["200"]["body"];
  if (body.contains("value")) body = body["value"][0];
  json props = body["properties"];
  props.erase("fqdn");
  return json{{"properties", props}}.dump();
}

TEST_F(DnsFixtureShapeTest, EveryFixtureMatchesTheSimulatorsResponse) {
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().filename().string());
    const auto fixture = load(entry.path());
    const auto& p = fixture["parameters"];
    const std::string file = entry.path().filename().string();

    frankenetes::testing::FakeTimeSource clock;
    DnsSimulator sim(testing::parse_scenario_text(kFixtureScenario), clock,
                     DnsSimulatorOptions{"", "https://servicehost", 3});
    const std::string type = p["recordType"];
    const std::string zone_path = "/subscriptions/" + p["subscriptionId"].get<std::string>() +
                                  "/resourceGroups/" + p["resourceGroupName"].get<std::string>() +
                                  "/providers/Microsoft.Network/dnsZones/" +
                                  p["zoneName"].get<std::string>();
    // The CreateOrUpdate A example is stored with api-version 2017-10-01 (see its README);
    // the simulator speaks 2018-05-01 only, and the shape is the same.
    const std::string query = "?api-version=2018-05-01";
    auto call = [&](const std::string& method, const std::string& target,
                    const std::string& body = "") {
      auto response = sim.handle_api(request(method, target, body));
      EXPECT_TRUE(response.has_value());
      return response ? *response : http::Response{};
    };
    auto check = [&](const std::string& status, const http::Response& response) {
      EXPECT_EQ(std::to_string(response.status), status) << response.body;
      const auto& expected = fixture["responses"][status];
      if (!expected.contains("body")) {
        EXPECT_TRUE(response.body.empty()) << response.body;
        return;
      }
      std::vector<std::string> problems;
      compare_shape(expected["body"], body_json(response), "body", problems);
      EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
      ++checked;
    };

    if (!p.contains("relativeRecordSetName")) {  // ListByType
      ASSERT_EQ(file.rfind("List", 0), 0u);
      call("PUT", zone_path + "/" + type + "/record1" + query, seed_body(fixture));
      call("PUT", zone_path + "/" + type + "/record2" + query, seed_body(fixture));
      check("200", call("GET", zone_path + "/" + type + query + "&$top=1"));
      continue;
    }
    const std::string target = zone_path + "/" + type + "/" +
                               p["relativeRecordSetName"].get<std::string>() + query;
    if (file.rfind("CreateOrUpdate", 0) == 0) {
      const std::string body = p["parameters"].dump();
      check("201", call("PUT", target, body));
      check("200", call("PUT", target, body));
    } else if (file.rfind("Get", 0) == 0) {
      call("PUT", target, seed_body(fixture));
      check("200", call("GET", target));
    } else if (file.rfind("Patch", 0) == 0) {
      call("PUT", target, R"({"properties":{"TTL":3600,"ARecords":[{"ipv4Address":"127.0.0.1"}]}})");
      check("200", call("PATCH", target, p["parameters"].dump()));
    } else if (file.rfind("Delete", 0) == 0) {
      call("PUT", target, R"({"properties":{"TTL":3600,"ARecords":[{"ipv4Address":"127.0.0.1"}]}})");
      check("200", call("DELETE", target));
      check("204", call("DELETE", target));
    } else {
      ADD_FAILURE() << "no replay rule for fixture " << file << ": add one";
    }
  }
  EXPECT_GE(checked, 7u);  // every fixture contributed at least one body comparison
}

TEST(DnsShapeCompareTest, FindsMissingKeysAndTypeChanges) {
  std::vector<std::string> problems;
  compare_shape(json::parse(R"({"a":1,"b":{"c":"x"},"d":[{"e":true}]})"),
                json::parse(R"({"a":2.5,"b":{"c":3},"d":[{}],"extra":1})"), "body", problems);
  EXPECT_EQ(problems, (std::vector<std::string>{"body.b.c: expected string, got number",
                                                "body.d[0].e: missing"}));
}

}  // namespace
}  // namespace frankenetes::sim::dns
