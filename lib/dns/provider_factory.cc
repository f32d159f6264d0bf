#include "dns/provider_factory.h"

#include <type_traits>
#include <variant>

#include "dns/azure_dns_provider.h"
#include "dns/cloudflare_provider.h"
#include "dns/rfc2136_provider.h"

namespace frankenetes::dns {
namespace {

core::Error missing(const std::string& provider, const char* what) {
  return core::make_error(core::ErrorKind::kInvalidConfig,
                          "dns provider '" + provider + "': no " + what + " to build it with");
}

}  // namespace

core::Result<std::unique_ptr<DnsProvider>> make_dns_provider(
    const config::DnsProviderConfig& config, const DnsProviderDeps& deps) {
  return std::visit(
      [&](const auto& settings) -> core::Result<std::unique_ptr<DnsProvider>> {
        using T = std::decay_t<decltype(settings)>;
        if constexpr (std::is_same_v<T, config::AzureDnsProviderConfig>) {
          if (deps.arm_transport == nullptr) return missing(config.name, "ARM transport");
          if (deps.credential == nullptr) return missing(config.name, "Azure credential");
          AzureDnsSettings azure;
          azure.resource_manager = deps.resource_manager;
          azure.token_scope = deps.token_scope;
          azure.user_agent = deps.user_agent;
          return std::unique_ptr<DnsProvider>(std::make_unique<AzureDnsProvider>(
              config.name, settings, *deps.arm_transport, *deps.credential, azure));
        } else if constexpr (std::is_same_v<T, config::CloudflareProviderConfig>) {
          if (deps.http_transport == nullptr) return missing(config.name, "HTTP transport");
          if (deps.time == nullptr) return missing(config.name, "time source");
          CloudflareSettings cloudflare;
          cloudflare.user_agent = deps.user_agent;
          return std::unique_ptr<DnsProvider>(std::make_unique<CloudflareProvider>(
              config.name, settings, *deps.http_transport, *deps.time, cloudflare));
        } else {
          return std::unique_ptr<DnsProvider>(
              std::make_unique<Rfc2136Provider>(config.name, settings));
        }
      },
      config.settings);
}

}  // namespace frankenetes::dns
