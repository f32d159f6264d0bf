#include "sim/dns/cloudflare_api.h"

#include <gtest/gtest.h>

#include "dns_test_support.h"
#include "sim/dns/dns_simulator.h"
#include "support/fake_time_source.h"

namespace frankenetes::sim::dns {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::body_json;
using testing::cf_request;
using testing::request;

const std::string kRecords = std::string("/client/v4/zones/") + testing::kCfZone + "/dns_records";

class CloudflareApiTest : public ::testing::Test {
 protected:
  CloudflareApiTest() {
    const auto scenario = testing::sample_scenario();
    load_scenario(store_, scenario, clock_.system_time());
    std::vector<CloudflareToken> tokens;
    for (const auto& account : scenario.cloudflare_accounts) {
      tokens.push_back({account.api_token, account.id, "tok-" + account.name});
    }
    api_ = std::make_unique<CloudflareApi>(store_, tokens, clock_, CloudflareApi::Options{});
  }

  http::Response call(const http::Request& r) { return api_->handle(r); }
  json ok(const http::Request& r) {
    auto response = call(r);
    EXPECT_EQ(response.status, 200) << response.body;
    auto body = body_json(response);
    EXPECT_EQ(body["success"], true);
    EXPECT_EQ(body["errors"], json::array());
    return body;
  }
  void expect_error(const http::Response& response, int status, int code) {
    EXPECT_EQ(response.status, status) << response.body;
    auto body = body_json(response);
    EXPECT_EQ(body["success"], false);
    ASSERT_FALSE(body["errors"].empty());
    EXPECT_EQ(body["errors"][0]["code"], code) << response.body;
    EXPECT_TRUE(body["result"].is_null());
  }
  std::string create(const std::string& body) {
    return ok(cf_request("POST", kRecords, body))["result"]["id"].get<std::string>();
  }

  frankenetes::testing::FakeTimeSource clock_;
  RecordStore store_{11};
  std::unique_ptr<CloudflareApi> api_;
};

TEST_F(CloudflareApiTest, AuthenticationFailures) {
  expect_error(call(request("GET", kRecords)), 400, 9106);
  expect_error(call(request("GET", kRecords, "", {{"Authorization", "Basic abc"}})), 400, 6003);
  expect_error(call(cf_request("GET", kRecords, "", "wrong-token")), 403, 9109);
  // A valid token of another account does not see this zone.
  expect_error(call(cf_request("GET", kRecords, "", testing::kCfOtherToken)), 403, 10000);
  expect_error(call(cf_request("GET", "/client/v4/zones/not-an-id/dns_records")), 400, 7003);
}

TEST_F(CloudflareApiTest, VerifyAndZoneLookupByName) {
  auto verify = ok(cf_request("GET", "/client/v4/user/tokens/verify"));
  EXPECT_EQ(verify["result"]["status"], "active");
  auto zones = ok(cf_request("GET", "/client/v4/zones?name=example.org"));
  ASSERT_EQ(zones["result"].size(), 1u);
  EXPECT_EQ(zones["result"][0]["id"], testing::kCfZone);
  EXPECT_EQ(zones["result"][0]["status"], "active");
  EXPECT_EQ(zones["result_info"]["total_count"], 1);
  // Zones of another account are invisible.
  EXPECT_TRUE(ok(cf_request("GET", "/client/v4/zones?name=other.net"))["result"].empty());
}

TEST_F(CloudflareApiTest, ListWithTypeAndNameFilters) {
  auto body = ok(cf_request("GET", kRecords + "?type=A&name=cp-apiserver.example.org"));
  ASSERT_EQ(body["result"].size(), 1u);
  const auto& record = body["result"][0];
  EXPECT_EQ(record["content"], "127.0.0.6");
  EXPECT_EQ(record["zone_id"], testing::kCfZone);
  EXPECT_EQ(record["zone_name"], "example.org");
  EXPECT_EQ(record["ttl"], 60);
  EXPECT_EQ(record["proxied"], false);
  EXPECT_EQ(record["proxiable"], true);
  EXPECT_EQ(record["created_on"], "2026-01-01T00:00:00.000000Z");
  for (const char* key : {"id", "name", "type", "locked", "comment", "tags", "modified_on", "meta"}) {
    EXPECT_TRUE(record.contains(key)) << key;
  }
  EXPECT_EQ(body["result_info"],
            json({{"page", 1}, {"per_page", 100}, {"count", 1}, {"total_count", 1},
                  {"total_pages", 1}}));
  EXPECT_EQ(ok(cf_request("GET", kRecords + "?type=TXT"))["result"].size(), 0u);
  EXPECT_EQ(ok(cf_request("GET", kRecords + "?type=AAAA"))["result"].size(), 0u);
  EXPECT_EQ(ok(cf_request("GET", kRecords + "?name=CP-APISERVER.example.org"))["result"].size(), 1u);
  EXPECT_EQ(ok(cf_request("GET", kRecords + "?name.endswith=.example.org"))["result"].size(), 2u);
  EXPECT_EQ(ok(cf_request("GET", kRecords + "?type=A&content=127.0.0.1&match=any"))["result"].size(),
            1u);
}

TEST_F(CloudflareApiTest, CreateGetUpdatePatchDelete) {
  clock_.advance(1h);
  auto created = ok(cf_request(
      "POST", kRecords,
      R"({"type":"A","name":"cp-etcd","content":"127.0.0.9","ttl":60,"proxied":false,"comment":"by test","tags":["a:b"]})"));
  const auto& record = created["result"];
  const auto id = record["id"].get<std::string>();
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(record["name"], "cp-etcd.example.org");
  EXPECT_EQ(record["comment"], "by test");
  EXPECT_EQ(record["created_on"], "2026-01-01T01:00:00.000000Z");
  EXPECT_EQ(store_.lookup("cp-etcd.example.org", kRrA).answers.at(0).rdata.at(0), "127.0.0.9");

  EXPECT_EQ(ok(cf_request("GET", kRecords + "/" + id))["result"]["content"], "127.0.0.9");

  clock_.advance(1min);
  auto replaced = ok(cf_request("PUT", kRecords + "/" + id,
                                R"({"type":"A","name":"cp-etcd.example.org","content":"127.0.0.10"})"));
  EXPECT_EQ(replaced["result"]["id"], id);
  EXPECT_EQ(replaced["result"]["ttl"], 1);           // PUT resets what it leaves out
  EXPECT_TRUE(replaced["result"]["comment"].is_null());
  EXPECT_EQ(replaced["result"]["created_on"], "2026-01-01T01:00:00.000000Z");
  EXPECT_EQ(replaced["result"]["modified_on"], "2026-01-01T01:01:00.000000Z");

  auto patched = ok(cf_request("PATCH", kRecords + "/" + id, R"({"content":"127.0.0.11"})"));
  EXPECT_EQ(patched["result"]["content"], "127.0.0.11");
  EXPECT_EQ(patched["result"]["name"], "cp-etcd.example.org");

  EXPECT_EQ(ok(cf_request("DELETE", kRecords + "/" + id))["result"], json({{"id", id}}));
  expect_error(call(cf_request("GET", kRecords + "/" + id)), 404, 81044);
  expect_error(call(cf_request("DELETE", kRecords + "/" + id)), 404, 81044);
}

struct CfValidationCase {
  const char* name;
  const char* body;
  int code;
};

// Test names in ctest show the case name, not the bytes of the struct.
void PrintTo(const CfValidationCase& c, std::ostream* os) { *os << c.name; }

class CloudflareValidationTest : public CloudflareApiTest,
                                 public ::testing::WithParamInterface<CfValidationCase> {};

TEST_P(CloudflareValidationTest, RefusesWithCloudflareCodes) {
  expect_error(call(cf_request("POST", kRecords, GetParam().body)), 400, GetParam().code);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CloudflareValidationTest,
    ::testing::Values(
        CfValidationCase{"NotJson", "nope", 9207},
        CfValidationCase{"MissingType", R"({"name":"x","content":"1.2.3.4"})", 9004},
        CfValidationCase{"UnknownType", R"({"type":"MX","name":"x","content":"mx.example.org"})",
                         9020},
        CfValidationCase{"BadIp", R"({"type":"A","name":"x","content":"1.2.3.999"})", 9005},
        CfValidationCase{"BadTtl", R"({"type":"A","name":"x","content":"1.2.3.4","ttl":30})",
                         9021},
        CfValidationCase{"ProxiedTxt", R"({"type":"TXT","name":"x","content":"v","proxied":true})",
                         9004},
        CfValidationCase{"Identical", R"({"type":"A","name":"cp-apiserver","content":"127.0.0.6"})",
                         81058},
        CfValidationCase{"ANextToCname", R"({"type":"A","name":"alias","content":"1.2.3.4"})",
                         81054},
        CfValidationCase{"CnameNextToA",
                         R"({"type":"CNAME","name":"cp-apiserver","content":"x.example.net"})",
                         81053}),
    [](const auto& test) { return std::string(test.param.name); });

TEST_F(CloudflareApiTest, SeveralARecordsWithOneNameAreFine) {
  create(R"({"type":"A","name":"multi","content":"127.0.0.1"})");
  create(R"({"type":"A","name":"multi","content":"127.0.0.2"})");
  EXPECT_EQ(store_.lookup("multi.example.org", kRrA).answers.size(), 2u);
}

TEST_F(CloudflareApiTest, UpdateIntoAnIdenticalRecordIsRefused) {
  const auto id = create(R"({"type":"A","name":"cp-apiserver","content":"127.0.0.1"})");
  expect_error(call(cf_request("PATCH", kRecords + "/" + id, R"({"content":"127.0.0.6"})")), 400,
               81058);
}

TEST_F(CloudflareApiTest, PagesWithResultInfo) {
  for (int i = 0; i < 12; ++i) {
    create(R"({"type":"TXT","name":"page","content":"v)" + std::to_string(i) + R"("})");
  }
  std::vector<std::size_t> counts;
  for (int page = 1; page <= 4; ++page) {
    auto body = ok(cf_request("GET", kRecords + "?type=TXT&per_page=5&page=" + std::to_string(page)));
    counts.push_back(body["result"].size());
    EXPECT_EQ(body["result_info"]["total_count"], 12);
    EXPECT_EQ(body["result_info"]["total_pages"], 3);
    EXPECT_EQ(body["result_info"]["page"], page);
  }
  EXPECT_EQ(counts, (std::vector<std::size_t>{5, 5, 2, 0}));
  // per_page below Cloudflare's minimum is clamped to 5.
  EXPECT_EQ(ok(cf_request("GET", kRecords + "?type=TXT&per_page=1"))["result_info"]["per_page"], 5);
  expect_error(call(cf_request("GET", kRecords + "?page=0")), 400, 1001);
}

TEST_F(CloudflareApiTest, RateLimitedAfter1200RequestsInFiveMinutesThenRecovers) {
  for (int i = 0; i < 1200; ++i) {
    auto response = call(cf_request("GET", kRecords));
    ASSERT_EQ(response.status, 200) << "request " << i;
    if (i % 200 == 0) clock_.advance(1s);
  }
  auto limited = call(cf_request("GET", kRecords));
  expect_error(limited, 429, 971);
  EXPECT_EQ(limited.headers["retry-after"], "300");
  EXPECT_EQ(limited.headers["Ratelimit-Policy"], "\"default\";q=1200;w=300");
  // Another account's token has its own quota.
  EXPECT_EQ(call(cf_request("GET", "/client/v4/zones", "", testing::kCfOtherToken)).status, 200);

  clock_.advance(4min);
  EXPECT_EQ(call(cf_request("GET", kRecords)).status, 429);
  clock_.advance(1min);
  auto recovered = call(cf_request("GET", kRecords));
  EXPECT_EQ(recovered.status, 200);
  EXPECT_EQ(recovered.headers["Ratelimit"], "\"default\";r=1199;t=300");
}

TEST_F(CloudflareApiTest, UnauthenticatedRequestsDoNotUseTheQuota) {
  for (int i = 0; i < 1300; ++i) call(request("GET", kRecords));
  EXPECT_EQ(call(cf_request("GET", kRecords)).status, 200);
}

}  // namespace
}  // namespace frankenetes::sim::dns
