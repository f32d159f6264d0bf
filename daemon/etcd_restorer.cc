#include "daemon/etcd_restorer.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/duration.h"
#include "etcd/data_layout.h"
#include "etcd/etcd_client.h"
#include "etcd/snapshot_catalog.h"
#include "etcd/snapshot_stream.h"
#include "plan/dependencies.h"
#include "reconcile/etcd_guard.h"
#include "storage/blob_transfer.h"
#include "storage/file_share.h"

namespace frankenetes::daemon {
namespace {

constexpr auto kHealthDeadline = std::chrono::minutes(3);
constexpr auto kEtcdctlTimeout = std::chrono::minutes(10);

using Kind = RestoreOutcome::Kind;

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
    std::string pattern =
        (std::filesystem::temp_directory_path() / "frankenetes-restore-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path = pattern;
  }
  ~WorkDir() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove_all(path, ignored);
  }
};

// One restore: the request, what is known so far, and the outcome being built.
class Restore {
 public:
  Restore(const RestorerDeps& deps, const RestoreRequest& request)
      : deps_(deps),
        request_(request),
        group_ref_{request.subscription_id, request.cluster.resource_group,
                   request.member.container_group} {}

  RestoreOutcome run();

 private:
  RestoreOutcome refused(std::string why) {
    outcome_.kind = Kind::kRefused;
    outcome_.message = std::move(why);
    outcome_.changed = false;
    return outcome_;
  }
  RestoreOutcome failed(std::string what, std::string left_as) {
    outcome_.kind = Kind::kFailed;
    outcome_.message = std::move(what);
    outcome_.left_as = std::move(left_as);
    return outcome_;
  }
  void step(const std::string& text) { deps_.report(text); }

  std::optional<RestoreOutcome> choose_snapshot();
  std::optional<RestoreOutcome> download(const std::filesystem::path& file);
  std::optional<std::int64_t> wait_for_revision(std::string& last_error);

  const RestorerDeps& deps_;
  const RestoreRequest& request_;
  const azure::ContainerGroupRef group_ref_;
  RestoreOutcome outcome_;
  std::optional<etcd::SnapshotMetadata> meta_;
};

std::optional<RestoreOutcome> Restore::choose_snapshot() {
  if (request_.snapshot && !request_.snapshot->empty()) {
    outcome_.snapshot = *request_.snapshot;
    return std::nullopt;
  }
  storage::ListBlobsOptions list;
  list.prefix = etcd::snapshot_prefix(request_.cluster.name, request_.member.name);
  list.include_metadata = request_.lost.has_value();
  auto listed = deps_.blobs.list_all_blobs(list);
  if (!listed.ok()) {
    return failed("listing " + list.prefix + ": " + listed.error().describe(), "nothing was changed");
  }
  if (request_.lost) {
    std::vector<etcd::ListedSnapshot> snapshots;
    for (const auto& b : *listed) snapshots.push_back({b.name, b.metadata});
    const auto best = etcd::snapshot_of_lost_data(snapshots, request_.lost->cluster_id,
                                                  request_.lost->revision);
    const std::string lost = "cluster id " + etcd::format_etcd_id(request_.lost->cluster_id) +
                             " up to revision " + std::to_string(request_.lost->revision);
    if (!best) {
      return refused("no snapshot under " + list.prefix + " holds the lost data (" + lost +
                     "); name one with --snapshot");
    }
    outcome_.snapshot = best->blob_name();
    step("chose " + outcome_.snapshot + ": the most of the lost data (" + lost + ")");
    return std::nullopt;
  }
  std::vector<std::string> names;
  for (const auto& b : *listed) names.push_back(b.name);
  const auto newest = etcd::newest_snapshot(names);
  if (!newest) return refused("no snapshot under " + list.prefix);
  outcome_.snapshot = newest->blob_name();
  return std::nullopt;
}

std::optional<RestoreOutcome> Restore::download(const std::filesystem::path& file) {
  const std::string& name = outcome_.snapshot;
  etcd::SnapshotVerifier verifier;
  std::ofstream out(file, std::ios::binary);
  auto properties = storage::download_blob(deps_.blobs, name, [&](std::string_view chunk) -> core::Status {
    verifier.update(chunk);
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (!out) return core::make_error(core::ErrorKind::kTerminal, "writing " + file.string() + " failed");
    return {};
  });
  out.close();
  if (!properties.ok()) {
    return failed("downloading " + name + ": " + properties.error().describe(), "nothing was changed");
  }
  auto verified = verifier.finish();
  auto meta = etcd::parse_snapshot_metadata(properties->metadata);
  if (!verified.ok()) return refused("snapshot " + name + " does not verify: " + verified.error().message);
  if (!meta.ok()) return refused("snapshot " + name + ": " + meta.error().message);
  if (meta->sha256 != verified->file_sha256 || meta->size != verified->size) {
    return refused("snapshot " + name + " does not match its metadata: sha256 " +
                   verified->file_sha256 + " (metadata " + meta->sha256 + "), size " +
                   std::to_string(verified->size) + " (metadata " + std::to_string(meta->size) + ")");
  }
  meta_ = *meta;
  outcome_.revision = meta->revision;
  step("snapshot " + name + ": " + std::to_string(verified->size) + " bytes, revision " +
       std::to_string(meta->revision) + ", SHA-256 verified");
  return std::nullopt;
}

// Polls the group and etcd until etcd answers with a revision, the deadline passes or the
// sleeper is stopped.
std::optional<std::int64_t> Restore::wait_for_revision(std::string& last_error) {
  auto transports = deps_.etcd(request_.member);
  if (!transports.ok()) {
    last_error = transports.error().describe();
    return std::nullopt;
  }
  const auto deadline = deps_.time.monotonic_time() + kHealthDeadline;
  while (deps_.time.monotonic_time() < deadline) {
    auto now = deps_.aci.get(group_ref_);
    if (now.ok() && now->state == "Running") {
      const auto endpoint = reconcile::etcd_endpoint(request_.member, now->summary.ip, now->summary.fqdn);
      if (!endpoint.empty()) {
        etcd::EtcdClient client(*transports->requests, *transports->streams, endpoint);
        auto status = client.status(std::chrono::seconds(5));
        if (status.ok() && status->revision) return status->revision;
        if (!status.ok()) last_error = status.error().describe();
      }
    } else if (!now.ok()) {
      last_error = now.error().describe();
    } else {
      last_error = "the group is " + (now->state.empty() ? std::string("in an unknown state") : now->state);
    }
    deps_.sleeper.sleep_for(std::chrono::seconds(1));
  }
  return std::nullopt;
}

RestoreOutcome Restore::run() {
  const auto& member = request_.member;
  if (member.role != config::MemberRole::kEtcd) {
    return refused(request_.cluster.name + "/" + member.name + " has role " +
                   std::string(config::to_string(member.role)) + ", not etcd");
  }
  // 1. The group and where its data directory lives. A group that is gone (ARM's own 404) is
  // recreated from the member's spec after the data directory is written.
  auto got = deps_.aci.get(group_ref_);
  const bool gone = !got.ok() && got.error().kind == core::ErrorKind::kNotFound;
  if (!got.ok() && !gone) {
    return failed("GET " + group_ref_.to_string() + ": " + got.error().describe(), "nothing was changed");
  }
  if (gone && !(member.spec && member.spec->view)) {
    return refused("group " + group_ref_.to_string() +
                   " does not exist and the member has no spec to recreate it from");
  }
  // One 404 is not proof (a proxy, a replica behind): recreating over a group that exists
  // would replace a running etcd under a rewritten share. The resource group's LIST must
  // agree.
  if (gone) {
    auto listed = deps_.aci.list_in_resource_group(group_ref_.subscription_id,
                                                   group_ref_.resource_group);
    if (!listed.ok()) {
      return failed("GET " + group_ref_.to_string() + " answered 404, and the LIST that must "
                        "confirm it failed: " + listed.error().describe(),
                    "nothing was changed");
    }
    for (const auto& summary : *listed) {
      if (summary.name == group_ref_.name) {
        return failed("GET " + group_ref_.to_string() + " answered 404, but the resource "
                          "group's LIST has the group: not acting on contradictory readings",
                      "nothing was changed");
      }
    }
  }
  const model::ContainerGroupView& group = gone ? *member.spec->view : *got;
  auto target = etcd::restore_target(group);
  if (!target.ok()) return refused(target.error().message);
  if (target->storage_account != deps_.storage_account) {
    return refused("the data directory is on share " + target->share + " of account " +
                   target->storage_account + ", but storage.account is " + deps_.storage_account +
                   ": a restore writes only with storage.account's key");
  }
  step("group " + group_ref_.to_string() + " is " +
       (gone ? std::string("gone (it will be recreated from ") + member.spec->file + ")"
             : group.state.empty() ? std::string("in an unknown state") : group.state) +
       "; data directory: share " + target->share + ", path " + target->path);

  // 2. The snapshot, downloaded and verified.
  if (auto stop = choose_snapshot()) return *stop;
  WorkDir work;
  if (work.path.empty()) return failed("cannot make a temporary directory", "nothing was changed");
  const auto file = work.path / "snapshot.db";
  if (auto stop = download(file)) return *stop;

  // 3. etcdctl rebuilds the data directory.
  const auto restored = work.path / "restored";
  std::vector<std::string> argv{"etcdctl", "snapshot", "restore", file.string(), "--data-dir",
                                restored.string()};
  argv.insert(argv.end(), target->etcdctl_flags.begin(), target->etcdctl_flags.end());
  auto ran = deps_.runner.run(argv, kEtcdctlTimeout);
  if (!ran.ok()) return failed("etcdctl: " + ran.error().message, "nothing was changed");
  if (ran->exit_code != 0) {
    return failed("etcdctl snapshot restore exited " + std::to_string(ran->exit_code) + ": " +
                      ran->stderr_text,
                  "nothing was changed");
  }
  step("etcdctl snapshot restore built the data directory");

  // The plan; the dry run and the refusal of a Running group end here.
  const bool running = !gone && group.state == "Running";
  const auto deps = dependents(request_.cluster, member.name);
  std::string plan = (gone ? std::string() : "stop " + group_ref_.to_string() + "; ") + "replace " +
                     target->share + "/" + target->path + (gone ? "; recreate it" : "; start it") +
                     "; wait for etcd at revision " + std::to_string(outcome_.revision);
  for (const auto* d : deps) plan += "; restart " + d->name;
  if (request_.dry_run) {
    outcome_.kind = Kind::kDryRun;
    outcome_.message = "dry run, nothing changed; would: " + plan;
    return outcome_;
  }
  if (running && !request_.allow_running) {
    return refused("the group is Running: a restore throws away everything written since the "
                   "snapshot. Pass --yes to go ahead (would: " + plan + ")");
  }

  // 4. Stop, replace, start.
  auto& aci = deps_.aci;
  if (!gone) {
    outcome_.changed = true;  // a stop that fails may still have happened
    if (auto stopped = aci.stop(group_ref_); !stopped.ok()) {
      return failed("stop: " + stopped.error().describe(), "the group may be stopping");
    }
    step("stopped " + group_ref_.to_string());
  }
  outcome_.changed = true;
  const std::string partly = "the group is stopped and its data directory may be partly written";
  storage::FileShareClient share(deps_.files, target->share);
  auto removed = storage::delete_tree(share, target->path);
  if (!removed.ok()) return failed("removing " + target->path + ": " + removed.error().describe(), partly);
  auto uploaded = storage::upload_tree(share, restored, target->path);
  if (!uploaded.ok()) return failed("writing " + target->path + ": " + uploaded.error().describe(), partly);
  step("replaced " + target->share + "/" + target->path + ": removed " +
       std::to_string(removed->files) + " files, wrote " + std::to_string(uploaded->files) +
       " files (" + std::to_string(uploaded->bytes) + " bytes)");
  if (gone) {
    auto created = aci.create_or_update(group_ref_, member.spec->text);
    if (!created.ok()) {
      return failed("recreate: " + created.error().describe(),
                    "the data directory is restored; the group is not recreated (" +
                        member.spec->file + ")");
    }
    step("recreated " + group_ref_.to_string() + " from " + member.spec->file);
  } else if (auto started = aci.start(group_ref_); !started.ok()) {
    return failed("start: " + started.error().describe(), "the data directory is restored; the group is stopped");
  } else {
    step("started " + group_ref_.to_string());
  }

  // 5. etcd at the snapshot's revision.
  std::string last_error = "not asked yet";
  const auto revision = wait_for_revision(last_error);
  if (!revision) {
    return failed("etcd did not answer within " +
                      core::format_duration(std::chrono::duration_cast<core::Duration>(kHealthDeadline)) +
                      " (" + last_error + ")",
                  "the data directory is restored and the group started");
  }
  if (static_cast<std::uint64_t>(*revision) != outcome_.revision) {
    return failed("etcd answers at revision " + std::to_string(*revision) + ", the snapshot has " +
                      std::to_string(outcome_.revision),
                  "the group runs; check its data before restarting anything");
  }
  step("etcd answers at revision " + std::to_string(*revision) + ", the snapshot's");

  // 6. Dependents.
  for (const auto* d : deps) {
    const azure::ContainerGroupRef ref{group_ref_.subscription_id, request_.cluster.resource_group,
                                       d->container_group};
    if (auto restarted = aci.restart(ref); !restarted.ok()) {
      return failed("restart " + d->name + ": " + restarted.error().describe(),
                    "etcd is restored; restart " + d->name + " by hand");
    }
    step("restarted " + d->name + " (depends on " + member.name + ")");
  }
  outcome_.kind = Kind::kRestored;
  outcome_.message = request_.cluster.name + "/" + member.name + " restored from " + outcome_.snapshot;
  return outcome_;
}

}  // namespace

RestoreOutcome restore_etcd_member(const RestorerDeps& deps, const RestoreRequest& request) {
  return Restore(deps, request).run();
}

}  // namespace frankenetes::daemon
