// AzureDnsProvider against a scripted FakeTransport: request shapes (paths, conditional
// headers, bodies), response mapping (ARM's 404 NotFound -> absent, any other 404 -> unknown,
// 412 -> kConflict), the paged zone list and token hygiene.

#include "dns/azure_dns_provider.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "azure/fake_token_credential.h"
#include "support/fake_transport.h"

namespace frankenetes::dns {
namespace {

using nlohmann::json;
using testing::FakeTokenCredential;
using testing::FakeTransport;

constexpr const char* kBase =
    "https://arm.test/subscriptions/sub1/resourceGroups/dns-rg/providers/Microsoft.Network/"
    "dnsZones/example.com";

std::string a_set_body(const std::string& etag, const std::vector<std::string>& ips, int ttl = 60) {
  json records = json::array();
  for (const auto& ip : ips) records.push_back({{"ipv4Address", ip}});
  return json{
      {"name", "cp-etcd"},
      {"etag", etag},
      {"properties", {{"TTL", ttl}, {"fqdn", "cp-etcd.example.com."}, {"ARecords", records}}}}
      .dump();
}

class AzureDnsProviderTest : public ::testing::Test {
 protected:
  AzureDnsProviderTest()
      : provider_("azure-dns", {"sub1", "dns-rg", "Example.com"}, transport_, credential_,
                  settings()) {}

  static AzureDnsSettings settings() {
    AzureDnsSettings s;
    s.resource_manager = "https://arm.test/";
    return s;
  }

  // A provider of its own, for table rows that each need a fresh script.
  AzureDnsProvider provider_on(FakeTransport& transport, AzureDnsSettings s = settings()) {
    return AzureDnsProvider("azure-dns", {"sub1", "dns-rg", "example.com"}, transport,
                            credential_, std::move(s));
  }

  static RecordSet a_set(std::vector<std::string> ips, std::string version = "") {
    return RecordSet{"cp-etcd.example.com", RecordType::kA, 60, std::move(ips), std::move(version)};
  }

  FakeTransport transport_;
  FakeTokenCredential credential_;
  AzureDnsProvider provider_;
};

TEST_F(AzureDnsProviderTest, ReadGetsEachTypeAnd404MeansAbsent) {
  transport_.push(200, a_set_body("etag-1", {"127.0.0.9", "127.0.0.5"}));
  transport_.push(
      200, json{{"etag", "etag-t"},
                {"properties",
                 {{"TTL", 300}, {"TXTRecords", {{{"value", {"heritage=", "frankenetes"}}}}}}}}
               .dump());
  transport_.push(404, R"({"error":{"code":"NotFound","message":"not found"}})");

  auto sets = provider_.read("CP-ETCD.example.com.");
  ASSERT_TRUE(sets.ok()) << sets.error().describe();
  ASSERT_EQ(sets->size(), 2u);
  EXPECT_EQ((*sets)[0],
            (RecordSet{"cp-etcd.example.com", RecordType::kA, 60, {"127.0.0.5", "127.0.0.9"}, ""}));
  EXPECT_EQ((*sets)[0].version, "etag-1");
  EXPECT_EQ((*sets)[1].type, RecordType::kTxt);
  EXPECT_EQ((*sets)[1].values, std::vector<std::string>{"heritage=frankenetes"});
  EXPECT_EQ((*sets)[1].ttl, 300u);

  ASSERT_EQ(transport_.requests().size(), 3u);
  EXPECT_EQ(transport_.requests()[0].method, "GET");
  EXPECT_EQ(transport_.requests()[0].url, std::string(kBase) + "/A/cp-etcd?api-version=2018-05-01");
  EXPECT_EQ(transport_.requests()[1].url,
            std::string(kBase) + "/TXT/cp-etcd?api-version=2018-05-01");
  EXPECT_EQ(transport_.requests()[2].url,
            std::string(kBase) + "/CNAME/cp-etcd?api-version=2018-05-01");
  EXPECT_EQ(transport_.requests()[0].headers.at("Authorization"), "Bearer fake-token-SECRET-123");
  EXPECT_EQ(transport_.requests()[0].operation, "azure_dns.get");
  EXPECT_EQ(credential_.last_scope(), "https://management.azure.com/.default");
}

TEST_F(AzureDnsProviderTest, ApexUsesAt) {
  auto url = provider_.record_set_url("example.com", RecordType::kTxt);
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(*url, std::string(kBase) + "/TXT/@?api-version=2018-05-01");
  EXPECT_FALSE(provider_.record_set_url("example.org", RecordType::kA).ok());
}

TEST_F(AzureDnsProviderTest, ReadOutsideZoneIsInvalidConfigAndSendsNothing) {
  auto sets = provider_.read("cp-etcd.example.org");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(AzureDnsProviderTest, UpsertWithEtagSendsIfMatchAndBody) {
  transport_.push(200, a_set_body("etag-2", {"127.0.0.10"}));
  Change change{Change::Kind::kUpsert, a_set({"127.0.0.10"}), a_set({"127.0.0.5"}, "etag-1")};
  auto status = provider_.apply({change});
  ASSERT_TRUE(status.ok()) << status.error().describe();
  ASSERT_EQ(transport_.requests().size(), 1u);
  const auto& put = transport_.requests()[0];
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.url, std::string(kBase) + "/A/cp-etcd?api-version=2018-05-01");
  EXPECT_EQ(put.headers.at("If-Match"), "etag-1");
  EXPECT_EQ(put.headers.count("If-None-Match"), 0u);
  EXPECT_EQ(put.headers.at("Content-Type"), "application/json");
  const json body = json::parse(put.body);
  EXPECT_EQ(body["properties"]["TTL"], 60);
  EXPECT_EQ(body["properties"]["ARecords"], json::parse(R"([{"ipv4Address":"127.0.0.10"}])"));
  EXPECT_EQ(body["properties"]["metadata"]["managedBy"], "frankenetesd");
}

TEST_F(AzureDnsProviderTest, CreateWhenExpectedAbsentSendsIfNoneMatchStar) {
  transport_.push(201, a_set_body("etag-1", {"127.0.0.10"}));
  Change change{Change::Kind::kUpsert, a_set({"127.0.0.10"}), a_set({})};
  ASSERT_TRUE(provider_.apply({change}).ok());
  EXPECT_EQ(transport_.requests()[0].headers.at("If-None-Match"), "*");
  EXPECT_EQ(transport_.requests()[0].headers.count("If-Match"), 0u);
}

TEST_F(AzureDnsProviderTest, UnguardedUpsertHasNoConditionalHeaders) {
  transport_.push(200, a_set_body("etag-1", {"127.0.0.10"}));
  ASSERT_TRUE(provider_.apply({Change{Change::Kind::kUpsert, a_set({"127.0.0.10"}), {}}}).ok());
  EXPECT_EQ(transport_.requests()[0].headers.count("If-Match"), 0u);
  EXPECT_EQ(transport_.requests()[0].headers.count("If-None-Match"), 0u);
}

TEST_F(AzureDnsProviderTest, Status412IsConflict) {
  transport_.push(412, R"({"error":{"code":"PreconditionFailed","message":"etag mismatch"}})",
                  {{"x-ms-request-id", "req-412"}});
  Change change{Change::Kind::kUpsert, a_set({"127.0.0.10"}), a_set({"127.0.0.5"}, "etag-old")};
  auto status = provider_.apply({change});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kConflict);
  EXPECT_EQ(status.error().http_status, 412);
  EXPECT_EQ(status.error().azure_code, "PreconditionFailed");
  EXPECT_EQ(status.error().request_id, "req-412");
  EXPECT_NE(status.error().message.find("A cp-etcd.example.com"), std::string::npos);
}

TEST_F(AzureDnsProviderTest, ExpectedValuesWithoutEtagAreCheckedByGetThenPinned) {
  transport_.push(200, a_set_body("etag-7", {"127.0.0.5"}));
  transport_.push(200, a_set_body("etag-8", {"127.0.0.10"}));
  Change change{Change::Kind::kUpsert, a_set({"127.0.0.10"}), a_set({"127.0.0.5"})};
  ASSERT_TRUE(provider_.apply({change}).ok());
  ASSERT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(transport_.requests()[1].headers.at("If-Match"), "etag-7");

  // The same, but somebody changed the IP meanwhile: conflict and no PUT.
  transport_.push(200, a_set_body("etag-9", {"127.0.0.99"}));
  auto status = provider_.apply({change});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kConflict);
  EXPECT_EQ(transport_.requests().size(), 3u);
}

TEST_F(AzureDnsProviderTest, TxtLongerThan255IsChunked) {
  transport_.push(200, "{}");
  const std::string text(300, 't');
  Change change{Change::Kind::kUpsert,
                RecordSet{"_owner.cp-etcd.example.com", RecordType::kTxt, 60, {text}, ""},
                {}};
  ASSERT_TRUE(provider_.apply({change}).ok());
  const json body = json::parse(transport_.requests()[0].body);
  const json& chunks = body["properties"]["TXTRecords"][0]["value"];
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].get<std::string>().size(), 255u);
  EXPECT_EQ(chunks[1].get<std::string>().size(), 45u);
  EXPECT_EQ(transport_.requests()[0].url,
            std::string(kBase) + "/TXT/_owner.cp-etcd?api-version=2018-05-01");
}

TEST_F(AzureDnsProviderTest, CnameBodyAndParse) {
  RecordSet set{"www.example.com", RecordType::kCname, 300, {"cp.example.com"}, ""};
  const json body = json::parse(azure_record_set_body(set, {}));
  EXPECT_EQ(body["properties"]["CNAMERecord"]["cname"], "cp.example.com");
  EXPECT_FALSE(body["properties"].contains("metadata"));
  auto parsed = parse_azure_record_set(
      R"({"etag":"e","properties":{"TTL":300,"CNAMERecord":{"cname":"CP.example.com."}}})",
      "www.example.com", RecordType::kCname);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, set);
  EXPECT_FALSE(parse_azure_record_set("not json", "x.example.com", RecordType::kA).ok());
  EXPECT_FALSE(parse_azure_record_set(R"({"properties":{"ARecords":[{"nope":1}]}})",
                                      "x.example.com", RecordType::kA)
                   .ok());
}

TEST_F(AzureDnsProviderTest, DeleteWithEtagAndAbsentCheck) {
  transport_.push(200, "");
  Change remove{Change::Kind::kDelete, a_set({}), a_set({"127.0.0.5"}, "etag-1")};
  ASSERT_TRUE(provider_.apply({remove}).ok());
  EXPECT_EQ(transport_.requests()[0].method, "DELETE");
  EXPECT_EQ(transport_.requests()[0].headers.at("If-Match"), "etag-1");

  // Delete of a set expected absent: one GET, nothing deleted.
  transport_.push(404, R"({"error":{"code":"NotFound","message":"not found"}})");
  Change absent{Change::Kind::kDelete, a_set({}), a_set({})};
  ASSERT_TRUE(provider_.apply({absent}).ok());
  EXPECT_EQ(transport_.requests().back().method, "GET");

  transport_.push(204, "");
  ASSERT_TRUE(provider_.apply({Change{Change::Kind::kDelete, a_set({}), {}}}).ok());

  // A 404 that is not Azure DNS's proves nothing: the delete stops with the state unknown.
  transport_.push(404, "");
  const auto unknown = provider_.apply({absent});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, core::ErrorKind::kTransient);
}

TEST_F(AzureDnsProviderTest, StopsAtFirstFailureInOrder) {
  transport_.push(200, "{}");
  transport_.push(500, R"({"error":{"code":"InternalServerError","message":"boom"}})");
  Change first{Change::Kind::kUpsert, a_set({"127.0.0.10"}), {}};
  Change second{Change::Kind::kUpsert,
                RecordSet{"_owner.cp-etcd.example.com", RecordType::kTxt, 60, {"x"}, ""},
                {}};
  Change third{Change::Kind::kDelete, RecordSet{"old.example.com", RecordType::kA, 60, {}, ""}, {}};
  auto status = provider_.apply({first, second, third});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(AzureDnsProviderTest, AnEchoedTokenIsRedactedFromErrors) {
  const std::string echo = "Authorization: Bearer " + credential_.token();
  transport_.push(401,
                  R"({"error":{"code":"InvalidAuthenticationToken","message":")" + echo + R"("}})");
  transport_.push_error(core::ErrorKind::kTransient, "proxy refused: " + echo);
  for (int i = 0; i < 2; ++i) {
    auto status = provider_.apply({Change{Change::Kind::kUpsert, a_set({"127.0.0.10"}), {}}});
    ASSERT_FALSE(status.ok()) << i;
    const auto text = status.error().describe();
    EXPECT_EQ(text.find(credential_.token()), std::string::npos) << text;
    EXPECT_NE(text.find("Bearer <redacted>"), std::string::npos) << text;
  }
}

TEST_F(AzureDnsProviderTest, TokenNeverInErrors) {
  transport_.push(403, R"({"error":{"code":"AuthorizationFailed","message":"no access"}})");
  auto status = provider_.apply({Change{Change::Kind::kUpsert, a_set({"127.0.0.10"}), {}}});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(status.error().describe().find(credential_.token()), std::string::npos);

  core::Error failure;
  failure.kind = core::ErrorKind::kTerminal;
  failure.message = "credential broken";
  credential_.fail_with(failure);
  auto sets = provider_.read("cp-etcd.example.com");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().message, "credential broken");
}

TEST_F(AzureDnsProviderTest, TransportErrorsPassThrough) {
  transport_.push_error(core::ErrorKind::kTransient, "connection reset");
  auto sets = provider_.read("cp-etcd.example.com");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(provider_.name(), "azure-dns");
  EXPECT_EQ(provider_.zone(), "example.com");
  EXPECT_TRUE(provider_.authoritative_servers().empty());
}

// The fields the plan and the guarded writes depend on — etag, TTL, the record
// array of the type — absent / null / wrong type / out of range are errors naming the field.
TEST_F(AzureDnsProviderTest, RecordSetFieldTable) {
  const json good = json::parse(a_set_body("etag-1", {"127.0.0.5"}));
  struct Case {
    std::string pointer;  // JSON pointer of the member to change
    json value;
    bool erase;
    const char* problem;
  };
  const std::vector<Case> cases{
      {"/etag", json(), true, R"("etag" is absent)"},
      {"/etag", nullptr, false, R"("etag" is null)"},
      {"/etag", 5, false, R"("etag" is an integer, expected a string)"},
      {"/etag", "", false, R"("etag" is empty)"},
      {"/properties/TTL", json(), true, R"("properties.TTL" is absent)"},
      {"/properties/TTL", "60", false, R"("properties.TTL" is a string, expected an integer)"},
      {"/properties/TTL", -1, false, R"("properties.TTL" is -1, expected 0..2147483647)"},
      {"/properties/TTL", 1099511627776LL, false, R"("properties.TTL" is 1099511627776)"},
      {"/properties/TTL", 1.5, false, R"("properties.TTL" is a number with a fraction)"},
      {"/properties/ARecords", json(), true, R"("properties.ARecords" is absent)"},
      {"/properties/ARecords", "127.0.0.5", false, R"("properties.ARecords" is a string)"},
      {"/properties/ARecords/0", 5, false,
       R"(properties.ARecords[0] is an integer, expected an object)"},
      {"/properties/ARecords/0/ipv4Address", 2130706437, false,
       R"("properties.ARecords[0].ipv4Address" is an integer, expected a string)"},
      {"/properties/ARecords/0/ipv4Address", json(), true,
       R"("properties.ARecords[0].ipv4Address" is absent)"},
      {"/properties", json(), true, R"("properties" is absent)"},
      {"/properties", json::array(), false, R"("properties" is an array, expected an object)"},
      {"/properties/targetResource",
       {{"id", "/subscriptions/s/publicIPAddresses/ip"}},
       false,
       "an alias record set"},
  };
  for (const auto& c : cases) {
    json body = good;
    const json::json_pointer at(c.pointer);
    if (c.erase) {
      body[at.parent_pointer()].erase(at.back());
    } else {
      body[at] = c.value;
    }
    const auto parsed = parse_azure_record_set(body.dump(), "cp-etcd.example.com", RecordType::kA);
    ASSERT_FALSE(parsed.ok()) << c.pointer << " " << body.dump();
    EXPECT_EQ(parsed.error().kind, core::ErrorKind::kTerminal);
    EXPECT_NE(parsed.error().message.find(c.problem), std::string::npos)
        << c.pointer << ": " << parsed.error().message;
    EXPECT_NE(parsed.error().message.find("A cp-etcd.example.com"), std::string::npos);
  }
  EXPECT_FALSE(parse_azure_record_set("[]", "x.example.com", RecordType::kA).ok());
  EXPECT_FALSE(parse_azure_record_set("", "x.example.com", RecordType::kA).ok());
  // An empty targetResource (what the service and the simulator send) is no alias.
  json plain = good;
  plain["properties"]["targetResource"] = json::object();
  EXPECT_TRUE(parse_azure_record_set(plain.dump(), "cp-etcd.example.com", RecordType::kA).ok());
}

TEST_F(AzureDnsProviderTest, TxtAndCnameFieldTable) {
  const auto txt = [](const json& records) {
    return json{{"etag", "e"}, {"properties", {{"TTL", 60}, {"TXTRecords", records}}}}.dump();
  };
  auto parsed = parse_azure_record_set(txt(json::array({{{"value", {"a", 5}}}})), "t.example.com",
                                       RecordType::kTxt);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("properties.TXTRecords[0].value has an integer"),
            std::string::npos)
      << parsed.error().message;
  parsed = parse_azure_record_set(txt(json::array({{{"value", "ab"}}})), "t.example.com",
                                  RecordType::kTxt);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find(R"("properties.TXTRecords[0].value" is a string)"),
            std::string::npos);
  parsed = parse_azure_record_set(txt(json::array({{{"value", {"a", "b"}}}})), "t.example.com",
                                  RecordType::kTxt);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->values, std::vector<std::string>{"ab"});

  const auto cname = [](const json& record) {
    json props = {{"TTL", 60}};
    if (!record.is_discarded()) props["CNAMERecord"] = record;
    return json{{"etag", "e"}, {"properties", props}}.dump();
  };
  parsed =
      parse_azure_record_set(cname(json("x.example.com")), "w.example.com", RecordType::kCname);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find(R"("properties.CNAMERecord" is a string)"),
            std::string::npos);
  parsed = parse_azure_record_set(cname({{"cname", 5}}), "w.example.com", RecordType::kCname);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find(R"("properties.CNAMERecord.cname" is an integer)"),
            std::string::npos);
  // A CNAME set without a target exists but has no value (Azure allows creating one).
  parsed = parse_azure_record_set(cname(json(json::value_t::discarded)), "w.example.com",
                                  RecordType::kCname);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_TRUE(parsed->values.empty());
}

// Through the provider: the error names the provider and carries the HTTP status and the
// request id, so an operator can tell a broken answer from a broken daemon.
TEST_F(AzureDnsProviderTest, MalformedAnswerNamesProviderStatusAndField) {
  transport_.push(
      200, json{{"etag", "e"}, {"properties", {{"TTL", "60"}, {"ARecords", json::array()}}}}.dump(),
      {{"x-ms-request-id", "req-7"}});
  const auto sets = provider_.read("cp-etcd.example.com");
  ASSERT_FALSE(sets.ok());
  const auto& error = sets.error();
  EXPECT_EQ(error.kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(error.http_status, 200);
  EXPECT_EQ(error.request_id, "req-7");
  EXPECT_NE(error.message.find("provider 'azure-dns'"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find(R"("properties.TTL" is a string, expected an integer)"),
            std::string::npos)
      << error.message;
  EXPECT_EQ(transport_.requests().size(), 1u);  // nothing more is read or written
}

TEST_F(AzureDnsProviderTest, InvalidUtf8InABodyDoesNotThrow) {
  RecordSet set{"_owner.cp-etcd.example.com", RecordType::kTxt, 60, {"owner=\xff"}, ""};
  const json body = json::parse(azure_record_set_body(set, {{"k", "\xfe"}}));
  EXPECT_EQ(body["properties"]["TXTRecords"][0]["value"][0], "owner=\uFFFD");
}

// A value[] element of the zone list: a record set as a GET answers it, with name and type.
json listed(const std::string& name, const std::string& type, json properties,
            const std::string& etag = "e") {
  properties["TTL"] = 60;
  return json{{"id", std::string(kBase).substr(std::string("https://arm.test").size()) + "/" +
                         type + "/" + name},
              {"name", name},
              {"type", "Microsoft.Network/dnsZones/" + type},
              {"etag", etag},
              {"properties", properties}};
}

json a_records(const std::string& ip) { return {{"ARecords", {{{"ipv4Address", ip}}}}}; }

std::string page(const json& value, const json& next_link = json()) {
  json body{{"value", value}};
  if (!next_link.is_null()) body["nextLink"] = next_link;
  return body.dump();
}

const std::string kFirstPage =
    std::string(kBase) + "/recordsets?api-version=2018-05-01&$top=1000";
const std::string kSecondPage = std::string(kBase) +
                                "/recordsets?api-version=2018-05-01&$top=1000&$skipToken=abc";

// One ARM GET per type: what the synchronizer weighs against read_zone()'s pages.
TEST_F(AzureDnsProviderTest, ReadCostsThreeRequestsAndTheZoneCanBeListed) {
  EXPECT_EQ(provider_.requests_per_read(), 3u);
  EXPECT_TRUE(provider_.reads_zone());
  EXPECT_EQ(provider_.record_sets_url(), kFirstPage);
}

TEST_F(AzureDnsProviderTest, ReadZoneJoinsPagesAndKeepsOnlyATxtCname) {
  transport_.push(
      200,
      page(json::array(
               {listed("@", "SOA", {{"SOARecord", {{"host", "ns1-01.azure-dns.com."}}}}),
                listed("@", "NS", {{"NSRecords", {{{"nsdname", "ns1-01.azure-dns.com."}}}}}),
                listed("cp-etcd", "A", {{"ARecords", {{{"ipv4Address", "127.0.0.9"}},
                                                      {{"ipv4Address", "127.0.0.5"}}}}},
                       "etag-a"),
                listed("_owner.cp-etcd", "TXT",
                       {{"TXTRecords", {{{"value", {"heritage=", "frankenetes"}}}}}}, "etag-t")}),
           kSecondPage));
  json lower_case_type = listed("Etcd-1", "A", a_records("127.0.0.6"));
  lower_case_type["type"] = "Microsoft.Network/dnszones/A";
  transport_.push(
      200, page(json::array({listed("www", "CNAME", {{"CNAMERecord", {{"cname", "CP.example.com."}}}}),
                             listed("mail", "MX", {{"MXRecords", json::array()}}),
                             listed("@", "A", a_records("127.0.0.7")), lower_case_type}),
                nullptr));

  const auto zone = provider_.read_zone();
  ASSERT_TRUE(zone.ok()) << zone.error().describe();
  EXPECT_EQ(zone->requests, 2u);
  const std::vector<RecordSet> want{
      {"cp-etcd.example.com", RecordType::kA, 60, {"127.0.0.5", "127.0.0.9"}, "etag-a"},
      {"_owner.cp-etcd.example.com", RecordType::kTxt, 60, {"heritage=frankenetes"}, "etag-t"},
      {"www.example.com", RecordType::kCname, 60, {"cp.example.com"}, "e"},
      {"example.com", RecordType::kA, 60, {"127.0.0.7"}, "e"},
      {"etcd-1.example.com", RecordType::kA, 60, {"127.0.0.6"}, "e"},
  };
  ASSERT_EQ(zone->sets, want);
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(zone->sets[i].version, want[i].version);

  ASSERT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(transport_.requests()[0].url, kFirstPage);
  EXPECT_EQ(transport_.requests()[1].url, kSecondPage);
  for (const auto& request : transport_.requests()) {
    EXPECT_EQ(request.method, "GET");
    EXPECT_EQ(request.operation, "azure_dns.list");
    EXPECT_EQ(request.headers.at("Authorization"), "Bearer fake-token-SECRET-123");
  }
}

TEST_F(AzureDnsProviderTest, ReadZoneEndsOnAbsentNullOrEmptyNextLink) {
  const json value = json::array({listed("cp-etcd", "A", a_records("127.0.0.5"))});
  for (const std::string& body :
       {json{{"value", value}}.dump(), json{{"value", value}, {"nextLink", nullptr}}.dump(),
        json{{"value", value}, {"nextLink", ""}}.dump()}) {
    FakeTransport transport;
    AzureDnsProvider provider = provider_on(transport);
    transport.push(200, body);
    const auto zone = provider.read_zone();
    ASSERT_TRUE(zone.ok()) << body << ": " << zone.error().describe();
    EXPECT_EQ(zone->sets.size(), 1u);
    EXPECT_EQ(zone->requests, 1u);
  }
}

// A nextLink receives our bearer token: only the resource manager's origin is followed.
TEST_F(AzureDnsProviderTest, ReadZoneRefusesNextLinkToAnotherOrigin) {
  for (const std::string link :
       {"https://evil.test/subscriptions/sub1/recordsets?$skipToken=abc",
        "http://arm.test/subscriptions/sub1/recordsets?$skipToken=abc",
        "https://arm.test:8443/subscriptions/sub1/recordsets?$skipToken=abc",
        "/subscriptions/sub1/recordsets?$skipToken=abc"}) {
    FakeTransport transport;
    AzureDnsProvider provider = provider_on(transport);
    transport.push(200, page(json::array(), link));
    transport.push(200, page(json::array()));
    const auto zone = provider.read_zone();
    ASSERT_FALSE(zone.ok()) << link;
    EXPECT_EQ(zone.error().kind, core::ErrorKind::kTerminal);
    EXPECT_NE(zone.error().message.find("refusing to follow nextLink"), std::string::npos)
        << zone.error().message;
    EXPECT_NE(zone.error().message.find("provider 'azure-dns'"), std::string::npos);
    EXPECT_EQ(transport.requests().size(), 1u) << link;
  }
}

TEST_F(AzureDnsProviderTest, ReadZoneRefusesARepeatedPage) {
  transport_.push(200, page(json::array(), kSecondPage));
  transport_.push(200, page(json::array(), kSecondPage));
  auto zone = provider_.read_zone();
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(zone.error().message.find("page 2: nextLink repeats an earlier page"),
            std::string::npos)
      << zone.error().message;
  EXPECT_EQ(transport_.requests().size(), 2u);

  // Back to the first page.
  transport_.push(200, page(json::array(), kFirstPage));
  zone = provider_.read_zone();
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(transport_.requests().size(), 3u);
}

TEST_F(AzureDnsProviderTest, ReadZoneGivesUpAfterMaxPages) {
  AzureDnsSettings s = settings();
  s.max_list_pages = 3;
  AzureDnsProvider provider = provider_on(transport_, s);
  for (int i = 0; i < 4; ++i) {
    transport_.push(200, page(json::array(), kSecondPage + std::to_string(i)));
  }
  const auto zone = provider.read_zone();
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(zone.error().message.find("more than 3 pages"), std::string::npos)
      << zone.error().message;
  EXPECT_EQ(transport_.requests().size(), 3u);
}

// A page or element we cannot read fails the whole read (never a partial zone, which the
// synchronizer would take for absent sets), naming the page, the element and the field.
TEST_F(AzureDnsProviderTest, ReadZoneMalformedTable) {
  const json good = listed("cp-etcd", "A", a_records("127.0.0.5"));
  const json ns = listed("@", "NS", json::object());  // skipped types are not read at all
  auto with = [&](const char* pointer, const json& value, bool erase = false) {
    json element = good;
    const json::json_pointer at(pointer);
    if (erase) {
      element[at.parent_pointer()].erase(at.back());
    } else {
      element[at] = value;
    }
    return page(json::array({ns, element}));
  };
  struct Case {
    std::string body;
    const char* problem;
  };
  const std::vector<Case> cases{
      {"<html>not found</html>", "page 1: not valid JSON"},
      {"[]", "page 1: body is an array"},
      {R"({"nextLink":null})", R"(page 1: "value" is absent)"},
      {R"({"value":{}})", R"(page 1: "value" is an object, expected an array)"},
      {page(json::array({ns, 5})), "page 1: value[1] is an integer, expected an object"},
      {with("/type", json(), true), R"(page 1: value[1]: "type" is absent)"},
      {with("/type", 5, false), R"(page 1: value[1]: "type" is an integer, expected a string)"},
      {with("/type", "A"), R"(page 1: value[1]: "type" is 'A', not a Microsoft.Network/dnsZones/)"},
      {with("/name", json(), true), R"(page 1: value[1]: "name" is absent)"},
      {with("/name", ""), R"(page 1: value[1]: "name" is empty)"},
      {with("/etag", json(), true),
       R"(page 1: value[1] (A cp-etcd.example.com): "etag" is absent)"},
      {with("/properties/TTL", "60"),
       R"(page 1: value[1] (A cp-etcd.example.com): "properties.TTL" is a string)"},
      {with("/properties/ARecords/0/ipv4Address", 5),
       R"(value[1] (A cp-etcd.example.com): "properties.ARecords[0].ipv4Address" is an integer)"},
      {page(json::array({good}), 5), R"(page 1: "nextLink" is an integer, expected a string)"},
  };
  for (const auto& c : cases) {
    FakeTransport transport;
    AzureDnsProvider provider = provider_on(transport);
    transport.push(200, c.body, {{"x-ms-request-id", "req-9"}});
    const auto zone = provider.read_zone();
    ASSERT_FALSE(zone.ok()) << c.body;
    const auto& error = zone.error();
    EXPECT_EQ(error.kind, core::ErrorKind::kTerminal) << c.body;
    EXPECT_EQ(error.http_status, 200);
    EXPECT_EQ(error.request_id, "req-9");
    EXPECT_NE(error.message.find("provider 'azure-dns': azure_dns.list: malformed response"),
              std::string::npos)
        << error.message;
    EXPECT_NE(error.message.find(c.problem), std::string::npos) << c.body << "\n" << error.message;
  }

  // The page number counts from the first page.
  transport_.push(200, page(json::array({good}), kSecondPage));
  transport_.push(200, with("/etag", json(), true));
  const auto zone = provider_.read_zone();
  ASSERT_FALSE(zone.ok());
  EXPECT_NE(zone.error().message.find(R"(page 2: value[1] (A cp-etcd.example.com): "etag")"),
            std::string::npos)
      << zone.error().message;
}

TEST_F(AzureDnsProviderTest, ReadZoneErrorsAreWholeReadErrors) {
  transport_.push(503, R"({"error":{"code":"ServiceUnavailable","message":"busy"}})",
                  {{"x-ms-request-id", "req-503"}});
  auto zone = provider_.read_zone();
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(zone.error().http_status, 503);
  EXPECT_EQ(zone.error().azure_code, "ServiceUnavailable");
  EXPECT_EQ(zone.error().request_id, "req-503");
  EXPECT_NE(zone.error().message.find("azure_dns.list"), std::string::npos);

  // A failure on a later page discards the pages already read.
  transport_.push(200, page(json::array({listed("cp-etcd", "A", a_records("127.0.0.5"))}),
                            kSecondPage));
  transport_.push(429, R"({"error":{"code":"TooManyRequests","message":"slow down"}})");
  zone = provider_.read_zone();
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(zone.error().http_status, 429);

  transport_.push(403, R"({"error":{"code":"AuthorizationFailed","message":"no"}})");
  zone = provider_.read_zone();
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(zone.error().describe().find(credential_.token()), std::string::npos);

  transport_.push_error(core::ErrorKind::kTransient, "connection reset");
  zone = provider_.read_zone();
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().message, "connection reset");
}

// Only Azure DNS's own 404 (ARM's error envelope, code NotFound) proves a set absent; a
// proxy's 404 or a missing zone (ResourceNotFound) leaves its state unknown, and read() stops
// there.
TEST_F(AzureDnsProviderTest, Only404WithNotFoundEnvelopeMeansAbsent) {
  struct Case {
    std::string body;
    bool absent;
  };
  const std::vector<Case> cases{
      {R"({"error":{"code":"NotFound","message":"The resource record 'cp-etcd' does not exist"}})",
       true},
      {R"({"error":{"code":"ResourceNotFound","message":"zone not found"}})", false},
      {"<html><body>404 Not Found</body></html>", false},
      {"", false},
      {R"({"error":{"code":"ResourceGroupNotFound","message":"no group"}})", false},
      {R"({"error":{"code":"InvalidResourceType","message":"no such type"}})", false},
      {R"({"message":"no route"})", false},
  };
  for (const auto& c : cases) {
    FakeTransport transport;
    AzureDnsProvider provider = provider_on(transport);
    transport.push(404, c.body);
    transport.push(404, R"({"error":{"code":"NotFound","message":"absent"}})");
    transport.push(404, R"({"error":{"code":"NotFound","message":"absent"}})");
    const auto sets = provider.read("cp-etcd.example.com");
    if (c.absent) {
      ASSERT_TRUE(sets.ok()) << c.body << ": " << sets.error().describe();
      EXPECT_TRUE(sets->empty());
      EXPECT_EQ(transport.requests().size(), 3u);
      continue;
    }
    ASSERT_FALSE(sets.ok()) << c.body;
    EXPECT_EQ(sets.error().kind, core::ErrorKind::kTransient) << c.body;
    EXPECT_EQ(sets.error().http_status, 404);
    EXPECT_NE(sets.error().message.find("provider 'azure-dns'"), std::string::npos);
    EXPECT_NE(sets.error().message.find("state is unknown"), std::string::npos)
        << sets.error().message;
    EXPECT_NE(sets.error().message.find("A cp-etcd.example.com"), std::string::npos);
    EXPECT_EQ(transport.requests().size(), 1u);
  }
}

}  // namespace
}  // namespace frankenetes::dns
