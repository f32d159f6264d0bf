#pragma once
// DnsProvider: the narrow seam between the DNS plan (lib/plan/dns_*) and the DNS services that
// hold the records (Azure DNS, Cloudflare, an RFC 2136 server). Like external-dns' Provider, it
// only reads the record sets at one name and applies a change set; deciding *what* to change
// (ownership, adoption, "state unknown") is the plan's job, never the provider's.
//
// Implementations: AzureDnsProvider (azure_dns_provider.h), CloudflareProvider
// (cloudflare_provider.h), Rfc2136Provider (rfc2136_provider.h); make_dns_provider() in
// provider_factory.h builds one from config. All calls are blocking and bounded by a deadline;
// implementations may be called from several worker threads at once (given a thread-safe
// HttpTransport). They neither retry nor log: the caller owns retries, events and metrics.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace frankenetes::dns {

enum class RecordType { kA, kTxt, kCname };

// "A", "TXT", "CNAME". Inline so that users of the value types (the pure DNS plan) need not
// link the providers.
inline const char* to_string(RecordType type) {
  switch (type) {
    case RecordType::kA: return "A";
    case RecordType::kTxt: return "TXT";
    case RecordType::kCname: return "CNAME";
  }
  return "?";
}

// One record set: every record of one type at one name.
struct RecordSet {
  std::string fqdn;  // absolute name, lowercase, no trailing dot ("etcd-0.example.com")
  RecordType type = RecordType::kA;
  uint32_t ttl = 60;
  // A: dotted quads; TXT: each record's full text (splitting into <=255-octet character-strings
  // is the provider's job, joining them on read too); CNAME: exactly one target, no trailing dot.
  // Providers return values sorted so equal sets compare equal.
  std::vector<std::string> values;
  // Provider concurrency token: Azure DNS etag, Cloudflare record ids (comma-separated), empty
  // for RFC 2136. Set by read(); ignored by operator== so a planned set equals a read one.
  std::string version;

  bool operator==(const RecordSet& other) const {
    return fqdn == other.fqdn && type == other.type && ttl == other.ttl && values == other.values;
  }
};

// One step of a change set.
struct Change {
  enum class Kind { kUpsert, kDelete };
  Kind kind = Kind::kUpsert;
  // kUpsert: the whole set as it must be afterwards. kDelete: fqdn and type name the set to
  // remove (values/ttl are ignored, except RFC 2136 may use them nowhere).
  RecordSet desired;
  // Optimistic concurrency. nullopt: no guard (write regardless of the current state — the plan
  // should avoid this). A value with empty `values`: the set must NOT exist now. Otherwise the
  // current set must have exactly these values (and, where the provider has one, this `version`,
  // as returned by read()). A mismatch fails the whole apply() with ErrorKind::kConflict and
  // nothing of that change written: the caller re-reads and re-plans, never overwrites blindly.
  //   Azure DNS: If-Match: <version> / If-None-Match: * (412 -> kConflict)
  //   Cloudflare: re-read and compare values before writing
  //   RFC 2136: prerequisite section "RRset exists (value dependent)" / "RRset does not exist"
  std::optional<RecordSet> expected_current;
};

class DnsProvider {
 public:
  virtual ~DnsProvider() = default;

  // The config key under dns.providers ("cloudflare-prod"), for logs and metrics labels.
  virtual std::string name() const = 0;
  // The zone apex, lowercase, no trailing dot ("example.com").
  virtual std::string zone() const = 0;

  // Every A, TXT and CNAME set at `fqdn` (absent name: empty vector, not an error). Sorted by
  // type (A, TXT, CNAME). Errors: kTransient (timeouts, 429/5xx, SERVFAIL), kTerminal (auth,
  // malformed answers), kInvalidConfig (fqdn outside zone()).
  virtual core::Result<std::vector<RecordSet>> read(const std::string& fqdn) = 0;

  // Applies `changes` atomically where the provider can (RFC 2136: one UPDATE message), else in
  // order, stopping at the first failure (earlier changes stay applied; the caller re-reads).
  // Errors: kConflict (expected_current did not match), kTransient, kTerminal (auth/TSIG/policy;
  // the message says which), kInvalidConfig.
  virtual core::Status apply(const std::vector<Change>& changes) = 0;

  // "host:port" of servers that answer authoritatively for zone(), to verify against; empty when
  // the provider does not know them (Azure DNS / Cloudflare: configure dns.verify.nameservers).
  virtual std::vector<std::string> authoritative_servers() const = 0;
};

}  // namespace frankenetes::dns
