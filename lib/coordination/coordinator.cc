#include "coordination/coordinator.h"

#include <algorithm>
#include <map>

#include "coordination/replica_identity.h"

namespace frankenetes::coordination {
namespace {

LeaseSighting sighting_of(storage::LeaseState state) {
  switch (state) {
    case storage::LeaseState::kAvailable:
    case storage::LeaseState::kExpired:
    case storage::LeaseState::kBroken:
      return LeaseSighting::kFree;
    // A breaking lease still has a holder until the break period ends.
    case storage::LeaseState::kLeased:
    case storage::LeaseState::kBreaking:
      return LeaseSighting::kLeased;
    case storage::LeaseState::kUnknown:
      return LeaseSighting::kUnknown;
  }
  return LeaseSighting::kUnknown;
}

}  // namespace

CoordinatorSettings CoordinatorSettings::from_config(const config::CoordinationConfig& config,
                                                     std::uint64_t incarnation) {
  return CoordinatorSettings{
      .replica_id = config.replica_id.empty() ? default_replica_id() : config.replica_id,
      .incarnation = incarnation,
      .lease_duration = config.lease_duration,
      .renew_every = config.renew_every,
      .fencing_margin = config.fencing_margin};
}

const char* to_string(LeaseOutcome outcome) {
  switch (outcome) {
    case LeaseOutcome::kOk:
      return "ok";
    case LeaseOutcome::kConflict:
      return "conflict";
    case LeaseOutcome::kNotFound:
      return "not_found";
    case LeaseOutcome::kUnknown:
      return "unknown";
  }
  return "unknown";
}

LeaseOutcome classify(const core::Status& status) {
  if (status.ok()) return LeaseOutcome::kOk;
  switch (status.error().kind) {
    case core::ErrorKind::kConflict:
      return LeaseOutcome::kConflict;
    case core::ErrorKind::kNotFound:
      return LeaseOutcome::kNotFound;
    // A timeout or 5xx may hide a success, a refused credential or a malformed answer tells
    // nothing about the lease: keep the belief, let the fencing deadline run down.
    default:
      return LeaseOutcome::kUnknown;
  }
}

Coordinator::Coordinator(CoordinationStore& store, core::TimeSource& time,
                         CoordinatorSettings settings, std::vector<std::string> clusters)
    : store_(store),
      time_(time),
      settings_(std::move(settings)),
      clusters_(std::move(clusters)),
      table_(settings_.lease_duration, settings_.fencing_margin),
      // Seen dead no later than its leases expire: see replica_liveness.h.
      liveness_(settings_.replica_id, settings_.lease_duration - settings_.renew_every) {}

void Coordinator::set_clusters(std::vector<std::string> clusters) {
  std::lock_guard lock(mutex_);
  clusters_ = std::move(clusters);
}

std::string Coordinator::lease_id(const std::string& cluster) const {
  return proposed_lease_id(settings_.replica_id, settings_.incarnation, cluster);
}

void Coordinator::observe_leases(const core::Result<std::vector<LeaseBlob>>& listing,
                                 const std::vector<std::string>& clusters, MonotonicTime now) {
  std::map<std::string, LeaseSighting> seen;
  for (const auto& cluster : clusters) {
    seen[cluster] = listing.ok() ? LeaseSighting::kMissing : LeaseSighting::kUnknown;
  }
  if (listing.ok()) {
    for (const auto& blob : *listing) {
      if (seen.contains(blob.cluster)) seen[blob.cluster] = sighting_of(blob.state);
    }
  }
  for (const auto& [cluster, sighting] : seen) table_.observe(cluster, sighting, now);
  // Clusters that left the configuration and are not ours any more.
  std::vector<std::string> stale;
  for (const auto& [cluster, lease] : table_.leases()) {
    if (!seen.contains(cluster) && lease.holding != LeaseHolding::kHeldByUs) {
      stale.push_back(cluster);
    }
  }
  for (const auto& cluster : stale) table_.forget(cluster);
}

TickReport Coordinator::tick() {
  TickReport report;
  std::vector<std::string> clusters;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return report;  // after release_all(): nothing, not even a heartbeat
    clusters = clusters_;
  }
  auto heartbeats = store_.list_heartbeats();
  auto leases = store_.list_leases();
  const auto listed = time_.monotonic_time();
  if (!heartbeats.ok()) report.heartbeat_listing_error = heartbeats.error().describe();
  if (!leases.ok()) report.lease_listing_error = leases.error().describe();
  {
    std::lock_guard lock(mutex_);
    // A failed heartbeat listing keeps the last one: its replicas age towards "dead", which
    // only raises our share, and acquires still need leases seen free.
    if (heartbeats.ok()) liveness_.observe(*heartbeats, listed);
    observe_leases(leases, clusters, listed);
    LeasePlanInput input{.self = settings_.replica_id,
                         .clusters = clusters,
                         .live_replicas = liveness_.live(listed),
                         .reported_holdings = liveness_.reported_holdings(listed),
                         .table = &table_,
                         .now = listed,
                         .renew_every = settings_.renew_every,
                         .last_release = last_release_,
                         .warming_up = first_tick_};
    report.plan = plan_lease_operations(input);
    first_tick_ = false;
  }
  for (const auto& op : report.plan.operations) report.results.push_back(execute(op));
  report.held = held();
  return report;
}

OpResult Coordinator::execute(const LeaseOp& op) {
  OpResult result{.op = op};
  const auto& cluster = op.cluster;
  const auto sent = time_.monotonic_time();
  core::Status status;
  switch (op.kind) {
    case LeaseOpKind::kRenew:
      status = store_.renew(cluster, lease_id(cluster));
      break;
    case LeaseOpKind::kRelease: {
      // Stop acting before the lease can pass to someone else.
      {
        std::lock_guard lock(mutex_);
        table_.released(cluster);
        last_release_ = sent;
      }
      status = store_.release(cluster, lease_id(cluster));
      break;
    }
    case LeaseOpKind::kCreate:
      status = store_.create_lease_blob(cluster);
      break;
    case LeaseOpKind::kAcquire: {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return result;
      }
      status = store_.acquire(
          cluster, lease_id(cluster),
          std::chrono::duration_cast<std::chrono::seconds>(settings_.lease_duration));
      break;
    }
    case LeaseOpKind::kHeartbeat: {
      const auto count = static_cast<int>(held().size());
      auto written = store_.put_heartbeat(settings_.replica_id, count);
      if (!written.ok()) {
        status = written.error();
      } else if (*written) {
        std::lock_guard lock(mutex_);
        liveness_.our_heartbeat(**written, sent);
      }
      break;
    }
  }
  result.outcome = classify(status);
  if (!status.ok()) result.error = status.error().describe();

  bool release_now = false;
  {
    std::lock_guard lock(mutex_);
    switch (op.kind) {
      case LeaseOpKind::kRenew:
        if (result.outcome == LeaseOutcome::kOk) {
          table_.renewed(cluster, sent);
        } else if (result.outcome != LeaseOutcome::kUnknown) {
          table_.lost(cluster);  // 409/412: someone else has it, or ours is gone
        }
        break;
      case LeaseOpKind::kAcquire:
        if (result.outcome == LeaseOutcome::kOk) {
          table_.acquired(cluster, sent);
          release_now = stopping_;  // release_all() ran while this acquire was out
        } else if (result.outcome == LeaseOutcome::kUnknown) {
          table_.acquire_unknown(cluster);
        } else {
          table_.lost(cluster);
        }
        break;
      case LeaseOpKind::kCreate:
        if (result.outcome == LeaseOutcome::kOk) table_.created(cluster, sent);
        break;
      case LeaseOpKind::kRelease:
        if (std::find(clusters_.begin(), clusters_.end(), cluster) == clusters_.end()) {
          table_.forget(cluster);
        }
        break;
      case LeaseOpKind::kHeartbeat:
        break;
    }
  }
  if (release_now) execute({LeaseOpKind::kRelease, cluster});
  return result;
}

TickReport Coordinator::release_all() {
  TickReport report;
  std::vector<std::string> held_now;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    held_now = table_.held();
    // Nobody acts from here on, before any lease is given up.
    for (const auto& cluster : held_now) table_.released(cluster);
  }
  for (const auto& cluster : held_now) {
    const LeaseOp op{LeaseOpKind::kRelease, cluster};
    report.plan.operations.push_back(op);
    report.results.push_back(execute(op));
  }
  // Without our heartbeat the others count one replica fewer at their next tick and take what
  // we released at once, instead of after our heartbeat has gone stale.
  const auto removed = store_.delete_heartbeat(settings_.replica_id);
  report.results.push_back(OpResult{.op = {LeaseOpKind::kHeartbeat, ""},
                                    .outcome = classify(removed),
                                    .error = removed.ok() ? "" : removed.error().describe()});
  return report;
}

bool Coordinator::may_act(const std::string& cluster) const {
  const auto now = time_.monotonic_time();
  std::lock_guard lock(mutex_);
  return !stopping_ && table_.may_act(cluster, now);
}

std::vector<std::string> Coordinator::held() const {
  std::lock_guard lock(mutex_);
  return table_.held();
}

LeaseTable Coordinator::table() const {
  std::lock_guard lock(mutex_);
  return table_;
}

}  // namespace frankenetes::coordination
