#include "sim/dns/record_validation.h"

#include "sim/dns/dns_names.h"

namespace frankenetes::sim::dns {
namespace {

RecordProblem problem(std::string message, int code = 1004) {
  return RecordProblem{code, std::move(message)};
}

}  // namespace

std::optional<RecordProblem> validate_azure_record_set(const AzureRecordSet& set,
                                                       const std::string& zone) {
  if (set.name != "@" && !is_valid_domain_name(set.name, /*allow_wildcard=*/true)) {
    return problem("The record set name '" + set.name + "' is not valid.");
  }
  if (absolute_name(set.name, zone).size() > 253) {
    return problem("The record set name '" + set.name + "' is too long.");
  }
  if (set.ttl > kAzureMaxTtl) {
    return problem("The TTL value " + std::to_string(set.ttl) + " is out of range.");
  }
  switch (set.type) {
    case RecordType::kA:
      if (set.a_records.size() > kAzureMaxRecordsPerSet) {
        return problem("A record set may contain at most 20 records.");
      }
      for (const auto& ip : set.a_records) {
        if (!is_valid_ipv4(ip)) {
          return problem("The value '" + ip + "' for property 'ipv4Address' is not a valid "
                         "IPv4 address.");
        }
      }
      if (!set.txt_records.empty() || !set.cname.empty()) {
        return problem("A record set of type 'A' can contain only ARecords.");
      }
      break;
    case RecordType::kTxt: {
      if (set.txt_records.size() > kAzureMaxRecordsPerSet) {
        return problem("A record set may contain at most 20 records.");
      }
      for (const auto& record : set.txt_records) {
        std::size_t total = 0;
        for (const auto& s : record) total += s.size();
        if (total > kAzureMaxTxtLength) {
          return problem("A TXT record value may be at most 1024 characters long.");
        }
      }
      if (!set.a_records.empty() || !set.cname.empty()) {
        return problem("A record set of type 'TXT' can contain only TXTRecords.");
      }
      break;
    }
    case RecordType::kCname:
      if (set.name == "@") {
        return problem("A CNAME record set cannot be created at the zone apex.");
      }
      if (!set.cname.empty() && !is_valid_domain_name(normalize_name(set.cname), true)) {
        return problem("The value '" + set.cname + "' for property 'cname' is not a valid "
                       "domain name.");
      }
      if (!set.a_records.empty() || !set.txt_records.empty()) {
        return problem("A record set of type 'CNAME' can contain only CNAMERecord.");
      }
      break;
  }
  return std::nullopt;
}

std::optional<RecordProblem> validate_cloudflare_record(const CloudflareRecord& record,
                                                        const std::string& zone) {
  if (!is_valid_domain_name(record.name, /*allow_wildcard=*/true) ||
      !is_in_zone(record.name, zone)) {
    return problem("DNS name is invalid: '" + record.name + "' is not in zone " + zone + ".",
                   9006);
  }
  switch (record.type) {
    case RecordType::kA:
      if (!is_valid_ipv4(record.content)) {
        return problem("Content for A record must be a valid IPv4 address.", 9005);
      }
      break;
    case RecordType::kCname:
      if (!is_valid_domain_name(normalize_name(record.content), true)) {
        return problem("Content for CNAME record is invalid.", 9007);
      }
      break;
    case RecordType::kTxt:
      if (record.content.size() > kCloudflareMaxTxtLength) {
        return problem("Content for TXT record is too long (at most 2048 characters).", 9100);
      }
      break;
  }
  if (record.ttl != 1 && (record.ttl < kCloudflareMinTtl || record.ttl > kCloudflareMaxTtl)) {
    return problem("TTL must be between 60 and 86400 seconds, or 1 for Automatic.", 9021);
  }
  if (record.proxied && record.type == RecordType::kTxt) {
    return problem("This record type cannot be proxied.", 9004);
  }
  if (record.comment && record.comment->size() > kCloudflareMaxCommentLength) {
    return problem("Comment is too long (at most 100 characters).", 9102);
  }
  return std::nullopt;
}

std::optional<RecordType> cname_conflict(const Zone& zone, const std::string& fqdn,
                                         RecordType type,
                                         const std::string& ignore_cloudflare_id) {
  auto conflicts = [&](RecordType existing) {
    if (type == RecordType::kCname) return true;  // a CNAME tolerates no other data
    return existing == RecordType::kCname;
  };
  if (zone.provider == Provider::kAzureDns) {
    const auto relative = relative_name(fqdn, zone.name);
    for (const auto& [key, set] : zone.record_sets) {
      if (key.first == relative && set.type != type && conflicts(set.type)) return set.type;
    }
    return std::nullopt;
  }
  for (const auto& record : zone.records) {
    if (record.name != fqdn || record.id == ignore_cloudflare_id) continue;
    // Several CNAME records at one name conflict too; several A or TXT records do not.
    if (type == RecordType::kCname || record.type == RecordType::kCname) return record.type;
  }
  return std::nullopt;
}

}  // namespace frankenetes::sim::dns
