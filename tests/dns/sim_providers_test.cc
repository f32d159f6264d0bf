// AzureDnsProvider and CloudflareProvider against the simulator's real Azure DNS and
// Cloudflare handlers, in-process: a tiny transport turns each ClientRequest into the
// http::Request the sim's HTTP listener would have built and calls DnsSimulator::handle_api.
// Control routes (POST /dns/records) change records behind the providers' backs.

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include <nlohmann/json.hpp>

#include "azure/fake_token_credential.h"
#include "dns/azure_dns_provider.h"
#include "dns/cloudflare_provider.h"
#include "http/message.h"
#include "sim/dns/dns_simulator.h"
#include "sim/dns/dns_test_support.h"
#include "support/fake_time_source.h"

namespace frankenetes::dns {
namespace {

// One record per provider and no owner records (the tests create those; dns_test_support.h's
// sample scenario already holds some).
constexpr const char* kScenario = R"(
azureDns:
  zones:
    - subscriptionId: sub1
      resourceGroup: dns-rg
      name: example.com
      recordSets:
        - { name: cp-etcd, type: A, ttl: 60, records: [127.0.0.5] }
cloudflare:
  accounts:
    - name: demo
      apiToken: cf-token-demo
      zones:
        - name: example.org
          id: 023e105f4ecef8ad9ca31a8372d0c353
          records:
            - { name: cp-apiserver, type: A, content: 127.0.0.6, ttl: 60 }
)";

// ClientRequest -> http::Request -> DnsSimulator::handle_api.
class SimTransport final : public http::HttpTransport {
 public:
  explicit SimTransport(sim::dns::DnsSimulator& sim) : sim_(sim) {}

  core::Result<http::Response> send(const http::ClientRequest& request) override {
    ++requests_;
    const auto scheme = request.url.find("://");
    const auto slash = request.url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    http::Request r;
    r.method = request.method;
    r.target = slash == std::string::npos ? "/" : request.url.substr(slash);
    auto parsed = http::parse_target(r.target);
    if (!parsed) {
      core::Error error;
      error.message = "bad target " + r.target;
      return error;
    }
    r.path = parsed->path;
    r.query = parsed->query;
    r.headers = request.headers;
    r.headers["Host"] = "127.0.0.1:8443";
    r.body = request.body;
    r.remote_address = "127.0.0.1:40000";
    auto response = sim_.handle_api(r);
    if (!response) return http::Response::json(404, R"({"error":"not a DNS API path"})");
    return *response;
  }

  int requests() const { return requests_; }

 private:
  sim::dns::DnsSimulator& sim_;
  int requests_ = 0;
};

class SimProvidersTest : public ::testing::Test {
 protected:
  SimProvidersTest() : sim_(scenario(), time_, options()), transport_(sim_) {}

  static sim::dns::DnsScenario scenario() {
    return sim::dns::testing::parse_scenario_text(kScenario);
  }
  static sim::dns::DnsSimulatorOptions options() {
    sim::dns::DnsSimulatorOptions o;
    o.default_subscription_id = "sub1";
    o.seed = 42;
    return o;
  }

  http::Response control(const std::string& method, const std::string& target,
                         const std::string& body) {
    http::Request r;
    r.method = method;
    r.target = target;
    r.path = target;
    r.body = body;
    r.headers["Content-Type"] = "application/json";
    auto response = sim_.handle_control(r);
    EXPECT_TRUE(response.has_value());
    return response ? *response : http::Response{};
  }

  AzureDnsProvider azure(std::size_t list_page_size = 1000) {
    AzureDnsSettings settings;
    settings.resource_manager = "https://127.0.0.1:8443";
    settings.list_page_size = list_page_size;
    return AzureDnsProvider("azure", {"sub1", "dns-rg", "example.com"}, transport_, credential_,
                            settings);
  }
  CloudflareProvider cloudflare(bool by_name = false) {
    config::CloudflareProviderConfig c;
    if (by_name) {
      c.zone_name = "example.org";
    } else {
      c.zone_id = "023e105f4ecef8ad9ca31a8372d0c353";
      c.zone_name = "example.org";
    }
    c.api_token.value = core::Secret("cf-token-demo");
    c.base_url = "https://127.0.0.1:8443/client/v4";
    return CloudflareProvider("cf", c, transport_, time_);
  }

  testing::FakeTimeSource time_;
  sim::dns::DnsSimulator sim_;
  SimTransport transport_;
  testing::FakeTokenCredential credential_;
};

RecordSet set(const std::string& fqdn, RecordType type, std::vector<std::string> values,
              uint32_t ttl = 60) {
  return RecordSet{fqdn, type, ttl, std::move(values), ""};
}

TEST_F(SimProvidersTest, AzureReadUpdateWithEtagAndCreate) {
  auto provider = azure();
  auto sets = provider.read("cp-etcd.example.com");
  ASSERT_TRUE(sets.ok()) << sets.error().describe();
  ASSERT_EQ(sets->size(), 1u);
  const RecordSet current = sets->front();
  EXPECT_EQ(current, set("cp-etcd.example.com", RecordType::kA, {"127.0.0.5"}));
  EXPECT_FALSE(current.version.empty());

  auto status = provider.apply(
      {Change{Change::Kind::kUpsert, set("cp-etcd.example.com", RecordType::kA, {"127.0.0.10"}),
              current},
       Change{Change::Kind::kUpsert,
              set("_owner.cp-etcd.example.com", RecordType::kTxt, {std::string(300, 'o')}),
              set("_owner.cp-etcd.example.com", RecordType::kTxt, {})}});
  ASSERT_TRUE(status.ok()) << status.error().describe();

  sets = provider.read("cp-etcd.example.com");
  ASSERT_TRUE(sets.ok());
  ASSERT_EQ(sets->size(), 1u);
  EXPECT_EQ(sets->front().values, std::vector<std::string>{"127.0.0.10"});
  EXPECT_NE(sets->front().version, current.version);
  auto owner = provider.read("_owner.cp-etcd.example.com");
  ASSERT_TRUE(owner.ok());
  ASSERT_EQ(owner->size(), 1u);
  EXPECT_EQ(owner->front().values, std::vector<std::string>{std::string(300, 'o')});

  // Creating it again "only if absent" is a conflict now.
  status = provider.apply(
      {Change{Change::Kind::kUpsert, set("_owner.cp-etcd.example.com", RecordType::kTxt, {"x"}),
              set("_owner.cp-etcd.example.com", RecordType::kTxt, {})}});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kConflict);
}

TEST_F(SimProvidersTest, AzureChangeBehindOurBackIs412ConflictAndNoStaleOverwrite) {
  auto provider = azure();
  auto sets = provider.read("cp-etcd.example.com");
  ASSERT_TRUE(sets.ok());
  const RecordSet stale = sets->front();

  auto changed = control("POST", "/dns/records",
                         R"({"name":"cp-etcd.example.com","type":"A","values":["127.0.0.9"]})");
  ASSERT_EQ(changed.status, 200) << changed.body;

  auto status = provider.apply({Change{
      Change::Kind::kUpsert, set("cp-etcd.example.com", RecordType::kA, {"127.0.0.10"}), stale}});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kConflict);
  EXPECT_EQ(status.error().http_status, 412);

  sets = provider.read("cp-etcd.example.com");
  ASSERT_TRUE(sets.ok());
  EXPECT_EQ(sets->front().values, std::vector<std::string>{"127.0.0.9"});

  // Re-read and re-plan: now it goes through.
  status = provider.apply(
      {Change{Change::Kind::kUpsert, set("cp-etcd.example.com", RecordType::kA, {"127.0.0.10"}),
              sets->front()}});
  ASSERT_TRUE(status.ok()) << status.error().describe();
}

TEST_F(SimProvidersTest, AzureTouchAloneChangesEtag) {
  auto provider = azure();
  auto sets = provider.read("cp-etcd.example.com");
  ASSERT_TRUE(sets.ok());
  control("POST", "/dns/records", R"({"name":"cp-etcd.example.com","type":"A","touch":true})");
  auto status = provider.apply(
      {Change{Change::Kind::kUpsert, set("cp-etcd.example.com", RecordType::kA, {"127.0.0.10"}),
              sets->front()}});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kConflict);
}

TEST_F(SimProvidersTest, AzureDelete) {
  auto provider = azure();
  auto sets = provider.read("cp-etcd.example.com");
  ASSERT_TRUE(sets.ok());
  ASSERT_TRUE(provider.apply({Change{Change::Kind::kDelete, sets->front(), sets->front()}}).ok());
  sets = provider.read("cp-etcd.example.com");
  ASSERT_TRUE(sets.ok());
  EXPECT_TRUE(sets->empty());
}

TEST_F(SimProvidersTest, AzureOutageIsTransientThenRecovers) {
  auto provider = azure();
  auto faults = control("PUT", "/dns/faults/azureDns",
                        R"({"outage":{"start":"0s","duration":"30s","status":503}})");
  ASSERT_EQ(faults.status, 200) << faults.body;
  auto sets = provider.read("cp-etcd.example.com");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(sets.error().http_status, 503);
  auto status = provider.apply(
      {Change{Change::Kind::kUpsert, set("cp-etcd.example.com", RecordType::kA, {"127.0.0.10"}),
              std::nullopt}});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTransient);

  time_.advance(std::chrono::seconds(31));
  sets = provider.read("cp-etcd.example.com");
  ASSERT_TRUE(sets.ok()) << sets.error().describe();
  EXPECT_EQ(sets->front().values, std::vector<std::string>{"127.0.0.5"});
}

// The zone list across the simulator's pages ($top=2, $skipToken, nextLink on its own base URL)
// holds every set, with the names and etags read() reports for them.
TEST_F(SimProvidersTest, AzureReadZoneFollowsNextLinkAndAgreesWithRead) {
  auto provider = azure(/*list_page_size=*/2);
  const std::vector<RecordSet> created{
      set("example.com", RecordType::kA, {"127.0.0.7"}),
      set("_owner.cp-etcd.example.com", RecordType::kTxt, {std::string(300, 'o')}),
      set("www.example.com", RecordType::kCname, {"cp-etcd.example.com"}),
      set("etcd-1.example.com", RecordType::kA, {"127.0.0.8", "127.0.0.6"}),
  };
  for (const auto& s : created) {
    ASSERT_TRUE(provider.apply({Change{Change::Kind::kUpsert, s, std::nullopt}}).ok()) << s.fqdn;
  }
  const int before = transport_.requests();
  auto zone = provider.read_zone();
  ASSERT_TRUE(zone.ok()) << zone.error().describe();
  EXPECT_EQ(zone->requests, 3u);  // 5 sets, 2 a page
  EXPECT_EQ(transport_.requests() - before, 3);

  std::vector<RecordSet> by_read;
  for (const char* name : {"cp-etcd.example.com", "example.com", "_owner.cp-etcd.example.com",
                           "www.example.com", "etcd-1.example.com"}) {
    auto sets = provider.read(name);
    ASSERT_TRUE(sets.ok()) << name << ": " << sets.error().describe();
    by_read.insert(by_read.end(), sets->begin(), sets->end());
  }
  ASSERT_EQ(by_read.size(), 5u);
  auto key = [](const RecordSet& s) { return std::tie(s.fqdn, s.type); };
  auto order = [&](const RecordSet& a, const RecordSet& b) { return key(a) < key(b); };
  std::sort(zone->sets.begin(), zone->sets.end(), order);
  std::sort(by_read.begin(), by_read.end(), order);
  ASSERT_EQ(zone->sets, by_read);
  for (std::size_t i = 0; i < by_read.size(); ++i) {
    EXPECT_EQ(zone->sets[i].version, by_read[i].version) << by_read[i].fqdn;
    EXPECT_FALSE(zone->sets[i].version.empty());
  }

  // The default page size reads the zone at once.
  zone = azure().read_zone();
  ASSERT_TRUE(zone.ok()) << zone.error().describe();
  EXPECT_EQ(zone->requests, 1u);
  EXPECT_EQ(zone->sets.size(), 5u);
}

TEST_F(SimProvidersTest, CloudflareReadReplaceAndCreate) {
  auto provider = cloudflare(/*by_name=*/true);
  auto sets = provider.read("cp-apiserver.example.org");
  ASSERT_TRUE(sets.ok()) << sets.error().describe();
  ASSERT_EQ(sets->size(), 1u);
  EXPECT_EQ(sets->front(), set("cp-apiserver.example.org", RecordType::kA, {"127.0.0.6"}));

  auto status = provider.apply(
      {Change{Change::Kind::kUpsert,
              set("cp-apiserver.example.org", RecordType::kA, {"127.0.0.11"}), sets->front()},
       Change{Change::Kind::kUpsert,
              set("_owner.cp-apiserver.example.org", RecordType::kTxt, {"heritage=frankenetes"}),
              set("_owner.cp-apiserver.example.org", RecordType::kTxt, {})}});
  ASSERT_TRUE(status.ok()) << status.error().describe();

  sets = provider.read("cp-apiserver.example.org");
  ASSERT_TRUE(sets.ok());
  EXPECT_EQ(sets->front().values, std::vector<std::string>{"127.0.0.11"});
  auto owner = provider.read("_owner.cp-apiserver.example.org");
  ASSERT_TRUE(owner.ok());
  ASSERT_EQ(owner->size(), 1u);
  EXPECT_EQ(owner->front().values, std::vector<std::string>{"heritage=frankenetes"});

  // The sim's view (what its DNS server would answer) agrees.
  auto zones = control("GET", "/dns/zones", "");
  EXPECT_NE(zones.body.find("127.0.0.11"), std::string::npos);
}

TEST_F(SimProvidersTest, CloudflareChangeBehindOurBackIsConflict) {
  auto provider = cloudflare();
  auto sets = provider.read("cp-apiserver.example.org");
  ASSERT_TRUE(sets.ok());
  control("POST", "/dns/records",
          R"({"name":"cp-apiserver.example.org","type":"A","values":["127.0.0.99"]})");
  auto status = provider.apply(
      {Change{Change::Kind::kUpsert,
              set("cp-apiserver.example.org", RecordType::kA, {"127.0.0.11"}), sets->front()}});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kConflict);
  sets = provider.read("cp-apiserver.example.org");
  ASSERT_TRUE(sets.ok());
  EXPECT_EQ(sets->front().values, std::vector<std::string>{"127.0.0.99"});
}

TEST_F(SimProvidersTest, CloudflareWrongTokenIsTerminalWithCode) {
  config::CloudflareProviderConfig c;
  c.zone_id = "023e105f4ecef8ad9ca31a8372d0c353";
  c.zone_name = "example.org";
  c.api_token.value = core::Secret("wrong-SECRET");
  c.base_url = "https://127.0.0.1:8443/client/v4";
  CloudflareProvider provider("cf", c, transport_, time_);
  auto sets = provider.read("cp-apiserver.example.org");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(sets.error().azure_code, "9109");
  EXPECT_EQ(sets.error().describe().find("wrong-SECRET"), std::string::npos);
}

TEST_F(SimProvidersTest, CloudflareThrottleFaultBacksOff) {
  auto provider = cloudflare();
  auto faults = control("PUT", "/dns/faults/cloudflare",
                        R"({"throttle":{"duration":"60s","retryAfter":"10s"}})");
  ASSERT_EQ(faults.status, 200) << faults.body;
  auto sets = provider.read("cp-apiserver.example.org");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().kind, core::ErrorKind::kTransient);
  const int sent = transport_.requests();
  // Repeated attempts inside retry-after never reach the API.
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(provider.read("cp-apiserver.example.org").ok());
  EXPECT_EQ(transport_.requests(), sent);
  control("DELETE", "/dns/faults", "");
  time_.advance(std::chrono::seconds(11));
  EXPECT_TRUE(provider.read("cp-apiserver.example.org").ok());
}

}  // namespace
}  // namespace frankenetes::dns
