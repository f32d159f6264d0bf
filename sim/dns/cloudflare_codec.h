#pragma once
// Cloudflare API v4 JSON for zones and DNS records, and the v4 envelope
// {success, errors:[{code,message}], messages, result, result_info?} (azure-api.md §5). Pure.
// Error codes follow what Cloudflare is seen to return (81053/81054 CNAME conflicts, 81058
// identical record, 9109 invalid token, 10000 authentication error, 971 rate limited); the
// exact numbers are partly UNVERIFIED upstream, so clients should key on HTTP status first.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "sim/dns/record_store.h"

namespace frankenetes::sim::dns {

struct CloudflareError {
  int code = 1004;
  std::string message;
};

nlohmann::json cloudflare_envelope(const nlohmann::json& result);
nlohmann::json cloudflare_error_envelope(const std::vector<CloudflareError>& errors);

// "2026-01-01T00:00:00.000000Z"
std::string format_cloudflare_time(core::SystemTime time);

nlohmann::json cloudflare_record_json(const Zone& zone, const CloudflareRecord& record);
nlohmann::json cloudflare_zone_json(const Zone& zone);

// Fields a POST/PUT/PATCH body sets. `comment` is set-to-null when it holds nullopt inside.
struct CloudflareRecordBody {
  std::optional<std::string> type;
  std::optional<std::string> name;
  std::optional<std::string> content;
  std::optional<std::uint32_t> ttl;
  std::optional<bool> proxied;
  std::optional<std::optional<std::string>> comment;
  std::optional<std::vector<std::string>> tags;
};

// Errors: HTTP status in http_status, Cloudflare code (as text) in azure_code.
core::Result<CloudflareRecordBody> parse_cloudflare_record_body(const std::string& body);

// `base` with the body applied; `name` is expanded relative to the zone ("@", "www" →
// "www.<zone>"). Fails for an unknown type.
core::Result<CloudflareRecord> apply_cloudflare_record_body(CloudflareRecord base,
                                                            const CloudflareRecordBody& body,
                                                            const Zone& zone);

}  // namespace frankenetes::sim::dns
