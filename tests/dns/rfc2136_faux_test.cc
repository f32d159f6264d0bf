// Rfc2136Provider against FauxDnsServer: answers no real server gives on demand — garbage, a
// wrong id, truncation, a reply signed with another key, an unsigned reply to a signed update,
// BADTIME — so every failure branch of the exchange is exercised without BIND.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>

#include "dns/dns_exchange.h"
#include "dns/rfc2136_provider.h"
#include "faux_dns_server.h"

namespace frankenetes::dns {
namespace {

using detail::PacketPtr;
using testing::FauxDnsServer;
using Bytes = FauxDnsServer::Bytes;

constexpr const char* kKey = "frankenetes";
constexpr const char* kSecret = "c2VjcmV0LXRoYXQtaXMtbm90LXRoZS1zZXJ2ZXJzLWtleS0xMjM0NTY=";
constexpr const char* kOtherSecret = "b3RoZXIta2V5LW1hdGVyaWFsLWZvci10ZXN0cy0xMjM=";

PacketPtr parse(const Bytes& wire) {
  ldns_pkt* pkt = nullptr;
  if (ldns_wire2pkt(&pkt, wire.data(), wire.size()) != LDNS_STATUS_OK) return PacketPtr();
  return PacketPtr(pkt);
}

Bytes to_wire(ldns_pkt* pkt) {
  uint8_t* data = nullptr;
  size_t size = 0;
  if (ldns_pkt2wire(&data, pkt, &size) != LDNS_STATUS_OK) return {};
  Bytes out(data, data + size);
  std::free(data);
  return out;
}

struct ReplyOptions {
  ldns_pkt_rcode rcode = LDNS_RCODE_NOERROR;
  const char* sign_with = nullptr;  // secret to sign the reply with (request MAC chained)
  bool truncated = false;
  int id_offset = 0;
  std::optional<uint16_t> unsigned_tsig_error;  // a TSIG RR with this error and no MAC
};

ReplyOptions signed_by(const char* secret) {
  ReplyOptions o;
  o.sign_with = secret;
  return o;
}
ReplyOptions with_rcode(ldns_pkt_rcode rcode) {
  ReplyOptions o;
  o.rcode = rcode;
  return o;
}

// A reply to `request` echoing its question (zone) section.
Bytes reply(const Bytes& request_wire, const ReplyOptions& options) {
  PacketPtr request = parse(request_wire);
  if (!request) return {};
  PacketPtr answer(ldns_pkt_new());
  ldns_pkt_set_id(answer.get(),
                  static_cast<uint16_t>(ldns_pkt_id(request.get()) + options.id_offset));
  ldns_pkt_set_qr(answer.get(), true);
  ldns_pkt_set_opcode(answer.get(), ldns_pkt_get_opcode(request.get()));
  ldns_pkt_set_rcode(answer.get(), static_cast<uint8_t>(options.rcode));
  ldns_pkt_set_tc(answer.get(), options.truncated);
  const ldns_rr_list* question = ldns_pkt_question(request.get());
  for (size_t i = 0; i < ldns_rr_list_rr_count(question); ++i) {
    ldns_pkt_push_rr(answer.get(), LDNS_SECTION_QUESTION,
                     ldns_rr_clone(ldns_rr_list_rr(question, i)));
  }
  if (options.sign_with != nullptr && ldns_pkt_tsig(request.get()) != nullptr) {
    const ldns_rdf* mac = ldns_rr_rdf(ldns_pkt_tsig(request.get()), 3);
    EXPECT_EQ(ldns_pkt_tsig_sign(answer.get(), "frankenetes.", options.sign_with, 300,
                                 "hmac-sha256.", mac),
              LDNS_STATUS_OK);
  }
  if (options.unsigned_tsig_error) {
    ldns_rr* tsig = ldns_rr_new();
    ldns_rr_set_owner(tsig, ldns_dname_new_frm_str("frankenetes."));
    ldns_rr_set_type(tsig, LDNS_RR_TYPE_TSIG);
    ldns_rr_set_class(tsig, LDNS_RR_CLASS_ANY);
    ldns_rr_set_ttl(tsig, 0);
    const uint8_t time_signed[6] = {0, 0, 0x65, 0x00, 0x00, 0x00};
    const uint8_t empty[2] = {0, 0};
    ldns_rr_push_rdf(tsig, ldns_dname_new_frm_str("hmac-sha256."));
    ldns_rr_push_rdf(tsig, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_TSIGTIME, 6, time_signed));
    ldns_rr_push_rdf(tsig, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, 300));
    ldns_rr_push_rdf(tsig, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, 2, empty));
    ldns_rr_push_rdf(tsig, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, ldns_pkt_id(request.get())));
    ldns_rr_push_rdf(tsig,
                     ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, *options.unsigned_tsig_error));
    ldns_rr_push_rdf(tsig, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, 2, empty));
    ldns_pkt_set_tsig(answer.get(), tsig);
  }
  return to_wire(answer.get());
}

config::Rfc2136ProviderConfig config_for(uint16_t port, bool signed_updates = true) {
  config::Rfc2136ProviderConfig c;
  c.server = {"127.0.0.1", port};
  c.zone = "example.test";
  c.timeout = std::chrono::seconds(2);
  if (signed_updates) {
    config::TsigConfig tsig;
    tsig.name = kKey;
    tsig.algorithm = config::TsigAlgorithm::kHmacSha256;
    tsig.secret.value = core::Secret(kSecret);
    c.tsig = tsig;
  }
  return c;
}

Change replace_api() {
  return Change{Change::Kind::kUpsert,
                RecordSet{"api.example.test", RecordType::kA, 30, {"127.0.0.10"}, ""},
                RecordSet{"api.example.test", RecordType::kA, 30, {"127.0.0.5"}, ""}};
}

core::Status apply_against(FauxDnsServer::Handler handler, bool signed_updates = true) {
  FauxDnsServer server(std::move(handler));
  Rfc2136Provider provider("faux", config_for(server.port(), signed_updates));
  return provider.apply({replace_api()});
}

TEST(Rfc2136Faux, UpdateMessageShape) {
  PacketPtr seen;
  FauxDnsServer server([&](const Bytes& request, bool) {
    seen = parse(request);
    return reply(request, signed_by(kSecret));
  });
  Rfc2136Provider provider("faux", config_for(server.port()));
  auto status = provider.apply({replace_api()});
  ASSERT_TRUE(status.ok()) << status.error().describe();
  ASSERT_TRUE(seen);
  EXPECT_EQ(ldns_pkt_get_opcode(seen.get()), LDNS_PACKET_UPDATE);
  EXPECT_FALSE(ldns_pkt_rd(seen.get()));
  // Zone section: example.test SOA.
  ASSERT_EQ(ldns_pkt_qdcount(seen.get()), 1);
  EXPECT_EQ(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(seen.get()), 0)), LDNS_RR_TYPE_SOA);
  // Prerequisite (answer section): the expected A, class IN, TTL 0.
  ASSERT_EQ(ldns_pkt_ancount(seen.get()), 1);
  const ldns_rr* prereq = ldns_rr_list_rr(ldns_pkt_answer(seen.get()), 0);
  EXPECT_EQ(ldns_rr_get_class(prereq), LDNS_RR_CLASS_IN);
  EXPECT_EQ(ldns_rr_ttl(prereq), 0u);
  // Update (authority section): delete RRset (ANY, no RDATA), add (IN, TTL 30).
  ASSERT_EQ(ldns_pkt_nscount(seen.get()), 2);
  const ldns_rr* del = ldns_rr_list_rr(ldns_pkt_authority(seen.get()), 0);
  EXPECT_EQ(ldns_rr_get_class(del), LDNS_RR_CLASS_ANY);
  EXPECT_EQ(ldns_rr_rd_count(del), 0u);
  const ldns_rr* add = ldns_rr_list_rr(ldns_pkt_authority(seen.get()), 1);
  EXPECT_EQ(ldns_rr_get_class(add), LDNS_RR_CLASS_IN);
  EXPECT_EQ(ldns_rr_ttl(add), 30u);
  // TSIG last, with our key name and a 300 s fudge.
  const ldns_rr* tsig = ldns_pkt_tsig(seen.get());
  ASSERT_NE(tsig, nullptr);
  EXPECT_EQ(ldns_rdf2native_int16(ldns_rr_rdf(tsig, 2)), 300);
  EXPECT_EQ(server.udp_requests(), 1);
  EXPECT_EQ(server.tcp_requests(), 0);
}

TEST(Rfc2136Faux, ReplySignedWithAnotherKeyIsRejected) {
  auto status = apply_against(
      [](const Bytes& request, bool) { return reply(request, signed_by(kOtherSecret)); });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(status.error().message.find("does not verify"), std::string::npos)
      << status.error().message;
}

TEST(Rfc2136Faux, UnsignedSuccessToSignedUpdateIsRejected) {
  auto status = apply_against([](const Bytes& request, bool) { return reply(request, {}); });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(status.error().message.find("unsigned answer"), std::string::npos);
}

TEST(Rfc2136Faux, TsigErrorsAreNamed) {
  struct Case {
    uint16_t error;
    const char* text;
  };
  for (const Case& c : {Case{16, "TSIG BADSIG"}, Case{17, "TSIG BADKEY"}, Case{18, "TSIG BADTIME"},
                        Case{22, "TSIG error 22"}}) {
    auto status = apply_against([&](const Bytes& request, bool) {
      ReplyOptions o = with_rcode(LDNS_RCODE_NOTAUTH);
      o.unsigned_tsig_error = c.error;
      return reply(request, o);
    });
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
    EXPECT_NE(status.error().message.find(c.text), std::string::npos) << status.error().message;
  }
}

TEST(Rfc2136Faux, RcodeMapping) {
  struct Case {
    ldns_pkt_rcode rcode;
    core::ErrorKind kind;
    const char* text;
  };
  for (const Case& c : {Case{LDNS_RCODE_SERVFAIL, core::ErrorKind::kTransient, "SERVFAIL"},
                        Case{LDNS_RCODE_NXRRSET, core::ErrorKind::kConflict, "prerequisite"},
                        Case{LDNS_RCODE_YXDOMAIN, core::ErrorKind::kConflict, "prerequisite"},
                        Case{LDNS_RCODE_REFUSED, core::ErrorKind::kTerminal, "refused by policy"},
                        Case{LDNS_RCODE_NOTAUTH, core::ErrorKind::kTerminal, "not authoritative"},
                        Case{LDNS_RCODE_NOTZONE, core::ErrorKind::kTerminal, "NOTZONE"},
                        Case{LDNS_RCODE_FORMERR, core::ErrorKind::kTerminal, "FORMERR"}}) {
    auto status = apply_against(
        [&](const Bytes& request, bool) { return reply(request, with_rcode(c.rcode)); },
        /*signed_updates=*/false);
    ASSERT_FALSE(status.ok()) << c.text;
    EXPECT_EQ(status.error().kind, c.kind) << c.text;
    EXPECT_NE(status.error().message.find(c.text), std::string::npos) << status.error().message;
  }
}

TEST(Rfc2136Faux, GarbageAndWrongIdAreTerminal) {
  auto status = apply_against([](const Bytes&, bool) { return Bytes{1, 2, 3}; });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(status.error().message.find("malformed"), std::string::npos);

  status = apply_against([](const Bytes& request, bool) {
    ReplyOptions o = signed_by(kSecret);
    o.id_offset = 1;
    return reply(request, o);
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(status.error().message.find("request id"), std::string::npos);
}

TEST(Rfc2136Faux, TruncatedUdpAnswerIsRetriedOverTcp) {
  FauxDnsServer server([](const Bytes& request, bool over_tcp) {
    ReplyOptions truncated;
    truncated.truncated = true;
    if (!over_tcp) return reply(request, truncated);
    return reply(request, signed_by(kSecret));
  });
  Rfc2136Provider provider("faux", config_for(server.port()));
  auto status = provider.apply({replace_api()});
  ASSERT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(server.udp_requests(), 1);
  EXPECT_EQ(server.tcp_requests(), 1);
}

TEST(Rfc2136Faux, UpdateOver512OctetsGoesStraightToTcp) {
  FauxDnsServer server(
      [](const Bytes& request, bool) { return reply(request, signed_by(kSecret)); });
  Rfc2136Provider provider("faux", config_for(server.port()));
  Change big{Change::Kind::kUpsert,
             RecordSet{"big.example.test", RecordType::kTxt, 30, {std::string(600, 'x')}, ""},
             std::nullopt};
  auto status = provider.apply({big});
  ASSERT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(server.udp_requests(), 0);
  EXPECT_EQ(server.tcp_requests(), 1);
}

TEST(Rfc2136Faux, SilenceIsTransientTimeout) {
  FauxDnsServer server([](const Bytes&, bool) { return Bytes{}; });
  auto c = config_for(server.port());
  c.timeout = std::chrono::milliseconds(200);
  Rfc2136Provider provider("faux", c);
  auto status = provider.apply({replace_api()});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTransient);
  EXPECT_NE(status.error().message.find("timed out"), std::string::npos) << status.error().message;
  EXPECT_TRUE(status.error().timed_out);
}

TEST(Rfc2136Faux, ReadOfGarbageIsTerminalAndServfailTransient) {
  FauxDnsServer garbage([](const Bytes&, bool) { return Bytes(40, 0xff); });
  Rfc2136Provider provider("faux", config_for(garbage.port()));
  auto sets = provider.read("api.example.test");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().kind, core::ErrorKind::kTerminal);

  FauxDnsServer servfail(
      [](const Bytes& request, bool) { return reply(request, with_rcode(LDNS_RCODE_SERVFAIL)); });
  Rfc2136Provider provider2("faux", config_for(servfail.port()));
  sets = provider2.read("api.example.test");
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.error().kind, core::ErrorKind::kTransient);
}

TEST(Rfc2136Faux, SecretFileIsReadAtApply) {
  config::Rfc2136ProviderConfig c = config_for(1);
  c.tsig->secret = {};
  c.tsig->secret.file = "/nonexistent/fk-tsig-secret";
  Rfc2136Provider provider("faux", c);
  auto status = provider.apply({replace_api()});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_NE(status.error().message.find("fk-tsig-secret"), std::string::npos);
}

}  // namespace
}  // namespace frankenetes::dns
