// detail::read_answer(): what exchange() makes of an answer's bytes, without a socket. The
// failure branches that need a live exchange (time-outs, TCP fallback) are in
// rfc2136_faux_test.cc; these are the answers fuzz/fuzz_dns_message found trouble with.

#include "dns/dns_exchange.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace frankenetes::dns {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr const char* kSecret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==";

void put16(Bytes& out, unsigned value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value));
}

void put_name(Bytes& out, std::string_view dotted) {
  while (!dotted.empty()) {
    const auto dot = dotted.find('.');
    const auto label = dotted.substr(0, dot);
    out.push_back(static_cast<uint8_t>(label.size()));
    out.insert(out.end(), label.begin(), label.end());
    dotted.remove_prefix(dot == std::string_view::npos ? dotted.size() : dot + 1);
  }
  out.push_back(0);
}

// A NOERROR answer to `id` with no records and one TSIG RR (RFC 8945 §4.2) naming `algorithm`,
// with a MAC of the right length for hmac-sha256 that verifies with no key, and error BADSIG.
Bytes answer_with_tsig(uint16_t id, std::string_view algorithm) {
  Bytes out;
  put16(out, id);
  put16(out, 0x8400);  // QR, AA
  for (unsigned count : {1, 0, 0, 1}) put16(out, count);
  put_name(out, "etcd-0.example.com");
  put16(out, 1);  // A
  put16(out, 1);  // IN
  put_name(out, "frankenetes-key");
  put16(out, 250);                               // TSIG
  put16(out, 255);                               // ANY
  for (int i = 0; i < 4; ++i) out.push_back(0);  // TTL
  Bytes rdata;
  put_name(rdata, algorithm);
  for (uint8_t b : {0, 0, 0x69, 0x55, 0xb9, 0x00}) rdata.push_back(b);  // time signed (48 bit)
  put16(rdata, 300);                                                    // fudge
  put16(rdata, 32);
  rdata.insert(rdata.end(), 32, 0x01);  // MAC
  put16(rdata, id);                     // original id
  put16(rdata, 16);                     // error: BADSIG
  put16(rdata, 0);                      // other len
  put16(out, static_cast<unsigned>(rdata.size()));
  out.insert(out.end(), rdata.begin(), rdata.end());
  return out;
}

// read_answer() for a TSIG-signed query with id `query_id` and answer_with_tsig(answer_id, …).
core::Result<std::optional<detail::Exchange>> read_signed(uint16_t query_id, uint16_t answer_id,
                                                          std::string_view algorithm) {
  detail::PacketPtr query(ldns_pkt_query_new(detail::make_dname("etcd-0.example.com"),
                                             LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 0));
  ldns_pkt_set_id(query.get(), query_id);
  EXPECT_EQ(
      ldns_pkt_tsig_sign(query.get(), "frankenetes-key.", kSecret, 300, "hmac-sha256.", nullptr),
      LDNS_STATUS_OK);
  const detail::TsigKey key{"frankenetes-key", config::TsigAlgorithm::kHmacSha256,
                            core::Secret(kSecret)};
  const Bytes wire = answer_with_tsig(answer_id, algorithm);
  return detail::read_answer(query.get(), wire.data(), wire.size(), false, key, "127.0.0.1:53");
}

TEST(ReadAnswer, ForgedSignatureIsBadAndItsErrorFieldIsRead) {
  auto read = read_signed(0x4567, 0x4567, "hmac-sha256");
  ASSERT_TRUE(read.ok()) << read.error().describe();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->tsig, detail::TsigOutcome::kError);
  EXPECT_EQ((*read)->tsig_error, 16);
}

// Found by fuzz/fuzz_dns_message (LeakSanitizer): ldns_pkt_tsig_verify() removes the TSIG RR
// from the packet while it computes the MAC and returns without putting it back when it cannot
// (an algorithm it does not know), so every such answer leaked the RR. The reply keeps its RR.
TEST(ReadAnswer, UnknownTsigAlgorithmIsRejectedAndTheReplyKeepsItsTsig) {
  auto read = read_signed(0x4567, 0x4567, "hmac-sha128");
  ASSERT_TRUE(read.ok()) << read.error().describe();
  ASSERT_TRUE(read->has_value());
  EXPECT_NE((*read)->tsig, detail::TsigOutcome::kVerified);
  EXPECT_NE(ldns_pkt_tsig((*read)->reply.get()), nullptr);
}

TEST(ReadAnswer, AnswerToAnotherIdIsAnError) {
  auto read = read_signed(0x4567, 0x4568, "hmac-sha256");
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().message.find("request id"), std::string::npos);
}

}  // namespace
}  // namespace frankenetes::dns
