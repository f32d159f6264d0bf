#pragma once
// LeaseTable: what one replica believes about each cluster's Blob lease, and the fencing rule
// that decides whether it may mutate a cluster right now. Pure: every method takes `now` (the
// monotonic clock); the Coordinator (coordinator.h) feeds it listings and the outcomes of its
// lease calls, and the executor asks may_act() before every mutating call.
//
// Fencing. Blob Storage starts a lease's duration when it processes the acquire or renew, which
// is after we sent it. So "the lease lasts until at least send time + duration" holds whatever
// the request's latency was; "answer time + duration" would overstate it by the latency — a
// renew that spent 10 s in a retrying transport would buy 10 s the service never granted, during
// which another replica may already hold the cluster. The holder may act while
//   last successful acquire/renew (its send time) + leaseDuration - fencingMargin > now,
// where the margin covers clock rate drift and the time between the check and the request.
// A renew that failed with an unknown outcome (timeout, 5xx) changes nothing: the belief stays,
// the deadline keeps running down, and a later successful renew (Blob Storage renews an expired
// lease nobody else took) restores it. A conflict (409/412) ends the holding at once.
//
// It does not decide what to acquire or release (lease_plan.h) and does no I/O.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time_source.h"

namespace frankenetes::coordination {

using core::Duration;
using core::MonotonicTime;

enum class LeaseHolding {
  kUnknown,       // no listing yet, or the last one failed, or an outcome we could not read
  kFree,          // available, expired or broken: anyone may acquire it
  kMissing,       // no leases/<cluster> blob yet: create it first
  kHeldByUs,      // our acquire or renew succeeded and no conflict since
  kHeldByOthers,  // leased, and not by us
};
const char* to_string(LeaseHolding holding);

// What a listing of leases/ said about one cluster's blob.
enum class LeaseSighting { kFree, kLeased, kMissing, kUnknown };

struct ClusterLease {
  LeaseHolding holding = LeaseHolding::kUnknown;
  // Send time of the last successful acquire or renew; set while kHeldByUs.
  std::optional<MonotonicTime> last_success{};
  // While not ours: since when every listing has shown it free (lease_plan.h's orphan rule).
  std::optional<MonotonicTime> free_since{};
  // An acquire whose answer never came: it may have succeeded. Retried with the same proposed
  // id, which Blob Storage answers 201 when it did and 409 when someone else holds the lease.
  bool acquire_in_doubt = false;

  bool operator==(const ClusterLease&) const = default;
};

class LeaseTable {
 public:
  LeaseTable(Duration lease_duration, Duration fencing_margin)
      : lease_duration_(lease_duration), fencing_margin_(fencing_margin) {}

  // Listing results, taken at `now`. A cluster we hold keeps its holding whatever the listing
  // says (only our own renew can tell whether it is still ours).
  void observe(const std::string& cluster, LeaseSighting sighting, MonotonicTime now);

  // Outcomes of our own calls. `sent` is when the request was sent.
  void acquired(const std::string& cluster, MonotonicTime sent);
  void renewed(const std::string& cluster, MonotonicTime sent);
  // 409/412 (or 404) on acquire or renew: someone else holds it, or the lease is gone.
  void lost(const std::string& cluster);
  // The answer to an acquire never came.
  void acquire_unknown(const std::string& cluster);
  // After a release, whatever the answer: we stop acting at once either way.
  void released(const std::string& cluster);
  // Blob created (or found to exist): free until a listing says otherwise.
  void created(const std::string& cluster, MonotonicTime now);
  // The cluster left the configuration and nothing of ours remains.
  void forget(const std::string& cluster) { leases_.erase(cluster); }

  // The fencing rule (see the top of this file).
  bool may_act(const std::string& cluster, MonotonicTime now) const;
  // Until when may_act() holds after the last success; nullopt when not held by us.
  std::optional<MonotonicTime> act_deadline(const std::string& cluster) const;

  bool held_by_us(const std::string& cluster) const;
  // Clusters held by us, sorted.
  std::vector<std::string> held() const;
  const ClusterLease* find(const std::string& cluster) const;
  const std::map<std::string, ClusterLease>& leases() const { return leases_; }

  Duration lease_duration() const { return lease_duration_; }
  Duration fencing_margin() const { return fencing_margin_; }

 private:
  ClusterLease& at(const std::string& cluster) { return leases_[cluster]; }

  Duration lease_duration_;
  Duration fencing_margin_;
  std::map<std::string, ClusterLease> leases_;
};

}  // namespace frankenetes::coordination
