// DNS answers on the wire (lib/dns): what exchange() does with the bytes a server sent —
// ldns's wire parser, the id and QR checks, truncation, the TSIG error field and signature
// verification against the request's MAC (RFC 8945) — and how query_record_set() turns a reply
// into a RecordSet (RCODEs, owner and type filtering, TXT character-strings).
// Input: one flags byte (bit 0: the request is TSIG-signed, bit 1: the answer came over TCP,
// bit 2: hmac-sha512), then the answer's wire bytes. The request gets the answer's id, so
// the checks after the id are reached.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "dns/dns_exchange.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace frankenetes;
  using namespace frankenetes::dns;
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  const uint8_t* wire = data + 1;
  const size_t wire_size = size - 1;

  const std::string name = "etcd-0.example.com";
  const RecordType type = RecordType::kA;
  detail::PacketPtr request(
      ldns_pkt_query_new(detail::make_dname(name), detail::ldns_type(type), LDNS_RR_CLASS_IN, 0));
  if (!request) return 0;
  ldns_pkt_set_id(request.get(),
                  wire_size >= 2 ? static_cast<uint16_t>(wire[0] << 8 | wire[1]) : 0);

  std::optional<detail::TsigKey> key;
  if (flags & 1) {
    key = detail::TsigKey{
        "frankenetes-key",
        (flags & 4) ? config::TsigAlgorithm::kHmacSha512 : config::TsigAlgorithm::kHmacSha256,
        core::Secret("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==")};
    const std::string key_name = key->name + ".";
    if (ldns_pkt_tsig_sign(request.get(), key_name.c_str(), key->secret.reveal().c_str(), 300,
                           detail::tsig_algorithm_name(key->algorithm),
                           nullptr) != LDNS_STATUS_OK) {
      return 0;
    }
  }

  auto read =
      detail::read_answer(request.get(), wire, wire_size, (flags & 2) != 0, key, "127.0.0.1:53");
  if (!read.ok() || !*read) return 0;
  const ldns_pkt* reply = (*read)->reply.get();
  for (auto t : {RecordType::kA, RecordType::kTxt, RecordType::kCname}) {
    (void)detail::record_set_from_reply(reply, name, t, "fuzz");
  }
  return 0;
}
