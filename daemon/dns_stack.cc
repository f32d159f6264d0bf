#include "daemon/dns_stack.h"

#include <string>

#include "core/strings.h"
#include "dns/provider_factory.h"
#include "log/event.h"
#include "plan/dns_registry.h"

namespace frankenetes::daemon {
namespace {

// What the providers are built from: the rest of the dns section (ownerId, verify, the read
// settings) is read by the synchronizer with every configuration.
std::optional<DnsStack::ProvidersConfig> providers_config(const config::Config& config) {
  if (!config.dns) return std::nullopt;
  return config.dns->providers;
}

// Coordination's fence in front of a provider: writes for a cluster whose lease is not ours
// are refused before anything is sent. Reads pass (a standby keeps observing).
class FencedDnsProvider final : public dns::DnsProvider {
 public:
  FencedDnsProvider(std::shared_ptr<dns::DnsProvider> inner, reconcile::ActGate may_act,
                    std::shared_ptr<const DnsStack::RecordOwners> owners)
      : inner_(std::move(inner)), may_act_(std::move(may_act)), owners_(std::move(owners)) {}

  std::string name() const override { return inner_->name(); }
  std::string zone() const override { return inner_->zone(); }
  core::Result<std::vector<dns::RecordSet>> read(const std::string& fqdn) override {
    return inner_->read(fqdn);
  }
  std::size_t requests_per_read() const override { return inner_->requests_per_read(); }
  bool reads_zone() const override { return inner_->reads_zone(); }
  core::Result<dns::ZoneRecords> read_zone() override { return inner_->read_zone(); }
  std::vector<std::string> authoritative_servers() const override {
    return inner_->authoritative_servers();
  }

  core::Status apply(const std::vector<dns::Change>& changes) override {
    for (const auto& change : changes) {
      const auto cluster = owners_->cluster_of(change.desired.fqdn);
      // A name no member owns is no cluster's: only the lease holder of some cluster writes
      // what the plan asks, and the plan asks only for members' names.
      if (cluster && !reconcile::may_act(may_act_, *cluster)) {
        log::warn("dns.lease_lost",
                  {{"provider", inner_->name()},
                   {"cluster", *cluster},
                   {"fqdn", change.desired.fqdn},
                   {"detail", "another replica holds the cluster's lease; not sent"}});
        return core::make_error(core::ErrorKind::kTerminal,
                                std::string(reconcile::kLeaseLost) + ": cluster " + *cluster +
                                    " is another replica's (nothing sent)");
      }
    }
    return inner_->apply(changes);
  }

 private:
  std::shared_ptr<dns::DnsProvider> inner_;
  reconcile::ActGate may_act_;
  std::shared_ptr<const DnsStack::RecordOwners> owners_;
};

}  // namespace

void DnsStack::RecordOwners::configure(const config::Config& config) {
  std::map<std::string, std::string> clusters;
  for (const auto& cluster : config.clusters) {
    for (const auto& member : cluster.members) {
      if (member.dns) clusters.emplace(core::to_lower(member.dns->name), cluster.name);
    }
  }
  std::lock_guard lock(mutex_);
  clusters_ = std::move(clusters);
}

std::optional<std::string> DnsStack::RecordOwners::cluster_of(const std::string& fqdn) const {
  auto name = core::to_lower(fqdn);
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (name.starts_with(plan::kRegistryNamePrefix)) {
    name.erase(0, plan::kRegistryNamePrefix.size());
  }
  std::lock_guard lock(mutex_);
  const auto it = clusters_.find(name);
  if (it == clusters_.end()) return std::nullopt;
  return it->second;
}

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
      .may_act = deps_.may_act,
  });
  configure(config);
  return {};
}

void DnsStack::configure(const std::shared_ptr<const config::Config>& config) {
  owners_->configure(*config);
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
  deps.user_agent = deps_.clients.user_agent();
  reconcile::DnsProviders providers;
  if (!config.dns) return providers;
  for (const auto& [name, provider_config] : config.dns->providers) {
    auto provider = dns::make_dns_provider(provider_config, deps);
    if (!provider.ok()) {
      log::error("dns.provider.invalid",
                 {{"provider", name}, {"error", provider.error().describe()}});
      continue;
    }
    std::shared_ptr<dns::DnsProvider> built(std::move(provider.value()));
    if (deps_.may_act) {
      built = std::make_shared<FencedDnsProvider>(std::move(built), deps_.may_act, owners_);
    }
    providers.emplace(name, std::move(built));
  }
  return providers;
}

void DnsStack::observe(std::shared_ptr<const model::Observations> observed) {
  sync_->observe(std::move(observed));
}

void DnsStack::stop() { sync_->stop(); }

}  // namespace frankenetes::daemon
