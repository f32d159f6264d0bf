#include "sim/dns/azure_dns_api.h"

#include <gtest/gtest.h>

#include <set>

#include "dns_test_support.h"
#include "sim/dns/dns_simulator.h"
#include "sim/dns/record_store.h"
#include "support/fake_time_source.h"

namespace frankenetes::sim::dns {
namespace {

using nlohmann::json;
using testing::body_json;
using testing::kApi;
using testing::request;

std::string rs(const std::string& type_and_name, const std::string& query = kApi) {
  return std::string(testing::kAzurePrefix) + "/" + type_and_name + "?" + query;
}

const char* kNewA = R"({"properties":{"TTL":120,"ARecords":[{"ipv4Address":"127.0.0.9"}]}})";

class AzureDnsApiTest : public ::testing::Test {
 protected:
  void SetUp() override { load_scenario(store_, testing::sample_scenario(), clock_.system_time()); }

  http::Response call(const http::Request& r) { return api_.handle(r); }
  std::string etag_of(const std::string& type_and_name) {
    auto response = call(request("GET", rs(type_and_name)));
    EXPECT_EQ(response.status, 200) << response.body;
    return body_json(response)["etag"].get<std::string>();
  }

  frankenetes::testing::FakeTimeSource clock_;
  RecordStore store_{7};
  AzureDnsApi api_{store_, AzureDnsApi::Options{}};
};

TEST_F(AzureDnsApiTest, HandlesOnlyDnsZonePaths) {
  EXPECT_TRUE(AzureDnsApi::handles(request("GET", rs("A/x"))));
  EXPECT_TRUE(AzureDnsApi::handles(request(
      "GET", "/SUBSCRIPTIONS/s/resourcegroups/r/providers/microsoft.network/DNSZONES?x=1")));
  EXPECT_FALSE(AzureDnsApi::handles(request(
      "GET", "/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerInstance/"
             "containerGroups")));
  EXPECT_FALSE(AzureDnsApi::handles(request("GET", "/client/v4/zones")));
}

TEST_F(AzureDnsApiTest, GetReturnsTheRecordSet) {
  auto response = call(request("GET", rs("A/cp-etcd")));
  ASSERT_EQ(response.status, 200);
  const auto body = body_json(response);
  EXPECT_EQ(body["id"], std::string(testing::kAzurePrefix) + "/A/cp-etcd");
  EXPECT_EQ(body["name"], "cp-etcd");
  EXPECT_EQ(body["type"], "Microsoft.Network/dnsZones/A");
  EXPECT_EQ(body["properties"]["TTL"], 60);
  EXPECT_EQ(body["properties"]["fqdn"], "cp-etcd.example.com.");
  EXPECT_EQ(body["properties"]["provisioningState"], "Succeeded");
  EXPECT_EQ(body["properties"]["metadata"]["owner"], "frankenetes");
  EXPECT_EQ(body["properties"]["ARecords"][0]["ipv4Address"], "127.0.0.5");
  EXPECT_EQ(response.headers["ETag"], body["etag"]);
  EXPECT_FALSE(response.headers["x-ms-request-id"].empty());
  EXPECT_FALSE(response.headers["x-ms-correlation-request-id"].empty());
}

TEST_F(AzureDnsApiTest, EchoesTheClientsCorrelationId) {
  auto response =
      call(request("GET", rs("A/cp-etcd"), "", {{"x-ms-correlation-request-id", "corr-1"}}));
  EXPECT_EQ(response.headers["x-ms-correlation-request-id"], "corr-1");
}

TEST_F(AzureDnsApiTest, TxtAndCnameShapes) {
  auto txt = body_json(call(request("GET", rs("TXT/_owner.cp-etcd"))));
  EXPECT_EQ(txt["properties"]["TXTRecords"][0]["value"][0], "heritage=frankenetes");
  auto cname = body_json(call(request("GET", rs("CNAME/www"))));
  EXPECT_EQ(cname["properties"]["CNAMERecord"]["cname"], "cp-etcd.example.com");
}

TEST_F(AzureDnsApiTest, CreateUpdateDeleteLifecycle) {
  auto created = call(request("PUT", rs("A/new"), kNewA));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto etag1 = body_json(created)["etag"].get<std::string>();

  auto updated = call(request("PUT", rs("A/new"),
                              R"({"properties":{"TTL":60,"ARecords":[{"ipv4Address":"127.0.0.10"}]}})"));
  ASSERT_EQ(updated.status, 200);
  const auto body = body_json(updated);
  EXPECT_NE(body["etag"], etag1);
  EXPECT_EQ(body["properties"]["ARecords"][0]["ipv4Address"], "127.0.0.10");
  EXPECT_EQ(body["properties"]["metadata"], json::object());  // PUT replaces everything

  EXPECT_EQ(store_.lookup("new.example.com", kRrA).answers.at(0).rdata.at(0), "127.0.0.10");

  EXPECT_EQ(call(request("DELETE", rs("A/new"))).status, 200);
  EXPECT_EQ(call(request("DELETE", rs("A/new"))).status, 204);
  auto gone = call(request("GET", rs("A/new")));
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(body_json(gone)["error"]["code"], "NotFound");
}

TEST_F(AzureDnsApiTest, PatchMergesOnlyWhatItCarries) {
  const auto before = etag_of("A/cp-etcd");
  auto patched = call(request("PATCH", rs("A/cp-etcd"), R"({"properties":{"metadata":{"k":"v"}}})"));
  ASSERT_EQ(patched.status, 200) << patched.body;
  const auto body = body_json(patched);
  EXPECT_EQ(body["properties"]["metadata"], json({{"k", "v"}}));
  EXPECT_EQ(body["properties"]["ARecords"][0]["ipv4Address"], "127.0.0.5");
  EXPECT_EQ(body["properties"]["TTL"], 60);
  EXPECT_NE(body["etag"], before);
  EXPECT_EQ(call(request("PATCH", rs("A/absent"), R"({"properties":{}})")).status, 404);
}

struct ConditionalCase {
  const char* name;
  const char* method;
  const char* type_and_name;
  const char* header;
  const char* value;  // "CURRENT" = the set's current etag, "QUOTED" = it in quotes
  int status;
};

// Test names in ctest show the case name, not the bytes of the struct.
void PrintTo(const ConditionalCase& c, std::ostream* os) { *os << c.name; }

class AzureDnsConditionalTest : public AzureDnsApiTest,
                                public ::testing::WithParamInterface<ConditionalCase> {};

TEST_P(AzureDnsConditionalTest, Preconditions) {
  const auto& c = GetParam();
  std::string value = c.value;
  if (value == "CURRENT") value = etag_of(c.type_and_name);
  if (value == "QUOTED") value = "\"" + etag_of(c.type_and_name) + "\"";
  const std::string body = std::string(c.method) == "DELETE" ? "" : kNewA;
  auto response = call(request(c.method, rs(c.type_and_name), body, {{c.header, value}}));
  EXPECT_EQ(response.status, c.status) << response.body;
  if (c.status == 412) {
    EXPECT_EQ(body_json(response)["error"]["code"], "PreconditionFailed");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AzureDnsConditionalTest,
    ::testing::Values(
        ConditionalCase{"PutStaleEtag", "PUT", "A/cp-etcd", "If-Match", "stale", 412},
        ConditionalCase{"PutCurrentEtag", "PUT", "A/cp-etcd", "If-Match", "CURRENT", 200},
        ConditionalCase{"PutQuotedCurrentEtag", "PUT", "A/cp-etcd", "If-Match", "QUOTED", 200},
        ConditionalCase{"PutIfMatchOnAbsent", "PUT", "A/absent", "If-Match", "*", 412},
        ConditionalCase{"PutStarOnExisting", "PUT", "A/cp-etcd", "If-Match", "*", 200},
        ConditionalCase{"CreateOnlyButExists", "PUT", "A/cp-etcd", "If-None-Match", "*", 412},
        ConditionalCase{"CreateOnlyAbsent", "PUT", "A/absent", "If-None-Match", "*", 201},
        ConditionalCase{"PatchStaleEtag", "PATCH", "A/cp-etcd", "If-Match", "stale", 412},
        ConditionalCase{"PatchCurrentEtag", "PATCH", "A/cp-etcd", "If-Match", "CURRENT", 200},
        ConditionalCase{"DeleteStaleEtag", "DELETE", "A/cp-etcd", "If-Match", "stale", 412},
        ConditionalCase{"DeleteCurrentEtag", "DELETE", "A/cp-etcd", "If-Match", "CURRENT", 200}),
    [](const auto& test) { return std::string(test.param.name); });

TEST_F(AzureDnsApiTest, ConcurrentWritersSeeA412OnTheSecondWrite) {
  const auto etag = etag_of("A/cp-etcd");
  EXPECT_EQ(call(request("PUT", rs("A/cp-etcd"), kNewA, {{"If-Match", etag}})).status, 200);
  auto second = call(request("PUT", rs("A/cp-etcd"), kNewA, {{"If-Match", etag}}));
  EXPECT_EQ(second.status, 412);
  EXPECT_NE(body_json(second)["error"]["message"].get<std::string>().find("etag mismatch"),
            std::string::npos);
}

TEST_F(AzureDnsApiTest, ApiVersionIsChecked) {
  auto missing = call(request("GET", rs("A/cp-etcd", "x=1")));
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(body_json(missing)["error"]["code"], "MissingApiVersionParameter");
  auto wrong = call(request("GET", rs("A/cp-etcd", "api-version=2017-10-01")));
  EXPECT_EQ(wrong.status, 400);
  const auto error = body_json(wrong)["error"];
  EXPECT_EQ(error["code"], "NoRegisteredProviderFound");
  EXPECT_NE(error["message"].get<std::string>().find("2018-05-01"), std::string::npos);
}

struct ValidationCase {
  const char* name;
  const char* method;
  const char* type_and_name;
  const char* body;
  int status;
  const char* code;
};

// Test names in ctest show the case name, not the bytes of the struct.
void PrintTo(const ValidationCase& c, std::ostream* os) { *os << c.name; }

class AzureDnsValidationTest : public AzureDnsApiTest,
                               public ::testing::WithParamInterface<ValidationCase> {};

TEST_P(AzureDnsValidationTest, RefusesWithArmCodes) {
  const auto& c = GetParam();
  auto response = call(request(c.method, rs(c.type_and_name), c.body));
  EXPECT_EQ(response.status, c.status) << response.body;
  EXPECT_EQ(body_json(response)["error"]["code"], c.code);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AzureDnsValidationTest,
    ::testing::Values(
        ValidationCase{"NotJson", "PUT", "A/x", "{", 400, "InvalidRequestContent"},
        ValidationCase{"TtlNotANumber", "PUT", "A/x", R"({"properties":{"TTL":"60"}})", 400,
                       "InvalidRequestContent"},
        ValidationCase{"NegativeTtl", "PUT", "A/x", R"({"properties":{"TTL":-1}})", 400,
                       "BadRequest"},
        ValidationCase{"BadIp", "PUT", "A/x",
                       R"({"properties":{"ARecords":[{"ipv4Address":"1.2.3"}]}})", 400,
                       "BadRequest"},
        ValidationCase{"WrongRecordArray", "PUT", "A/x",
                       R"({"properties":{"TXTRecords":[{"value":["a"]}]}})", 400, "BadRequest"},
        ValidationCase{"OtherTypesArray", "PUT", "A/x",
                       R"({"properties":{"AAAARecords":[{"ipv6Address":"::1"}]}})", 400,
                       "BadRequest"},
        ValidationCase{"TooManyRecords", "PUT", "TXT/x",
                       R"({"properties":{"TXTRecords":[{"value":["a"]},{"value":["a"]},{"value":["a"]},
                       {"value":["a"]},{"value":["a"]},{"value":["a"]},{"value":["a"]},{"value":["a"]},
                       {"value":["a"]},{"value":["a"]},{"value":["a"]},{"value":["a"]},{"value":["a"]},
                       {"value":["a"]},{"value":["a"]},{"value":["a"]},{"value":["a"]},{"value":["a"]},
                       {"value":["a"]},{"value":["a"]},{"value":["a"]}]}})",
                       400, "BadRequest"},
        ValidationCase{"CnameAtApex", "PUT", "CNAME/@",
                       R"({"properties":{"CNAMERecord":{"cname":"x.example.net"}}})", 400,
                       "BadRequest"},
        ValidationCase{"ANextToCname", "PUT", "A/www", kNewA, 409, "Conflict"},
        ValidationCase{"CnameNextToA", "PUT", "CNAME/cp-etcd",
                       R"({"properties":{"CNAMERecord":{"cname":"x.example.net"}}})", 409,
                       "Conflict"},
        ValidationCase{"UnsupportedType", "GET", "AAAA/x", "", 400, "BadRequest"},
        ValidationCase{"BadName", "PUT", "A/bad name", kNewA, 400, "BadRequest"},
        ValidationCase{"AliasRecordSet", "PUT", "A/x",
                       R"({"properties":{"targetResource":{"id":"/subscriptions/x"}}})", 400,
                       "BadRequest"},
        ValidationCase{"PostNotAllowed", "POST", "A/x", "{}", 405, "MethodNotAllowed"}),
    [](const auto& test) { return std::string(test.param.name); });

TEST_F(AzureDnsApiTest, UnknownZoneIsResourceNotFound) {
  auto response = call(request(
      "GET", "/subscriptions/sub1/resourceGroups/dns-rg/providers/Microsoft.Network/dnsZones/"
             "nope.com/A/x?" + std::string(kApi)));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(body_json(response)["error"]["code"], "ResourceNotFound");
}

TEST_F(AzureDnsApiTest, ApexRecordSetsUseTheAtSign) {
  ASSERT_EQ(call(request("PUT", rs("TXT/@"), R"({"properties":{"TXTRecords":[{"value":["v=1"]}]}})"))
                .status,
            201);
  const auto body = body_json(call(request("GET", rs("TXT/@"))));
  EXPECT_EQ(body["name"], "@");
  EXPECT_EQ(body["properties"]["fqdn"], "example.com.");
}

TEST_F(AzureDnsApiTest, ListPagesWithNextLinkAndSkipToken) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(call(request("PUT", rs("A/host" + std::to_string(i)), kNewA)).status, 201);
  }
  std::set<std::string> names;
  std::string target = std::string(testing::kAzurePrefix) + "/A?" + kApi + "&$top=2";
  int pages = 0;
  while (!target.empty() && pages < 10) {
    auto response = call(request("GET", target));
    ASSERT_EQ(response.status, 200) << response.body;
    const auto body = body_json(response);
    EXPECT_LE(body["value"].size(), 2u);
    for (const auto& item : body["value"]) {
      EXPECT_EQ(item["type"], "Microsoft.Network/dnsZones/A");
      names.insert(item["name"].get<std::string>());
    }
    ++pages;
    target.clear();
    if (body.contains("nextLink")) {
      const auto link = body["nextLink"].get<std::string>();
      ASSERT_EQ(link.rfind("https://127.0.0.1:8443/", 0), 0u) << link;
      EXPECT_NE(link.find("$skipToken="), std::string::npos);
      target = link.substr(std::string("https://127.0.0.1:8443").size());
    }
  }
  EXPECT_EQ(pages, 4);  // 7 A sets (cp-etcd, a.b, host0..4) in pages of 2
  EXPECT_EQ(names.size(), 7u);
  EXPECT_TRUE(names.count("cp-etcd"));
  EXPECT_FALSE(names.count("www"));  // CNAME, not A
}

TEST_F(AzureDnsApiTest, ListFiltersAndValidatesParameters) {
  auto suffixed = body_json(call(request(
      "GET", std::string(testing::kAzurePrefix) + "/recordsets?" + kApi +
                 "&$recordsetnamesuffix=cp-etcd")));
  ASSERT_EQ(suffixed["value"].size(), 2u);  // cp-etcd A and _owner.cp-etcd TXT
  EXPECT_FALSE(suffixed.contains("nextLink"));
  EXPECT_EQ(call(request("GET", std::string(testing::kAzurePrefix) + "/A?" + kApi + "&$top=0"))
                .status,
            400);
  EXPECT_EQ(call(request("GET", std::string(testing::kAzurePrefix) + "/A?" + kApi +
                                    "&$skipToken=zz"))
                .status,
            400);
}

TEST_F(AzureDnsApiTest, ZoneAndZoneList) {
  auto zone = body_json(call(request("GET", std::string(testing::kAzurePrefix) + "?" + kApi)));
  EXPECT_EQ(zone["name"], "example.com");
  EXPECT_EQ(zone["properties"]["nameServers"].size(), 4u);
  auto list = body_json(call(request(
      "GET", "/subscriptions/sub1/resourceGroups/dns-rg/providers/Microsoft.Network/dnsZones?" +
                 std::string(kApi))));
  EXPECT_EQ(list["value"].size(), 1u);
}

}  // namespace
}  // namespace frankenetes::sim::dns
