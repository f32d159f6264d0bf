#pragma once
// The daemon's side of EtcdGuard's seams (etcd_guard.h), over real etcd and Blob Storage:
//
// BlobSnapshotter::take(job), within etcd.snapshots.timeout:
//   1. maintenance/status of the member: revision, cluster id and member id (a missing
//      revision or cluster id is an error: unknown is never 0);
//   2. the blob name snapshots/<cluster>/<member>/<UTC time>-rev<revision>.db
//      (etcd/snapshot_catalog.h);
//   3. the snapshot stream (etcd::EtcdClient) straight into storage::upload_blob: 4 MiB blocks,
//      so memory stays at about two blocks whatever the size of etcd's database;
//   4. once the stream ended and its SHA-256 trailer and size check passed — and only then —
//      the block list is committed with the metadata (revision, cluster and member id, sha256,
//      size, daemon version, and whether a second status read saw the same revision, i.e. the
//      revision is exactly the snapshot's). A stream cut short, a bad trailer or the timeout
//      leaves no blob (uncommitted blocks are discarded by the service);
//   5. retention over the member's prefix (etcd::plan_retention); a failure there is
//      reported with the snapshot, not instead of it.
// newest(): the member's listing, the newest name that parses.
//
// EtcdStatusClient: maintenance/status as etcd::DataIdentity, for data-loss detection.
//
// Both reach etcd through the member's probe TLS settings (EtcdTransportsFor).

#include <functional>
#include <mutex>
#include <string>

#include "http/streaming.h"
#include "http/transport.h"
#include "reconcile/etcd_guard.h"
#include "storage/blob_client.h"

namespace frankenetes::reconcile {

// The transports to reach one member's etcd with (its probe TLS settings apply).
struct EtcdTransports {
  http::HttpTransport* requests = nullptr;
  http::StreamingTransport* streams = nullptr;
};
using EtcdTransportsFor = std::function<core::Result<EtcdTransports>(const config::MemberConfig&)>;

class BlobSnapshotter final : public Snapshotter {
 public:
  BlobSnapshotter(storage::BlobClient& blobs, EtcdTransportsFor transports,
                  const core::TimeSource& time, std::string daemon_version)
      : blobs_(blobs), transports_(std::move(transports)), time_(time),
        daemon_version_(std::move(daemon_version)) {}

  core::Result<SnapshotTaken> take(const SnapshotJob& job) override;
  core::Result<std::optional<SnapshotFound>> newest(const model::MemberKey& member) override;

 private:
  // Creates the container the first time (an existing one is fine); a failure is left for the
  // upload to report in its own words.
  void ensure_container();
  std::string retention(const SnapshotJob& job, std::vector<std::string>& removed);

  storage::BlobClient& blobs_;
  EtcdTransportsFor transports_;
  const core::TimeSource& time_;
  std::string daemon_version_;
  std::once_flag container_once_;
};

class EtcdStatusClient final : public EtcdStatusReader {
 public:
  explicit EtcdStatusClient(EtcdTransportsFor transports) : transports_(std::move(transports)) {}
  core::Result<etcd::DataIdentity> read(const config::MemberConfig& member,
                                        const std::string& endpoint) override;
  http::ClientRequest request(const config::MemberConfig& member,
                              const std::string& endpoint) const override;
  core::Result<etcd::DataIdentity> identity_from(
      const std::string& endpoint, const core::Result<http::Response>& response) const override;

 private:
  EtcdTransportsFor transports_;
};

}  // namespace frankenetes::reconcile
