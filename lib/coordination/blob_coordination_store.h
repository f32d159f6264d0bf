#pragma once
// BlobCoordinationStore: CoordinationStore (coordination_store.h) over lib/storage — List Blobs
// of replicas/ and leases/, Put Blob for heartbeats and for creating lease blobs, Lease Blob for
// acquire, renew and release, all in one container (the storage section's). Each call is one
// request through the BlobService's transport stack, so it has that stack's deadlines and
// retries; this class adds none.

#include "coordination/coordination_store.h"
#include "storage/blob_client.h"
#include "storage/blob_lease.h"

namespace frankenetes::coordination {

class BlobCoordinationStore final : public CoordinationStore {
 public:
  explicit BlobCoordinationStore(storage::BlobClient& blobs) : blobs_(blobs), leases_(blobs) {}

  core::Result<std::vector<HeartbeatSighting>> list_heartbeats() override;
  core::Result<std::optional<core::SystemTime>> put_heartbeat(const std::string& replica,
                                                              int held) override;
  core::Status delete_heartbeat(const std::string& replica) override;
  core::Result<std::vector<LeaseBlob>> list_leases() override;
  core::Status create_lease_blob(const std::string& cluster) override;
  core::Status acquire(const std::string& cluster, const std::string& lease_id,
                       std::chrono::seconds duration) override;
  core::Status renew(const std::string& cluster, const std::string& lease_id) override;
  core::Status release(const std::string& cluster, const std::string& lease_id) override;

 private:
  storage::BlobClient& blobs_;
  storage::BlobLeaseClient leases_;
};

}  // namespace frankenetes::coordination
