#pragma once
// CoordinationStore: the I/O seam under the Coordinator — the handful of Blob Storage calls
// coordination makes, named by what they mean. BlobCoordinationStore (blob_coordination_store.h)
// implements it over BlobClient and BlobLeaseClient; tests use an in-memory store that keeps
// Blob Storage's lease rules on a fake clock.
//
// Errors as in storage/blob_client.h: kConflict for 409/412 (someone else holds the lease, or
// ours is gone), kNotFound for a missing blob, kTransient for timeouts, 5xx and transport
// failures; every call is bounded by the storage client's request timeout.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "coordination/replica_liveness.h"
#include "core/result.h"
#include "storage/blob_types.h"

namespace frankenetes::coordination {

// One leases/<cluster> blob in a listing.
struct LeaseBlob {
  std::string cluster{};
  storage::LeaseState state = storage::LeaseState::kUnknown;

  bool operator==(const LeaseBlob&) const = default;
};

class CoordinationStore {
 public:
  virtual ~CoordinationStore() = default;

  // Every replicas/<id> blob with its ETag and the count it reports.
  virtual core::Result<std::vector<HeartbeatSighting>> list_heartbeats() = 0;
  // Rewrites replicas/<replica> (a new ETag every time) reporting `held`; returns the
  // Last-Modified the service answered with, when it sent one.
  virtual core::Result<std::optional<core::SystemTime>> put_heartbeat(const std::string& replica,
                                                                      int held) = 0;
  // Removes replicas/<replica> (a replica leaving says so at once); a missing blob is kNotFound.
  virtual core::Status delete_heartbeat(const std::string& replica) = 0;
  // Every leases/<cluster> blob with its lease state.
  virtual core::Result<std::vector<LeaseBlob>> list_leases() = 0;
  // Creates leases/<cluster> empty; an existing blob is success (another replica made it).
  virtual core::Status create_lease_blob(const std::string& cluster) = 0;
  virtual core::Status acquire(const std::string& cluster, const std::string& lease_id,
                               std::chrono::seconds duration) = 0;
  virtual core::Status renew(const std::string& cluster, const std::string& lease_id) = 0;
  virtual core::Status release(const std::string& cluster, const std::string& lease_id) = 0;
};

}  // namespace frankenetes::coordination
