#pragma once
// restore_etcd_member(): the steps of restoring one etcd member from a verified snapshot in
// Blob Storage, shared by `frankenetesd etcd restore` (daemon/etcd_restore.cc, which prints
// each step) and etcd.autoRestore (the daemon's EtcdStack, which logs them):
//   1. where the member's data directory lives: the group's azureFile volume (or the member's
//      spec when the group is gone: a GET's 404 confirmed by the resource group's LIST);
//   2. the snapshot: the one named; else, after a recorded data loss, the one holding the most
//      of the lost data (etcd::snapshot_of_lost_data); else the newest. Downloaded and checked:
//      etcd's own SHA-256 trailer, and the metadata's size and SHA-256;
//   3. `etcdctl snapshot restore` builds the data directory in a temporary directory;
//   4. the group is stopped, the directory replaced on its Azure Files share, and the group
//      started (or recreated from its spec when it was gone);
//   5. etcd must answer at the snapshot's revision within 3 minutes;
//   6. the members that depend on etcd are restarted (an apiserver's watch cache must not
//      outlive a restore).
// Nothing is changed before step 4: an outcome says whether anything was, and what a failure
// left behind. Blocking; one restore at a time per member is the caller's business.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "azure/aci_client.h"
#include "azure/credential_command_runner.h"
#include "config/types.h"
#include "core/sleeper.h"
#include "core/time_source.h"
#include "etcd/data_loss.h"
#include "reconcile/etcd_snapshotter.h"
#include "storage/blob_client.h"
#include "storage/blob_service.h"

namespace frankenetes::daemon {

struct RestoreRequest {
  const config::ClusterConfig& cluster;
  const config::MemberConfig& member;  // role etcd, one of cluster's members
  std::string subscription_id;         // the cluster's, or azure.subscriptionId
  std::optional<std::string> snapshot;        // a blob name; else chosen as in step 2
  std::optional<etcd::DataIdentity> lost;     // the reading before a recorded data loss
  bool dry_run = false;                       // steps 1-3, then say what would happen
  bool allow_running = false;                 // --yes: a Running group may be restored
};

struct RestoreOutcome {
  enum class Kind {
    kRestored,
    kDryRun,
    kRefused,  // the request cannot or must not be carried out; nothing was changed
    kFailed,   // something went wrong; `changed` says whether before or after step 4 began
  };
  Kind kind = Kind::kFailed;
  std::string message;   // why refused, what failed; for kRestored, a summary
  std::string left_as;   // for kFailed: what was left behind ("nothing was changed", ...)
  bool changed = false;  // a mutation was sent (stop, share write, start, recreate, restart)
  std::string snapshot;  // the blob restored (or chosen), once known
  std::uint64_t revision = 0;  // the snapshot's revision, once known
};

struct RestorerDeps {
  azure::AciClient& aci;
  storage::BlobClient& blobs;   // the snapshots' container
  storage::BlobService& files;  // the storage account's Azure Files endpoint (Shared Key)
  std::string storage_account;  // the only account whose shares are written
  // etcd's client for a member, as its probe TLS settings say.
  std::function<core::Result<reconcile::EtcdTransports>(const config::MemberConfig&)> etcd;
  azure::CommandRunner& runner;  // etcdctl
  const core::TimeSource& time;
  core::Sleeper& sleeper;  // between health checks; a StopSignal ends the wait early
  std::function<void(const std::string&)> report;  // each step, as it happens
};

RestoreOutcome restore_etcd_member(const RestorerDeps& deps, const RestoreRequest& request);

}  // namespace frankenetes::daemon
