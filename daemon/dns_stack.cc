#include "daemon/dns_stack.h"

#include <string>

#include "dns/provider_factory.h"
#include "log/event.h"

namespace frankenetes::daemon {
namespace {

// What the providers are built from: the rest of the dns section (ownerId, verify, the read
// settings) is read by the synchronizer with every configuration.
std::optional<DnsStack::ProvidersConfig> providers_config(const config::Config& config) {
  if (!config.dns) return std::nullopt;
  return config.dns->providers;
}

}  // namespace

core::Result<std::unique_ptr<DnsStack>> DnsStack::create(
    const std::shared_ptr<const config::Config>& config, Deps deps) {
  auto stack = std::unique_ptr<DnsStack>(new DnsStack(deps));
  if (auto built = stack->build(config); !built.ok()) return built.error();
  return stack;
}

core::Status DnsStack::build(const std::shared_ptr<const config::Config>& config) {
  auto client = deps_.clients.make(config->azure.ca_file);
  if (!client.ok()) return client.error();
  cloudflare_client_ = std::move(client.value());
  cloudflare_ = std::make_unique<RetryingStack>(*cloudflare_client_, deps_.time, deps_.stop_signal);
  sync_ = std::make_unique<reconcile::DnsSynchronizer>(reconcile::DnsSyncDeps{
      .worker = deps_.worker,
      .time = deps_.time,
      .querier = deps_.querier,
      .sleeper = deps_.stop_signal,
      .metrics = deps_.metrics,
      .error_metrics = deps_.error_metrics,
      .status = deps_.status,
  });
  configure(config);
  return {};
}

void DnsStack::configure(const std::shared_ptr<const config::Config>& config) {
  if (built_ && providers_config(*config) == dns_config_) {
    sync_->configure(config, providers_);
    return;
  }
  auto providers = make_providers(*config);
  if (built_) {
    log::info("dns.providers.rebuilt",
              {{"providers", static_cast<unsigned long>(providers.size())}});
  }
  built_ = true;
  dns_config_ = providers_config(*config);
  providers_ = providers;
  sync_->configure(config, std::move(providers));
}

// azure.* needs a restart (the Process warns): Azure DNS keeps the running ARM stack and its
// credential, so only a changed dns.providers rebuilds the providers.
reconcile::DnsProviders DnsStack::make_providers(const config::Config& config) const {
  dns::DnsProviderDeps deps;
  deps.arm_transport = &deps_.arm.transport();
  deps.credential = &deps_.arm.credential();
  deps.resource_manager = deps_.arm.azure().cloud.resource_manager;
  deps.token_scope = deps_.arm.azure().cloud.scope;
  deps.http_transport = &cloudflare_->transport();
  deps.time = &deps_.time;
  deps.user_agent = user_agent();
  reconcile::DnsProviders providers;
  if (!config.dns) return providers;
  for (const auto& [name, provider_config] : config.dns->providers) {
    auto provider = dns::make_dns_provider(provider_config, deps);
    if (!provider.ok()) {
      log::error("dns.provider.invalid",
                 {{"provider", name}, {"error", provider.error().describe()}});
      continue;
    }
    providers.emplace(name, std::shared_ptr<dns::DnsProvider>(std::move(provider.value())));
  }
  return providers;
}

void DnsStack::observe(const model::Observations& observed) { sync_->observe(observed); }

void DnsStack::stop() { sync_->stop(); }

}  // namespace frankenetes::daemon
