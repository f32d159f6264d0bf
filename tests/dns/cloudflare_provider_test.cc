// CloudflareProvider against a scripted FakeTransport: zone lookup and caching, list/create/
// update/delete shapes, the v4 envelope's errors, 429 handling and token hygiene.

#include "dns/cloudflare_provider.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/fake_time_source.h"
#include "support/fake_transport.h"

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

// A peer (or a proxy) quoting the request back, Authorization header and all: in an error
// envelope, in a 429, in a body that is not JSON, and with success:false on a 200.
TEST_F(CloudflareProviderTest, ATokenEchoedByThePeerNeverReachesTheError) {
  const std::string echo = std::string("Invalid request header: Authorization: Bearer ") + kToken;
  CloudflareProvider provider("cf", by_id(), transport_, time_);
  transport_.push(400, failure(6003, echo));
  transport_.push(502, "<html>" + echo + "</html>");
  transport_.push(200, "{" + echo);
  transport_.push(200, failure(1000, echo));
  transport_.push(429, failure(971, echo), {{"retry-after", "1"}});
  for (int step = 0; step < 5; ++step) {
    const auto sets = provider.read("cp.example.org");
    ASSERT_FALSE(sets.ok()) << step;
    const auto text = sets.error().describe();
    EXPECT_EQ(text.find(kToken), std::string::npos) << step << ": " << text;
  }
  EXPECT_EQ(transport_.requests().size(), 5u);
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

// Every record field the plan or an update relies on, absent / null / wrong type /
// out of range. The first row is the crash that ended the daemon: "ttl": "60".
TEST_F(CloudflareProviderTest, RecordFieldTable) {
  struct Case {
    const char* field;
    json value;  // json() with `absent` set: the member is left out
    bool absent;
    const char* problem;
  };
  const std::vector<Case> cases{
      {"ttl", "60", false, R"("ttl" is a string, expected an integer)"},
      {"ttl", nullptr, false, R"("ttl" is null)"},
      {"ttl", json(), true, R"("ttl" is absent)"},
      {"ttl", -5, false, R"("ttl" is -5, expected 1..2147483647)"},
      {"ttl", 0, false, R"("ttl" is 0, expected 1..2147483647)"},
      {"ttl", 4294967296LL, false, R"("ttl" is 4294967296, expected)"},
      {"ttl", 60.5, false, R"("ttl" is a number with a fraction)"},
      {"ttl", json::array({60}), false, R"("ttl" is an array)"},
      {"content", 127, false, R"("content" is an integer, expected a string)"},
      {"content", json(), true, R"("content" is absent)"},
      {"id", json(), true, R"("id" is absent)"},
      {"id", 7, false, R"("id" is an integer)"},
      {"id", "", false, R"("id" is empty)"},
      {"type", json(), true, R"("type" is absent)"},
      {"type", 1, false, R"("type" is an integer)"},
      {"name", nullptr, false, R"("name" is null)"},
      {"proxied", "false", false, R"("proxied" is a string, expected a boolean)"},
  };
  for (const auto& c : cases) {
    FakeTransport transport;
    CloudflareProvider provider("cf-prod", by_id(), transport, time_);
    json bad = record("r1", "A", "cp.example.org", "127.0.0.5");
    if (c.absent) {
      bad.erase(c.field);
    } else {
      bad[c.field] = c.value;
    }
    transport.push(200,
                   envelope(json::array({record("r0", "A", "cp.example.org", "127.0.0.4"), bad})),
                   {{"cf-ray", "ray-9"}});
    const auto sets = provider.read("cp.example.org");
    ASSERT_FALSE(sets.ok()) << c.problem;
    const auto& error = sets.error();
    EXPECT_EQ(error.kind, core::ErrorKind::kTerminal) << c.problem;
    EXPECT_EQ(error.http_status, 200) << c.problem;
    EXPECT_EQ(error.request_id, "ray-9") << c.problem;
    EXPECT_NE(error.message.find(c.problem), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("cloudflare provider 'cf-prod'"), std::string::npos)
        << error.message;
    EXPECT_NE(error.message.find("result[1]"), std::string::npos) << error.message;
    EXPECT_NE(error.describe().find("HTTP 200"), std::string::npos);
  }
}

TEST_F(CloudflareProviderTest, ANonObjectRecordIsAnError) {
  CloudflareProvider provider("cf", by_id(), transport_, time_);
  transport_.push(200, envelope(json::array({"r1"})));
  const auto sets = provider.read("cp.example.org");
  ASSERT_FALSE(sets.ok());
  EXPECT_NE(
      sets.error().message.find("result[0] at cp.example.org: is a string, expected an object"),
      std::string::npos)
      << sets.error().message;
}

// A record of a type we do not manage, or at another name, is skipped, not an error; one
// without `proxied` reads fine and an update re-sends proxied:false.
TEST_F(CloudflareProviderTest, OtherRecordsAreSkippedAndUnknownProxiedIsRewritten) {
  CloudflareProvider provider("cf", by_id(), transport_, time_);
  json no_proxied = record("r1", "A", "cp.example.org", "127.0.0.5");
  no_proxied.erase("proxied");
  json mx = record("m1", "MX", "cp.example.org", "mx.example.org");
  mx["ttl"] = "whatever";  // not ours to read
  transport_.push(
      200,
      envelope(json::array({no_proxied, mx, record("o1", "A", "other.example.org", "127.0.0.1")})));
  auto sets = provider.read("cp.example.org");
  ASSERT_TRUE(sets.ok()) << sets.error().describe();
  ASSERT_EQ(sets->size(), 1u);
  EXPECT_EQ((*sets)[0].values, std::vector<std::string>{"127.0.0.5"});

  transport_.push(200, envelope(json::array({no_proxied})));
  transport_.push(200, envelope(json::object()));
  ASSERT_TRUE(provider.apply({Change{Change::Kind::kUpsert, a_set({"127.0.0.5"}), {}}}).ok());
  ASSERT_EQ(transport_.requests().size(), 3u);
  EXPECT_EQ(transport_.requests()[2].method, "PATCH");
  EXPECT_EQ(json::parse(transport_.requests()[2].body),
            json::parse(R"({"ttl":60,"proxied":false})"));
}

TEST_F(CloudflareProviderTest, EnvelopeFieldTable) {
  struct Case {
    std::string body;
    const char* problem;
  };
  const std::vector<Case> cases{
      {R"({"result":[]})", R"("success" is absent)"},
      {R"({"success":"true","result":[]})", R"("success" is a string, expected a boolean)"},
      {R"({"success":null,"result":[]})", R"("success" is null)"},
      {R"({"success":1,"result":[]})", R"("success" is an integer, expected a boolean)"},
      {R"([true])", R"("success" is absent)"},
      {"not json", "not valid JSON"},
      {"", "empty body"},
      {R"({"success":true})", R"("result" is absent)"},
      {R"({"success":true,"result":null})", R"("result" is null)"},
      {R"({"success":true,"result":{"id":"r1"}})", R"("result" is an object, expected an array)"},
      {R"({"success":true,"result":[],"result_info":{"total_pages":"2"}})",
       R"("result_info.total_pages" is a string, expected an integer)"},
      {R"({"success":true,"result":[],"result_info":{"total_pages":-1}})",
       R"("result_info.total_pages" is -1)"},
      {R"({"success":true,"result":[],"result_info":{}})",
       R"("result_info.total_pages" is absent)"},
      {R"({"success":true,"result":[],"result_info":[1]})", R"("result_info" is an array)"},
  };
  for (const auto& c : cases) {
    FakeTransport transport;
    CloudflareProvider provider("cf", by_id(), transport, time_);
    transport.push(200, c.body);
    const auto sets = provider.read("cp.example.org");
    ASSERT_FALSE(sets.ok()) << c.body;
    EXPECT_EQ(sets.error().kind, core::ErrorKind::kTerminal) << c.body;
    EXPECT_EQ(sets.error().http_status, 200) << c.body;
    EXPECT_NE(sets.error().message.find(c.problem), std::string::npos)
        << c.body << ": " << sets.error().message;
  }
}

// Without result_info a short page is evidently the last; a full one might not be.
TEST_F(CloudflareProviderTest, MissingResultInfoIsOnlyTrustedOnAShortPage) {
  CloudflareSettings settings;
  settings.per_page = 2;
  CloudflareProvider provider("cf", by_id(), transport_, time_, settings);
  transport_.push(200, envelope(json::array({record("r1", "A", "cp.example.org", "127.0.0.5")})));
  auto sets = provider.read("cp.example.org");
  ASSERT_TRUE(sets.ok()) << sets.error().describe();
  EXPECT_EQ(transport_.requests().size(), 1u);

  transport_.push(200, envelope(json::array({record("r1", "A", "cp.example.org", "127.0.0.5"),
                                             record("r2", "A", "cp.example.org", "127.0.0.6")})));
  sets = provider.read("cp.example.org");
  ASSERT_FALSE(sets.ok());
  EXPECT_NE(sets.error().message.find(R"("result_info" is absent on a full page)"),
            std::string::npos)
      << sets.error().message;
}

// The failure side is read tolerantly: odd types lose detail, never throw.
TEST_F(CloudflareProviderTest, WrongTypedErrorEnvelopeStillGivesTheStatus) {
  for (const std::string body :
       {R"({"success":false,"errors":"boom"})", R"({"success":false,"errors":[5]})",
        R"({"success":false,"errors":[{"code":"81057","message":5}]})", R"({"errors":null})",
        R"([])"}) {
    FakeTransport transport;
    CloudflareProvider provider("cf", by_id(), transport, time_);
    transport.push(400, body);
    const auto sets = provider.read("cp.example.org");
    ASSERT_FALSE(sets.ok()) << body;
    EXPECT_EQ(sets.error().http_status, 400) << body;
    EXPECT_EQ(sets.error().azure_code, "") << body;
    EXPECT_NE(sets.error().message.find("HTTP 400"), std::string::npos) << sets.error().message;
  }
}

TEST_F(CloudflareProviderTest, ZoneLookupFieldTable) {
  for (const json& zones : {json::array({{{"id", 5}}}), json::array({{{"name", "example.org"}}}),
                            json::array({"zz9"}), json::array({{{"id", ""}}})}) {
    auto config = by_id();
    config.zone_id.reset();
    FakeTransport transport;
    CloudflareProvider provider("cf", config, transport, time_);
    transport.push(200, envelope(zones));
    const auto sets = provider.read("cp.example.org");
    ASSERT_FALSE(sets.ok()) << zones.dump();
    EXPECT_EQ(sets.error().kind, core::ErrorKind::kTerminal) << zones.dump();
    EXPECT_NE(sets.error().message.find(R"("id")"), std::string::npos) << sets.error().message;
  }
  auto config = by_id();
  config.zone_name.reset();
  CloudflareProvider provider("cf", config, transport_, time_);
  transport_.push(200, envelope({{"id", kZoneId}, {"name", 5}}));
  const auto sets = provider.read("cp.example.org");
  ASSERT_FALSE(sets.ok());
  EXPECT_NE(sets.error().message.find(R"("name" is an integer)"), std::string::npos)
      << sets.error().message;
}

// An absurd Retry-After holds the provider back for 5 minutes, not for good.
TEST_F(CloudflareProviderTest, AbsurdRetryAfterIsCappedAtFiveMinutes) {
  for (const char* value : {"99999999999999", "Fri, 31 Dec 9999 23:59:59 GMT"}) {
    FakeTransport transport;
    CloudflareProvider provider("cf", by_id(), transport, time_);
    transport.push(429, failure(971, "slow down"), {{"retry-after", value}});
    auto sets = provider.read("cp.example.org");
    ASSERT_FALSE(sets.ok());
    EXPECT_NE(sets.error().message.find("retry after 300s"), std::string::npos)
        << value << ": " << sets.error().message;
    time_.advance(std::chrono::seconds(299));
    EXPECT_FALSE(provider.read("cp.example.org").ok());
    EXPECT_EQ(transport.requests().size(), 1u);
    time_.advance(std::chrono::seconds(1));
    transport.push(200, envelope(json::array()));
    EXPECT_TRUE(provider.read("cp.example.org").ok()) << value;
    EXPECT_EQ(transport.requests().size(), 2u);
  }
}

// Values we send never make json::dump() throw (invalid UTF-8 in a TXT value).
TEST_F(CloudflareProviderTest, InvalidUtf8InAValueDoesNotThrow) {
  CloudflareProvider provider("cf", by_id(), transport_, time_);
  transport_.push(200, envelope(json::array()));
  transport_.push(200, envelope(json::object()));
  Change change{Change::Kind::kUpsert,
                RecordSet{"cp.example.org", RecordType::kTxt, 60, {"owner=\xff\xfe"}, ""},
                RecordSet{"cp.example.org", RecordType::kTxt, 60, {}, ""}};
  ASSERT_TRUE(provider.apply({change}).ok());
  EXPECT_EQ(transport_.requests().back().method, "POST");
}

}  // namespace
}  // namespace frankenetes::dns
