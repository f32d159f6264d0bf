#include "coordination/blob_coordination_store.h"

#include "coordination/replica_identity.h"
#include "core/strings.h"

namespace frankenetes::coordination {
namespace {

// The heartbeat's metadata key for the holder's own count of clusters.
constexpr const char* kHeldKey = "held";

core::Result<std::vector<storage::BlobProperties>> list_prefix(storage::BlobClient& blobs,
                                                               std::string_view prefix,
                                                               bool metadata) {
  storage::ListBlobsOptions options;
  options.prefix = std::string(prefix);
  options.include_metadata = metadata;
  return blobs.list_all_blobs(options);
}

}  // namespace

core::Result<std::vector<HeartbeatSighting>> BlobCoordinationStore::list_heartbeats() {
  auto blobs = list_prefix(blobs_, kHeartbeatPrefix, true);
  if (!blobs.ok()) return blobs.error();
  std::vector<HeartbeatSighting> out;
  for (const auto& blob : *blobs) {
    HeartbeatSighting sighting{.replica = blob.name.substr(kHeartbeatPrefix.size()),
                               .etag = blob.etag,
                               .last_modified = blob.last_modified};
    // A count that is absent or not a number is unknown, never 0.
    if (const auto it = blob.metadata.find(kHeldKey); it != blob.metadata.end()) {
      if (const auto held = core::parse_uint64(it->second); held && *held <= 1'000'000) {
        sighting.held = static_cast<int>(*held);
      }
    }
    out.push_back(std::move(sighting));
  }
  return out;
}

core::Result<std::optional<core::SystemTime>> BlobCoordinationStore::put_heartbeat(
    const std::string& replica, int held) {
  storage::PutOptions options;
  options.content_type = "text/plain";
  options.metadata = {{kHeldKey, std::to_string(held)}};
  auto written =
      blobs_.put_blob(heartbeat_blob_name(replica), "replica=" + replica + "\n", options);
  if (!written.ok()) return written.error();
  return written->last_modified;
}

core::Status BlobCoordinationStore::delete_heartbeat(const std::string& replica) {
  return blobs_.delete_blob(heartbeat_blob_name(replica));
}

core::Result<std::vector<LeaseBlob>> BlobCoordinationStore::list_leases() {
  auto blobs = list_prefix(blobs_, kLeasePrefix, false);
  if (!blobs.ok()) return blobs.error();
  std::vector<LeaseBlob> out;
  for (const auto& blob : *blobs) {
    out.push_back({.cluster = blob.name.substr(kLeasePrefix.size()), .state = blob.lease_state});
  }
  return out;
}

core::Status BlobCoordinationStore::create_lease_blob(const std::string& cluster) {
  storage::PutOptions options;
  options.conditions.if_none_exists = true;  // never overwrite (a leased blob would refuse)
  auto written = blobs_.put_blob(lease_blob_name(cluster), "", options);
  // 409 BlobAlreadyExists: another replica created it first.
  if (!written.ok() && written.error().kind != core::ErrorKind::kConflict) return written.error();
  return {};
}

core::Status BlobCoordinationStore::acquire(const std::string& cluster, const std::string& lease_id,
                                            std::chrono::seconds duration) {
  auto acquired = leases_.acquire(lease_blob_name(cluster), duration, lease_id);
  if (!acquired.ok()) return acquired.error();
  return {};
}

core::Status BlobCoordinationStore::renew(const std::string& cluster, const std::string& lease_id) {
  return leases_.renew(lease_blob_name(cluster), lease_id);
}

core::Status BlobCoordinationStore::release(const std::string& cluster,
                                            const std::string& lease_id) {
  return leases_.release(lease_blob_name(cluster), lease_id);
}

}  // namespace frankenetes::coordination
