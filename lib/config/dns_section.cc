// dns: the ownership marker, how updates are verified, and the named providers that members'
// records refer to (the references themselves are checked in cross_checks.cc).

#include <algorithm>
#include <cctype>

#include "config/sections.h"
#include "config/value_syntax.h"

namespace frankenetes::config {
namespace {

// Owner IDs end up inside TXT records and provider comments; keep them to a safe alphabet.
bool is_owner_id(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

// Provider names are referenced from members' dns.provider and appear in metric labels.
bool is_provider_name(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

DnsVerifyConfig parse_verify(const Node& node) {
  MapReader map(node);
  DnsVerifyConfig verify;
  if (const auto nameservers = map.get("nameservers")) {
    for (const auto& item : nameservers->as_list()) {
      if (auto server = item.as_host_port(kDefaultDnsPort)) verify.nameservers.push_back(*server);
    }
  }
  map.read_duration("timeout", verify.timeout, kMinTimeout);
  map.read_duration("interval", verify.interval, kMinInterval);
  map.finish();
  return verify;
}

CloudflareProviderConfig parse_cloudflare(MapReader& map) {
  CloudflareProviderConfig cloudflare;
  map.read_string("zoneId", cloudflare.zone_id);
  std::string zone_name;
  read_domain_name(map, "zoneName", zone_name, Presence::kOptional);
  if (!zone_name.empty()) cloudflare.zone_name = std::move(zone_name);
  if (!map.has("zoneId") && !map.has("zoneName")) {
    map.report("missing required key \"zoneId\" or \"zoneName\"");
  }
  if (auto token = map.read_secret("apiToken", "apiTokenFile", Presence::kRequired)) {
    cloudflare.api_token = std::move(*token);
  }
  read_secure_url(map, "baseUrl", cloudflare.base_url, Presence::kOptional);
  return cloudflare;
}

AzureDnsProviderConfig parse_azure_dns(MapReader& map, const AzureConfig& azure) {
  AzureDnsProviderConfig provider;
  provider.subscription_id = azure.subscription_id;
  read_guid(map, "subscriptionId", provider.subscription_id, Presence::kOptional,
            "subscription ID");
  read_resource_group(map, "resourceGroup", provider.resource_group);
  read_domain_name(map, "zone", provider.zone, Presence::kRequired);
  return provider;
}

TsigConfig parse_tsig(const Node& node) {
  MapReader map(node);
  TsigConfig tsig;
  read_domain_name(map, "name", tsig.name, Presence::kRequired);
  map.read_enum("algorithm", tsig.algorithm, kTsigAlgorithmNames);
  if (auto secret = map.read_secret("secret", "secretFile", Presence::kRequired)) {
    tsig.secret = std::move(*secret);
  }
  map.finish();
  return tsig;
}

Rfc2136ProviderConfig parse_rfc2136(MapReader& map) {
  Rfc2136ProviderConfig provider;
  if (const auto server = map.get("server", Presence::kRequired)) {
    if (auto parsed = server->as_host_port(kDefaultDnsPort)) provider.server = std::move(*parsed);
  }
  read_domain_name(map, "zone", provider.zone, Presence::kRequired);
  map.read_duration("timeout", provider.timeout, kMinTimeout);
  if (const auto tsig = map.get("tsig")) provider.tsig = parse_tsig(*tsig);
  return provider;
}

DnsProviderConfig parse_provider(const Node& node, const std::string& name,
                                 const AzureConfig& azure) {
  MapReader map(node);
  DnsProviderConfig provider{name, {}};
  std::optional<DnsProviderType> type;
  if (const auto type_node = map.get("type", Presence::kRequired)) {
    type = type_node->as_enum(kDnsProviderTypeNames);
  }
  if (!type) {
    map.finish_without_key_check();
    return provider;
  }
  switch (*type) {
    case DnsProviderType::kCloudflare:
      provider.settings = parse_cloudflare(map);
      break;
    case DnsProviderType::kAzureDns:
      provider.settings = parse_azure_dns(map, azure);
      break;
    case DnsProviderType::kRfc2136:
      provider.settings = parse_rfc2136(map);
      break;
  }
  map.finish();
  return provider;
}

}  // namespace

DnsConfig parse_dns(const Node& node, const AzureConfig& azure) {
  MapReader map(node);
  DnsConfig dns;
  if (const auto owner = map.get("ownerId", Presence::kRequired)) {
    if (auto text = owner->as_string()) {
      if (is_owner_id(*text)) {
        dns.owner_id = std::move(*text);
      } else {
        owner->report("invalid owner ID \"" + *text + "\": use letters, digits, '.', '_' and '-'");
      }
    }
  }
  if (const auto verify = map.get("verify")) dns.verify = parse_verify(*verify);
  // At least policy.pollInterval: checked with the policy (cross_checks.cc).
  map.read_duration("resyncInterval", dns.resync_interval, kMinInterval, kMaxDnsResyncInterval);
  map.read_int("maxMemberReadsPerSecond", dns.max_member_reads_per_second, 1,
               kMaxDnsMemberReadsPerSecond);
  if (const auto providers_node = map.get("providers", Presence::kRequired)) {
    MapReader providers(*providers_node);
    const auto names = providers.keys();
    if (names.empty() && providers_node->is_map()) {
      providers_node->report("must define at least one provider");
    }
    for (const auto& name : names) {
      const auto provider = providers.get(name, Presence::kRequired);
      if (!provider) continue;
      if (!is_provider_name(name)) {
        provider->report("invalid provider name \"" + name +
                         "\": use letters, digits, '_' and '-'");
      }
      dns.providers.emplace(name, parse_provider(*provider, name, azure));
    }
    providers.finish();
  }
  map.finish();
  return dns;
}

}  // namespace frankenetes::config
