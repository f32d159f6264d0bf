#pragma once
// AzureDnsProvider: DnsProvider over Azure DNS record sets (Microsoft.Network/dnsZones,
// api-version 2018-05-01, "Record Sets" REST API). One GET per type for read(), one PUT or
// DELETE per change for apply() (Azure DNS has no batch), in order, stopping at the first
// failure. read_zone() lists the whole zone ("Record Sets - List By DNS Zone", up to 1000 sets
// a page, following nextLink) and keeps the A, TXT and CNAME sets; every GET counts against the
// subscription's ARM read budget, so a pass over many names should read the zone instead.
//
// Absence needs proof: a GET's 404 means "no such set" only with ARM's error envelope and code
// NotFound (ResourceNotFound is the zone missing); any other 404 (a proxy's page, an empty
// body) is a kTransient error, the set's state unknown. A nextLink is followed only to the resource manager's origin
// (it would receive our bearer token), never twice, and at most max_list_pages times.
//
// Concurrency: a change's expected_current becomes a conditional request — If-Match: <etag>
// when the caller read the set (RecordSet::version), If-None-Match: * when it must not exist —
// and 412 Precondition Failed is ErrorKind::kConflict (re-read and re-plan; never a blind
// overwrite). An expected set without an etag is checked by a GET first, then written with
// that GET's etag.
//
// Like AciClient it does not retry or throttle: compose the transport
// (AzureDnsProvider -> RetryingTransport -> ObservingTransport -> HttpClient). Errors come from
// azure::error_from_response (kind, status, ARM code, x-ms-request-id); the bearer token never
// appears in them. Metadata written with every PUT is informational only; ownership lives in
// the TXT registry (lib/plan/dns_*).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "azure/token_credential.h"
#include "config/types.h"
#include "core/time_source.h"
#include "dns/provider.h"
#include "http/transport.h"

namespace frankenetes::dns {

inline constexpr std::string_view kAzureDnsApiVersion = "2018-05-01";

struct AzureDnsSettings {
  std::string resource_manager = "https://management.azure.com";  // no trailing slash needed
  std::string token_scope = "https://management.azure.com/.default";
  std::string user_agent = "frankenetesd";
  core::Duration request_timeout{std::chrono::seconds(30)};
  std::map<std::string, std::string> metadata{{"managedBy", "frankenetesd"}};
  std::size_t list_page_size = 1000;  // read_zone()'s $top; Azure DNS allows 1..1000
  std::size_t max_list_pages = 1000;  // read_zone() gives up (kTerminal) beyond this
};

class AzureDnsProvider final : public DnsProvider {
 public:
  AzureDnsProvider(std::string name, config::AzureDnsProviderConfig config,
                   http::HttpTransport& transport, azure::TokenCredential& credential,
                   AzureDnsSettings settings = {});

  std::string name() const override { return name_; }
  std::string zone() const override { return zone_; }
  core::Result<std::vector<RecordSet>> read(const std::string& fqdn) override;
  std::size_t requests_per_read() const override { return 3; }  // A, TXT, CNAME
  bool reads_zone() const override { return true; }
  core::Result<ZoneRecords> read_zone() override;
  core::Status apply(const std::vector<Change>& changes) override;
  std::vector<std::string> authoritative_servers() const override { return {}; }

  // The record set URL and the first page of the zone list (exposed for tests).
  core::Result<std::string> record_set_url(const std::string& fqdn, RecordType type) const;
  std::string record_sets_url() const;

 private:
  std::string zone_url() const;
  // `error` with "provider '<name>': " in front of its message.
  core::Error named(core::Error error) const;
  // nullopt when the set does not exist.
  core::Result<std::optional<RecordSet>> get(const std::string& fqdn, RecordType type);
  // If-Match / If-None-Match for a change's expected_current (may GET to learn the etag).
  core::Result<http::Headers> preconditions(const std::optional<RecordSet>& expected,
                                            const std::string& fqdn, RecordType type);
  core::Status upsert(const Change& change);
  core::Status remove(const Change& change);
  core::Result<http::Response> send(const std::string& method, const std::string& url,
                                    http::Headers headers, std::string body, const char* operation);

  std::string name_;
  config::AzureDnsProviderConfig config_;
  std::string zone_;
  http::HttpTransport& transport_;
  azure::TokenCredential& credential_;
  AzureDnsSettings settings_;
};

// Pure codec, exposed for tests: the PUT body for `set`, a RecordSet from a GET body, and the
// managed sets of one zone-list page (kTerminal on a body we cannot understand; the list's
// message names the element index and the field).
std::string azure_record_set_body(const RecordSet& set,
                                  const std::map<std::string, std::string>& metadata);
core::Result<RecordSet> parse_azure_record_set(std::string_view body, const std::string& fqdn,
                                               RecordType type);

struct AzureRecordSetPage {
  std::vector<RecordSet> sets;           // A, TXT and CNAME only; NS, SOA, MX... are skipped
  std::optional<std::string> next_link;  // absent, null or "" on the last page
};
// `zone` is the zone apex (lowercase, no dot); a set named "@" gets it as fqdn.
core::Result<AzureRecordSetPage> parse_azure_record_set_page(std::string_view body,
                                                             const std::string& zone);

}  // namespace frankenetes::dns
