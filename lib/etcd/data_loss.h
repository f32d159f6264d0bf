#pragma once
// Data-loss detection for an etcd member, from two readings of `POST /v3/maintenance/status`
// (header.cluster_id and header.revision). Pure.
//
// A member's revision only grows (compaction removes old revisions, never the counter), and its
// cluster id is fixed when the cluster is bootstrapped. So, between two readings of the same
// member:
//   - a cluster id that changed: the member came back as a new cluster — over a wiped or
//     partly lost data directory (the original Frankenetes layout loses its WAL on every
//     stop/start), or someone replaced it;
//   - a revision that went backwards: writes that etcd had acknowledged are gone.
// Both are data loss or replacement: a person has to look, with the newest snapshot at hand.
// A restore from a snapshot is the one legitimate way back; it resets the baseline.

#include <cstdint>
#include <optional>
#include <string>

namespace frankenetes::etcd {

// What identifies the state of a member's data at one reading.
struct DataIdentity {
  std::uint64_t cluster_id = 0;
  std::uint64_t revision = 0;

  bool operator==(const DataIdentity&) const = default;
};

enum class DataLossKind { kClusterReplaced, kRevisionWentBack };

struct DataLoss {
  DataLossKind kind = DataLossKind::kRevisionWentBack;
  // "cluster id changed from 8e9e05c52164694d to 1c2a…(revision 1001 -> 1)"
  std::string detail;
};

// nullopt when `now` can follow `before` without loss.
std::optional<DataLoss> detect_data_loss(const DataIdentity& before, const DataIdentity& now);

// etcd's spelling of ids: 16 lowercase hex digits, as etcdctl prints them.
std::string format_etcd_id(std::uint64_t id);

}  // namespace frankenetes::etcd
