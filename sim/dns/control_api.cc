#include "sim/dns/control_api.h"

#include <nlohmann/json.hpp>

#include "core/duration.h"
#include "core/strings.h"
#include "sim/dns/azure_dns_codec.h"
#include "sim/dns/cloudflare_codec.h"
#include "sim/dns/dns_names.h"

namespace frankenetes::sim::dns {

using nlohmann::json;

namespace {

http::Response json_response(int status, const json& body) {
  return http::Response::json(status, body.dump());
}

http::Response error(int status, const std::string& message) {
  return json_response(status, json{{"error", message}});
}

const char* rr_type_name(std::uint16_t type) {
  switch (type) {
    case kRrA: return "A";
    case kRrNs: return "NS";
    case kRrCname: return "CNAME";
    case kRrSoa: return "SOA";
    case kRrTxt: return "TXT";
  }
  return "?";
}

// Remaining time of a deadline as a duration string, or null when it is not in force.
json remaining(const std::optional<core::MonotonicTime>& until, core::MonotonicTime now) {
  if (!until || *until <= now) return nullptr;
  return core::format_duration(std::chrono::duration_cast<core::Duration>(*until - now));
}

json faults_json(const ProviderFaults& f, core::MonotonicTime now) {
  json outage = nullptr;
  if (f.outage_start && f.outage_end && now < *f.outage_end) {
    outage = {{"startsIn", *f.outage_start > now ? remaining(f.outage_start, now) : json("0s")},
              {"endsIn", remaining(f.outage_end, now)},
              {"status", f.outage_status}};
  }
  json throttle = nullptr;
  if (f.throttle_until && now < *f.throttle_until) {
    throttle = {{"endsIn", remaining(f.throttle_until, now)},
                {"retryAfter", f.throttle_retry_after
                                   ? json(core::format_duration(*f.throttle_retry_after))
                                   : json(nullptr)}};
  }
  return json{{"outage", outage},
              {"throttle", throttle},
              {"failNext", f.fail_next},
              {"errorRate", f.error_rate},
              {"errorStatus", f.error_status},
              {"latency", core::format_duration(f.latency)}};
}

std::optional<core::Duration> duration_field(const json& object, const char* key,
                                             std::string& problem) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  std::optional<core::Duration> parsed;
  if (it->is_string()) parsed = core::parse_duration(it->get<std::string>());
  if (!parsed) problem = std::string("'") + key + "' must be a duration such as \"30s\"";
  return parsed;
}

std::optional<std::string> unknown_key(const json& object, std::initializer_list<const char*> keys) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const char* k : keys) known = known || key == k;
    if (!known) return key;
  }
  return std::nullopt;
}

bool valid_status(const json& value) {
  return value.is_number_integer() && value.get<int>() >= 400 && value.get<int>() <= 599;
}

}  // namespace

DnsControlApi::DnsControlApi(RecordStore& store, FaultInjector& faults,
                             const DnsApiCounters& counters, const core::TimeSource& time)
    : store_(store), faults_(faults), counters_(counters), time_(time) {}

bool DnsControlApi::handles(const http::Request& request) {
  return request.path == "/dns" || core::starts_with(request.path, "/dns/");
}

http::Response DnsControlApi::handle(const http::Request& request) {
  const auto& path = request.path;
  const auto& method = request.method;
  if (path == "/dns/zones" && method == "GET") return zones();
  if (path == "/dns/lookup" && method == "GET") return lookup(request);
  if (path == "/dns/stats" && method == "GET") return stats();
  if (path == "/dns/faults") {
    if (method == "GET") return faults();
    if (method == "DELETE") {
      faults_.clear(Provider::kAzureDns);
      faults_.clear(Provider::kCloudflare);
      return faults();
    }
    return error(405, "use GET or DELETE on /dns/faults");
  }
  if (core::starts_with(path, "/dns/faults/")) {
    const auto provider = parse_provider(path.substr(std::string("/dns/faults/").size()));
    if (!provider) return error(404, "unknown provider (expected azureDns or cloudflare)");
    if (method == "PUT" || method == "POST") return set_faults(*provider, request.body);
    if (method == "DELETE") {
      faults_.clear(*provider);
      return faults();
    }
    if (method == "GET") {
      return json_response(200, faults_json(faults_.get(*provider), time_.monotonic_time()));
    }
    return error(405, "use GET, PUT or DELETE on /dns/faults/{provider}");
  }
  if (path == "/dns/records" && method == "POST") return change_records(request.body);
  return error(404, "no DNS control route " + method + " " + path);
}

http::Response DnsControlApi::zones() const {
  json list = json::array();
  for (const auto& zone : store_.zones()) {
    json entry{{"name", zone.name}, {"provider", to_string(zone.provider)}, {"serial", zone.serial}};
    json records = json::array();
    if (zone.provider == Provider::kAzureDns) {
      entry["subscriptionId"] = zone.subscription_id;
      entry["resourceGroup"] = zone.resource_group;
      entry["id"] = azure_zone_id(zone);
      for (const auto& [key, set] : zone.record_sets) {
        records.push_back(azure_record_set_json(zone, set));
      }
    } else {
      entry["id"] = zone.cloudflare_id;
      entry["accountId"] = zone.cloudflare_account_id;
      for (const auto& record : zone.records) records.push_back(cloudflare_record_json(zone, record));
    }
    entry["records"] = records;
    list.push_back(entry);
  }
  return json_response(200, json{{"zones", list}});
}

http::Response DnsControlApi::lookup(const http::Request& request) const {
  const auto name = request.query_param("name");
  if (!name || name->empty()) return error(400, "name is required");
  const auto type_text = request.query_param("type").value_or("A");
  std::uint16_t qtype = 0;
  for (std::uint16_t t : {kRrA, kRrNs, kRrCname, kRrSoa, kRrTxt}) {
    if (core::iequals(type_text, rr_type_name(t))) qtype = t;
  }
  if (core::iequals(type_text, "ANY")) qtype = kRrAny;
  if (qtype == 0) return error(400, "type must be A, TXT, CNAME, SOA, NS or ANY");
  const auto result = store_.lookup(*name, qtype);
  static constexpr const char* kOutcome[] = {"REFUSED", "NXDOMAIN", "NODATA", "NOERROR"};
  auto records = [](const std::vector<DnsRecord>& list) {
    json out = json::array();
    for (const auto& r : list) {
      out.push_back({{"name", r.owner}, {"type", rr_type_name(r.type)}, {"ttl", r.ttl},
                     {"data", r.rdata}});
    }
    return out;
  };
  return json_response(200, json{{"outcome", kOutcome[static_cast<int>(result.outcome)]},
                                 {"answers", records(result.answers)},
                                 {"authority", records(result.authority)}});
}

http::Response DnsControlApi::stats() const {
  json out = json::object();
  for (Provider provider : {Provider::kAzureDns, Provider::kCloudflare}) {
    json by_status = json::object();
    std::uint64_t total = 0;
    if (auto it = counters_.by_status.find(provider); it != counters_.by_status.end()) {
      for (const auto& [status, count] : it->second) {
        by_status[std::to_string(status)] = count;
        total += count;
      }
    }
    const auto injected = counters_.faults_injected.find(provider);
    out[to_string(provider)] = {
        {"requests", total},
        {"byStatus", by_status},
        {"faultsInjected",
         injected == counters_.faults_injected.end() ? 0 : injected->second}};
  }
  return json_response(200, out);
}

http::Response DnsControlApi::faults() const {
  const auto now = time_.monotonic_time();
  return json_response(200, json{{"azureDns", faults_json(faults_.get(Provider::kAzureDns), now)},
                                 {"cloudflare",
                                  faults_json(faults_.get(Provider::kCloudflare), now)}});
}

http::Response DnsControlApi::set_faults(Provider provider, const std::string& body) {
  const json doc = json::parse(body.empty() ? "{}" : body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return error(400, "body must be a JSON object");
  if (auto key = unknown_key(doc, {"outage", "throttle", "failNext", "errorRate", "errorStatus",
                                   "latency"})) {
    return error(400, "unknown key '" + *key + "'");
  }
  const auto now = time_.monotonic_time();
  ProviderFaults f;
  std::string problem;
  if (auto it = doc.find("outage"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) return error(400, "'outage' must be an object");
    if (auto key = unknown_key(*it, {"start", "duration", "status"})) {
      return error(400, "unknown key 'outage." + *key + "'");
    }
    const auto start = duration_field(*it, "start", problem).value_or(core::Duration{0});
    const auto duration = duration_field(*it, "duration", problem);
    if (!problem.empty()) return error(400, "outage: " + problem);
    if (!duration) return error(400, "outage.duration is required");
    f.outage_start = now + start;
    f.outage_end = now + start + *duration;
    if (it->contains("status")) {
      if (!valid_status((*it)["status"])) return error(400, "outage.status must be 400..599");
      f.outage_status = (*it)["status"].get<int>();
    }
  }
  if (auto it = doc.find("throttle"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) return error(400, "'throttle' must be an object");
    if (auto key = unknown_key(*it, {"duration", "retryAfter"})) {
      return error(400, "unknown key 'throttle." + *key + "'");
    }
    const auto duration = duration_field(*it, "duration", problem);
    f.throttle_retry_after = duration_field(*it, "retryAfter", problem);
    if (!problem.empty()) return error(400, "throttle: " + problem);
    if (!duration) return error(400, "throttle.duration is required");
    f.throttle_until = now + *duration;
  }
  if (auto it = doc.find("failNext"); it != doc.end()) {
    if (!it->is_number_unsigned()) return error(400, "'failNext' must be a count");
    f.fail_next = it->get<std::uint32_t>();
  }
  if (auto it = doc.find("errorRate"); it != doc.end()) {
    if (!it->is_number() || it->get<double>() < 0.0 || it->get<double>() > 1.0) {
      return error(400, "'errorRate' must be between 0 and 1");
    }
    f.error_rate = it->get<double>();
  }
  if (auto it = doc.find("errorStatus"); it != doc.end()) {
    if (!valid_status(*it)) return error(400, "'errorStatus' must be 400..599");
    f.error_status = it->get<int>();
  }
  if (auto latency = duration_field(doc, "latency", problem)) f.latency = *latency;
  if (!problem.empty()) return error(400, problem);
  faults_.set(provider, std::move(f));
  return json_response(200, faults_json(faults_.get(provider), now));
}

http::Response DnsControlApi::change_records(const std::string& body) {
  const json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return error(400, "body must be a JSON object");
  if (auto key = unknown_key(doc, {"name", "type", "values", "ttl", "touch", "delete"})) {
    return error(400, "unknown key '" + *key + "'");
  }
  if (!doc.contains("name") || !doc["name"].is_string()) return error(400, "name is required");
  if (!doc.contains("type") || !doc["type"].is_string()) return error(400, "type is required");
  const auto fqdn = normalize_name(doc["name"].get<std::string>());
  const auto type = parse_record_type(doc["type"].get<std::string>());
  if (!type) return error(400, "type must be A, TXT or CNAME");
  Zone* zone = store_.zone_for_name(fqdn);
  if (!zone) return error(404, "'" + fqdn + "' is in no simulated zone");
  const bool remove = doc.value("delete", false);
  const bool touch = doc.value("touch", false);
  std::vector<std::string> values;
  if (auto it = doc.find("values"); it != doc.end()) {
    if (!it->is_array()) return error(400, "values must be an array of strings");
    for (const auto& v : *it) {
      if (!v.is_string()) return error(400, "values must be an array of strings");
      values.push_back(v.get<std::string>());
    }
  }
  if (int(remove) + int(touch) + int(doc.contains("values")) != 1) {
    return error(400, "give exactly one of values, touch and delete");
  }
  if (*type == RecordType::kA) {
    for (const auto& v : values) {
      if (!is_valid_ipv4(v)) return error(400, "'" + v + "' is not an IPv4 address");
    }
  }
  if (*type == RecordType::kCname && values.size() > 1) {
    return error(400, "a CNAME takes one value");
  }
  std::optional<std::uint32_t> ttl;
  if (doc.contains("ttl")) {
    if (!doc["ttl"].is_number_unsigned()) return error(400, "ttl must be a number of seconds");
    ttl = doc["ttl"].get<std::uint32_t>();
  }

  json result{{"provider", to_string(zone->provider)}, {"zone", zone->name}};
  if (zone->provider == Provider::kAzureDns) {
    const auto relative = relative_name(fqdn, zone->name);
    const AzureRecordSet* existing = store_.find_record_set(*zone, relative, *type);
    if (remove || touch) {
      if (!existing) return error(404, "no " + std::string(to_string(*type)) + " set at " + fqdn);
      if (remove) {
        store_.delete_record_set(*zone, relative, *type);
        result["deleted"] = true;
        return json_response(200, result);
      }
      result["recordSet"] = azure_record_set_json(*zone, store_.put_record_set(*zone, *existing));
      return json_response(200, result);
    }
    AzureRecordSet set;
    if (existing) {
      set = *existing;
    } else {
      set.name = relative;
      set.type = *type;
    }
    if (ttl) set.ttl = *ttl;
    set.a_records.clear();
    set.txt_records.clear();
    set.cname.clear();
    for (const auto& v : values) {
      if (*type == RecordType::kA) set.a_records.push_back(v);
      if (*type == RecordType::kTxt) set.txt_records.push_back({v});
      if (*type == RecordType::kCname) set.cname = v;
    }
    result["recordSet"] = azure_record_set_json(*zone, store_.put_record_set(*zone, std::move(set)));
    return json_response(200, result);
  }

  std::vector<std::string> ids;
  for (const auto& record : zone->records) {
    if (record.name == fqdn && record.type == *type) ids.push_back(record.id);
  }
  const auto now = time_.system_time();
  json records = json::array();
  if (remove || touch) {
    if (ids.empty()) return error(404, "no " + std::string(to_string(*type)) + " record at " + fqdn);
    for (const auto& id : ids) {
      if (remove) {
        store_.delete_record(*zone, id);
      } else {
        records.push_back(cloudflare_record_json(
            *zone, store_.replace_record(*zone, id, *store_.find_record(*zone, id), now)));
      }
    }
    if (remove) result["deleted"] = true;
    if (touch) result["records"] = records;
    return json_response(200, result);
  }
  // Update in place where a record exists (same id, new content, new modified_on), so the
  // client's cached id still works but its view of the content is stale.
  for (std::size_t i = 0; i < std::max(ids.size(), values.size()); ++i) {
    if (i >= values.size()) {
      store_.delete_record(*zone, ids[i]);
      continue;
    }
    if (i < ids.size()) {
      CloudflareRecord record = *store_.find_record(*zone, ids[i]);
      record.content = values[i];
      if (ttl) record.ttl = *ttl;
      records.push_back(cloudflare_record_json(*zone, store_.replace_record(*zone, ids[i], record, now)));
    } else {
      CloudflareRecord record;
      record.name = fqdn;
      record.type = *type;
      record.content = values[i];
      record.ttl = ttl.value_or(1);
      records.push_back(cloudflare_record_json(*zone, store_.create_record(*zone, record, now)));
    }
  }
  result["records"] = records;
  return json_response(200, result);
}

}  // namespace frankenetes::sim::dns
