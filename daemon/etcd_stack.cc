#include "daemon/etcd_stack.h"

#include <algorithm>

#include "build_info.h"
#include "daemon/etcd_restorer.h"
#include "log/event.h"
#include "probe/probe_clients.h"

namespace frankenetes::daemon {
namespace {

// etcd.autoRestore: the guard's job through restore_etcd_member(), steps logged.
class LoggingRestorer final : public reconcile::AutoRestorer {
 public:
  LoggingRestorer(RestorerDeps deps, reconcile::ActGate may_act)
      : deps_(std::move(deps)), may_act_(std::move(may_act)) {}

  reconcile::RestoreDone restore(const reconcile::RestoreJob& job) override {
    const config::MemberConfig* member = nullptr;
    for (const auto& m : job.cluster.members) {
      if (m.name == job.member.member) member = &m;
    }
    reconcile::RestoreDone done;
    done.kind = reconcile::RestoreDone::Kind::kRefused;
    if (member == nullptr) {
      done.error = "the member is no longer configured";
      return done;
    }
    if (!reconcile::may_act(may_act_, job.cluster.name)) {
      log::warn("etcd.restore.lease_lost",
                {{"cluster", job.member.cluster}, {"member", job.member.member}});
      done.error =
          std::string(reconcile::kLeaseLost) + ": another replica holds the cluster's lease";
      return done;
    }
    // A snapshot restore makes a new one-member cluster of the data: with peers still running
    // that is a split a person has to plan.
    const auto etcd_members = std::count_if(job.cluster.members.begin(), job.cluster.members.end(),
                                            [](const auto& m) { return m.role == config::MemberRole::kEtcd; });
    if (etcd_members > 1) {
      done.error = "cluster " + job.cluster.name + " has " + std::to_string(etcd_members) +
                   " etcd members: automatic restore covers clusters with one";
      return done;
    }
    RestorerDeps deps = deps_;
    deps.report = [&job](const std::string& step) {
      log::info("etcd.restore.step",
                {{"cluster", job.member.cluster}, {"member", job.member.member}, {"step", step}});
    };
    const auto outcome = restore_etcd_member(deps, {.cluster = job.cluster,
                                                    .member = *member,
                                                    .subscription_id = job.subscription_id,
                                                    .snapshot = std::nullopt,
                                                    .lost = job.lost,
                                                    .dry_run = false,
                                                    .allow_running = true});
    using Kind = RestoreOutcome::Kind;
    done.kind = outcome.kind == Kind::kRestored  ? reconcile::RestoreDone::Kind::kRestored
                : outcome.kind == Kind::kRefused ? reconcile::RestoreDone::Kind::kRefused
                                                 : reconcile::RestoreDone::Kind::kFailed;
    done.changed = outcome.changed;
    done.snapshot = outcome.snapshot;
    done.revision = outcome.revision;
    if (outcome.kind != Kind::kRestored) done.error = outcome.message;
    done.left_as = outcome.left_as;
    return done;
  }

 private:
  RestorerDeps deps_;
  reconcile::ActGate may_act_;
};

}  // namespace

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
  settings.user_agent = deps_.clients.user_agent();
  service_ = std::make_unique<storage::BlobService>(*stop_aware_, *authorizer_, deps_.time,
                                                    settings);
  blobs_ = std::make_unique<storage::BlobClient>(*service_, config.storage->container);
  snapshotter_ = std::make_unique<reconcile::BlobSnapshotter>(
      *blobs_, [this](const config::MemberConfig& member) { return transports_for(member); },
      deps_.time, build::kVersion);
  if (!config.etcd.auto_restore) return {};
  // Config validation makes sure of Shared Key and a fileEndpoint (etcd_section.cc).
  storage::BlobServiceSettings file_settings = settings;
  file_settings.endpoint = config.storage->file_endpoint;
  files_ = std::make_unique<storage::BlobService>(*stop_aware_, *authorizer_, deps_.time, file_settings);
  restorer_ = std::make_unique<LoggingRestorer>(
      RestorerDeps{
          .aci = deps_.arm.aci(),
          .blobs = *blobs_,
          .files = *files_,
          .storage_account = config.storage->account,
          .etcd = [this](const config::MemberConfig& member) { return transports_for(member); },
          .runner = runner_,
          .time = deps_.time,
          .sleeper = deps_.stop_signal,
          .report = {}},
      deps_.may_act);
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
