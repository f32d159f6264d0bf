#include "sim/dns/record_store.h"

#include <gtest/gtest.h>

#include "dns_test_support.h"
#include "sim/dns/dns_simulator.h"
#include "support/fake_time_source.h"

namespace frankenetes::sim::dns {
namespace {

class RecordStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { load_scenario(store_, testing::sample_scenario(), clock_.system_time()); }

  frankenetes::testing::FakeTimeSource clock_;
  RecordStore store_{42};
};

TEST_F(RecordStoreTest, PutAssignsAFreshEtagAndBumpsTheSerial) {
  Zone& zone = *store_.find_zone("example.com");
  const auto before = *store_.find_record_set(zone, "cp-etcd", RecordType::kA);
  const auto serial = zone.serial;
  const auto& after = store_.put_record_set(zone, before);
  EXPECT_NE(after.etag, before.etag);
  EXPECT_EQ(after.etag.size(), 36u);
  EXPECT_EQ(zone.serial, serial + 1);
}

TEST_F(RecordStoreTest, FindsZonesCaseInsensitively) {
  EXPECT_NE(store_.find_azure_zone("SUB1", "DNS-RG", "Example.COM"), nullptr);
  EXPECT_EQ(store_.find_azure_zone("sub2", "dns-rg", "example.com"), nullptr);
  EXPECT_NE(store_.find_cloudflare_zone(testing::kCfZone), nullptr);
  EXPECT_EQ(store_.zone_for_name("deep.cp-etcd.example.com")->name, "example.com");
  EXPECT_EQ(store_.zone_for_name("example.net"), nullptr);
}

struct LookupCase {
  const char* name;
  const char* qname;
  std::uint16_t qtype;
  DnsLookup::Outcome outcome;
  std::vector<std::string> answer_data;  // first rdata field of each answer, in order
  bool soa_in_authority;
};

// Test names in ctest show the case name, not the bytes of the struct.
void PrintTo(const LookupCase& c, std::ostream* os) { *os << c.name; }

class RecordStoreLookupTest : public RecordStoreTest,
                              public ::testing::WithParamInterface<LookupCase> {};

TEST_P(RecordStoreLookupTest, Answers) {
  const auto& c = GetParam();
  const auto result = store_.lookup(c.qname, c.qtype);
  EXPECT_EQ(result.outcome, c.outcome);
  std::vector<std::string> data;
  for (const auto& r : result.answers) data.push_back(r.rdata.at(0));
  EXPECT_EQ(data, c.answer_data);
  EXPECT_EQ(!result.authority.empty(), c.soa_in_authority);
  if (!result.authority.empty()) {
    EXPECT_EQ(result.authority[0].type, kRrSoa);
  }
}

using O = DnsLookup::Outcome;
INSTANTIATE_TEST_SUITE_P(
    Cases, RecordStoreLookupTest,
    ::testing::Values(
        LookupCase{"AzureA", "cp-etcd.example.com", kRrA, O::kAnswer, {"127.0.0.5"}, false},
        LookupCase{"CaseAndTrailingDot", "CP-ETCD.Example.com.", kRrA, O::kAnswer, {"127.0.0.5"},
                   false},
        LookupCase{"Txt", "_owner.cp-etcd.example.com", kRrTxt, O::kAnswer,
                   {"heritage=frankenetes"}, false},
        LookupCase{"CnameIsFollowed", "www.example.com", kRrA, O::kAnswer,
                   {"cp-etcd.example.com", "127.0.0.5"}, false},
        LookupCase{"CnameAsked", "www.example.com", kRrCname, O::kAnswer,
                   {"cp-etcd.example.com"}, false},
        LookupCase{"NoData", "cp-etcd.example.com", kRrTxt, O::kNoData, {}, true},
        LookupCase{"EmptyNonTerminal", "b.example.com", kRrA, O::kNoData, {}, true},
        LookupCase{"NxDomain", "nope.example.com", kRrA, O::kNameError, {}, true},
        LookupCase{"ApexSoa", "example.com", kRrSoa, O::kAnswer, {"ns1-01.azure-dns.com"}, false},
        LookupCase{"ApexNs", "example.org", kRrNs, O::kAnswer,
                   {"ada.ns.cloudflare.com", "bob.ns.cloudflare.com"}, false},
        LookupCase{"CloudflareA", "cp-apiserver.example.org", kRrA, O::kAnswer, {"127.0.0.6"},
                   false},
        LookupCase{"CloudflareCnameChain", "alias.example.org", kRrA, O::kAnswer,
                   {"cp-apiserver.example.org", "127.0.0.6"}, false},
        LookupCase{"OutsideEveryZone", "example.net", kRrA, O::kRefused, {}, false}),
    [](const auto& test) { return std::string(test.param.name); });

TEST_F(RecordStoreTest, CloudflareAutoTtlIsServedAs300) {
  const auto result = store_.lookup("alias.example.org", kRrCname);
  ASSERT_EQ(result.answers.size(), 1u);
  EXPECT_EQ(result.answers[0].ttl, 300u);
}

TEST_F(RecordStoreTest, CnameLoopsStopAfterEightLinks) {
  Zone& zone = *store_.find_zone("example.com");
  AzureRecordSet a;
  a.name = "loop1";
  a.type = RecordType::kCname;
  a.cname = "loop2.example.com";
  store_.put_record_set(zone, a);
  a.name = "loop2";
  a.cname = "loop1.example.com";
  store_.put_record_set(zone, a);
  const auto result = store_.lookup("loop1.example.com", kRrA);
  EXPECT_EQ(result.outcome, DnsLookup::Outcome::kAnswer);
  EXPECT_EQ(result.answers.size(), 8u);
}

TEST(CloudflareZoneIdTest, IsStable32HexDigits) {
  const auto id = derive_cloudflare_zone_id("Example.ORG.");
  EXPECT_EQ(id, derive_cloudflare_zone_id("example.org"));
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
}

}  // namespace
}  // namespace frankenetes::sim::dns
