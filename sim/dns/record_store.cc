#include "sim/dns/record_store.h"

#include <algorithm>
#include <cstdio>

#include "core/strings.h"
#include "sim/dns/dns_names.h"

namespace frankenetes::sim::dns {
namespace {

constexpr std::uint32_t kCloudflareAutoTtl = 300;  // what Cloudflare serves for ttl=1 ("auto")
constexpr std::size_t kMaxCnameChain = 8;

// Apex records in each provider's style. Azure DNS assigns name servers from four TLDs;
// Cloudflare assigns two "<name>.ns.cloudflare.com" hosts.
struct ProviderApex {
  const char* mname;
  const char* rname;
  std::uint32_t soa_ttl, refresh, retry, expire, minimum, ns_ttl;
  std::vector<std::string> name_servers;
};

const ProviderApex& apex_for(Provider provider) {
  static const ProviderApex azure{"ns1-01.azure-dns.com",
                                  "azuredns-hostmaster.microsoft.com",
                                  3600, 3600, 300, 2419200, 300, 172800,
                                  {"ns1-01.azure-dns.com", "ns2-01.azure-dns.net",
                                   "ns3-01.azure-dns.org", "ns4-01.azure-dns.info"}};
  static const ProviderApex cloudflare{"ada.ns.cloudflare.com", "dns.cloudflare.com",
                                       3600, 10000, 2400, 604800, 1800, 86400,
                                       {"ada.ns.cloudflare.com", "bob.ns.cloudflare.com"}};
  return provider == Provider::kAzureDns ? azure : cloudflare;
}

// Splits a Cloudflare TXT content into DNS character-strings of at most 255 octets.
std::vector<std::string> txt_chunks(const std::string& content) {
  std::vector<std::string> chunks;
  for (std::size_t pos = 0; pos < content.size(); pos += 255) {
    chunks.push_back(content.substr(pos, 255));
  }
  if (chunks.empty()) chunks.emplace_back();
  return chunks;
}

}  // namespace

const char* to_string(Provider provider) {
  return provider == Provider::kAzureDns ? "azureDns" : "cloudflare";
}

std::optional<Provider> parse_provider(std::string_view text) {
  if (text == "azureDns") return Provider::kAzureDns;
  if (text == "cloudflare") return Provider::kCloudflare;
  return std::nullopt;
}

const char* to_string(RecordType type) {
  switch (type) {
    case RecordType::kA: return "A";
    case RecordType::kTxt: return "TXT";
    case RecordType::kCname: return "CNAME";
  }
  return "?";
}

std::optional<RecordType> parse_record_type(std::string_view text) {
  if (core::iequals(text, "A")) return RecordType::kA;
  if (core::iequals(text, "TXT")) return RecordType::kTxt;
  if (core::iequals(text, "CNAME")) return RecordType::kCname;
  return std::nullopt;
}

std::uint16_t rr_type(RecordType type) {
  switch (type) {
    case RecordType::kA: return kRrA;
    case RecordType::kTxt: return kRrTxt;
    case RecordType::kCname: return kRrCname;
  }
  return 0;
}

std::string derive_cloudflare_zone_id(std::string_view zone_name) {
  // Two FNV-1a passes with different offsets give 128 stable bits.
  auto fnv = [&](std::uint64_t hash) {
    for (char c : normalize_name(zone_name)) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ULL;
    }
    return hash;
  };
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx",
                static_cast<unsigned long long>(fnv(14695981039346656037ULL)),
                static_cast<unsigned long long>(fnv(0x9e3779b97f4a7c15ULL)));
  return buf;
}

RecordStore::RecordStore(std::uint64_t seed) : rng_(seed) {}

Zone& RecordStore::add_zone(Zone zone) {
  zone.name = normalize_name(zone.name);
  zones_.push_back(std::move(zone));
  return zones_.back();
}

Zone* RecordStore::find_azure_zone(std::string_view subscription_id,
                                   std::string_view resource_group, std::string_view zone_name) {
  // ARM resource ids compare case-insensitively.
  for (auto& zone : zones_) {
    if (zone.provider == Provider::kAzureDns &&
        core::iequals(zone.subscription_id, subscription_id) &&
        core::iequals(zone.resource_group, resource_group) && core::iequals(zone.name, zone_name)) {
      return &zone;
    }
  }
  return nullptr;
}

Zone* RecordStore::find_cloudflare_zone(std::string_view zone_id) {
  for (auto& zone : zones_) {
    if (zone.provider == Provider::kCloudflare && zone.cloudflare_id == zone_id) return &zone;
  }
  return nullptr;
}

Zone* RecordStore::find_zone(std::string_view zone_name) {
  const auto wanted = normalize_name(zone_name);
  for (auto& zone : zones_) {
    if (zone.name == wanted) return &zone;
  }
  return nullptr;
}

const Zone* RecordStore::zone_for_name(std::string_view fqdn) const {
  const auto name = normalize_name(fqdn);
  const Zone* best = nullptr;
  for (const auto& zone : zones_) {
    if (is_in_zone(name, zone.name) && (!best || zone.name.size() > best->name.size())) {
      best = &zone;
    }
  }
  return best;
}

Zone* RecordStore::zone_for_name(std::string_view fqdn) {
  return const_cast<Zone*>(std::as_const(*this).zone_for_name(fqdn));
}

const AzureRecordSet* RecordStore::find_record_set(const Zone& zone, std::string_view name,
                                                   RecordType type) const {
  const auto it = zone.record_sets.find({normalize_name(name), type});
  return it == zone.record_sets.end() ? nullptr : &it->second;
}

const AzureRecordSet& RecordStore::put_record_set(Zone& zone, AzureRecordSet set) {
  set.name = normalize_name(set.name);
  set.etag = new_guid();
  ++zone.serial;
  auto key = std::make_pair(set.name, set.type);
  auto& slot = zone.record_sets[key];
  slot = std::move(set);
  return slot;
}

bool RecordStore::delete_record_set(Zone& zone, std::string_view name, RecordType type) {
  if (zone.record_sets.erase({normalize_name(name), type}) == 0) return false;
  ++zone.serial;
  return true;
}

std::vector<const AzureRecordSet*> RecordStore::record_sets(
    const Zone& zone, std::optional<RecordType> type) const {
  std::vector<const AzureRecordSet*> out;
  for (const auto& [key, set] : zone.record_sets) {
    if (!type || set.type == *type) out.push_back(&set);
  }
  return out;
}

const CloudflareRecord* RecordStore::find_record(const Zone& zone, std::string_view id) const {
  for (const auto& record : zone.records) {
    if (record.id == id) return &record;
  }
  return nullptr;
}

const CloudflareRecord& RecordStore::create_record(Zone& zone, CloudflareRecord record,
                                                   core::SystemTime now) {
  record.id = new_hex_id();
  record.name = normalize_name(record.name);
  record.created_on = now;
  record.modified_on = now;
  ++zone.serial;
  zone.records.push_back(std::move(record));
  return zone.records.back();
}

const CloudflareRecord& RecordStore::replace_record(Zone& zone, std::string_view id,
                                                    CloudflareRecord record,
                                                    core::SystemTime now) {
  auto it = std::find_if(zone.records.begin(), zone.records.end(),
                         [&](const CloudflareRecord& r) { return r.id == id; });
  record.id = it->id;
  record.created_on = it->created_on;
  record.modified_on = now;
  record.name = normalize_name(record.name);
  *it = std::move(record);
  ++zone.serial;
  return *it;
}

bool RecordStore::delete_record(Zone& zone, std::string_view id) {
  auto it = std::find_if(zone.records.begin(), zone.records.end(),
                         [&](const CloudflareRecord& r) { return r.id == id; });
  if (it == zone.records.end()) return false;
  zone.records.erase(it);
  ++zone.serial;
  return true;
}

DnsRecord RecordStore::soa_record(const Zone& zone) const {
  const auto& apex = apex_for(zone.provider);
  return DnsRecord{zone.name,
                   kRrSoa,
                   apex.soa_ttl,
                   {apex.mname, apex.rname, std::to_string(zone.serial),
                    std::to_string(apex.refresh), std::to_string(apex.retry),
                    std::to_string(apex.expire), std::to_string(apex.minimum)}};
}

std::vector<DnsRecord> RecordStore::records_at(const Zone& zone, std::string_view fqdn) const {
  const auto name = normalize_name(fqdn);
  std::vector<DnsRecord> out;
  if (name == zone.name) {
    out.push_back(soa_record(zone));
    const auto& apex = apex_for(zone.provider);
    for (const auto& ns : apex.name_servers) out.push_back({name, kRrNs, apex.ns_ttl, {ns}});
  }
  if (zone.provider == Provider::kAzureDns) {
    const auto relative = relative_name(name, zone.name);
    for (const auto& [key, set] : zone.record_sets) {
      if (key.first != relative) continue;
      switch (set.type) {
        case RecordType::kA:
          for (const auto& ip : set.a_records) out.push_back({name, kRrA, set.ttl, {ip}});
          break;
        case RecordType::kTxt:
          for (const auto& chunks : set.txt_records) out.push_back({name, kRrTxt, set.ttl, chunks});
          break;
        case RecordType::kCname:
          if (!set.cname.empty()) {
            out.push_back({name, kRrCname, set.ttl, {normalize_name(set.cname)}});
          }
          break;
      }
    }
  } else {
    for (const auto& record : zone.records) {
      if (record.name != name) continue;
      const std::uint32_t ttl = record.ttl == 1 ? kCloudflareAutoTtl : record.ttl;
      switch (record.type) {
        case RecordType::kA: out.push_back({name, kRrA, ttl, {record.content}}); break;
        case RecordType::kTxt: out.push_back({name, kRrTxt, ttl, txt_chunks(record.content)}); break;
        case RecordType::kCname:
          out.push_back({name, kRrCname, ttl, {normalize_name(record.content)}});
          break;
      }
    }
  }
  return out;
}

bool RecordStore::name_exists(const Zone& zone, std::string_view fqdn) const {
  // A name "exists" when it owns records or is an empty non-terminal above some that do
  // (RFC 8020: NXDOMAIN means nothing exists at or below the name).
  auto covers = [&](const std::string& owner) { return is_in_zone(owner, fqdn); };
  if (fqdn == zone.name) return true;
  if (zone.provider == Provider::kAzureDns) {
    for (const auto& [key, set] : zone.record_sets) {
      if (covers(absolute_name(key.first, zone.name))) return true;
    }
  } else {
    for (const auto& record : zone.records) {
      if (covers(record.name)) return true;
    }
  }
  return false;
}

DnsLookup RecordStore::lookup(std::string_view qname, std::uint16_t qtype) const {
  DnsLookup result;
  std::string name = normalize_name(qname);
  const Zone* zone = zone_for_name(name);
  if (!zone) return result;  // kRefused

  for (std::size_t links = 0;; ++links) {
    const auto here = records_at(*zone, name);
    if (here.empty()) {
      result.outcome = name_exists(*zone, name) ? DnsLookup::Outcome::kNoData
                                                : DnsLookup::Outcome::kNameError;
      result.authority.push_back(soa_record(*zone));
      return result;
    }
    bool matched = false;
    const DnsRecord* cname = nullptr;
    for (const auto& record : here) {
      if (record.type == qtype || qtype == kRrAny) {
        result.answers.push_back(record);
        matched = true;
      } else if (record.type == kRrCname) {
        cname = &record;
      }
    }
    if (matched) {
      result.outcome = DnsLookup::Outcome::kAnswer;
      return result;
    }
    if (!cname) {
      result.outcome = DnsLookup::Outcome::kNoData;
      result.authority.push_back(soa_record(*zone));
      return result;
    }
    // RFC 1034 §4.3.2 step 3a: answer the CNAME and restart at its target if we are
    // authoritative for it; otherwise the resolver follows it.
    result.answers.push_back(*cname);
    result.outcome = DnsLookup::Outcome::kAnswer;
    const auto target = cname->rdata.front();
    const Zone* next = zone_for_name(target);
    if (!next || links + 1 >= kMaxCnameChain) return result;
    zone = next;
    name = target;
  }
}

std::string RecordStore::new_guid() {
  std::uniform_int_distribution<std::uint32_t> nibble(0, 15);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    std::uint32_t v = nibble(rng_);
    if (i == 12) v = 4;                 // version 4
    if (i == 16) v = 8 | (v & 3);       // RFC 4122 variant
    out.push_back(kHex[v]);
  }
  return out;
}

std::string RecordStore::new_hex_id() {
  std::uniform_int_distribution<std::uint32_t> nibble(0, 15);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) out.push_back(kHex[nibble(rng_)]);
  return out;
}

}  // namespace frankenetes::sim::dns
