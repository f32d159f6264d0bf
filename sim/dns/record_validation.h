#pragma once
// The record rules both the scenario parser and the APIs enforce, so a scenario can never
// hold what the API would refuse. Each provider reports problems in its own format; these
// functions return the first problem as data and let the caller wrap it. Pure.

#include <optional>
#include <string>

#include "sim/dns/record_store.h"

namespace frankenetes::sim::dns {

struct RecordProblem {
  int cloudflare_code = 1004;  // Cloudflare v4 error code; 1004 = "DNS Validation Error"
  std::string message;
};

// Limits from the Azure DNS service limits page: 20 records per record set; TXT values are
// at most 1024 characters per record.
inline constexpr std::size_t kAzureMaxRecordsPerSet = 20;
inline constexpr std::size_t kAzureMaxTxtLength = 1024;
inline constexpr std::uint32_t kAzureMaxTtl = 2147483647;
// Cloudflare: TTL 1 (automatic) or 60..86400; TXT content up to 2048 characters; comments up
// to 100 characters on the free plan.
inline constexpr std::uint32_t kCloudflareMinTtl = 60;
inline constexpr std::uint32_t kCloudflareMaxTtl = 86400;
inline constexpr std::size_t kCloudflareMaxTxtLength = 2048;
inline constexpr std::size_t kCloudflareMaxCommentLength = 100;

// `set.name` is relative ("@" for the apex); `zone` is the normalized zone name.
std::optional<RecordProblem> validate_azure_record_set(const AzureRecordSet& set,
                                                       const std::string& zone);
// `record.name` is the normalized FQDN.
std::optional<RecordProblem> validate_cloudflare_record(const CloudflareRecord& record,
                                                        const std::string& zone);

// CNAME exclusivity (RFC 1034 §3.6.2). Returns the conflicting existing type, if any, for a
// new set or record of `type` at `fqdn`. `ignore_cloudflare_id` skips the record being
// replaced.
std::optional<RecordType> cname_conflict(const Zone& zone, const std::string& fqdn,
                                         RecordType type,
                                         const std::string& ignore_cloudflare_id = {});

}  // namespace frankenetes::sim::dns
