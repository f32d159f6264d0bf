#include "config/types.h"

namespace frankenetes::config {

std::string HostPort::to_string() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Endpoints from the Azure SDKs' cloud tables (azure-identity AzureAuthorityHosts and the
// ARM endpoints of `az cloud list`).
const std::vector<Cloud>& well_known_clouds() {
  static const std::vector<Cloud> kClouds = {
      {"AzurePublicCloud", "https://management.azure.com", "https://login.microsoftonline.com",
       "https://management.azure.com/.default"},
      {"AzureChinaCloud", "https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn",
       "https://management.chinacloudapi.cn/.default"},
      {"AzureUSGovernment", "https://management.usgovcloudapi.net",
       "https://login.microsoftonline.us", "https://management.usgovcloudapi.net/.default"},
  };
  return kClouds;
}

std::optional<Cloud> well_known_cloud(std::string_view name) {
  for (const auto& cloud : well_known_clouds()) {
    if (cloud.name == name) return cloud;
  }
  return std::nullopt;
}

DnsProviderType DnsProviderConfig::type() const {
  switch (settings.index()) {
    case 0:
      return DnsProviderType::kCloudflare;
    case 1:
      return DnsProviderType::kAzureDns;
    default:
      return DnsProviderType::kRfc2136;
  }
}

std::optional<std::string> DnsProviderConfig::zone() const {
  if (const auto* cloudflare = std::get_if<CloudflareProviderConfig>(&settings)) {
    return cloudflare->zone_name;
  }
  if (const auto* azure = std::get_if<AzureDnsProviderConfig>(&settings)) return azure->zone;
  return std::get<Rfc2136ProviderConfig>(settings).zone;
}

}  // namespace frankenetes::config
