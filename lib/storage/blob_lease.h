#pragma once
// BlobLeaseClient: Lease Blob (PUT <blob>?comp=lease) — acquire, renew, change, release, break.
// A lease makes writes and deletes of the blob require its id (412 LeaseIdMissing without it,
// 409 LeaseAlreadyPresent for a second holder), which is what the daemon's coordination will
// build on: a holder must stop acting before its lease can have expired by its own clock (last
// successful renew + duration − a margin for clock drift and latency).
//
// Acquire always proposes an id (a fresh GUID unless the caller gives one): acquiring again with
// the same id succeeds, so a retried acquire whose first answer was lost is harmless. A retried
// release whose first answer was lost fails with 409 (the lease is gone): callers that release
// on shutdown may treat kConflict as done. Errors as in blob_client.h.

#include <chrono>
#include <optional>
#include <string>

#include "core/result.h"
#include "storage/blob_client.h"

namespace frankenetes::storage {

// Blob Storage's bounds on a finite lease and on a break period.
inline constexpr std::chrono::seconds kMinLeaseDuration{15};
inline constexpr std::chrono::seconds kMaxLeaseDuration{60};
inline constexpr std::chrono::seconds kMaxBreakPeriod{60};

class BlobLeaseClient {
 public:
  explicit BlobLeaseClient(BlobClient& blobs) : blobs_(blobs) {}

  // The lease id. `duration`: 15..60 s, or nullopt for a lease that never expires. The blob must
  // exist (404 BlobNotFound otherwise).
  core::Result<std::string> acquire(const std::string& blob,
                                    std::optional<std::chrono::seconds> duration,
                                    std::string proposed_id = {});
  core::Status renew(const std::string& blob, const std::string& lease_id);
  // Replaces the lease's id; returns the new one (= proposed_id).
  core::Result<std::string> change(const std::string& blob, const std::string& lease_id,
                                   const std::string& proposed_id);
  core::Status release(const std::string& blob, const std::string& lease_id);
  // Breaks the lease whoever holds it; after `break_period` (default: the rest of a finite
  // lease, at once for an infinite one) it can be acquired again. Returns how long that is.
  core::Result<std::chrono::seconds> break_lease(
      const std::string& blob, std::optional<std::chrono::seconds> break_period = std::nullopt);

 private:
  core::Result<http::Response> send(const std::string& blob, std::string_view action,
                                    http::Headers headers, int success);

  BlobClient& blobs_;
};

}  // namespace frankenetes::storage
