#pragma once
// One DNS request/response exchange with a server, over ldns (no hand-written wire code):
// UDP first, TCP when the request is over 512 octets or the UDP answer is truncated (RFC 1035
// §4.2, RFC 2136 §7), all within one deadline. With a TSIG key the request is signed
// (RFC 8945, fudge 300 s) and the answer's signature verified against the request MAC.
// Internal to lib/dns (it exposes ldns types): Rfc2136Provider and query_record_set() use it.

// ldns/common.h `#define`s bool unless __bool_true_false_are_defined, which breaks the
// standard library in C++; stdbool.h defines that guard.
// clang-format off
#include <stdbool.h>  // NOLINT(modernize-deprecated-headers)
#include <ldns/ldns.h>
// clang-format on

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "config/types.h"
#include "core/result.h"
#include "core/secret.h"
#include "dns/provider.h"

namespace frankenetes::dns::detail {

struct PacketDeleter {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using PacketPtr = std::unique_ptr<ldns_pkt, PacketDeleter>;

struct TsigKey {
  std::string name;  // key name as in BIND's `key "name"`, with or without the trailing dot
  config::TsigAlgorithm algorithm = config::TsigAlgorithm::kHmacSha256;
  core::Secret secret;  // base64
};

// TSIG error field of an answer (RFC 8945 §5.3): 0, or BADSIG 16, BADKEY 17, BADTIME 18, ...
enum class TsigOutcome { kUnsigned, kVerified, kBadSignature, kError };

struct Exchange {
  PacketPtr reply;
  bool used_tcp = false;
  TsigOutcome tsig = TsigOutcome::kUnsigned;
  uint16_t tsig_error = 0;  // the reply's TSIG error field, when it carries a TSIG RR
};

struct ExchangeOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(5)};
  bool force_tcp = false;
  uint16_t fudge = 300;
};

// Sends `request` (signing it first when `key` is set; the packet is modified) to `server`.
// Errors: kTransient for timeouts and network failures, kTerminal for a malformed or
// mismatched answer, kInvalidConfig for an unusable server address or key. DNS RCODEs and
// TSIG outcomes are NOT errors: the caller maps them.
core::Result<Exchange> exchange(ldns_pkt* request, const config::HostPort& server,
                                const std::optional<TsigKey>& key, const ExchangeOptions& options);

// What one answer on the wire says about `request` (as sent: signed when `key` is set), the
// part of exchange() that reads a peer's bytes. nullopt: the answer is truncated and came over
// UDP, so the exchange is to be repeated over TCP. Errors: kTerminal for a malformed answer or
// one to another request id; `server` names the peer in them. Pure apart from ldns.
core::Result<std::optional<Exchange>> read_answer(const ldns_pkt* request, const uint8_t* wire,
                                                  size_t size, bool used_tcp,
                                                  const std::optional<TsigKey>& key,
                                                  const std::string& server);

// The record set of `type` at `name` (normalized) in a reply to a query for it, as
// query_record_set() returns it (defined in dns_query.cc): the RCODE mapped to nullopt
// (NXDOMAIN) or an error, the answer section's matching RRs to a sorted set. `what` ("A x.example
// at 127.0.0.1:53") goes into errors.
core::Result<std::optional<RecordSet>> record_set_from_reply(const ldns_pkt* reply,
                                                             const std::string& name,
                                                             RecordType type,
                                                             const std::string& what);

// "hmac-sha256." / "hmac-sha512."
const char* tsig_algorithm_name(config::TsigAlgorithm algorithm);

// ldns rdf for an absolute domain name ("a.example.com" -> "a.example.com."); null if invalid.
ldns_rdf* make_dname(const std::string& name);

// The wire type of one of our record types.
inline ldns_rr_type ldns_type(RecordType type) {
  switch (type) {
    case RecordType::kA: return LDNS_RR_TYPE_A;
    case RecordType::kTxt: return LDNS_RR_TYPE_TXT;
    case RecordType::kCname: return LDNS_RR_TYPE_CNAME;
  }
  return LDNS_RR_TYPE_A;
}

}  // namespace frankenetes::dns::detail
