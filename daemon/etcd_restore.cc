#include "daemon/etcd_restore.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "azure/credential_command_runner.h"
#include "core/duration.h"
#include "core/stop_signal.h"
#include "daemon/arm_stack.h"
#include "daemon/configuration.h"
#include "daemon/http_clients.h"
#include "etcd/data_layout.h"
#include "etcd/etcd_client.h"
#include "etcd/snapshot_catalog.h"
#include "etcd/snapshot_stream.h"
#include "plan/dependencies.h"
#include "reconcile/etcd_guard.h"
#include "state/state_store.h"
#include "storage/blob_auth.h"
#include "storage/blob_client.h"
#include "storage/blob_transfer.h"
#include "storage/file_share.h"

namespace frankenetes::daemon {
namespace {

constexpr auto kHealthDeadline = std::chrono::minutes(3);

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

// The members that depend on `name`, directly or transitively, in planning order: the reverse
// of plan::transitive_dependencies, read from the same graph.
std::vector<const config::MemberConfig*> dependents(const config::ClusterConfig& cluster,
                                                   const std::string& name) {
  std::vector<const config::MemberConfig*> out;
  for (const auto* m : plan::planning_order(cluster)) {
    const auto deps = plan::transitive_dependencies(cluster, m->name);
    if (std::find(deps.begin(), deps.end(), name) != deps.end()) out.push_back(m);
  }
  return out;
}

// A temporary directory removed with everything in it.
struct WorkDir {
  std::filesystem::path path;
  WorkDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "frankenetes-restore-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path = pattern;
  }
  ~WorkDir() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove_all(path, ignored);
  }
};

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

  // 2. The group and where its data directory lives.
  core::StopSignal stop_signal;
  HttpClients clients;
  auto arm = ArmStack::create(config, {.clients = clients,
                                       .time = time,
                                       .stop_signal = stop_signal,
                                       .metrics = status::noop_metrics(),
                                       .environment = config::process_environment()});
  if (!arm.ok()) return refused(arm.error().describe());
  const azure::ContainerGroupRef group_ref{
      cluster->subscription_id.empty() ? config.azure.subscription_id : cluster->subscription_id,
      cluster->resource_group, member->container_group};
  auto got = (*arm)->aci().get(group_ref);
  // A group that is gone (ARM's own 404) is recreated from the member's spec after the data
  // directory is written.
  const bool gone = !got.ok() && got.error().kind == core::ErrorKind::kNotFound;
  if (!got.ok() && !gone) {
    return failed("GET " + group_ref.to_string() + ": " + got.error().describe(), "nothing was changed");
  }
  if (gone && !(member->spec && member->spec->view)) {
    return refused("group " + group_ref.to_string() +
                   " does not exist and the member has no spec to recreate it from");
  }
  const model::ContainerGroupView& group_view = gone ? *member->spec->view : *got;
  const model::ContainerGroupView* group = &group_view;
  auto target = etcd::restore_target(*group);
  if (!target.ok()) return refused(target.error().message);
  if (target->storage_account != storage.account) {
    return refused("the data directory is on share " + target->share + " of account " +
                   target->storage_account + ", but storage.account is " + storage.account +
                   ": this restore writes only with storage.account's key");
  }
  step("group " + group_ref.to_string() + " is " +
       (gone ? std::string("gone (it will be recreated from ") + member->spec->file + ")"
             : group->state.empty() ? std::string("in an unknown state") : group->state) +
       "; data directory: share " + target->share + ", path " + target->path);

  // 3. The snapshot, downloaded and verified.
  auto blob_transport = clients.make(config.azure.ca_file);
  if (!blob_transport.ok()) return refused(blob_transport.error().describe());
  auto authorizer = storage::make_blob_authorizer(storage, (*arm)->credential());
  if (!authorizer.ok()) return refused(authorizer.error().describe());
  storage::BlobService blob_service(**blob_transport, **authorizer, time,
                                    {.account = storage.account, .endpoint = storage.endpoint});
  storage::BlobClient blobs(blob_service, storage.container);
  std::string name = request.snapshot.value_or("");
  if (name.empty()) {
    storage::ListBlobsOptions list;
    list.prefix = etcd::snapshot_prefix(key.cluster, key.member);
    auto listed = blobs.list_all_blobs(list);
    if (!listed.ok()) return failed("listing " + list.prefix + ": " + listed.error().describe(), "nothing was changed");
    std::vector<std::string> names;
    for (const auto& b : *listed) names.push_back(b.name);
    const auto newest = etcd::newest_snapshot(names);
    if (!newest) return refused("no snapshot under " + list.prefix);
    name = newest->blob_name();
  }
  WorkDir work;
  if (work.path.empty()) return failed("cannot make a temporary directory", "nothing was changed");
  const auto file = work.path / "snapshot.db";
  etcd::SnapshotVerifier verifier;
  std::ofstream out(file, std::ios::binary);
  auto properties = storage::download_blob(blobs, name, [&](std::string_view chunk) -> core::Status {
    verifier.update(chunk);
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (!out) return core::make_error(core::ErrorKind::kTerminal, "writing " + file.string() + " failed");
    return {};
  });
  out.close();
  if (!properties.ok()) return failed("downloading " + name + ": " + properties.error().describe(), "nothing was changed");
  auto verified = verifier.finish();
  auto meta = etcd::parse_snapshot_metadata(properties->metadata);
  if (!verified.ok()) return refused("snapshot " + name + " does not verify: " + verified.error().message);
  if (!meta.ok()) return refused("snapshot " + name + ": " + meta.error().message);
  if (meta->sha256 != verified->file_sha256 || meta->size != verified->size) {
    return refused("snapshot " + name + " does not match its metadata: sha256 " + verified->file_sha256 +
                   " (metadata " + meta->sha256 + "), size " + std::to_string(verified->size) +
                   " (metadata " + std::to_string(meta->size) + ")");
  }
  step("snapshot " + name + ": " + std::to_string(verified->size) + " bytes, revision " +
       std::to_string(meta->revision) + ", SHA-256 verified");

  // 4. etcdctl rebuilds the data directory.
  const auto restored = work.path / "restored";
  std::vector<std::string> argv{"etcdctl", "snapshot", "restore", file.string(), "--data-dir",
                                restored.string()};
  argv.insert(argv.end(), target->etcdctl_flags.begin(), target->etcdctl_flags.end());
  azure::ProcessCommandRunner runner;
  auto ran = runner.run(argv, std::chrono::minutes(10));
  if (!ran.ok()) return failed("etcdctl: " + ran.error().message, "nothing was changed");
  if (ran->exit_code != 0) {
    return failed("etcdctl snapshot restore exited " + std::to_string(ran->exit_code) + ": " +
                      ran->stderr_text,
                  "nothing was changed");
  }
  step("etcdctl snapshot restore built the data directory");

  // 5. Refusals and the dry run.
  const bool running = !gone && group->state == "Running";
  const auto deps = dependents(*cluster, member->name);
  std::string plan = (gone ? std::string() : "stop " + group_ref.to_string() + "; ") + "replace " +
                     target->share + "/" + target->path + (gone ? "; recreate it" : "; start it") +
                     "; wait for etcd at revision " + std::to_string(meta->revision);
  for (const auto* d : deps) plan += "; restart " + d->name;
  if (options.dry_run) {
    step("dry run, nothing changed; would: " + plan);
    return 0;
  }
  if (running && !request.yes) {
    return refused("the group is Running: a restore throws away everything written since the snapshot. "
                   "Pass --yes to go ahead (would: " + plan + ")");
  }

  // 6. Stop, replace, start, wait.
  auto& aci = (*arm)->aci();
  if (!gone) {
    if (auto stopped = aci.stop(group_ref); !stopped.ok()) {
      return failed("stop: " + stopped.error().describe(), "nothing was changed");
    }
    step("stopped " + group_ref.to_string());
  }
  const std::string left = "the group is stopped and its data directory may be partly written: run the restore again";
  storage::BlobService file_service(**blob_transport, **authorizer, time,
                                    {.account = storage.account, .endpoint = storage.file_endpoint});
  storage::FileShareClient share(file_service, target->share);
  auto removed = storage::delete_tree(share, target->path);
  if (!removed.ok()) return failed("removing " + target->path + ": " + removed.error().describe(), left);
  auto uploaded = storage::upload_tree(share, restored, target->path);
  if (!uploaded.ok()) return failed("writing " + target->path + ": " + uploaded.error().describe(), left);
  step("replaced " + target->share + "/" + target->path + ": removed " + std::to_string(removed->files) +
       " files, wrote " + std::to_string(uploaded->files) + " files (" + std::to_string(uploaded->bytes) + " bytes)");
  if (gone) {
    auto created = aci.create_or_update(group_ref, member->spec->text);
    if (!created.ok()) {
      return failed("recreate: " + created.error().describe(),
                    "the data directory is restored; create the group from " + member->spec->file);
    }
    step("recreated " + group_ref.to_string() + " from " + member->spec->file);
  } else if (auto started = aci.start(group_ref); !started.ok()) {
    return failed("start: " + started.error().describe(), "the data directory is restored; start the group by hand");
  } else {
    step("started " + group_ref.to_string());
  }
  const auto deadline = std::chrono::steady_clock::now() + kHealthDeadline;
  std::string last_error = "not asked yet";
  std::optional<std::int64_t> revision;
  auto etcd_client = clients.etcd_client(member->probe ? probe::probe_tls_of(*member->probe) : probe::ProbeTls{});
  if (!etcd_client.ok()) return failed(etcd_client.error().describe(), "the group is started");
  while (std::chrono::steady_clock::now() < deadline && !revision) {
    auto now = aci.get(group_ref);
    if (now.ok() && now->state == "Running") {
      const auto endpoint = reconcile::etcd_endpoint(*member, now->summary.ip, now->summary.fqdn);
      if (!endpoint.empty()) {
        etcd::EtcdClient client(**etcd_client, **etcd_client, endpoint);
        auto status = client.status(std::chrono::seconds(5));
        if (status.ok() && status->revision) revision = status->revision;
        if (!status.ok()) last_error = status.error().describe();
      }
    } else if (!now.ok()) {
      last_error = now.error().describe();
    }
    if (!revision) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  if (!revision) {
    return failed("etcd did not answer within " + core::format_duration(std::chrono::duration_cast<core::Duration>(kHealthDeadline)) +
                      " (" + last_error + ")",
                  "the data directory is restored and the group started");
  }
  if (static_cast<std::uint64_t>(*revision) != meta->revision) {
    return failed("etcd answers at revision " + std::to_string(*revision) + ", the snapshot has " +
                      std::to_string(meta->revision),
                  "the group runs; check its data before restarting anything");
  }
  step("etcd answers at revision " + std::to_string(*revision) + ", the snapshot's");

  // 7. Dependents, and the data-loss record.
  for (const auto* d : deps) {
    const azure::ContainerGroupRef ref{group_ref.subscription_id, cluster->resource_group, d->container_group};
    if (auto restarted = aci.restart(ref); !restarted.ok()) {
      return failed("restart " + d->name + ": " + restarted.error().describe(), "etcd is restored");
    }
    step("restarted " + d->name + " (depends on " + member->name + ")");
  }
  auto state = (*store)->load();
  if (state.status == state::LoadStatus::kLoaded) {
    auto history = state.state.history;
    if (auto it = history.members.find(key); it != history.members.end()) {
      it->second.etcd_seen.reset();
      it->second.etcd_data_loss.clear();
      if (auto saved = (*store)->save_history(history); !saved.ok()) {
        return failed("writing the state directory: " + saved.error().message, "etcd is restored");
      }
    }
  }
  step("done: " + key.to_string() + " restored from " + name);
  return 0;
}

}  // namespace frankenetes::daemon
