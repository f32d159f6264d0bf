#include "reconcile/etcd_snapshotter.h"

#include <algorithm>

#include "core/duration.h"
#include "etcd/etcd_client.h"
#include "etcd/snapshot_catalog.h"
#include "storage/blob_transfer.h"

namespace frankenetes::reconcile {

namespace {

constexpr std::chrono::milliseconds kStatusTimeout = std::chrono::seconds(10);

core::Error context(core::Error error, const std::string& what) {
  error.message = what + ": " + error.message;
  return error;
}

// The identity fields a snapshot and data-loss detection cannot do without.
core::Result<etcd::DataIdentity> identity_of(const etcd::MaintenanceStatus& status,
                                             const std::string& endpoint) {
  if (!status.cluster_id) {
    return core::make_error(core::ErrorKind::kTerminal,
                            "maintenance/status of " + endpoint + " has no header.cluster_id");
  }
  if (!status.revision || *status.revision < 0) {
    return core::make_error(core::ErrorKind::kTerminal,
                            "maintenance/status of " + endpoint + " has no valid header.revision");
  }
  return etcd::DataIdentity{*status.cluster_id, static_cast<std::uint64_t>(*status.revision)};
}

}  // namespace

void BlobSnapshotter::ensure_container() {
  std::call_once(container_once_, [this] { (void)blobs_.create_container(); });
}

core::Result<SnapshotTaken> BlobSnapshotter::take(const SnapshotJob& job) {
  const auto deadline = time_.monotonic_time() + job.policy.timeout;
  const std::string who = "snapshot of " + job.member.to_string();
  auto transports = transports_(job.member_config);
  if (!transports.ok()) return context(transports.error(), who);
  etcd::EtcdClient client(*transports->requests, *transports->streams, job.endpoint);

  auto before = client.status(kStatusTimeout);
  if (!before.ok()) return context(before.error(), who + ": reading maintenance/status");
  auto identity = identity_of(*before, job.endpoint);
  if (!identity.ok()) return context(identity.error(), who);

  ensure_container();
  SnapshotTaken taken;
  taken.taken_at = time_.system_time();
  taken.revision = identity->revision;
  taken.name = etcd::snapshot_blob_name(job.member.cluster, job.member.member, taken.taken_at,
                                        taken.revision);

  etcd::SnapshotOptions options;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - time_.monotonic_time());
  options.open_timeout = std::clamp(left, std::chrono::milliseconds(1), options.open_timeout);
  auto reader = client.open_snapshot(options);
  if (!reader.ok()) return context(reader.error(), who + ": opening the stream");

  storage::UploadOptions upload;
  upload.put.content_type = "application/octet-stream";
  upload.put.conditions.if_none_exists = true;  // never overwrite a snapshot
  upload.metadata_at_end = [&]() -> core::Result<storage::Metadata> {
    const auto& verified = (*reader)->verified();
    if (!verified) {
      return core::make_error(core::ErrorKind::kTerminal, "the stream ended unverified");
    }
    etcd::SnapshotMetadata meta;
    meta.revision = taken.revision;
    meta.cluster_id = before->cluster_id;
    meta.member_id = before->member_id;
    meta.sha256 = verified->file_sha256;
    meta.size = verified->size;
    meta.daemon_version = daemon_version_;
    // A write between the two status reads may be in the snapshot: then the revision in the
    // name is a lower bound, and the metadata says so.
    if (auto after = client.status(kStatusTimeout); after.ok() && after->revision) {
      meta.revision_exact = *after->revision == before->revision;
    }
    taken.size = verified->size;
    taken.sha256 = verified->file_sha256;
    return meta.to_blob_metadata();
  };
  const std::string timeout_text = core::format_duration(job.policy.timeout);
  auto uploaded = storage::upload_blob(
      blobs_, taken.name,
      [&](std::span<char> buffer) -> core::Result<std::size_t> {
        if (time_.monotonic_time() >= deadline) {
          auto error = core::make_error(core::ErrorKind::kTransient,
                                        "took longer than etcd.snapshots.timeout (" +
                                            timeout_text + "); nothing was committed");
          error.timed_out = true;
          return error;
        }
        return (*reader)->read(buffer);
      },
      upload);
  if (!uploaded.ok()) return context(uploaded.error(), who + " to " + taken.name);

  taken.retention_error = retention(job, taken.removed);
  return taken;
}

std::string BlobSnapshotter::retention(const SnapshotJob& job, std::vector<std::string>& removed) {
  storage::ListBlobsOptions list;
  list.prefix = etcd::snapshot_prefix(job.member.cluster, job.member.member);
  auto listed = blobs_.list_all_blobs(list);
  if (!listed.ok()) return "listing " + list.prefix + ": " + listed.error().describe();
  std::vector<std::string> names;
  for (const auto& blob : *listed) names.push_back(blob.name);
  const auto plan =
      etcd::plan_retention(names, time_.system_time(), etcd::retention_policy(job.policy));
  std::string errors;
  for (const auto& name : plan.remove) {
    auto deleted = blobs_.delete_blob(name);
    if (deleted.ok() || deleted.error().kind == core::ErrorKind::kNotFound) {
      removed.push_back(name);
      continue;
    }
    if (!errors.empty()) errors += "; ";
    errors += "deleting " + name + ": " + deleted.error().describe();
  }
  return errors;
}

core::Result<std::optional<SnapshotFound>> BlobSnapshotter::newest(const model::MemberKey& member) {
  storage::ListBlobsOptions list;
  list.prefix = etcd::snapshot_prefix(member.cluster, member.member);
  auto listed = blobs_.list_all_blobs(list);
  if (!listed.ok()) {
    // No container yet: nothing was ever stored.
    if (listed.error().azure_code == "ContainerNotFound") return std::optional<SnapshotFound>{};
    return context(listed.error(), "listing " + list.prefix);
  }
  std::vector<std::string> names;
  for (const auto& blob : *listed) names.push_back(blob.name);
  const auto newest = etcd::newest_snapshot(names);
  if (!newest) return std::optional<SnapshotFound>{};
  const auto it = std::find_if(listed->begin(), listed->end(), [&](const auto& blob) {
    return blob.name == newest->blob_name();
  });
  return std::optional<SnapshotFound>{
      SnapshotFound{newest->blob_name(), newest->taken_at,
                    it != listed->end() ? it->content_length : 0}};
}

core::Result<etcd::DataIdentity> EtcdStatusClient::read(const config::MemberConfig& member,
                                                        const std::string& endpoint) {
  auto transports = transports_(member);
  if (!transports.ok()) return transports.error();
  return identity_from(endpoint, transports->requests->send(request(member, endpoint)));
}

http::ClientRequest EtcdStatusClient::request(const config::MemberConfig& member,
                                              const std::string& endpoint) const {
  // As long as the probe it follows may take: the probes worker is not held up for longer.
  return etcd::status_request(
      endpoint, member.probe
                    ? std::chrono::duration_cast<std::chrono::milliseconds>(member.probe->timeout)
                    : kStatusTimeout);
}

core::Result<etcd::DataIdentity> EtcdStatusClient::identity_from(
    const std::string& endpoint, const core::Result<http::Response>& response) const {
  auto status = etcd::status_from(endpoint, response);
  if (!status.ok()) return status.error();
  return identity_of(*status, endpoint);
}

}  // namespace frankenetes::reconcile
