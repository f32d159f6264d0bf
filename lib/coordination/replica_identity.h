#pragma once
// Who a replica is in the coordination blobs: its id (coordination.replicaId, default
// <hostname>-<pid>), the blob names derived from ids and cluster names, and the lease id it
// proposes for a cluster. Pure apart from default_replica_id(), which reads the host name and
// the process id.

#include <cstdint>
#include <string>
#include <string_view>

namespace frankenetes::coordination {

// Blob names in the storage section's container.
inline constexpr std::string_view kLeasePrefix = "leases/";
inline constexpr std::string_view kHeartbeatPrefix = "replicas/";
std::string lease_blob_name(std::string_view cluster);      // leases/<cluster>
std::string heartbeat_blob_name(std::string_view replica);  // replicas/<id>

// <hostname>-<pid> made into a valid replica id (config::is_replica_id): characters outside
// [A-Za-z0-9._-] become '-', a leading non-alphanumeric gets an "r" in front, and the host part
// is cut so that the whole fits in 63 characters. An empty host name gives "replica-<pid>".
std::string make_replica_id(std::string_view hostname, std::int64_t pid);
// make_replica_id(gethostname(), getpid()).
std::string default_replica_id();

// The lease id this replica proposes for `cluster`: a GUID derived from (replica, incarnation,
// cluster). The same inputs give the same id, so an acquire repeated after a lost answer is
// answered 201 instead of 409 (Blob Storage treats an acquire with the holder's own id as a
// renewal). `incarnation` is random per process start (Coordinator): two processes that were
// given the same replicaId by mistake then still propose different ids and cannot both hold one
// lease, and a restarted replica waits for its predecessor's leases to expire like any other.
std::string proposed_lease_id(std::string_view replica, std::uint64_t incarnation,
                              std::string_view cluster);

// FNV-1a, 64 bits: the same on every replica and every run. Not for security: it only spreads
// names over a range (lease ids, the order in which a replica reaches for clusters).
inline constexpr std::uint64_t kStableHashSeed = 0xcbf29ce484222325ULL;
std::uint64_t stable_hash(std::string_view text, std::uint64_t seed = kStableHashSeed);

}  // namespace frankenetes::coordination
