#pragma once
// The catalog of etcd snapshots in Blob Storage: how a snapshot blob is named, what metadata it
// carries, and which snapshots a retention policy keeps. Pure (no I/O, no clock: `now` is an
// argument), so the snapshot loop and the planner share one set of rules and every rule is
// table-tested.
//
// Names: snapshots/<cluster>/<member>/<UTC time>-rev<revision>.db, the time in ISO 8601 basic
// format ("20261202T134500Z": fixed width, so names sort by time; no colons). Cluster and
// member are config names, lowercase DNS labels (config/value_syntax.h is_dns_label), which
// are valid blob name segments. parse_snapshot_blob_name() accepts exactly the names
// snapshot_blob_name() writes; everything else under the prefix is not ours, and retention
// never deletes it.
//
// Metadata travels as x-ms-meta-* headers (storage::Metadata: lowercase C# identifiers,
// printable ASCII values). parse_snapshot_metadata() treats a missing or malformed required
// field as an error, never as zero: a snapshot whose metadata cannot be read is not verified.
//
// Not here: streaming, verifying and uploading a snapshot, and deciding when to take one.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/types.h"
#include "core/result.h"
#include "core/time_source.h"

namespace frankenetes::etcd {

// "snapshots/<cluster>/<member>/": what to list to find one member's snapshots.
std::string snapshot_prefix(std::string_view cluster, std::string_view member);

// "snapshots/prod/etcd/20261202T134500Z-rev1234.db". `taken_at` is truncated to the second;
// two snapshots in one second at one revision get one name (the uploader must not overwrite).
std::string snapshot_blob_name(std::string_view cluster, std::string_view member,
                               core::SystemTime taken_at, std::uint64_t revision);

// What a snapshot's blob name says.
struct SnapshotName {
  std::string cluster;
  std::string member;
  core::SystemTime taken_at;  // whole seconds, UTC
  std::uint64_t revision = 0;

  std::string blob_name() const;  // snapshot_blob_name() of these fields
  bool operator==(const SnapshotName&) const = default;
};

// nullopt for any name snapshot_blob_name() would not have written: another prefix, extra path
// segments, names that are not DNS labels, a malformed or impossible time, a revision with a
// sign, leading zeros or more than 64 bits, another extension.
std::optional<SnapshotName> parse_snapshot_blob_name(std::string_view name);

// Blob metadata as storage::Metadata (storage/blob_types.h) holds it: the same type, named here
// so this pure library does not include the storage client.
using BlobMetadata = std::map<std::string, std::string>;

// The metadata names, lowercase C# identifiers as Azure requires.
inline constexpr std::string_view kMetaRevision = "revision";
inline constexpr std::string_view kMetaClusterId = "clusterid";
inline constexpr std::string_view kMetaMemberId = "memberid";
inline constexpr std::string_view kMetaSha256 = "sha256";
inline constexpr std::string_view kMetaSize = "size";
inline constexpr std::string_view kMetaDaemonVersion = "daemonversion";
inline constexpr std::string_view kMetaRevisionExact = "revisionexact";

// What the daemon records about a snapshot it verified and uploaded.
struct SnapshotMetadata {
  std::uint64_t revision = 0;  // etcd's header.revision when the snapshot was taken
  // From the status response; unknown when it was not received (never 0 for "unknown"). Written
  // as 16 lowercase hex digits, as etcdctl prints them.
  std::optional<std::uint64_t> cluster_id;
  std::optional<std::uint64_t> member_id;
  // 64 lowercase hex digits: SHA-256 of the blob's `size` bytes (the file `etcdctl snapshot
  // save` writes, etcd's own trailing hash included), so a download can be checked.
  std::string sha256;
  std::uint64_t size = 0;
  std::string daemon_version;  // frankenetesd's version; printable ASCII
  // Whether `revision` is exactly the snapshot's revision (true) or read from a status call
  // next to the stream, so writes in between may be in it (false); unknown when not said.
  std::optional<bool> revision_exact;

  // The x-ms-meta-* map; optional fields that are unknown are left out.
  BlobMetadata to_blob_metadata() const;
  bool operator==(const SnapshotMetadata&) const = default;
};

// Reads what to_blob_metadata() wrote. An error (kTerminal) names the first field that is
// missing or malformed: revision, sha256, size and daemonversion are required. Names this
// catalog does not know are ignored.
core::Result<SnapshotMetadata> parse_snapshot_metadata(const BlobMetadata& metadata);

// Which snapshots to keep.
struct RetentionPolicy {
  int retain = config::kDefaultSnapshotRetain;  // the newest N; below 1 counts as 1
  // Plus the newest snapshot of each of the last `daily_days` UTC days, counted from `now`'s
  // UTC date (7: today and the 6 days before); 0 disables.
  int daily_days = static_cast<int>(config::kDefaultSnapshotKeepDailyFor / config::kSnapshotDay);

  bool operator==(const RetentionPolicy&) const = default;
};

// The policy etcd.snapshots configures.
RetentionPolicy retention_policy(const config::EtcdSnapshotConfig& snapshots);

enum class RetentionReason {
  kRecent,  // among the newest `retain`
  kDaily,   // the newest of its UTC day, inside the daily window
  kFuture,  // dated after `now` (clock skew): kept, and not counted as one of the newest
};
const char* to_string(RetentionReason reason);  // "recent", "daily", "future"

struct KeptSnapshot {
  std::string name;
  RetentionReason reason = RetentionReason::kRecent;  // the first that applies, in enum order

  bool operator==(const KeptSnapshot&) const = default;
};

// Every name given lands in exactly one list (duplicates once). Each list is sorted by
// cluster and member, then newest first (time, then revision); `ignored` by name.
struct RetentionPlan {
  std::vector<KeptSnapshot> keep;
  std::vector<std::string> remove;   // the blobs to delete
  std::vector<std::string> ignored;  // not snapshot names: not ours, never deleted
};

// Retention over listed blob names, for each (cluster, member) on its own: the newest
// `retain` snapshots not dated in the future, plus the newest of each UTC day in the daily
// window, plus every snapshot dated after `now`. The newest snapshot is never removed.
RetentionPlan plan_retention(const std::vector<std::string>& blob_names, core::SystemTime now,
                             const RetentionPolicy& policy);

// The newest snapshot (time, then revision) among the names that parse; nullopt when none
// does. Pass one member's listing (snapshot_prefix()): names are not grouped here. A name dated
// after the caller's `now` (clock skew) can be the newest: judge its age with that in mind.
std::optional<SnapshotName> newest_snapshot(const std::vector<std::string>& blob_names);

// One stored snapshot as a listing with metadata shows it.
struct ListedSnapshot {
  std::string blob_name;
  BlobMetadata metadata;
};

// The snapshot that holds the most of the data lost from a member whose last reading before the
// loss was (`cluster_id`, `revision`): among the snapshots whose name parses and whose metadata
// names that cluster id, with a revision at most `revision`, the highest revision (then the
// newest). Not simply the newest: snapshots taken after the loss (of the new, emptier store)
// carry another cluster id, or a lower revision than the lost data reached. nullopt when no
// snapshot qualifies; a snapshot whose metadata does not parse or has no cluster id never does.
std::optional<SnapshotName> snapshot_of_lost_data(const std::vector<ListedSnapshot>& listed,
                                                  std::uint64_t cluster_id,
                                                  std::uint64_t revision);

}  // namespace frankenetes::etcd
