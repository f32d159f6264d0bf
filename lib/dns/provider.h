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

#include <string>
#include <vector>

#include "core/result.h"
#include "model/dns_records.h"

namespace frankenetes::dns {

// The record value types live in lib/model so that the pure plan needs no provider header;
// inside lib/dns they keep their short names.
using model::Change;
using model::RecordSet;
using model::RecordType;
using model::to_string;

// Every record set read_zone() found in the zone.
struct ZoneRecords {
  std::vector<RecordSet> sets;  // the A, TXT and CNAME sets, in no particular order
  std::size_t requests = 0;     // provider requests the read took (pages)
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

  // What read() of one name costs in provider requests (Azure DNS: one GET per type).
  virtual std::size_t requests_per_read() const { return 1; }
  // Whether read_zone() works: a paged list of the whole zone, which costs less than read()
  // per name once a pass reads more than a few names (Azure DNS: up to 1000 sets a request).
  virtual bool reads_zone() const { return false; }
  // Every A, TXT and CNAME set in zone(), with what the read cost. Errors as read();
  // kInvalidConfig when !reads_zone().
  virtual core::Result<ZoneRecords> read_zone() {
    return core::make_error(core::ErrorKind::kInvalidConfig,
                            "provider '" + name() + "' cannot list its zone");
  }

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
