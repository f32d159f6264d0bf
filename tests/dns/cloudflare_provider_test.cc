// CloudflareProvider against a scripted FakeTransport: zone lookup and caching, list/create/
// update/delete shapes, the v4 envelope's errors, 429 handling and token hygiene.

#include "dns/cloudflare_provider.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "azure/fake_transport.h"
#include "support/fake_time_source.h"

namespace frankenetes::dns {
namespace {

using nlohmann::json;
using testing::FakeTimeSource;
using testing::FakeTransport;

constexpr const char* kZoneId = "zone123";
constexpr const char* kToken = "cf-SECRET-token";

std::string envelope(const json& result) {
  return json{
      {"success", true}, {"errors", json::array()}, {"messages", json::array()}, {"result", result}}
      .dump();
}

std::string failure(int code, const std::string& message) {
  return json{{"success", false},
              {"errors", {{{"code", code}, {"message", message}}}},
              {"messages", json::array()},
              {"result", nullptr}}
      .dump();
}

json record(const std::string& id, const std::string& type, const std::string& name,
            const std::string& content, int ttl = 60) {
  return {{"id", id},           {"type", type}, {"name", name},
          {"content", content}, {"ttl", ttl},   {"proxied", false}};
}

config::CloudflareProviderConfig by_id() {
  config::CloudflareProviderConfig c;
  c.zone_id = kZoneId;
  c.zone_name = "example.org";
  c.api_token.value = core::Secret(kToken);
  c.base_url = "https://cf.test/client/v4/";
  return c;
}

RecordSet a_set(std::vector<std::string> ips, std::string version = "") {
  return RecordSet{"cp.example.org", RecordType::kA, 60, std::move(ips), std::move(version)};
}

class CloudflareProviderTest : public ::testing::Test {
 protected:
  FakeTimeSource time_;
  FakeTransport transport_;
};

TEST_F(CloudflareProviderTest, ReadListsByNameAndGroupsByType) {
  CloudflareProvider provider("cf", by_id(), transport_, time_);
  transport_.push(200, envelope(json::array({record("r2", "A", "cp.example.org", "127.0.0.9"),
                                             record("r1", "A", "cp.example.org", "127.0.0.5"),
                                             record("t1", "TXT", "cp.example.org", "\"owner=x\""),
                                             record("m1", "MX", "cp.example.org", "mx")})));
  auto sets = provider.read("CP.example.org.");
  ASSERT_TRUE(sets.ok()) << sets.error().describe();
  ASSERT_EQ(sets->size(), 2u);
  EXPECT_EQ((*sets)[0], a_set({"127.0.0.5", "127.0.0.9"}));
  EXPECT_EQ((*sets)[0].version, "r1,r2");
  EXPECT_EQ((*sets)[1].values, std::vector<std::string>{"owner=x"});
  const auto& get = transport_.requests()[0];
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.url,
            "https://cf.test/client/v4/zones/zone123/dns_records?name=cp.example.org&per_page=100");
  EXPECT_EQ(get.headers.at("Authorization"), std::string("Bearer ") + kToken);
}

TEST_F(CloudflareProviderTest, ZoneLookedUpByNameOnceAndCached) {
  auto config = by_id();
  config.zone_id.reset();
  CloudflareProvider provider("cf", config, transport_, time_);
  transport_.push(200, envelope(json::array({{{"id", "zz9"}, {"name", "example.org"}}})));
  transport_.push(200, envelope(json::array()));
  transport_.push(200, envelope(json::array()));
  ASSERT_TRUE(provider.read("cp.example.org").ok());
  ASSERT_TRUE(provider.read("cp.example.org").ok());
  ASSERT_EQ(transport_.requests().size(), 3u);
  EXPECT_EQ(transport_.requests()[0].url, "https://cf.test/client/v4/zones?name=example.org");
  EXPECT_NE(transport_.requests()[1].url.find("/zones/zz9/dns_records?"), std::string::npos);
  EXPECT_NE(transport_.requests()[2].url.find("/zones/zz9/dns_records?"), std::string::npos);
}

TEST_F(CloudflareProviderTest, ZoneNameLearntFromId) {
  auto config = by_id();
  config.zone_name.reset();
  CloudflareProvider provider("cf", config, transport_, time_);
  EXPECT_EQ(provider.zone(), "");
  transport_.push(200, envelope({{"id", kZoneId}, {"name", "Example.org"}}));
  transport_.push(200, envelope(json::array()));
  ASSERT_TRUE(provider.read("cp.example.org").ok());
  EXPECT_EQ(provider.zone(), "example.org");
  EXPECT_EQ(transport_.requests()[0].url, "https://cf.test/client/v4/zones/zone123");
}

TEST_F(CloudflareProviderTest, UnknownZoneNameIsInvalidConfig) {
  auto config = by_id();
  config.zone_id.reset();
  CloudflareProvider provider("cf", config, transport_, time_);
  transport_.push(200, envelope(json::array()));
  auto sets = provider.read("cp.example.org");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().kind, core::ErrorKind::kInvalidConfig);
}

TEST_F(CloudflareProviderTest, ReplaceSingleARecordUpdatesInPlace) {
  CloudflareProvider provider("cf", by_id(), transport_, time_);
  transport_.push(200, envelope(json::array({record("r1", "A", "cp.example.org", "127.0.0.5")})));
  transport_.push(200, envelope(record("r1", "A", "cp.example.org", "127.0.0.10")));
  Change change{Change::Kind::kUpsert, a_set({"127.0.0.10"}), a_set({"127.0.0.5"}, "r1")};
  auto status = provider.apply({change});
  ASSERT_TRUE(status.ok()) << status.error().describe();
  ASSERT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(transport_.requests()[0].url,
            "https://cf.test/client/v4/zones/zone123/dns_records?type=A&name=cp.example.org"
            "&per_page=100");
  const auto& put = transport_.requests()[1];
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.url, "https://cf.test/client/v4/zones/zone123/dns_records/r1");
  EXPECT_EQ(json::parse(put.body), json::parse(R"({"type":"A","name":"cp.example.org",
      "content":"127.0.0.10","ttl":60,"proxied":false})"));
}

TEST_F(CloudflareProviderTest, CreateThenDeleteSurplus) {
  CloudflareProvider provider("cf", by_id(), transport_, time_);
  // Current: .5 (ttl 300, kept but patched) and .6; desired .5, .7, .8.
  transport_.push(200, envelope(json::array({record("r1", "A", "cp.example.org", "127.0.0.5", 300),
                                             record("r2", "A", "cp.example.org", "127.0.0.6")})));
  transport_.push(200, envelope(json::object()));  // PATCH r1 ttl
  transport_.push(200, envelope(json::object()));  // PUT r2 -> .7
  transport_.push(200, envelope(json::object()));  // POST .8
  Change change{Change::Kind::kUpsert, a_set({"127.0.0.5", "127.0.0.7", "127.0.0.8"}), {}};
  ASSERT_TRUE(provider.apply({change}).ok());
  ASSERT_EQ(transport_.requests().size(), 4u);
  EXPECT_EQ(transport_.requests()[1].method, "PATCH");
  EXPECT_EQ(json::parse(transport_.requests()[1].body),
            json::parse(R"({"ttl":60,"proxied":false})"));
  EXPECT_EQ(transport_.requests()[2].method, "PUT");
  EXPECT_EQ(json::parse(transport_.requests()[2].body)["content"], "127.0.0.7");
  EXPECT_EQ(transport_.requests()[3].method, "POST");
  EXPECT_EQ(transport_.requests()[3].url, "https://cf.test/client/v4/zones/zone123/dns_records");
  EXPECT_EQ(json::parse(transport_.requests()[3].body)["proxied"], false);

  // Shrinking to one value deletes the surplus.
  transport_.push(200, envelope(json::array({record("r1", "A", "cp.example.org", "127.0.0.5"),
                                             record("r2", "A", "cp.example.org", "127.0.0.7")})));
  transport_.push(200, envelope({{"id", "r2"}}));
  ASSERT_TRUE(provider.apply({Change{Change::Kind::kUpsert, a_set({"127.0.0.5"}), {}}}).ok());
  EXPECT_EQ(transport_.requests().back().method, "DELETE");
  EXPECT_EQ(transport_.requests().back().url,
            "https://cf.test/client/v4/zones/zone123/dns_records/r2");
}

TEST_F(CloudflareProviderTest, ChangedBehindOurBackIsConflictAndNothingWritten) {
  CloudflareProvider provider("cf", by_id(), transport_, time_);
  transport_.push(200, envelope(json::array({record("r1", "A", "cp.example.org", "127.0.0.99")})));
  Change change{Change::Kind::kUpsert, a_set({"127.0.0.10"}), a_set({"127.0.0.5"}, "r1")};
  auto status = provider.apply({change});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kConflict);
  EXPECT_EQ(transport_.requests().size(), 1u);

  // Same values but a recreated record (other id) is also a conflict when the id was known.
  transport_.push(200, envelope(json::array({record("r9", "A", "cp.example.org", "127.0.0.5")})));
  status = provider.apply({change});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kConflict);

  // Expected absent but present.
  transport_.push(200, envelope(json::array({record("r1", "A", "cp.example.org", "127.0.0.5")})));
  status = provider.apply({Change{Change::Kind::kUpsert, a_set({"127.0.0.10"}), a_set({})}});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kConflict);
}

TEST_F(CloudflareProviderTest, EnvelopeErrorsCarryCodeAndMessage) {
  CloudflareProvider provider("cf", by_id(), transport_, time_);
  transport_.push(400, failure(81057, "Record already exists."), {{"cf-ray", "ray-1"}});
  auto sets = provider.read("cp.example.org");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(sets.error().azure_code, "81057");
  EXPECT_EQ(sets.error().http_status, 400);
  EXPECT_EQ(sets.error().request_id, "ray-1");
  EXPECT_NE(sets.error().message.find("Record already exists."), std::string::npos);

  // success:false with HTTP 200 is still a failure.
  transport_.push(200, failure(1000, "weird"));
  sets = provider.read("cp.example.org");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().azure_code, "1000");

  // 5xx without an envelope.
  transport_.push(502, "<html>bad gateway</html>");
  sets = provider.read("cp.example.org");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().kind, core::ErrorKind::kTransient);
  EXPECT_NE(sets.error().message.find("HTTP 502"), std::string::npos);
}

TEST_F(CloudflareProviderTest, Status429HonoursRetryAfterWithoutSending) {
  CloudflareProvider provider("cf", by_id(), transport_, time_);
  transport_.push(429, failure(971, "Please wait and consider throttling your request speed"),
                  {{"retry-after", "30"}});
  auto sets = provider.read("cp.example.org");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(sets.error().azure_code, "971");
  EXPECT_NE(sets.error().message.find("retry after 30s"), std::string::npos);

  // Within the window nothing is sent.
  time_.advance(std::chrono::seconds(10));
  sets = provider.read("cp.example.org");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().kind, core::ErrorKind::kTransient);
  EXPECT_NE(sets.error().message.find("throttled: retry after 20s"), std::string::npos);
  EXPECT_EQ(transport_.requests().size(), 1u);

  // After it, requests flow again.
  time_.advance(std::chrono::seconds(21));
  transport_.push(200, envelope(json::array()));
  ASSERT_TRUE(provider.read("cp.example.org").ok());
  EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(CloudflareProviderTest, Status429WithoutRetryAfterUsesDefault) {
  CloudflareSettings settings;
  settings.throttle_without_retry_after = std::chrono::seconds(60);
  CloudflareProvider provider("cf", by_id(), transport_, time_, settings);
  transport_.push(429, failure(971, "slow down"));
  ASSERT_FALSE(provider.read("cp.example.org").ok());
  time_.advance(std::chrono::seconds(59));
  ASSERT_FALSE(provider.read("cp.example.org").ok());
  EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(CloudflareProviderTest, TokenFileReReadEachCallAndNeverInErrors) {
  const auto dir = std::filesystem::temp_directory_path() / "fk-cf-token-test";
  std::filesystem::create_directories(dir);
  const auto file = (dir / "token").string();
  std::ofstream(file) << "first-SECRET\n";
  auto config = by_id();
  config.api_token = {};
  config.api_token.file = file;
  CloudflareProvider provider("cf", config, transport_, time_);
  transport_.push(403, failure(9109, "Invalid access token"));
  auto sets = provider.read("cp.example.org");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().describe().find("first-SECRET"), std::string::npos);
  EXPECT_EQ(transport_.requests()[0].headers.at("Authorization"), "Bearer first-SECRET");

  std::ofstream(file) << "second-SECRET";
  transport_.push(200, envelope(json::array()));
  ASSERT_TRUE(provider.read("cp.example.org").ok());
  EXPECT_EQ(transport_.requests()[1].headers.at("Authorization"), "Bearer second-SECRET");

  std::filesystem::remove_all(dir);
  sets = provider.read("cp.example.org");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(CloudflareProviderTest, DeleteRemovesEveryRecordOfTheSet) {
  CloudflareProvider provider("cf", by_id(), transport_, time_);
  transport_.push(200, envelope(json::array({record("r1", "A", "cp.example.org", "127.0.0.5"),
                                             record("r2", "A", "cp.example.org", "127.0.0.6")})));
  transport_.push(200, envelope({{"id", "r1"}}));
  transport_.push(200, envelope({{"id", "r2"}}));
  ASSERT_TRUE(
      provider.apply({Change{Change::Kind::kDelete, a_set({}), a_set({"127.0.0.6", "127.0.0.5"})}})
          .ok());
  ASSERT_EQ(transport_.requests().size(), 3u);
  EXPECT_EQ(transport_.requests()[1].method, "DELETE");
  EXPECT_EQ(transport_.requests()[2].method, "DELETE");
}

TEST_F(CloudflareProviderTest, ListFollowsPages) {
  CloudflareProvider provider("cf", by_id(), transport_, time_);
  auto page = [](const json& records, int total_pages) {
    return json{{"success", true},
                {"errors", json::array()},
                {"result", records},
                {"result_info", {{"page", 1}, {"total_pages", total_pages}}}}
        .dump();
  };
  transport_.push(200, page(json::array({record("r1", "A", "cp.example.org", "127.0.0.5")}), 2));
  transport_.push(200, page(json::array({record("r2", "A", "cp.example.org", "127.0.0.6")}), 2));
  auto sets = provider.read("cp.example.org");
  ASSERT_TRUE(sets.ok()) << sets.error().describe();
  EXPECT_EQ(sets->front().values, (std::vector<std::string>{"127.0.0.5", "127.0.0.6"}));
  ASSERT_EQ(transport_.requests().size(), 2u);
  EXPECT_NE(transport_.requests()[1].url.find("&page=2"), std::string::npos);

  transport_.push(200, page(json::array(), 1000));
  sets = provider.read("cp.example.org");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().kind, core::ErrorKind::kTerminal);
}

TEST_F(CloudflareProviderTest, NameOutsideZoneRejectedBeforeAnyWrite) {
  CloudflareProvider provider("cf", by_id(), transport_, time_);
  Change good{Change::Kind::kUpsert, a_set({"127.0.0.10"}), {}};
  Change bad{Change::Kind::kUpsert,
             RecordSet{"cp.example.com", RecordType::kA, 60, {"127.0.0.1"}, ""},
             {}};
  auto status = provider.apply({good, bad});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_TRUE(transport_.requests().empty());
}

}  // namespace
}  // namespace frankenetes::dns
