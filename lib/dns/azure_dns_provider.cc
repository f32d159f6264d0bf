#include "dns/azure_dns_provider.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "azure/arm_error.h"
#include "azure/arm_paths.h"
#include "core/json_fields.h"
#include "core/secret.h"
#include "core/strings.h"
#include "dns/record_names.h"
#include "http/url.h"

namespace frankenetes::dns {
namespace {

using core::make_error;
using nlohmann::json;
namespace jf = core::json_fields;

std::string describe(const std::string& fqdn, RecordType type) {
  return std::string(to_string(type)) + " " + fqdn;
}

constexpr const char* kOpGet = "azure_dns.get";
constexpr const char* kOpList = "azure_dns.list";

// Azure DNS's own word that a record set is absent: 404 with ARM's error envelope and code
// NotFound (what the service and the simulator answer for a missing record set). Any other 404
// (a proxy's HTML page, an empty body, another code) proves nothing; ResourceNotFound is the
// zone itself missing, a configuration problem, not an absent set.
bool azure_dns_says_absent(const core::Error& error) {
  return error.http_status == 404 && error.azure_code == "NotFound";
}

core::Error conflict(const http::Response& response, const std::string& what) {
  core::Error error = azure::error_from_response(response, "azure_dns.put");
  error.kind = core::ErrorKind::kConflict;
  error.message = "azure_dns: record set " + what +
                  " changed since it was read (412 Precondition Failed); re-read and re-plan";
  return error;
}

}  // namespace

std::string azure_record_set_body(const RecordSet& set,
                                  const std::map<std::string, std::string>& metadata) {
  json properties = {{"TTL", set.ttl}};
  if (!metadata.empty()) properties["metadata"] = metadata;
  switch (set.type) {
    case RecordType::kA: {
      json records = json::array();
      for (const auto& ip : set.values) records.push_back({{"ipv4Address", ip}});
      properties["ARecords"] = records;
      break;
    }
    case RecordType::kTxt: {
      json records = json::array();
      for (const auto& text : set.values) records.push_back({{"value", split_txt(text)}});
      properties["TXTRecords"] = records;
      break;
    }
    case RecordType::kCname:
      properties["CNAMERecord"] = {
          {"cname", set.values.empty() ? std::string() : set.values.front()}};
      break;
  }
  return jf::dump(json{{"properties", properties}});
}

namespace {

// Every field the plan or a guarded write depends on must be present and well-typed: the etag
// (If-Match), the TTL (the plan compares it) and the record array of the type. A guessed value
// would plan a wrong change or write without a guard, so each problem is returned naming the
// field. Record sets of other shapes (alias sets with targetResource) are not ours to manage.
// Shared by the GET of one set and the zone list, whose value[] elements have the same shape.
std::optional<std::string> read_record_set(const json& doc, RecordSet& set) {
  if (!doc.is_object()) return std::string("body is ") + jf::type_name(doc);
  const auto props = jf::object(doc, "properties");
  if (!props) return props.describe("properties");
  const json& p = **props;
  const auto etag = jf::string(doc, "etag");
  if (!etag) return etag.describe("etag");
  if (etag->empty()) return std::string("\"etag\" is empty");
  set.version = *etag;
  // RFC 2181 §8: a TTL is an unsigned 31-bit value.
  const auto ttl = jf::integer(p, "TTL", 0, 2147483647);
  if (!ttl) return ttl.describe("properties.TTL");
  set.ttl = static_cast<uint32_t>(*ttl);
  if (const auto target = jf::object(p, "targetResource")) {
    if (const auto id = jf::string(**target, "id"); id && !id->empty()) {
      return "an alias record set (targetResource " + *id + "), not managed here";
    }
  }

  auto each = [&](const char* key, auto&& read) -> std::optional<std::string> {
    const auto records = jf::array(p, key);
    if (!records) return records.describe(std::string("properties.") + key);
    std::size_t i = 0;
    for (const auto& r : **records) {
      const std::string where = std::string("properties.") + key + "[" + std::to_string(i++) + "]";
      if (!r.is_object()) return where + " is " + jf::type_name(r) + ", expected an object";
      if (auto problem = read(r, where)) return problem;
    }
    return std::nullopt;
  };
  std::optional<std::string> problem;
  switch (set.type) {
    case RecordType::kA:
      problem = each("ARecords",
                     [&](const json& r, const std::string& where) -> std::optional<std::string> {
                       const auto ip = jf::string(r, "ipv4Address");
                       if (!ip) return ip.describe(where + ".ipv4Address");
                       set.values.push_back(*ip);
                       return std::nullopt;
                     });
      break;
    case RecordType::kTxt:
      problem = each(
          "TXTRecords", [&](const json& r, const std::string& where) -> std::optional<std::string> {
            const auto chunks = jf::array(r, "value");
            if (!chunks) return chunks.describe(where + ".value");
            std::vector<std::string> parts;
            for (const auto& chunk : **chunks) {
              if (!chunk.is_string()) {
                return where + ".value has " + jf::type_name(chunk) + ", expected strings";
              }
              parts.push_back(chunk.get<std::string>());
            }
            set.values.push_back(join_txt(parts));
            return std::nullopt;
          });
      break;
    case RecordType::kCname: {
      // A CNAME set may exist without a target (Azure lets one be created empty).
      const auto record = jf::object(p, "CNAMERecord");
      if (record.absent()) break;
      if (!record) return record.describe("properties.CNAMERecord");
      const auto cname = jf::string(**record, "cname");
      if (!cname) return cname.describe("properties.CNAMERecord.cname");
      set.values.push_back(normalize_name(*cname));
      break;
    }
  }
  if (problem) return problem;
  std::sort(set.values.begin(), set.values.end());
  return std::nullopt;
}

// The record type of a list element's "type" ("Microsoft.Network/dnsZones/A"); nullopt for the
// types we do not manage (NS, SOA, MX, AAAA, ...). ARM resource types compare
// case-insensitively, and the service has been seen to answer "dnszones".
constexpr std::string_view kRecordSetTypePrefix = "Microsoft.Network/dnsZones/";

std::optional<RecordType> managed_type(std::string_view type) {
  const auto suffix = type.substr(kRecordSetTypePrefix.size());
  for (RecordType t : {RecordType::kA, RecordType::kTxt, RecordType::kCname}) {
    if (core::iequals(suffix, to_string(t))) return t;
  }
  return std::nullopt;
}

}  // namespace

core::Result<RecordSet> parse_azure_record_set(std::string_view body, const std::string& fqdn,
                                               RecordType type) {
  auto malformed = [&](const std::string& why) {
    return make_error(core::ErrorKind::kTerminal,
                      "azure_dns: malformed record set " + describe(fqdn, type) + ": " + why);
  };
  std::string parse_error;
  const auto doc = jf::parse(body, parse_error);
  if (!doc) return malformed(parse_error);
  RecordSet set;
  set.fqdn = fqdn;
  set.type = type;
  if (auto problem = read_record_set(*doc, set)) return malformed(*problem);
  return set;
}

// A page of GET .../dnsZones/{zone}/recordsets ("Record Sets - List By DNS Zone"): {"value":
// [RecordSet...], "nextLink"}. The set's name is relative ("@" for the apex); RecordSet::fqdn
// gets the absolute name exactly as read(fqdn) stores it, so callers can compare the two.
core::Result<AzureRecordSetPage> parse_azure_record_set_page(std::string_view body,
                                                             const std::string& zone) {
  auto malformed = [](const std::string& why) {
    return make_error(core::ErrorKind::kTerminal, why);
  };
  std::string parse_error;
  const auto doc = jf::parse(body, parse_error);
  if (!doc) return malformed(parse_error);
  if (!doc->is_object()) return malformed(std::string("body is ") + jf::type_name(*doc));
  const auto value = jf::array(*doc, "value");
  if (!value) return malformed(value.describe("value"));
  AzureRecordSetPage page;
  std::size_t i = 0;
  for (const json& element : **value) {
    const std::string where = "value[" + std::to_string(i++) + "]";
    if (!element.is_object()) {
      return malformed(where + " is " + jf::type_name(element) + ", expected an object");
    }
    const auto type = jf::string(element, "type");
    if (!type) return malformed(where + ": " + type.describe("type"));
    if (type->size() <= kRecordSetTypePrefix.size() ||
        !core::iequals(std::string_view(*type).substr(0, kRecordSetTypePrefix.size()),
                       kRecordSetTypePrefix)) {
      return malformed(where + ": \"type\" is '" + *type + "', not a " +
                       std::string(kRecordSetTypePrefix) + "* record set type");
    }
    const auto record_type = managed_type(*type);
    if (!record_type) continue;
    const auto name = jf::string(element, "name");
    if (!name) return malformed(where + ": " + name.describe("name"));
    if (name->empty()) return malformed(where + ": \"name\" is empty");
    RecordSet set;
    set.fqdn = *name == "@" ? zone : normalize_name(*name + "." + zone);
    set.type = *record_type;
    if (auto problem = read_record_set(element, set)) {
      return malformed(where + " (" + describe(set.fqdn, set.type) + "): " + *problem);
    }
    page.sets.push_back(std::move(set));
  }
  // nextLink is absent, null or "" on the last page.
  const auto next = jf::string(*doc, "nextLink");
  if (!next && !next.absent()) return malformed(next.describe("nextLink"));
  if (next && !next->empty()) page.next_link = *next;
  return page;
}

AzureDnsProvider::AzureDnsProvider(std::string name, config::AzureDnsProviderConfig config,
                                   http::HttpTransport& transport,
                                   azure::TokenCredential& credential, AzureDnsSettings settings)
    : name_(std::move(name)),
      config_(std::move(config)),
      zone_(normalize_name(config_.zone)),
      transport_(transport),
      credential_(credential),
      settings_(std::move(settings)) {}

std::string AzureDnsProvider::zone_url() const {
  return std::string(core::trim_end(settings_.resource_manager, "/")) + "/subscriptions/" +
         http::percent_encode_component(config_.subscription_id) + "/resourceGroups/" +
         http::percent_encode_component(config_.resource_group) +
         "/providers/Microsoft.Network/dnsZones/" + zone_;
}

core::Result<std::string> AzureDnsProvider::record_set_url(const std::string& fqdn,
                                                           RecordType type) const {
  auto relative = relative_name(fqdn, zone_);
  if (!relative.ok()) return relative.error();
  // relativeRecordSetName is x-ms-skip-url-encoding (reference §4): DNS labels need none.
  return zone_url() + "/" + to_string(type) + "/" + *relative +
         "?api-version=" + std::string(kAzureDnsApiVersion);
}

std::string AzureDnsProvider::record_sets_url() const {
  return zone_url() + "/recordsets?api-version=" + std::string(kAzureDnsApiVersion) +
         "&$top=" + std::to_string(settings_.list_page_size);
}

core::Result<http::Response> AzureDnsProvider::send(const std::string& method,
                                                    const std::string& url, http::Headers headers,
                                                    std::string body, const char* operation) {
  auto token = credential_.get_token(settings_.token_scope);
  if (!token.ok()) return token.error();
  http::ClientRequest request;
  request.method = method;
  request.url = url;
  request.headers = std::move(headers);
  request.headers["Authorization"] = "Bearer " + token->token.reveal();
  request.headers["User-Agent"] = settings_.user_agent;
  request.headers["Accept"] = "application/json";
  if (!body.empty()) request.headers["Content-Type"] = "application/json";
  request.body = std::move(body);
  request.timeout = settings_.request_timeout;
  request.operation = operation;
  return azure::without_token(transport_.send(request), token->token);
}

core::Error AzureDnsProvider::named(core::Error error) const {
  error.message = "provider '" + name_ + "': " + error.message;
  return error;
}

core::Result<std::optional<RecordSet>> AzureDnsProvider::get(const std::string& fqdn,
                                                             RecordType type) {
  auto url = record_set_url(fqdn, type);
  if (!url.ok()) return url.error();
  auto response = send("GET", *url, {}, {}, kOpGet);
  if (!response.ok()) return response.error();
  if (response->status == 404) {
    auto error = azure::error_from_response(*response, kOpGet);
    if (azure_dns_says_absent(error)) return std::optional<RecordSet>();
    // Reading it as "absent" would let the plan recreate (or adopt) a set that may well exist.
    error.kind = core::ErrorKind::kTransient;
    error.message += " (a 404 without Azure DNS's NotFound error envelope, e.g. from a proxy, "
                     "does not prove record set " + describe(fqdn, type) +
                     " absent; its state is unknown)";
    return named(std::move(error));
  }
  if (response->status != 200) return azure::error_from_response(*response, kOpGet);
  auto set = parse_azure_record_set(response->body, fqdn, type);
  if (!set.ok()) {
    // Name the provider and the answer; the codec's message names the field.
    return named(azure::malformed_response_error(*response, kOpGet, set.error().message));
  }
  return std::optional<RecordSet>(std::move(*set));
}

core::Result<std::vector<RecordSet>> AzureDnsProvider::read(const std::string& fqdn) {
  const std::string name = normalize_name(fqdn);
  std::vector<RecordSet> sets;
  for (RecordType type : {RecordType::kA, RecordType::kTxt, RecordType::kCname}) {
    auto set = get(name, type);
    if (!set.ok()) return set.error();
    if (*set) sets.push_back(std::move(**set));
  }
  return sets;
}

// "Record Sets - List By DNS Zone", following nextLink like AciClient::list_pages: only to the
// resource manager's origin (the link receives our bearer token), never to a page already
// read, and at most max_list_pages pages.
core::Result<ZoneRecords> AzureDnsProvider::read_zone() {
  ZoneRecords zone;
  std::set<std::string> seen;
  std::string url = record_sets_url();
  for (std::size_t page = 1; page <= settings_.max_list_pages; ++page) {
    auto response = send("GET", url, {}, {}, kOpList);
    if (!response.ok()) return response.error();
    zone.requests = page;
    if (response->status != 200) return azure::error_from_response(*response, kOpList);
    auto parsed = parse_azure_record_set_page(response->body, zone_);
    if (!parsed.ok()) {
      return named(azure::malformed_response_error(
          *response, kOpList, "page " + std::to_string(page) + ": " + parsed.error().message));
    }
    zone.sets.insert(zone.sets.end(), std::make_move_iterator(parsed->sets.begin()),
                     std::make_move_iterator(parsed->sets.end()));
    if (!parsed->next_link) return zone;
    seen.insert(url);
    url = *parsed->next_link;
    if (auto ok = azure::check_link(settings_.resource_manager, url,
                                    "nextLink of page " + std::to_string(page), kOpList);
        !ok.ok()) {
      return named(ok.error());
    }
    if (seen.contains(url)) {
      return named(azure::malformed_response_error(
          *response, kOpList,
          "page " + std::to_string(page) + ": nextLink repeats an earlier page"));
    }
  }
  return named(make_error(core::ErrorKind::kTerminal,
                          std::string(kOpList) + ": more than " +
                              std::to_string(settings_.max_list_pages) +
                              " pages; giving up"));
}

core::Result<http::Headers> AzureDnsProvider::preconditions(
    const std::optional<RecordSet>& expected, const std::string& fqdn, RecordType type) {
  http::Headers headers;
  if (!expected) return headers;
  if (expected->values.empty()) {
    headers["If-None-Match"] = "*";
  } else if (!expected->version.empty()) {
    headers["If-Match"] = expected->version;
  } else {
    // The caller knows the values but not the etag: compare now, then pin the etag we saw.
    auto current = get(fqdn, type);
    if (!current.ok()) return current.error();
    std::vector<std::string> want = expected->values;
    std::sort(want.begin(), want.end());
    if (!*current || (*current)->values != want) {
      return make_error(
          core::ErrorKind::kConflict,
          "azure_dns: record set " + describe(fqdn, type) + " differs from the expected values");
    }
    headers["If-Match"] = (*current)->version;
  }
  return headers;
}

core::Status AzureDnsProvider::upsert(const Change& change) {
  RecordSet desired = change.desired;
  desired.fqdn = normalize_name(desired.fqdn);
  const std::string what = describe(desired.fqdn, desired.type);
  auto headers = preconditions(change.expected_current, desired.fqdn, desired.type);
  if (!headers.ok()) return headers.error();
  auto url = record_set_url(desired.fqdn, desired.type);
  if (!url.ok()) return url.error();
  auto response = send("PUT", *url, std::move(*headers),
                       azure_record_set_body(desired, settings_.metadata), "azure_dns.put");
  if (!response.ok()) return response.error();
  if (response->status == 200 || response->status == 201) return {};
  if (response->status == 412) return conflict(*response, what);
  return azure::error_from_response(*response, "azure_dns.put");
}

core::Status AzureDnsProvider::remove(const Change& change) {
  const std::string fqdn = normalize_name(change.desired.fqdn);
  const std::string what = describe(fqdn, change.desired.type);
  if (change.expected_current && change.expected_current->values.empty()) {
    // Expected absent: check it still is, and there is nothing to delete.
    auto current = get(fqdn, change.desired.type);
    if (!current.ok()) return current.error();
    if (*current) {
      return make_error(core::ErrorKind::kConflict,
                        "azure_dns: record set " + what + " exists but was expected absent");
    }
    return {};
  }
  auto headers = preconditions(change.expected_current, fqdn, change.desired.type);
  if (!headers.ok()) return headers.error();
  auto url = record_set_url(fqdn, change.desired.type);
  if (!url.ok()) return url.error();
  auto response = send("DELETE", *url, std::move(*headers), {}, "azure_dns.delete");
  if (!response.ok()) return response.error();
  if (response->status == 200 || response->status == 204) return {};
  if (response->status == 412) return conflict(*response, what);
  return azure::error_from_response(*response, "azure_dns.delete");
}

core::Status AzureDnsProvider::apply(const std::vector<Change>& changes) {
  for (const Change& change : changes) {
    auto status = change.kind == Change::Kind::kUpsert ? upsert(change) : remove(change);
    if (!status.ok()) return status;
  }
  return {};
}

}  // namespace frankenetes::dns
