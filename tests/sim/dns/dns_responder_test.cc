#include "sim/dns/dns_responder.h"

#include <gtest/gtest.h>

#include "dns_test_support.h"
#include "dns_wire_support.h"
#include "sim/dns/dns_simulator.h"
#include "support/fake_time_source.h"

namespace frankenetes::sim::dns {
namespace {

using testing::make_query;
using testing::parse;
using testing::rdata;

class DnsResponderTest : public ::testing::Test {
 protected:
  void SetUp() override { load_scenario(store_, testing::sample_scenario(), clock_.system_time()); }

  testing::Pkt ask(const std::string& name, ldns_rr_type type,
                   DnsTransport transport = DnsTransport::kUdp, bool edns = false) {
    auto answer = answer_dns_query(store_, make_query(name, type, 4242, edns), transport);
    EXPECT_TRUE(answer.has_value());
    if (!answer) return nullptr;
    auto pkt = parse(*answer);
    EXPECT_NE(pkt, nullptr);
    return pkt;
  }

  frankenetes::testing::FakeTimeSource clock_;
  RecordStore store_{3};
};

struct WireCase {
  const char* name;
  const char* qname;
  ldns_rr_type qtype;
  ldns_pkt_rcode rcode;
  bool aa;
  std::vector<std::string> answers;
  std::size_t authority;
};

// Test names in ctest show the case name, not the bytes of the struct.
void PrintTo(const WireCase& c, std::ostream* os) { *os << c.name; }

class DnsResponderWireTest : public DnsResponderTest,
                             public ::testing::WithParamInterface<WireCase> {};

TEST_P(DnsResponderWireTest, Answers) {
  const auto& c = GetParam();
  auto pkt = ask(c.qname, c.qtype);
  ASSERT_NE(pkt, nullptr);
  EXPECT_EQ(ldns_pkt_id(pkt.get()), 4242);
  EXPECT_TRUE(ldns_pkt_qr(pkt.get()));
  EXPECT_TRUE(ldns_pkt_rd(pkt.get()));
  EXPECT_FALSE(ldns_pkt_ra(pkt.get()));
  EXPECT_EQ(ldns_pkt_get_rcode(pkt.get()), c.rcode);
  EXPECT_EQ(ldns_pkt_aa(pkt.get()), c.aa);
  EXPECT_EQ(ldns_pkt_qdcount(pkt.get()), 1);
  EXPECT_EQ(rdata(pkt.get(), LDNS_SECTION_ANSWER), c.answers);
  EXPECT_EQ(ldns_pkt_nscount(pkt.get()), c.authority);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DnsResponderWireTest,
    ::testing::Values(
        WireCase{"AzureA", "cp-etcd.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, true,
                 {"127.0.0.5"}, 0},
        WireCase{"Txt", "_owner.cp-etcd.example.com.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, true,
                 {"\"heritage=frankenetes\""}, 0},
        WireCase{"CnameChain", "www.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, true,
                 {"cp-etcd.example.com.", "127.0.0.5"}, 0},
        WireCase{"CloudflareA", "cp-apiserver.example.org.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
                 true, {"127.0.0.6"}, 0},
        WireCase{"NxDomainWithSoa", "missing.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN,
                 true, {}, 1},
        WireCase{"NoDataWithSoa", "cp-etcd.example.com.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR,
                 true, {}, 1},
        WireCase{"Soa", "example.org.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, true,
                 {"ada.ns.cloudflare.com. dns.cloudflare.com. 1 10000 2400 604800 1800"}, 0},
        WireCase{"Ns", "example.com.", LDNS_RR_TYPE_NS, LDNS_RCODE_NOERROR, true,
                 {"ns1-01.azure-dns.com.", "ns2-01.azure-dns.net.", "ns3-01.azure-dns.org.",
                  "ns4-01.azure-dns.info."},
                 0},
        WireCase{"AaaaIsNoData", "cp-etcd.example.com.", LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR,
                 true, {}, 1},
        WireCase{"OutsideZonesRefused", "example.net.", LDNS_RR_TYPE_A, LDNS_RCODE_REFUSED, false,
                 {}, 0},
        WireCase{"AxfrRefused", "example.com.", LDNS_RR_TYPE_AXFR, LDNS_RCODE_REFUSED, false, {},
                 0}),
    [](const auto& test) { return std::string(test.param.name); });

TEST_F(DnsResponderTest, KeepsTheClientsSpellingOfTheName) {
  auto pkt = ask("CP-Etcd.EXAMPLE.com.", LDNS_RR_TYPE_A);
  ASSERT_NE(pkt, nullptr);
  const ldns_rr* rr = ldns_rr_list_rr(ldns_pkt_answer(pkt.get()), 0);
  char* owner = ldns_rdf2str(ldns_rr_owner(rr));
  EXPECT_STREQ(owner, "CP-Etcd.EXAMPLE.com.");
  std::free(owner);
}

TEST_F(DnsResponderTest, NegativeAnswersUseTheSoaMinimumAsTtl) {
  auto pkt = ask("missing.example.com.", LDNS_RR_TYPE_A);
  const ldns_rr* soa = ldns_rr_list_rr(ldns_pkt_authority(pkt.get()), 0);
  EXPECT_EQ(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
  EXPECT_EQ(ldns_rr_ttl(soa), 300u);
}

TEST_F(DnsResponderTest, SerialFollowsChanges) {
  Zone& zone = *store_.find_zone("example.com");
  AzureRecordSet set = *store_.find_record_set(zone, "cp-etcd", RecordType::kA);
  set.a_records = {"127.0.0.50"};
  store_.put_record_set(zone, set);
  EXPECT_EQ(rdata(ask("example.com.", LDNS_RR_TYPE_SOA).get(), LDNS_SECTION_ANSWER).at(0),
            "ns1-01.azure-dns.com. azuredns-hostmaster.microsoft.com. 2 3600 300 2419200 300");
  EXPECT_EQ(rdata(ask("cp-etcd.example.com.", LDNS_RR_TYPE_A).get(), LDNS_SECTION_ANSWER),
            std::vector<std::string>{"127.0.0.50"});
}

TEST_F(DnsResponderTest, LargeUdpAnswersAreTruncatedAndTcpCarriesThemWhole) {
  Zone& zone = *store_.find_zone("example.com");
  AzureRecordSet big;
  big.name = "big";
  big.type = RecordType::kTxt;
  for (int i = 0; i < 5; ++i) big.txt_records.push_back({std::string(200, 'a' + i)});
  store_.put_record_set(zone, big);

  auto udp = ask("big.example.com.", LDNS_RR_TYPE_TXT);
  EXPECT_TRUE(ldns_pkt_tc(udp.get()));
  EXPECT_EQ(ldns_pkt_ancount(udp.get()), 0);
  EXPECT_EQ(ldns_pkt_qdcount(udp.get()), 1);

  auto with_edns = ask("big.example.com.", LDNS_RR_TYPE_TXT, DnsTransport::kUdp, true);
  EXPECT_FALSE(ldns_pkt_tc(with_edns.get()));  // ~1.1 KB fits the 1232 EDNS payload
  EXPECT_EQ(ldns_pkt_edns_udp_size(with_edns.get()), kEdnsPayloadSize);

  auto tcp = ask("big.example.com.", LDNS_RR_TYPE_TXT, DnsTransport::kTcp);
  EXPECT_FALSE(ldns_pkt_tc(tcp.get()));
  EXPECT_EQ(ldns_pkt_ancount(tcp.get()), 5);
}

TEST_F(DnsResponderTest, LongTxtStringsAreSplitInto255OctetPieces) {
  Zone& zone = *store_.find_zone("example.com");
  AzureRecordSet set;
  set.name = "long";
  set.type = RecordType::kTxt;
  set.txt_records = {{std::string(600, 'x')}};
  store_.put_record_set(zone, set);
  auto pkt = ask("long.example.com.", LDNS_RR_TYPE_TXT, DnsTransport::kTcp);
  const ldns_rr* rr = ldns_rr_list_rr(ldns_pkt_answer(pkt.get()), 0);
  ASSERT_EQ(ldns_rr_rd_count(rr), 3u);
  EXPECT_EQ(ldns_rdf_size(ldns_rr_rdf(rr, 0)), 256u);
  EXPECT_EQ(ldns_rdf_size(ldns_rr_rdf(rr, 2)), 91u);
}

TEST_F(DnsResponderTest, MalformedAndUnexpectedMessages) {
  // Too short for a header: dropped.
  EXPECT_FALSE(answer_dns_query(store_, std::vector<std::uint8_t>(5, 0), DnsTransport::kUdp));
  // A header that promises a question that is not there: FORMERR with the id.
  std::vector<std::uint8_t> broken = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 3};
  auto formerr = answer_dns_query(store_, broken, DnsTransport::kUdp);
  ASSERT_TRUE(formerr);
  EXPECT_EQ((*formerr)[0], 0x12);
  EXPECT_EQ((*formerr)[1], 0x34);
  EXPECT_EQ((*formerr)[3] & 0x0f, LDNS_RCODE_FORMERR);
  // A response (QR set) is never answered.
  auto query = make_query("cp-etcd.example.com.", LDNS_RR_TYPE_A);
  query[2] |= 0x80;
  EXPECT_FALSE(answer_dns_query(store_, query, DnsTransport::kUdp));
  // NOTIFY (opcode 4): not implemented.
  query = make_query("example.com.", LDNS_RR_TYPE_SOA);
  query[2] = static_cast<std::uint8_t>((query[2] & 0x87) | (4 << 3));
  auto notimp = parse(*answer_dns_query(store_, query, DnsTransport::kUdp));
  EXPECT_EQ(ldns_pkt_get_rcode(notimp.get()), LDNS_RCODE_NOTIMPL);
}

}  // namespace
}  // namespace frankenetes::sim::dns
