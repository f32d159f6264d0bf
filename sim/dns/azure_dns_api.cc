#include "sim/dns/azure_dns_api.h"

#include <algorithm>
#include <vector>

#include "core/strings.h"
#include "sim/dns/azure_dns_codec.h"
#include "sim/dns/dns_names.h"
#include "sim/dns/record_validation.h"

namespace frankenetes::sim::dns {

using nlohmann::json;

struct AzureDnsApi::Target {
  std::string subscription_id;
  std::string resource_group;
  std::string zone;           // "" for the zone list
  std::string type;           // "" for the zone itself
  std::string relative_name;  // "" for lists
  std::size_t depth = 0;      // path segments after "providers/Microsoft.Network"
};

namespace {

constexpr std::size_t kMaxTop = 1000;

std::vector<std::string> path_segments(const std::string& path) {
  auto parts = core::split(path, '/');
  if (!parts.empty() && parts.front().empty()) parts.erase(parts.begin());
  if (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts;
}

bool is_dns_prefix(const std::vector<std::string>& s) {
  return s.size() >= 7 && core::iequals(s[0], "subscriptions") &&
         core::iequals(s[2], "resourceGroups") && core::iequals(s[4], "providers") &&
         core::iequals(s[5], "Microsoft.Network") && core::iequals(s[6], "dnsZones");
}

http::Response arm_json(int status, const json& body) {
  return http::Response::json(status, body.dump());
}

http::Response arm_error(int status, const std::string& code, const std::string& message) {
  return arm_json(status, arm_error_body(code, message));
}

// Etags are opaque; tolerate clients that quote them as HTTP entity tags (RFC 9110 §8.8.3).
std::string unquote(std::string value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  return value;
}

std::string hex_encode(const std::string& in) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : in) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::optional<std::string> hex_decode(const std::string& in) {
  if (in.size() % 2 != 0) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 2) {
    const int hi = value(in[i]);
    const int lo = value(in[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace

AzureDnsApi::AzureDnsApi(RecordStore& store, Options options)
    : store_(store), options_(std::move(options)) {}

bool AzureDnsApi::handles(const http::Request& request) {
  return is_dns_prefix(path_segments(request.path));
}

http::Response AzureDnsApi::handle(const http::Request& request) {
  const auto segments = path_segments(request.path);
  Target target;
  target.subscription_id = segments[1];
  target.resource_group = segments[3];
  target.depth = segments.size() - 7;
  if (segments.size() > 7) target.zone = segments[7];
  if (segments.size() > 8) target.type = segments[8];
  if (segments.size() > 9) target.relative_name = segments[9];

  http::Response response;
  // ARM checks the api-version before it looks at the resource (azure-api.md §2.4).
  const auto api_version = request.query_param("api-version");
  if (!api_version) {
    response = arm_error(400, "MissingApiVersionParameter",
                         "The api-version query parameter (?api-version=) is required for all "
                         "requests.");
  } else if (*api_version != kAzureDnsApiVersion) {
    response = arm_error(
        400, "NoRegisteredProviderFound",
        "No registered resource provider found for location 'global' and API version '" +
            *api_version + "' for type 'dnszones'. The supported api-versions are '" +
            kAzureDnsApiVersion + "'. The supported locations are ', global'.");
  } else if (segments.size() > 10) {
    response = arm_error(404, "NotFound", "The requested resource path was not found.");
  } else {
    response = dispatch(request, target);
  }

  const auto correlation = request.header("x-ms-correlation-request-id");
  response.headers["x-ms-request-id"] = store_.new_guid();
  response.headers["x-ms-correlation-request-id"] =
      correlation.empty() ? store_.new_guid() : correlation;
  if (!response.body.empty()) response.headers["Content-Type"] = "application/json; charset=utf-8";
  return response;
}

http::Response AzureDnsApi::dispatch(const http::Request& request, const Target& target) {
  const bool get = request.method == "GET";
  if (target.depth == 0) {
    if (!get) return arm_error(405, "MethodNotAllowed", "Only GET is supported on dnsZones.");
    return list_zones(request, target);
  }
  Zone* zone = store_.find_azure_zone(target.subscription_id, target.resource_group, target.zone);
  if (!zone) {
    return arm_error(404, "ResourceNotFound",
                     "The Resource 'Microsoft.Network/dnszones/" + target.zone +
                         "' under resource group '" + target.resource_group +
                         "' was not found. For more details please go to "
                         "https://aka.ms/ARMResourceNotFoundFix");
  }
  if (target.depth == 1) {
    if (!get) {
      return arm_error(405, "MethodNotAllowed",
                       "frankenetes-sim zones come from the scenario; only GET is supported.");
    }
    return arm_json(200, azure_zone_json(*zone, zone->record_sets.size()));
  }
  if (target.depth == 2) {
    if (!get) return arm_error(405, "MethodNotAllowed", "Only GET is supported on a list.");
    return list_record_sets(request, target);
  }
  return record_set(request, target);
}

http::Response AzureDnsApi::list_zones(const http::Request& request, const Target& target) {
  json value = json::array();
  for (const auto& zone : store_.zones()) {
    if (zone.provider == Provider::kAzureDns &&
        core::iequals(zone.subscription_id, target.subscription_id) &&
        core::iequals(zone.resource_group, target.resource_group)) {
      value.push_back(azure_zone_json(zone, zone.record_sets.size()));
    }
  }
  (void)request;
  return arm_json(200, json{{"value", value}});
}

http::Response AzureDnsApi::list_record_sets(const http::Request& request, const Target& target) {
  const Zone& zone =
      *store_.find_azure_zone(target.subscription_id, target.resource_group, target.zone);
  std::optional<RecordType> type;
  if (!core::iequals(target.type, "recordsets") && !core::iequals(target.type, "all")) {
    type = parse_record_type(target.type);
    if (!type) {
      return arm_error(400, "BadRequest",
                       "The record type '" + target.type +
                           "' is not supported by frankenetes-sim (A, TXT and CNAME are).");
    }
  }

  std::size_t top = options_.page_size;
  if (auto text = request.query_param("$top")) {
    std::size_t parsed = 0;
    bool ok = !text->empty() && text->size() < 10;
    for (char c : *text) ok = ok && c >= '0' && c <= '9';
    if (ok) parsed = std::stoul(*text);
    if (!ok || parsed == 0 || parsed > kMaxTop) {
      return arm_error(400, "BadRequest",
                       "The value '" + *text + "' of $top is invalid (1 to 1000).");
    }
    top = parsed;
  }
  std::optional<std::pair<std::string, std::string>> after;
  if (auto token = request.query_param("$skipToken")) {
    const auto decoded = hex_decode(*token);
    const auto newline = decoded ? decoded->find('\n') : std::string::npos;
    if (newline == std::string::npos) {
      return arm_error(400, "BadRequest", "The $skipToken is invalid.");
    }
    after = std::make_pair(decoded->substr(0, newline), decoded->substr(newline + 1));
  }
  const auto suffix = core::to_lower(request.query_param("$recordsetnamesuffix").value_or(""));

  json value = json::array();
  std::string next_token;
  for (const AzureRecordSet* set : store_.record_sets(zone, type)) {
    const std::pair<std::string, std::string> key{set->name, to_string(set->type)};
    if (after && key <= *after) continue;
    if (!suffix.empty() && (set->name.size() < suffix.size() ||
                            set->name.compare(set->name.size() - suffix.size(), suffix.size(),
                                              suffix) != 0)) {
      continue;
    }
    if (value.size() == top) {
      const auto& last = value.back();
      const std::string last_type =
          last["type"].get<std::string>().substr(std::string("Microsoft.Network/dnsZones/").size());
      next_token = hex_encode(last["name"].get<std::string>() + "\n" + last_type);
      break;
    }
    value.push_back(azure_record_set_json(zone, *set));
  }
  json body{{"value", value}};
  if (!next_token.empty()) {
    const std::string base = !options_.base_url.empty()
                                 ? options_.base_url
                                 : "https://" + request.header("Host");
    std::string link = base + request.path + "?api-version=" + kAzureDnsApiVersion +
                       "&$top=" + std::to_string(top) + "&$skipToken=" + next_token;
    if (!suffix.empty()) {
      link += "&$recordsetnamesuffix=" + http::percent_encode_component(suffix);
    }
    body["nextLink"] = link;
  }
  return arm_json(200, body);
}

http::Response AzureDnsApi::record_set(const http::Request& request, const Target& target) {
  Zone& zone =
      *store_.find_azure_zone(target.subscription_id, target.resource_group, target.zone);
  const auto type = parse_record_type(target.type);
  if (!type) {
    return arm_error(400, "BadRequest",
                     "The record type '" + target.type +
                         "' is not supported by frankenetes-sim (A, TXT and CNAME are).");
  }
  const std::string name = normalize_name(target.relative_name);
  if (name != "@" && !is_valid_domain_name(name, /*allow_wildcard=*/true)) {
    return arm_error(400, "BadRequest",
                     "The record set name '" + target.relative_name + "' is not valid.");
  }
  const AzureRecordSet* existing = store_.find_record_set(zone, name, *type);
  const auto not_found = [&] {
    return arm_error(404, "NotFound",
                     "The resource record '" + name + "' does not exist in resource group '" +
                         target.resource_group + "' of subscription '" + target.subscription_id +
                         "'.");
  };

  // RFC 9110 §13.1: If-Match fails when there is no current representation or its etag
  // differs; If-None-Match: * fails when there is one.
  const auto if_match = request.headers.find("If-Match");
  if (if_match != request.headers.end() && request.method != "GET") {
    const auto wanted = unquote(if_match->second);
    if (!existing || (wanted != "*" && wanted != existing->etag)) {
      return arm_error(412, "PreconditionFailed",
                       existing ? "The Record set " + name + " has been modified (etag mismatch)."
                                : "The Record set " + name + " does not exist (etag mismatch).");
    }
  }
  const auto if_none_match = request.headers.find("If-None-Match");
  if (if_none_match != request.headers.end() && unquote(if_none_match->second) == "*" &&
      existing && (request.method == "PUT" || request.method == "PATCH")) {
    return arm_error(412, "PreconditionFailed",
                     "The Record set " + name + " exists already and hence cannot be created "
                     "again.");
  }

  if (request.method == "GET") {
    if (!existing) return not_found();
    auto response = arm_json(200, azure_record_set_json(zone, *existing));
    response.headers["ETag"] = existing->etag;
    return response;
  }
  if (request.method == "DELETE") {
    if (!existing) return http::Response{204, {}, ""};
    store_.delete_record_set(zone, name, *type);
    return http::Response{200, {}, ""};
  }
  if (request.method != "PUT" && request.method != "PATCH") {
    return arm_error(405, "MethodNotAllowed",
                     "The requested resource does not support http method '" + request.method +
                         "'.");
  }
  if (request.method == "PATCH" && !existing) return not_found();

  auto body = parse_record_set_body(request.body, *type);
  if (!body.ok()) return arm_error(400, body.error().azure_code, body.error().message);

  AzureRecordSet base;
  if (request.method == "PATCH") {
    base = *existing;
  } else {
    base.name = name;
    base.type = *type;
  }
  AzureRecordSet updated = apply_record_set_body(std::move(base), *body);
  if (auto problem = validate_azure_record_set(updated, zone.name)) {
    return arm_error(400, "BadRequest", problem->message);
  }
  if (auto conflict = cname_conflict(zone, absolute_name(name, zone.name), *type)) {
    return arm_error(409, "Conflict",
                     "The record set '" + name + "' of type '" + to_string(*type) +
                         "' conflicts with the existing record set of type '" +
                         to_string(*conflict) + "': a CNAME record set cannot share its name.");
  }
  const bool created = existing == nullptr;
  const AzureRecordSet& stored = store_.put_record_set(zone, std::move(updated));
  auto response = arm_json(created ? 201 : 200, azure_record_set_json(zone, stored));
  response.headers["ETag"] = stored.etag;
  return response;
}

}  // namespace frankenetes::sim::dns
