#include "sim/dns/azure_dns_codec.h"

#include "sim/dns/dns_names.h"

namespace frankenetes::sim::dns {
namespace {

using nlohmann::json;

core::Error body_error(const std::string& code, const std::string& message) {
  return core::Error{core::ErrorKind::kTerminal, message, 400, code, ""};
}

core::Error invalid_content(const std::string& detail) {
  return body_error("InvalidRequestContent",
                    "The request content was invalid and could not be deserialized: " + detail);
}

// Record properties of the types the simulator does not manage. Sending one for the wrong
// type is refused rather than silently dropped.
constexpr const char* kOtherRecordProperties[] = {
    "AAAARecords", "MXRecords", "NSRecords", "PTRRecords", "SRVRecords", "CAARecords",
    "SOARecord"};

// Zones are fixed by the scenario, so their etag only needs to be stable and GUID-shaped.
std::string zone_etag(const Zone& zone) {
  const auto hex = derive_cloudflare_zone_id("azure-zone:" + zone.name);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

}  // namespace

json arm_error_body(const std::string& code, const std::string& message) {
  return json{{"error", {{"code", code}, {"message", message}}}};
}

std::string azure_zone_id(const Zone& zone) {
  return "/subscriptions/" + zone.subscription_id + "/resourceGroups/" + zone.resource_group +
         "/providers/Microsoft.Network/dnsZones/" + zone.name;
}

json azure_record_set_json(const Zone& zone, const AzureRecordSet& set) {
  json metadata = json::object();
  for (const auto& [k, v] : set.metadata) metadata[k] = v;
  json properties = {
      {"metadata", metadata},
      {"TTL", set.ttl},
      {"fqdn", absolute_name(set.name, zone.name) + "."},
      {"provisioningState", "Succeeded"},
      {"targetResource", json::object()},
  };
  switch (set.type) {
    case RecordType::kA: {
      json records = json::array();
      for (const auto& ip : set.a_records) records.push_back({{"ipv4Address", ip}});
      properties["ARecords"] = records;
      break;
    }
    case RecordType::kTxt: {
      json records = json::array();
      for (const auto& chunks : set.txt_records) records.push_back({{"value", chunks}});
      properties["TXTRecords"] = records;
      break;
    }
    case RecordType::kCname:
      if (!set.cname.empty()) properties["CNAMERecord"] = {{"cname", set.cname}};
      break;
  }
  return json{
      {"id", azure_zone_id(zone) + "/" + to_string(set.type) + "/" + set.name},
      {"name", set.name},
      {"type", std::string("Microsoft.Network/dnsZones/") + to_string(set.type)},
      {"etag", set.etag},
      {"properties", properties},
  };
}

json azure_zone_json(const Zone& zone, std::size_t record_set_count) {
  json name_servers = json::array(
      {"ns1-01.azure-dns.com.", "ns2-01.azure-dns.net.", "ns3-01.azure-dns.org.",
       "ns4-01.azure-dns.info."});
  return json{
      {"id", azure_zone_id(zone)},
      {"name", zone.name},
      {"type", "Microsoft.Network/dnszones"},
      {"etag", zone_etag(zone)},
      {"location", "global"},
      {"tags", json::object()},
      {"properties",
       {{"maxNumberOfRecordSets", 10000},
        {"maxNumberOfRecordsPerRecordSet", 20},
        {"numberOfRecordSets", record_set_count + 2},  // + the apex SOA and NS sets
        {"nameServers", name_servers},
        {"zoneType", "Public"}}},
  };
}

core::Result<RecordSetBody> parse_record_set_body(const std::string& body, RecordType type) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return invalid_content("the body is not valid JSON.");
  if (!doc.is_object()) return invalid_content("the body must be a JSON object.");
  RecordSetBody out;
  const auto props_it = doc.find("properties");
  if (props_it == doc.end() || props_it->is_null()) return out;
  const json& props = *props_it;
  if (!props.is_object()) return invalid_content("'properties' must be an object.");

  if (auto it = props.find("TTL"); it != props.end() && !it->is_null()) {
    if (!it->is_number_integer()) return invalid_content("'TTL' must be an integer.");
    const auto ttl = it->get<std::int64_t>();
    if (ttl < 0 || ttl > 2147483647) {
      return body_error("BadRequest", "The TTL value " + std::to_string(ttl) +
                                          " is out of range (0 to 2147483647).");
    }
    out.ttl = static_cast<std::uint32_t>(ttl);
  }
  if (auto it = props.find("metadata"); it != props.end() && !it->is_null()) {
    if (!it->is_object()) return invalid_content("'metadata' must be an object.");
    std::map<std::string, std::string> metadata;
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) return invalid_content("metadata value '" + k + "' must be a string.");
      metadata[k] = v.get<std::string>();
    }
    out.metadata = std::move(metadata);
  }
  auto present = [&](const char* key) {
    auto it = props.find(key);
    return it != props.end() && !it->is_null();
  };
  if (present("ARecords")) {
    const json& records = props["ARecords"];
    if (!records.is_array()) return invalid_content("'ARecords' must be an array.");
    std::vector<std::string> ips;
    for (const auto& r : records) {
      if (!r.is_object() || !r.contains("ipv4Address") || !r["ipv4Address"].is_string()) {
        return invalid_content("each ARecords item needs a string 'ipv4Address'.");
      }
      ips.push_back(r["ipv4Address"].get<std::string>());
    }
    out.a_records = std::move(ips);
  }
  if (present("TXTRecords")) {
    const json& records = props["TXTRecords"];
    if (!records.is_array()) return invalid_content("'TXTRecords' must be an array.");
    std::vector<std::vector<std::string>> values;
    for (const auto& r : records) {
      if (!r.is_object() || !r.contains("value") || !r["value"].is_array()) {
        return invalid_content("each TXTRecords item needs an array 'value'.");
      }
      std::vector<std::string> chunks;
      for (const auto& s : r["value"]) {
        if (!s.is_string()) return invalid_content("TXT values must be strings.");
        chunks.push_back(s.get<std::string>());
      }
      values.push_back(std::move(chunks));
    }
    out.txt_records = std::move(values);
  }
  if (present("CNAMERecord")) {
    const json& record = props["CNAMERecord"];
    if (!record.is_object()) return invalid_content("'CNAMERecord' must be an object.");
    auto it = record.find("cname");
    if (it == record.end() || it->is_null()) {
      out.cname = std::string();
    } else if (!it->is_string()) {
      return invalid_content("'cname' must be a string.");
    } else {
      out.cname = it->get<std::string>();
    }
  }
  if (present("targetResource")) {
    const json& target = props["targetResource"];
    if (target.is_object() && target.contains("id") && !target["id"].is_null()) {
      return body_error("BadRequest", "Alias record sets (targetResource) are not supported by "
                                      "frankenetes-sim.");
    }
  }

  const char* own = type == RecordType::kA     ? "ARecords"
                    : type == RecordType::kTxt ? "TXTRecords"
                                               : "CNAMERecord";
  for (const char* key : {"ARecords", "TXTRecords", "CNAMERecord"}) {
    if (std::string_view(key) != own && present(key)) {
      return body_error("BadRequest", std::string("The property '") + key +
                                          "' is not allowed for a record set of type '" +
                                          to_string(type) + "'.");
    }
  }
  for (const char* key : kOtherRecordProperties) {
    if (present(key)) {
      return body_error("BadRequest", std::string("The property '") + key +
                                          "' is not allowed for a record set of type '" +
                                          to_string(type) + "'.");
    }
  }
  return out;
}

AzureRecordSet apply_record_set_body(AzureRecordSet base, const RecordSetBody& body) {
  if (body.ttl) base.ttl = *body.ttl;
  if (body.metadata) base.metadata = *body.metadata;
  if (body.a_records) base.a_records = *body.a_records;
  if (body.txt_records) base.txt_records = *body.txt_records;
  if (body.cname) base.cname = *body.cname;
  return base;
}

}  // namespace frankenetes::sim::dns
