#include "daemon/etcd_restore.h"

#include <cstdio>
#include <map>
#include <memory>

#include "azure/credential_command_runner.h"
#include "core/stop_signal.h"
#include "daemon/arm_stack.h"
#include "daemon/configuration.h"
#include "daemon/etcd_restorer.h"
#include "daemon/http_clients.h"
#include "probe/probe_clients.h"
#include "state/state_store.h"
#include "storage/blob_auth.h"
#include "storage/blob_client.h"

namespace frankenetes::daemon {
namespace {

void step(const std::string& text) {
  std::printf("restore: %s\n", text.c_str());
  std::fflush(stdout);
}

int failed(const std::string& what, const std::string& left_as) {
  std::fprintf(stderr, "restore: FAILED: %s\n", what.c_str());
  if (!left_as.empty()) std::fprintf(stderr, "restore: %s\n", left_as.c_str());
  return 1;
}

int refused(const std::string& why) {
  std::fprintf(stderr, "restore: %s\n", why.c_str());
  return 2;
}

}  // namespace

int run_etcd_restore(const CliOptions& options) {
  const auto& request = *options.etcd_restore;
  // 1. Configuration, member, storage, state directory.
  auto loaded = load_config(options.config_path);
  if (!loaded.config) {
    for (const auto& problem : loaded.problems) std::fprintf(stderr, "%s\n", problem.to_string().c_str());
    return 2;
  }
  const config::Config& config = *loaded.config;
  configure_logging(config.log, options.log_level ? find_log_level(*options.log_level) : std::nullopt);
  const config::ClusterConfig* cluster = nullptr;
  const config::MemberConfig* member = nullptr;
  for (const auto& c : config.clusters) {
    if (c.name != request.cluster) continue;
    cluster = &c;
    for (const auto& m : c.members) {
      if (m.name == request.member) member = &m;
    }
  }
  if (cluster == nullptr) return refused("no cluster \"" + request.cluster + "\" in " + options.config_path);
  if (member == nullptr) {
    return refused("no member \"" + request.member + "\" in cluster " + request.cluster);
  }
  if (member->role != config::MemberRole::kEtcd) {
    return refused(request.cluster + "/" + request.member + " has role " +
                   std::string(config::to_string(member->role)) + ", not etcd");
  }
  if (!config.storage) return refused("the configuration has no storage section: no snapshots to restore");
  const auto& storage = *config.storage;
  if (!storage.key) {
    return refused("storage.keyFile (or key) is needed: the Azure Files REST API takes Shared Key");
  }
  if (storage.file_endpoint.empty()) return refused("storage.fileEndpoint is needed with a custom cloud");
  core::RealTimeSource time;
  auto store = state::StateStore::open(config.state_directory, time);
  if (!store.ok()) {
    return refused(store.error().message +
                   " (stop frankenetesd first: it would start the group this restore stops)");
  }
  const model::MemberKey key{cluster->name, member->name};
  step("member " + key.to_string() + ", state directory " + config.state_directory + " locked");

  // 2. What a recorded data loss says about the snapshot to restore.
  std::optional<etcd::DataIdentity> lost;
  auto state = (*store)->load();
  if (state.status == state::LoadStatus::kLoaded) {
    if (auto it = state.state.history.members.find(key); it != state.state.history.members.end()) {
      lost = it->second.etcd_lost;
      if (!it->second.etcd_data_loss.empty()) step("recorded data loss: " + it->second.etcd_data_loss);
    }
  }

  // 3. The restore's own steps (daemon/etcd_restorer.h).
  core::StopSignal stop_signal;
  HttpClients clients;
  auto arm = ArmStack::create(config, {.clients = clients,
                                       .time = time,
                                       .stop_signal = stop_signal,
                                       .metrics = status::noop_metrics(),
                                       .environment = config::process_environment()});
  if (!arm.ok()) return refused(arm.error().describe());
  auto blob_transport = clients.make(config.azure.ca_file);
  if (!blob_transport.ok()) return refused(blob_transport.error().describe());
  auto authorizer = storage::make_blob_authorizer(storage, (*arm)->credential());
  if (!authorizer.ok()) return refused(authorizer.error().describe());
  storage::BlobService blob_service(**blob_transport, **authorizer, time,
                                    {.account = storage.account, .endpoint = storage.endpoint});
  storage::BlobClient blobs(blob_service, storage.container);
  storage::BlobService file_service(**blob_transport, **authorizer, time,
                                    {.account = storage.account, .endpoint = storage.file_endpoint});
  std::map<probe::ProbeTls, std::shared_ptr<http::HttpClient>> etcd_clients;
  azure::ProcessCommandRunner runner;
  const RestorerDeps deps{
      .aci = (*arm)->aci(),
      .blobs = blobs,
      .files = file_service,
      .storage_account = storage.account,
      .etcd = [&](const config::MemberConfig& m) -> core::Result<reconcile::EtcdTransports> {
        const auto tls = m.probe ? probe::probe_tls_of(*m.probe) : probe::ProbeTls{};
        auto& client = etcd_clients[tls];
        if (!client) {
          auto made = clients.etcd_client(tls);
          if (!made.ok()) return made.error();
          client = std::move(made.value());
        }
        return reconcile::EtcdTransports{client.get(), client.get()};
      },
      .runner = runner,
      .time = time,
      .sleeper = stop_signal,
      .report = step};
  const auto outcome = restore_etcd_member(
      deps, {.cluster = *cluster,
             .member = *member,
             .subscription_id = cluster->subscription_id.empty() ? config.azure.subscription_id
                                                                 : cluster->subscription_id,
             .snapshot = request.snapshot,
             .lost = lost,
             .dry_run = options.dry_run,
             .allow_running = request.yes});
  switch (outcome.kind) {
    case RestoreOutcome::Kind::kDryRun:
      step(outcome.message);
      return 0;
    case RestoreOutcome::Kind::kRefused:
      return refused(outcome.message);
    case RestoreOutcome::Kind::kFailed:
      return failed(outcome.message, outcome.changed ? outcome.left_as + ": run the restore again"
                                                     : outcome.left_as);
    case RestoreOutcome::Kind::kRestored:
      break;
  }

  // 4. The data-loss record: the baseline starts again from the restored data.
  state = (*store)->load();
  if (state.status == state::LoadStatus::kLoaded) {
    auto history = state.state.history;
    if (auto it = history.members.find(key); it != history.members.end()) {
      it->second.etcd_seen.reset();
      it->second.etcd_data_loss.clear();
      it->second.etcd_lost.reset();
      it->second.etcd_restore_failed.clear();
      if (auto saved = (*store)->save_history(history); !saved.ok()) {
        return failed("writing the state directory: " + saved.error().message, "etcd is restored");
      }
    }
  }
  step("done: " + outcome.message);
  return 0;
}

}  // namespace frankenetes::daemon
