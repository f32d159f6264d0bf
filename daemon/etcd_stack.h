#pragma once
// EtcdStack: the I/O behind the Reconciler's EtcdGuard (lib/reconcile/etcd_guard.h).
//   - etcd itself: one HttpClient per distinct probe TLS setting of the etcd members, made
//     when first needed (maintenance/status after every successful probe, snapshot streams);
//   - Blob Storage, when a storage section is configured and etcd.snapshots is enabled:
//     BlobService (Shared Key from storage.keyFile / storage.key, or Entra tokens from the
//     ArmStack's credential with storage.auth: azure) -> StopAwareTransport -> RetryingStack
//     (its own budget and throttle gate) -> a client trusting azure.caFile besides the system
//     store -> the BlobSnapshotter;
//   - with etcd.autoRestore, the restorer: restore_etcd_member() (daemon/etcd_restorer.h) over
//     the ArmStack's AciClient, the same Blob container, the account's Azure Files endpoint
//     (Shared Key) and etcdctl, each step logged as etcd.restore.step.
// Built once when the process starts: a reload that changes storage.* or turns snapshots on
// needs a restart (the Process warns); interval, retention and timeouts follow reloads.

#include <map>
#include <memory>
#include <mutex>

#include "azure/credential_command_runner.h"
#include "config/types.h"
#include "core/result.h"
#include "core/stop_signal.h"
#include "daemon/arm_stack.h"
#include "daemon/http_clients.h"
#include "reconcile/act_gate.h"
#include "reconcile/etcd_snapshotter.h"
#include "storage/blob_auth.h"
#include "storage/blob_client.h"
#include "storage/blob_service.h"

namespace frankenetes::daemon {

class EtcdStack {
 public:
  struct Deps {
    const HttpClients& clients;
    ArmStack& arm;  // the credential for storage.auth: azure
    core::TimeSource& time;
    core::StopSignal& stop_signal;
    // Coordination: a restore of a cluster whose lease is not ours is refused (lease_lost).
    reconcile::ActGate may_act = {};
  };
  // kInvalidConfig when the storage account key cannot be read.
  static core::Result<std::unique_ptr<EtcdStack>> create(const config::Config& config, Deps deps);
  EtcdStack(const EtcdStack&) = delete;
  EtcdStack& operator=(const EtcdStack&) = delete;

  reconcile::EtcdStatusReader& status_reader() { return status_; }
  // Null when snapshots are off (no storage section, or etcd.snapshots.enabled: false).
  reconcile::Snapshotter* snapshotter() { return snapshotter_.get(); }
  // Null unless etcd.autoRestore is on (with snapshots).
  reconcile::AutoRestorer* restorer() { return restorer_.get(); }
  // The storage section the stack was built from.
  const std::optional<config::StorageConfig>& storage() const { return storage_; }

 private:
  explicit EtcdStack(Deps deps);
  core::Status build(const config::Config& config);
  core::Result<reconcile::EtcdTransports> transports_for(const config::MemberConfig& member);

  Deps deps_;
  std::optional<config::StorageConfig> storage_;
  std::mutex clients_mutex_;
  std::map<probe::ProbeTls, std::shared_ptr<http::HttpClient>> etcd_clients_;
  reconcile::EtcdStatusClient status_;
  std::shared_ptr<http::HttpTransport> storage_client_;
  std::unique_ptr<RetryingStack> retrying_;
  std::unique_ptr<http::StopAwareTransport> stop_aware_;
  std::unique_ptr<storage::BlobAuthorizer> authorizer_;
  std::unique_ptr<storage::BlobService> service_;
  std::unique_ptr<storage::BlobClient> blobs_;
  std::unique_ptr<reconcile::BlobSnapshotter> snapshotter_;
  std::unique_ptr<storage::BlobService> files_;
  azure::ProcessCommandRunner runner_;  // etcdctl
  std::unique_ptr<reconcile::AutoRestorer> restorer_;
};

}  // namespace frankenetes::daemon
