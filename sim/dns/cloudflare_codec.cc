#include "sim/dns/cloudflare_codec.h"

#include <ctime>
#include <cstdio>

#include "sim/dns/dns_names.h"

namespace frankenetes::sim::dns {
namespace {

using nlohmann::json;

core::Error cf_error(int code, const std::string& message) {
  return core::Error{core::ErrorKind::kTerminal, message, 400, std::to_string(code), ""};
}

}  // namespace

json cloudflare_envelope(const json& result) {
  return json{{"success", true},
              {"errors", json::array()},
              {"messages", json::array()},
              {"result", result}};
}

json cloudflare_error_envelope(const std::vector<CloudflareError>& errors) {
  json list = json::array();
  for (const auto& e : errors) list.push_back({{"code", e.code}, {"message", e.message}});
  return json{{"success", false},
              {"errors", list},
              {"messages", json::array()},
              {"result", nullptr}};
}

std::string format_cloudflare_time(core::SystemTime time) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch - seconds).count();
  const std::time_t t = static_cast<std::time_t>(seconds.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros));
  return buf;
}

json cloudflare_record_json(const Zone& zone, const CloudflareRecord& record) {
  const bool proxiable = record.type != RecordType::kTxt;
  return json{
      {"id", record.id},
      {"zone_id", zone.cloudflare_id},
      {"zone_name", zone.name},
      {"name", record.name},
      {"type", to_string(record.type)},
      {"content", record.content},
      {"proxiable", proxiable},
      {"proxied", record.proxied},
      {"ttl", record.ttl},
      {"locked", false},
      {"settings", json::object()},
      {"comment", record.comment ? json(*record.comment) : json(nullptr)},
      {"tags", record.tags},
      {"created_on", format_cloudflare_time(record.created_on)},
      {"modified_on", format_cloudflare_time(record.modified_on)},
      {"meta",
       {{"auto_added", false},
        {"managed_by_apps", false},
        {"managed_by_argo_tunnel", false},
        {"source", "primary"}}},
  };
}

json cloudflare_zone_json(const Zone& zone) {
  const auto created = format_cloudflare_time(zone.created_on);
  return json{
      {"id", zone.cloudflare_id},
      {"name", zone.name},
      {"status", "active"},
      {"paused", false},
      {"type", "full"},
      {"development_mode", 0},
      {"name_servers", {"ada.ns.cloudflare.com", "bob.ns.cloudflare.com"}},
      {"original_name_servers", nullptr},
      {"original_registrar", nullptr},
      {"original_dnshost", nullptr},
      {"created_on", created},
      {"modified_on", created},
      {"activated_on", created},
      {"account", {{"id", zone.cloudflare_account_id}, {"name", zone.cloudflare_account_name}}},
      {"permissions", {"#dns_records:edit", "#dns_records:read", "#zone:read"}},
      {"plan",
       {{"id", "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee"},
        {"name", "Free Website"},
        {"price", 0},
        {"currency", "USD"},
        {"legacy_id", "free"},
        {"is_subscribed", false},
        {"can_subscribe", false}}},
      {"meta",
       {{"step", 4},
        {"custom_certificate_quota", 0},
        {"page_rule_quota", 3},
        {"phishing_detected", false}}},
  };
}

core::Result<CloudflareRecordBody> parse_cloudflare_record_body(const std::string& body) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return cf_error(9207, "Request body is invalid.");
  CloudflareRecordBody out;
  auto string_field = [&](const char* key,
                          std::optional<std::string>& slot) -> std::optional<core::Error> {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) return cf_error(9207, std::string("'") + key + "' must be a string.");
    slot = it->get<std::string>();
    return std::nullopt;
  };
  for (auto [key, slot] : {std::pair{"type", &out.type}, std::pair{"name", &out.name},
                           std::pair{"content", &out.content}}) {
    if (auto error = string_field(key, *slot)) return *error;
  }
  if (auto it = doc.find("ttl"); it != doc.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0 ||
        it->get<std::int64_t>() > 0xffffffffLL) {
      return cf_error(9021, "TTL must be between 60 and 86400 seconds, or 1 for Automatic.");
    }
    out.ttl = static_cast<std::uint32_t>(it->get<std::int64_t>());
  }
  if (auto it = doc.find("proxied"); it != doc.end() && !it->is_null()) {
    if (!it->is_boolean()) return cf_error(9207, "'proxied' must be a boolean.");
    out.proxied = it->get<bool>();
  }
  if (auto it = doc.find("comment"); it != doc.end()) {
    if (it->is_null()) {
      out.comment = std::optional<std::string>();
    } else if (it->is_string()) {
      out.comment = std::optional<std::string>(it->get<std::string>());
    } else {
      return cf_error(9207, "'comment' must be a string or null.");
    }
  }
  if (auto it = doc.find("tags"); it != doc.end() && !it->is_null()) {
    if (!it->is_array()) return cf_error(9207, "'tags' must be an array of strings.");
    std::vector<std::string> tags;
    for (const auto& t : *it) {
      if (!t.is_string()) return cf_error(9207, "'tags' must be an array of strings.");
      tags.push_back(t.get<std::string>());
    }
    out.tags = std::move(tags);
  }
  return out;
}

core::Result<CloudflareRecord> apply_cloudflare_record_body(CloudflareRecord base,
                                                            const CloudflareRecordBody& body,
                                                            const Zone& zone) {
  if (body.type) {
    const auto type = parse_record_type(*body.type);
    if (!type) {
      return cf_error(9020, "Invalid DNS record type '" + *body.type +
                                "' (frankenetes-sim supports A, TXT and CNAME).");
    }
    base.type = *type;
  }
  if (body.name) {
    const auto name = normalize_name(*body.name);
    base.name = (name == "@" || name.empty()) ? zone.name
                : is_in_zone(name, zone.name) ? name
                                              : absolute_name(name, zone.name);
  }
  if (body.content) base.content = *body.content;
  if (body.ttl) base.ttl = *body.ttl;
  if (body.proxied) base.proxied = *body.proxied;
  if (body.comment) base.comment = *body.comment;
  if (body.tags) base.tags = *body.tags;
  return base;
}

}  // namespace frankenetes::sim::dns
