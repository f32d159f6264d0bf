#pragma once
// RecordStore: the DNS data of every simulated zone, shared by the Azure DNS API, the
// Cloudflare API, the control API and the authoritative DNS server, so a change made through
// either API is visible over DNS at once. Each zone belongs to exactly one provider and keeps
// that provider's data model: Azure DNS zones hold record *sets* (one per name and type, with
// a set-level TTL, metadata and etag); Cloudflare zones hold individual records with ids.
// `lookup()` is the provider-neutral view the DNS server answers from; it synthesizes the
// apex SOA and NS records in each provider's style.
//
// Pure: no I/O, no clock (callers pass `now`), ids and etags come from a seeded generator so
// tests are repeatable. Validation of what goes in is the APIs' job (their error formats
// differ); the store keeps its invariants only (names normalized, one set per name+type).
// Wildcard records are stored but not expanded by `lookup()`.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time_source.h"

namespace frankenetes::sim::dns {

enum class Provider { kAzureDns, kCloudflare };
const char* to_string(Provider provider);  // "azureDns" | "cloudflare"
std::optional<Provider> parse_provider(std::string_view text);

// Record types the simulated APIs manage. SOA and NS exist only as synthesized apex records.
enum class RecordType { kA, kTxt, kCname };
const char* to_string(RecordType type);  // "A" | "TXT" | "CNAME"
std::optional<RecordType> parse_record_type(std::string_view text);  // case-insensitive

// DNS RR type numbers (RFC 1035 §3.2.2, RFC 6895) used by lookup().
inline constexpr std::uint16_t kRrA = 1;
inline constexpr std::uint16_t kRrNs = 2;
inline constexpr std::uint16_t kRrCname = 5;
inline constexpr std::uint16_t kRrSoa = 6;
inline constexpr std::uint16_t kRrTxt = 16;
inline constexpr std::uint16_t kRrAny = 255;
std::uint16_t rr_type(RecordType type);

struct AzureRecordSet {
  std::string name;  // relative to the zone, normalized; "@" is the apex
  RecordType type = RecordType::kA;
  std::uint32_t ttl = 3600;
  std::map<std::string, std::string> metadata;
  std::vector<std::string> a_records;                 // IPv4 dotted quads
  std::vector<std::vector<std::string>> txt_records;  // each record: its character-strings
  std::string cname;                                   // CNAME target; "" when unset
  std::string etag;                                    // assigned by the store
};

struct CloudflareRecord {
  std::string id;    // 32 lowercase hex digits, assigned by the store
  std::string name;  // FQDN, normalized
  RecordType type = RecordType::kA;
  std::string content;
  std::uint32_t ttl = 1;  // 1 = automatic (served as 300 s, like Cloudflare)
  bool proxied = false;
  std::optional<std::string> comment;
  std::vector<std::string> tags;
  core::SystemTime created_on{};
  core::SystemTime modified_on{};
};

struct Zone {
  std::string name;  // normalized, no trailing dot
  Provider provider = Provider::kAzureDns;
  // Azure DNS zones.
  std::string subscription_id;
  std::string resource_group;
  // Cloudflare zones.
  std::string cloudflare_id;
  std::string cloudflare_account_id;
  std::string cloudflare_account_name;
  core::SystemTime created_on{};

  std::uint32_t serial = 1;  // SOA serial: bumped on every change in the zone
  std::map<std::pair<std::string, RecordType>, AzureRecordSet> record_sets;  // Azure zones
  std::vector<CloudflareRecord> records;  // Cloudflare zones, in creation order
};

// One resource record as the DNS server sends it. rdata fields by type:
// A {ip}; CNAME, NS {target}; TXT {character-strings…}; SOA {mname, rname, serial, refresh,
// retry, expire, minimum}.
struct DnsRecord {
  std::string owner;  // normalized FQDN
  std::uint16_t type = kRrA;
  std::uint32_t ttl = 0;
  std::vector<std::string> rdata;
};

struct DnsLookup {
  enum class Outcome {
    kRefused,    // the name is in none of our zones
    kNameError,  // NXDOMAIN (possibly after following CNAMEs in `answers`)
    kNoData,     // the name exists but has no records of the asked type
    kAnswer,
  };
  Outcome outcome = Outcome::kRefused;
  std::vector<DnsRecord> answers;
  std::vector<DnsRecord> authority;  // the zone's SOA for negative answers
};

class RecordStore {
 public:
  explicit RecordStore(std::uint64_t seed = std::random_device{}());

  // Setup. References to zones stay valid for the store's lifetime.
  Zone& add_zone(Zone zone);
  std::deque<Zone>& zones() { return zones_; }
  const std::deque<Zone>& zones() const { return zones_; }

  Zone* find_azure_zone(std::string_view subscription_id, std::string_view resource_group,
                        std::string_view zone_name);
  Zone* find_cloudflare_zone(std::string_view zone_id);
  // The zone with exactly this name (either provider).
  Zone* find_zone(std::string_view zone_name);
  // The zone that contains `fqdn` (longest match), or nullptr.
  const Zone* zone_for_name(std::string_view fqdn) const;
  Zone* zone_for_name(std::string_view fqdn);

  // Azure DNS record sets.
  const AzureRecordSet* find_record_set(const Zone& zone, std::string_view name,
                                        RecordType type) const;
  // Creates or replaces the set with a fresh etag; returns the stored set.
  const AzureRecordSet& put_record_set(Zone& zone, AzureRecordSet set);
  bool delete_record_set(Zone& zone, std::string_view name, RecordType type);
  std::vector<const AzureRecordSet*> record_sets(const Zone& zone,
                                                 std::optional<RecordType> type) const;

  // Cloudflare records.
  const CloudflareRecord* find_record(const Zone& zone, std::string_view id) const;
  const CloudflareRecord& create_record(Zone& zone, CloudflareRecord record, core::SystemTime now);
  // Replaces everything but id and created_on; the record must exist.
  const CloudflareRecord& replace_record(Zone& zone, std::string_view id, CloudflareRecord record,
                                         core::SystemTime now);
  bool delete_record(Zone& zone, std::string_view id);

  // The provider-neutral view: every record at `fqdn` in its zone, including the synthesized
  // apex SOA and NS.
  std::vector<DnsRecord> records_at(const Zone& zone, std::string_view fqdn) const;
  // Answers a DNS question (RFC 1034 §4.3.2, without wildcards): follows CNAMEs within our
  // zones up to 8 links.
  DnsLookup lookup(std::string_view qname, std::uint16_t qtype) const;
  DnsRecord soa_record(const Zone& zone) const;

  // Opaque values in each provider's format: a GUID (Azure etag), 32 hex digits (Cloudflare).
  std::string new_guid();
  std::string new_hex_id();

 private:
  bool name_exists(const Zone& zone, std::string_view fqdn) const;

  std::deque<Zone> zones_;
  std::mt19937_64 rng_;
};

// Cloudflare zone ids derived from the zone name when a scenario does not give one, so the
// daemon's demo config can name them without reading the simulator's output.
std::string derive_cloudflare_zone_id(std::string_view zone_name);

}  // namespace frankenetes::sim::dns
