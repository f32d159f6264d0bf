#pragma once
// Coordinator: one replica's side of per-cluster Blob leases (issue 13). Each tick() — called
// every renewEvery by its owner — lists the heartbeats and the lease blobs, plans with
// plan_lease_operations() (lease_plan.h), and carries the plan out through a CoordinationStore:
// renewals, releases, creation of missing leases/<cluster> blobs, acquires with this replica's
// proposed lease id (replica_identity.h), and the heartbeat. Outcomes go into its LeaseTable
// (lease_table.h), whose fencing rule may_act() answers for the executor, from any thread.
//
// Outcomes: success moves the fencing deadline to the request's send time + leaseDuration -
// fencingMargin; a conflict (409/412) or a missing blob ends a holding at once; anything else
// (timeout, 5xx, a refused credential) leaves the belief as it was and never extends it, so a
// replica that cannot reach storage stops acting before its leases can have expired.
//
// It blocks in the store's calls (each bounded by the storage client's request timeout) and
// owns no thread or timer: the daemon's scheduler calls tick() and, on shutdown, release_all().
// It does not log or count: tick() returns a TickReport for whoever does.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/types.h"
#include "coordination/coordination_store.h"
#include "coordination/lease_plan.h"
#include "coordination/lease_table.h"
#include "coordination/replica_liveness.h"
#include "core/time_source.h"

namespace frankenetes::coordination {

struct CoordinatorSettings {
  std::string replica_id{};
  // Random per process start (replica_identity.h proposed_lease_id).
  std::uint64_t incarnation = 0;
  Duration lease_duration = config::kDefaultCoordinationLeaseDuration;
  Duration renew_every =
      config::kDefaultCoordinationLeaseDuration / config::kDefaultRenewsPerLeaseDuration;
  Duration fencing_margin = config::kDefaultFencingMargin;

  // From the validated section; `replica_id` is the config's, else default_replica_id().
  static CoordinatorSettings from_config(const config::CoordinationConfig& config,
                                         std::uint64_t incarnation);
};

// How one call ended, as coordination reads it.
enum class LeaseOutcome { kOk, kConflict, kNotFound, kUnknown };
const char* to_string(LeaseOutcome outcome);
LeaseOutcome classify(const core::Status& status);

struct OpResult {
  LeaseOp op;
  LeaseOutcome outcome = LeaseOutcome::kOk;
  std::string error{};  // Error::describe() when not kOk
};

struct TickReport {
  LeasePlan plan;
  std::vector<OpResult> results;
  std::string heartbeat_listing_error;  // "" when the listing worked
  std::string lease_listing_error;
  std::vector<std::string> held;  // after the tick
};

class Coordinator {
 public:
  Coordinator(CoordinationStore& store, core::TimeSource& time, CoordinatorSettings settings,
              std::vector<std::string> clusters);

  // The configuration's clusters (on reload); held clusters that left are released next tick.
  void set_clusters(std::vector<std::string> clusters);

  TickReport tick();
  // Stops acting on every cluster at once, then releases the leases and deletes our heartbeat
  // (SIGTERM), so that the others take the clusters at their next tick. Later ticks acquire
  // nothing.
  TickReport release_all();

  // The fencing rule at the current monotonic time (lease_table.h). Any thread.
  bool may_act(const std::string& cluster) const;
  std::vector<std::string> held() const;
  LeaseTable table() const;
  const CoordinatorSettings& settings() const { return settings_; }

 private:
  void observe_leases(const core::Result<std::vector<LeaseBlob>>& listing,
                      const std::vector<std::string>& clusters, MonotonicTime now);
  OpResult execute(const LeaseOp& op);
  std::string lease_id(const std::string& cluster) const;

  CoordinationStore& store_;
  core::TimeSource& time_;
  const CoordinatorSettings settings_;

  mutable std::mutex mutex_;  // guards everything below
  std::vector<std::string> clusters_;
  LeaseTable table_;
  ReplicaLiveness liveness_;
  std::optional<MonotonicTime> last_release_;
  bool stopping_ = false;
  bool first_tick_ = true;
};

}  // namespace frankenetes::coordination
