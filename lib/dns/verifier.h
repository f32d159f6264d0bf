#pragma once
// DnsVerifier: after a change set is applied, asks the zone's authoritative servers for the
// name until every one of them answers with the desired record (or, after a delete, with no
// record), or until dns.verify.timeout passes, polling every dns.verify.interval. This is what
// external-dns never does: a provider's "200 OK" is not a resolver's answer (Azure DNS and
// Cloudflare propagate to their edge asynchronously; a secondary may lag its primary).
//
// Used by the reconciler after DnsProvider::apply(); the result feeds
// `frankenetes_dns_record_in_sync`, the change-to-consistent histogram and the dns.* events.
// An inconsistent result is for the caller to retry and alert on; the verifier itself never
// re-applies anything and never decides what the record should be (plan/dns_plan.h does).
//
// Time and waiting go through seams (core::TimeSource, core::Sleeper) so the polling logic is
// tested on fake time; the network goes through RecordQuerier, whose production
// implementation (LdnsRecordQuerier) uses query_record_set() (dns/dns_query.h, ldns).

#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "config/types.h"
#include "core/result.h"
#include "core/sleeper.h"
#include "core/time_source.h"
#include "dns/provider.h"

namespace frankenetes::dns {

// Asks one server for one record set. nullopt: the server says it does not exist.
class RecordQuerier {
 public:
  virtual ~RecordQuerier() = default;
  virtual core::Result<std::optional<RecordSet>> query(const config::HostPort& server,
                                                       const std::string& fqdn, RecordType type,
                                                       core::Duration timeout) = 0;
};

// The real one: UDP with TCP fallback over ldns, no recursion desired.
class LdnsRecordQuerier final : public RecordQuerier {
 public:
  core::Result<std::optional<RecordSet>> query(const config::HostPort& server,
                                               const std::string& fqdn, RecordType type,
                                               core::Duration timeout) override;
};

// What the servers must answer. Empty `values`: the set must not exist (after a delete).
// Values compare as sets; CNAME targets case-insensitively and without the root dot; TTL is
// not compared (a resolver sees the same address either way).
struct Expectation {
  std::string fqdn;
  RecordType type = RecordType::kA;
  std::vector<std::string> values;

  // "A 10.0.0.2", "CNAME x.azurecontainer.io", "no CNAME".
  std::string describe() const;
};

struct VerifyOptions {
  // "host:port" (IPv6 in brackets, port 53 by default), from choose_verify_servers().
  std::vector<std::string> servers;
  core::Duration timeout = config::kDefaultDnsVerifyTimeout;    // overall deadline
  core::Duration interval = config::kDefaultDnsVerifyInterval;  // between rounds
  // Each query's own deadline, capped by what is left of `timeout`.
  core::Duration query_timeout = std::chrono::seconds(2);
  // A stop ends the verification before the next round (the sleeper must wake on it too,
  // as the daemon's StopSignal does); the result is `cancelled`, neither consistent nor a
  // failure.
  std::stop_token stop;
};

// dns.verify.nameservers when configured, else the provider's authoritative_servers().
std::vector<std::string> choose_verify_servers(const config::DnsVerifyConfig& verify,
                                               const std::vector<std::string>& authoritative);

// What one server said last.
struct ServerAnswer {
  std::string server;  // as given in VerifyOptions::servers
  bool matches = false;
  // The last answer when the query succeeded: the set, or nullopt for "does not exist".
  std::optional<std::optional<RecordSet>> answer;
  std::optional<core::Error> error;  // the last query failed (cleared by a later answer)
  int queries = 0;
  std::optional<core::Duration> matched_after;  // since verify() started

  // "A 10.0.0.1", "no A", "error: transient: timeout after 2s".
  std::string describe() const;
};

struct VerificationResult {
  bool consistent = false;  // every server answered as expected before the deadline
  bool cancelled = false;   // VerifyOptions::stop ended it first: nothing is known
  core::Duration elapsed{0};
  int rounds = 0;
  std::vector<ServerAnswer> servers;  // in VerifyOptions::servers order
  std::string problem;                // set when verification could not run at all

  // One line for logs: "consistent after 1.2s (2 servers)" or
  // "inconsistent after 30s: 127.0.0.1:53 answered A 10.0.0.1 (want A 10.0.0.2)".
  std::string describe() const;
};

class DnsVerifier {
 public:
  DnsVerifier(RecordQuerier& querier, const core::TimeSource& time, core::Sleeper& sleeper)
      : querier_(querier), time_(time), sleeper_(sleeper) {}

  // Blocks for at most options.timeout (plus one query_timeout). Every server is queried in
  // each round until it has answered as expected once; unusable addresses are never retried.
  VerificationResult verify(const Expectation& expected, const VerifyOptions& options) const;

 private:
  RecordQuerier& querier_;
  const core::TimeSource& time_;
  core::Sleeper& sleeper_;
};

// Whether `answer` (nullopt: absent) is what `expected` asks for.
bool answer_matches(const Expectation& expected, const std::optional<RecordSet>& answer);

}  // namespace frankenetes::dns
