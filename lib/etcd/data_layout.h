#pragma once
// Where an etcd member keeps its data, worked out from its container group (the running one
// from a GET, or the member's spec), and whether that survives a rung that replaces the
// group's deployment (only azureFile volumes do; see model/container_group.h VolumeKind).
//
// etcd's backend lives in --data-dir (default "<name>.etcd" in the working directory) and its
// write-ahead log in --wal-dir (default <data-dir>/member/wal). On ACI only an azureFile
// volume outlives a stop/start or delete/recreate: the container's own filesystem, emptyDir,
// secret and gitRepo volumes do not. The original Frankenetes layout — data on an Azure
// Files share, WAL inside the container — therefore loses the WAL on every such rung.
//
// Flags are read from the etcd container's command (each argument is also split on white
// space, so `sh -c "etcd --data-dir=/x …"` works) in both spellings `--flag=v` and
// `--flag v`, and from the ETCD_DATA_DIR / ETCD_WAL_DIR environment variables (flags win, as
// in etcd). Pure: used by the planner to allow or refuse disruptive rungs for role etcd.

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/container_group.h"

namespace frankenetes::etcd {

enum class Durability {
  kPersistent,  // on an azureFile volume
  kEphemeral,   // in the container's filesystem or on a volume that dies with the group
  kUnknown,     // the command or volumes could not be read
};

struct DirectoryPlacement {
  std::string path;  // as etcd sees it; relative paths are relative to the working directory
  Durability durability = Durability::kUnknown;
  std::string volume;      // the volume it lives on, if any
  std::string mount_path;  // where that volume is mounted in the container
};

struct DataLayout {
  DirectoryPlacement data_dir;
  DirectoryPlacement wal_dir;
  // The flags `etcdctl snapshot restore` needs to rebuild this member's data directory, from
  // its command line (or ETCD_* environment): --name, --initial-cluster,
  // --initial-cluster-token, --initial-advertise-peer-urls, each only when set.
  std::vector<std::string> restore_flags;

  // Both the backend and the WAL survive a replacement of the deployment.
  bool persistent() const {
    return data_dir.durability == Durability::kPersistent &&
           wal_dir.durability == Durability::kPersistent;
  }
  // "data-dir /etcd/data on azureFile volume etcd; wal-dir /etcd-wal in the container filesystem"
  std::string describe() const;
};

// The layout of the group's etcd container: the container whose command runs etcd (an
// argument ending in "etcd" or containing an --data-dir / --wal-dir flag), else the image
// named etcd, else the only container. nullopt when no container qualifies or the container
// carries no command and no image (a LIST-only view).
std::optional<DataLayout> analyze_etcd_layout(const model::ContainerGroupView& group);

// Where a restore writes a member's rebuilt data directory: a path inside one Azure Files
// share. Only a data-dir on an azureFile volume can be restored into; a WAL directory apart
// from it is not written (in the container it is wiped at start anyway; etcd starts from the
// backend alone).
struct RestoreTarget {
  std::string storage_account;
  std::string share;
  std::string path;  // data-dir inside the share, "/"-separated, no leading slash ("data")
  std::vector<std::string> etcdctl_flags;  // DataLayout::restore_flags

  bool operator==(const RestoreTarget&) const = default;
};

// A kTerminal Error saying why when the group gives no such place: no etcd container, a
// data-dir in the container filesystem or on a volume that is not azureFile, a share whose
// name the payload does not give, data-dir equal to the mount point (a restore would have to
// replace the share's root).
core::Result<RestoreTarget> restore_target(const model::ContainerGroupView& group);

}  // namespace frankenetes::etcd
