#include "daemon/etcd_stack.h"

#include "build_info.h"
#include "probe/probe_clients.h"

namespace frankenetes::daemon {

EtcdStack::EtcdStack(Deps deps)
    : deps_(deps),
      status_([this](const config::MemberConfig& member) { return transports_for(member); }) {}

core::Result<std::unique_ptr<EtcdStack>> EtcdStack::create(const config::Config& config,
                                                           Deps deps) {
  std::unique_ptr<EtcdStack> stack(new EtcdStack(deps));
  if (auto built = stack->build(config); !built.ok()) return built.error();
  return stack;
}

core::Status EtcdStack::build(const config::Config& config) {
  storage_ = config.storage;
  if (!config.storage || !config.etcd.snapshots.enabled) return {};
  auto client = deps_.clients.make(config.azure.ca_file);
  if (!client.ok()) return client.error();
  storage_client_ = std::move(client.value());
  retrying_ = std::make_unique<RetryingStack>(*storage_client_, deps_.time, deps_.stop_signal);
  stop_aware_ =
      std::make_unique<http::StopAwareTransport>(retrying_->transport(), deps_.stop_signal);
  auto authorizer = storage::make_blob_authorizer(*config.storage, deps_.arm.credential());
  if (!authorizer.ok()) return authorizer.error();
  authorizer_ = std::move(authorizer.value());
  storage::BlobServiceSettings settings;
  settings.account = config.storage->account;
  settings.endpoint = config.storage->endpoint;
  settings.version = build::kVersion;
  service_ = std::make_unique<storage::BlobService>(*stop_aware_, *authorizer_, deps_.time,
                                                    settings);
  blobs_ = std::make_unique<storage::BlobClient>(*service_, config.storage->container);
  snapshotter_ = std::make_unique<reconcile::BlobSnapshotter>(
      *blobs_, [this](const config::MemberConfig& member) { return transports_for(member); },
      deps_.time, build::kVersion);
  return {};
}

core::Result<reconcile::EtcdTransports> EtcdStack::transports_for(
    const config::MemberConfig& member) {
  const probe::ProbeTls tls = member.probe ? probe::probe_tls_of(*member.probe) : probe::ProbeTls{};
  std::lock_guard lock(clients_mutex_);
  auto it = etcd_clients_.find(tls);
  if (it == etcd_clients_.end()) {
    auto client = deps_.clients.etcd_client(tls);
    if (!client.ok()) return client.error();
    it = etcd_clients_.emplace(tls, std::move(client.value())).first;
  }
  return reconcile::EtcdTransports{it->second.get(), it->second.get()};
}

}  // namespace frankenetes::daemon
