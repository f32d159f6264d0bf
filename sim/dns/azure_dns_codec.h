#pragma once
// Azure DNS record-set JSON (api-version 2018-05-01, Microsoft.Network/dnsZones) in both
// directions, and the ARM error envelope. Pure; used by AzureDnsApi and by tests.
//
// Response shape follows the Azure DNS swagger examples (dns.json, api-version 2018-05-01;
// checked by tests/sim/dns/fixture_shape_test.cc) plus the two properties
// the live service adds (provisioningState, targetResource). `fqdn` carries the trailing dot
// the live service and the az CLI show ("record1.zone1."); the examples omit it, so clients
// must compare names without the trailing dot (azure-api.md §4).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "sim/dns/record_store.h"

namespace frankenetes::sim::dns {

inline constexpr const char* kAzureDnsApiVersion = "2018-05-01";

// ARM's CloudError: {"error":{"code","message"}} (azure-api.md §2.1).
nlohmann::json arm_error_body(const std::string& code, const std::string& message);

// "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/dnsZones/{zone}"
std::string azure_zone_id(const Zone& zone);
nlohmann::json azure_record_set_json(const Zone& zone, const AzureRecordSet& set);
nlohmann::json azure_zone_json(const Zone& zone, std::size_t record_set_count);

// The fields a PUT or PATCH body sets; absent fields are nullopt (PATCH keeps them).
struct RecordSetBody {
  std::optional<std::uint32_t> ttl;
  std::optional<std::map<std::string, std::string>> metadata;
  std::optional<std::vector<std::string>> a_records;
  std::optional<std::vector<std::vector<std::string>>> txt_records;
  std::optional<std::string> cname;
};

// Parses a request body for a set of `type`. Errors carry the ARM code in azure_code
// (InvalidRequestContent for malformed JSON or wrong JSON types, BadRequest for values the
// service refuses) and the HTTP status.
core::Result<RecordSetBody> parse_record_set_body(const std::string& body, RecordType type);

// `base` updated with what `body` sets.
AzureRecordSet apply_record_set_body(AzureRecordSet base, const RecordSetBody& body);

}  // namespace frankenetes::sim::dns
