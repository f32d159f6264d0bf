#include "sim/dns/scenario.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/duration.h"
#include "core/strings.h"
#include "http/listen_address.h"
#include "sim/dns/dns_names.h"
#include "sim/dns/record_validation.h"

namespace frankenetes::sim::dns {
namespace {

// Collects every problem with its position and key path, so an operator fixes the whole file
// in one go.
class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}

  void add(const YAML::Node& at, const std::string& path, const std::string& message) {
    const auto mark = at.Mark();
    std::ostringstream line;
    line << file_;
    if (mark.line >= 0) line << ':' << mark.line + 1 << ':' << mark.column + 1;
    line << ": " << path << ": " << message;
    lines_.push_back(line.str());
  }
  bool empty() const { return lines_.empty(); }
  std::string joined() const {
    std::string out;
    for (const auto& l : lines_) out += (out.empty() ? "" : "\n") + l;
    return out;
  }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<std::string> lines_;
};

bool expect_map(const YAML::Node& node, const std::string& path, Problems& problems) {
  if (node.IsMap()) return true;
  problems.add(node, path, "expected a mapping");
  return false;
}

// The number of items of an optional list: absent or null is an empty list; anything but a
// sequence is a problem (and counts as empty).
std::size_t list_size(const YAML::Node& node, const std::string& path, Problems& problems) {
  if (!node.IsDefined() || node.IsNull()) return 0;
  if (!node.IsSequence()) {
    problems.add(node, path, "expected a list");
    return 0;
  }
  return node.size();
}

void check_keys(const YAML::Node& node, const std::string& path,
                const std::vector<std::string>& allowed, Problems& problems) {
  for (const auto& item : node) {
    const auto key = item.first.as<std::string>("");
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string message = "unknown key '" + key + "'";
    const auto suggestion = core::closest_match(key, allowed);
    if (!suggestion.empty()) message += " (did you mean '" + suggestion + "'?)";
    problems.add(item.first, path, message);
  }
}

std::optional<std::string> get_string(const YAML::Node& parent, const char* key,
                                      const std::string& path, Problems& problems,
                                      bool required) {
  const auto node = parent[key];
  if (!node.IsDefined() || node.IsNull()) {
    if (required) problems.add(parent, path, std::string("missing required key '") + key + "'");
    return std::nullopt;
  }
  if (!node.IsScalar()) {
    problems.add(node, path + "." + key, "expected a string");
    return std::nullopt;
  }
  return node.as<std::string>();
}

template <typename Int>
std::optional<Int> get_uint(const YAML::Node& parent, const char* key, const std::string& path,
                            Problems& problems, unsigned long long max) {
  const auto node = parent[key];
  if (!node.IsDefined() || node.IsNull()) return std::nullopt;
  const auto text = node.IsScalar() ? node.as<std::string>() : std::string();
  unsigned long long value = 0;
  bool ok = !text.empty() && text.size() <= 19;
  for (char c : text) ok = ok && c >= '0' && c <= '9';
  if (ok) value = std::stoull(text);
  if (!ok || value > max) {
    problems.add(node, path + "." + key,
                 "expected an integer between 0 and " + std::to_string(max));
    return std::nullopt;
  }
  return static_cast<Int>(value);
}

std::optional<bool> get_bool(const YAML::Node& parent, const char* key, const std::string& path,
                             Problems& problems) {
  const auto node = parent[key];
  if (!node.IsDefined() || node.IsNull()) return std::nullopt;
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
    problems.add(node, path + "." + key, "expected true or false");
    return std::nullopt;
  }
  return value;
}

std::string index_path(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::vector<std::string> get_string_list(const YAML::Node& node, const std::string& path,
                                         Problems& problems) {
  std::vector<std::string> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsSequence()) {
    problems.add(node, path, "expected a list of strings");
    return out;
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    if (!node[i].IsScalar()) {
      problems.add(node[i], index_path(path, i), "expected a string");
      continue;
    }
    out.push_back(node[i].as<std::string>());
  }
  return out;
}

// The record type `type_text` (read from `node`'s "type") names, reported when the simulated
// APIs do not manage it.
std::optional<RecordType> read_record_type(const YAML::Node& node, const std::string& path,
                                           const std::string& type_text, Problems& problems) {
  const auto type = parse_record_type(type_text);
  if (!type) {
    problems.add(node["type"], path + ".type",
                 "unknown record type '" + type_text + "' (expected A, TXT or CNAME)");
  }
  return type;
}

// A zone's required "name", normalized; nullopt (reported) when missing or not a domain name.
std::optional<std::string> read_zone_name(const YAML::Node& zone, const std::string& path,
                                          Problems& problems) {
  const auto name = get_string(zone, "name", path, problems, true);
  if (!name) return std::nullopt;
  auto normalized = normalize_name(*name);
  if (!is_valid_domain_name(normalized)) {
    problems.add(zone["name"], path + ".name", "'" + *name + "' is not a valid zone name");
    return std::nullopt;
  }
  return normalized;
}

void parse_azure_record_set(const YAML::Node& node, const std::string& path,
                            AzureDnsZoneSpec& zone, Problems& problems) {
  if (!expect_map(node, path, problems)) return;
  check_keys(node, path, {"name", "type", "ttl", "metadata", "records"}, problems);
  AzureRecordSet set;
  const auto name = get_string(node, "name", path, problems, true);
  const auto type_text = get_string(node, "type", path, problems, true);
  if (!name || !type_text) return;
  const auto type = read_record_type(node, path, *type_text, problems);
  if (!type) return;
  set.type = *type;
  const auto normalized = normalize_name(*name);
  const auto zone_name = normalize_name(zone.name);
  set.name = (normalized != "@" && is_in_zone(normalized, zone_name))
                 ? relative_name(normalized, zone_name)
                 : normalized;
  if (auto ttl = get_uint<std::uint32_t>(node, "ttl", path, problems, kAzureMaxTtl)) set.ttl = *ttl;
  const auto metadata = node["metadata"];
  if (metadata.IsDefined() && !metadata.IsNull()) {
    if (!metadata.IsMap()) {
      problems.add(metadata, path + ".metadata", "expected a mapping of strings");
    } else {
      for (const auto& item : metadata) {
        if (!item.second.IsScalar()) {
          problems.add(item.second, path + ".metadata", "metadata values must be strings");
          continue;
        }
        set.metadata[item.first.as<std::string>()] = item.second.as<std::string>();
      }
    }
  }
  const auto records = node["records"];
  const auto records_path = path + ".records";
  {
    const auto count = list_size(records, records_path, problems);
    for (std::size_t i = 0; i < count; ++i) {
      const auto item = records[i];
      const auto item_path = index_path(records_path, i);
      if (set.type == RecordType::kTxt) {
        if (item.IsScalar()) {
          set.txt_records.push_back({item.as<std::string>()});
        } else {
          set.txt_records.push_back(get_string_list(item, item_path, problems));
        }
        continue;
      }
      if (!item.IsScalar()) {
        problems.add(item, item_path, "expected a string");
        continue;
      }
      if (set.type == RecordType::kA) {
        set.a_records.push_back(item.as<std::string>());
      } else if (set.cname.empty()) {
        set.cname = item.as<std::string>();
      } else {
        problems.add(item, item_path, "a CNAME record set holds exactly one record");
      }
    }
  }
  if (auto problem = validate_azure_record_set(set, zone_name)) {
    problems.add(node, path, problem->message);
    return;
  }
  for (const auto& existing : zone.record_sets) {
    if (existing.name == set.name && existing.type == set.type) {
      problems.add(node, path, "duplicate record set '" + set.name + "' of type " + *type_text);
      return;
    }
    if (existing.name == set.name &&
        (existing.type == RecordType::kCname || set.type == RecordType::kCname)) {
      problems.add(node, path, "a CNAME record set cannot share its name '" + set.name +
                                   "' with other record sets");
      return;
    }
  }
  zone.record_sets.push_back(std::move(set));
}

void parse_azure(const YAML::Node& node, const std::string& path, const std::string& default_sub,
                 DnsScenario& scenario, Problems& problems) {
  if (!expect_map(node, path, problems)) return;
  check_keys(node, path, {"pageSize", "zones"}, problems);
  if (auto size = get_uint<std::size_t>(node, "pageSize", path, problems, 1000)) {
    if (*size == 0) {
      problems.add(node["pageSize"], path + ".pageSize", "must be at least 1");
    } else {
      scenario.azure_page_size = *size;
    }
  }
  const auto zones = node["zones"];
  const auto zone_count = list_size(zones, path + ".zones", problems);
  for (std::size_t i = 0; i < zone_count; ++i) {
    const auto z = zones[i];
    const auto zpath = index_path(path + ".zones", i);
    if (!expect_map(z, zpath, problems)) continue;
    check_keys(z, zpath, {"subscriptionId", "resourceGroup", "name", "recordSets"}, problems);
    AzureDnsZoneSpec zone;
    // Without a default (the sim core's section hook cannot pass one), the subscription is
    // left empty and DnsSimulatorOptions::default_subscription_id fills it.
    zone.subscription_id =
        get_string(z, "subscriptionId", zpath, problems, false).value_or(default_sub);
    zone.resource_group = get_string(z, "resourceGroup", zpath, problems, true).value_or("");
    auto name = read_zone_name(z, zpath, problems);
    if (!name) continue;
    zone.name = std::move(*name);
    const auto sets = z["recordSets"];
    const auto set_count = list_size(sets, zpath + ".recordSets", problems);
    for (std::size_t j = 0; j < set_count; ++j) {
      parse_azure_record_set(sets[j], index_path(zpath + ".recordSets", j), zone, problems);
    }
    scenario.azure_zones.push_back(std::move(zone));
  }
}

void parse_cloudflare_record(const YAML::Node& node, const std::string& path,
                             CloudflareZoneSpec& zone, Problems& problems) {
  if (!expect_map(node, path, problems)) return;
  check_keys(node, path, {"name", "type", "content", "ttl", "proxied", "comment", "tags"},
             problems);
  CloudflareRecord record;
  const auto name = get_string(node, "name", path, problems, true);
  const auto type_text = get_string(node, "type", path, problems, true);
  const auto content = get_string(node, "content", path, problems, true);
  if (!name || !type_text || !content) return;
  const auto type = read_record_type(node, path, *type_text, problems);
  if (!type) return;
  record.type = *type;
  const auto normalized = normalize_name(*name);
  record.name = (normalized == "@") ? zone.name
                : is_in_zone(normalized, zone.name) ? normalized
                                                    : absolute_name(normalized, zone.name);
  record.content = *content;
  if (auto ttl = get_uint<std::uint32_t>(node, "ttl", path, problems, kCloudflareMaxTtl)) {
    record.ttl = *ttl;
  }
  record.proxied = get_bool(node, "proxied", path, problems).value_or(false);
  record.comment = get_string(node, "comment", path, problems, false);
  record.tags = get_string_list(node["tags"], path + ".tags", problems);
  if (auto problem = validate_cloudflare_record(record, zone.name)) {
    problems.add(node, path, problem->message);
    return;
  }
  for (const auto& existing : zone.records) {
    if (existing.name != record.name) continue;
    if (existing.type == record.type && existing.content == record.content) {
      problems.add(node, path, "an identical record already exists");
      return;
    }
    if (existing.type == RecordType::kCname || record.type == RecordType::kCname) {
      problems.add(node, path,
                   "a CNAME record cannot share its name '" + record.name + "' with others");
      return;
    }
  }
  zone.records.push_back(std::move(record));
}

void parse_cloudflare(const YAML::Node& node, const std::string& path, DnsScenario& scenario,
                      Problems& problems) {
  if (!expect_map(node, path, problems)) return;
  check_keys(node, path, {"rateLimit", "perPage", "accounts"}, problems);
  const auto limit = node["rateLimit"];
  if (limit.IsDefined() && !limit.IsNull() && expect_map(limit, path + ".rateLimit", problems)) {
    const auto lpath = path + ".rateLimit";
    check_keys(limit, lpath, {"requests", "window"}, problems);
    if (auto requests = get_uint<std::uint32_t>(limit, "requests", lpath, problems, 1000000000)) {
      scenario.cloudflare_requests_per_window = *requests;
    }
    if (auto window = get_string(limit, "window", lpath, problems, false)) {
      const auto parsed = core::parse_duration(*window);
      if (!parsed || parsed->count() <= 0) {
        problems.add(limit["window"], lpath + ".window",
                     "expected a positive duration such as 5m or 30s");
      } else {
        scenario.cloudflare_window = *parsed;
      }
    }
  }
  if (auto per_page = get_uint<std::size_t>(node, "perPage", path, problems, 5000000)) {
    if (*per_page < 5) {
      problems.add(node["perPage"], path + ".perPage", "must be at least 5");
    } else {
      scenario.cloudflare_per_page = *per_page;
    }
  }
  const auto accounts = node["accounts"];
  const auto account_count = list_size(accounts, path + ".accounts", problems);
  const auto base_dir = std::filesystem::path(problems.file()).parent_path();
  for (std::size_t i = 0; i < account_count; ++i) {
    const auto a = accounts[i];
    const auto apath = index_path(path + ".accounts", i);
    if (!expect_map(a, apath, problems)) continue;
    check_keys(a, apath, {"name", "id", "apiToken", "apiTokenFile", "zones"}, problems);
    CloudflareAccountSpec account;
    account.name = get_string(a, "name", apath, problems, false)
                       .value_or("account-" + std::to_string(i + 1));
    account.id = get_string(a, "id", apath, problems, false)
                     .value_or(derive_cloudflare_zone_id("account:" + account.name));
    const auto token = get_string(a, "apiToken", apath, problems, false);
    const auto token_file = get_string(a, "apiTokenFile", apath, problems, false);
    if (token.has_value() == token_file.has_value()) {
      problems.add(a, apath, "give exactly one of 'apiToken' and 'apiTokenFile'");
    } else if (token) {
      account.api_token = core::Secret(*token);
    } else {
      auto file = std::filesystem::path(*token_file);
      if (file.is_relative()) file = base_dir / file;
      std::ifstream in(file);
      std::string value;
      if (!in || !std::getline(in, value) || value.empty()) {
        problems.add(a["apiTokenFile"], apath + ".apiTokenFile",
                     "cannot read a token from '" + file.string() + "'");
      } else {
        while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
        account.api_token = core::Secret(value);
      }
    }
    const auto zones = a["zones"];
    {
      const auto zone_count = list_size(zones, apath + ".zones", problems);
      for (std::size_t j = 0; j < zone_count; ++j) {
        const auto z = zones[j];
        const auto zpath = index_path(apath + ".zones", j);
        if (!expect_map(z, zpath, problems)) continue;
        check_keys(z, zpath, {"name", "id", "records"}, problems);
        CloudflareZoneSpec zone;
        auto name = read_zone_name(z, zpath, problems);
        if (!name) continue;
        zone.name = std::move(*name);
        zone.id = get_string(z, "id", zpath, problems, false)
                      .value_or(derive_cloudflare_zone_id(zone.name));
        if (zone.id.size() != 32 || zone.id.find_first_not_of("0123456789abcdef") != std::string::npos) {
          problems.add(z["id"], zpath + ".id",
                       "'" + zone.id + "': a Cloudflare zone id must be 32 lowercase hex digits");
        }
        const auto records = z["records"];
        {
          const auto record_count = list_size(records, zpath + ".records", problems);
          for (std::size_t k = 0; k < record_count; ++k) {
            parse_cloudflare_record(records[k], index_path(zpath + ".records", k), zone,
                                    problems);
          }
        }
        account.zones.push_back(std::move(zone));
      }
    }
    scenario.cloudflare_accounts.push_back(std::move(account));
  }
}

void check_uniqueness(const YAML::Node& dns_node, const DnsScenario& scenario,
                      Problems& problems) {
  std::set<std::string> zone_names;
  std::set<std::string> zone_ids;
  std::set<std::string> tokens;
  for (const auto& zone : scenario.azure_zones) {
    if (!zone_names.insert(zone.name).second) {
      problems.add(dns_node, "dns", "zone '" + zone.name + "' is defined more than once");
    }
  }
  for (const auto& account : scenario.cloudflare_accounts) {
    if (!account.api_token.empty() && !tokens.insert(account.api_token.reveal()).second) {
      problems.add(dns_node, "dns.cloudflare",
                   "account '" + account.name + "' reuses another account's API token");
    }
    for (const auto& zone : account.zones) {
      if (!zone_names.insert(zone.name).second) {
        problems.add(dns_node, "dns", "zone '" + zone.name + "' is defined more than once");
      }
      if (!zone_ids.insert(zone.id).second) {
        problems.add(dns_node, "dns.cloudflare", "zone id '" + zone.id + "' is used twice");
      }
    }
  }
}

// dns.server: where the authoritative server listens. Checked here, so a typo is a scenario
// problem with its position rather than a failed start.
void parse_server(const YAML::Node& node, const std::string& path, DnsScenario& scenario,
                  Problems& problems) {
  if (!expect_map(node, path, problems)) return;
  check_keys(node, path, {"listen"}, problems);
  const auto listen = get_string(node, "listen", path, problems, /*required=*/true);
  if (!listen) return;
  if (auto parsed = http::parse_listen_address(*listen); !parsed.ok()) {
    problems.add(node["listen"], path + ".listen", parsed.error().message);
    return;
  }
  scenario.server_listen = *listen;
}

}  // namespace

ScenarioSectionParser dns_section_parser(DnsScenario* out) {
  return [out](const YAML::Node& node, const std::string& file) {
    auto parsed = parse_dns_scenario(node, file);
    if (parsed.ok()) {
      if (out) *out = std::move(parsed.value());
      return std::vector<std::string>{};
    }
    return core::split(parsed.error().message, '\n');
  };
}

core::Result<DnsScenario> parse_dns_scenario(const YAML::Node& dns_node, const std::string& file,
                                             const std::string& default_subscription_id) {
  DnsScenario scenario;
  if (!dns_node.IsDefined() || dns_node.IsNull()) return scenario;
  Problems problems(file);
  if (expect_map(dns_node, "dns", problems)) {
    check_keys(dns_node, "dns", {"server", "azureDns", "cloudflare"}, problems);
    if (dns_node["server"].IsDefined() && !dns_node["server"].IsNull()) {
      parse_server(dns_node["server"], "dns.server", scenario, problems);
    }
    if (dns_node["azureDns"].IsDefined() && !dns_node["azureDns"].IsNull()) {
      parse_azure(dns_node["azureDns"], "dns.azureDns", default_subscription_id, scenario,
                  problems);
    }
    if (dns_node["cloudflare"].IsDefined() && !dns_node["cloudflare"].IsNull()) {
      parse_cloudflare(dns_node["cloudflare"], "dns.cloudflare", scenario, problems);
    }
    check_uniqueness(dns_node, scenario, problems);
  }
  if (!problems.empty()) {
    return core::Error{core::ErrorKind::kInvalidConfig, problems.joined(), 0, "", ""};
  }
  return scenario;
}

}  // namespace frankenetes::sim::dns
