// coordination: per-cluster Blob leases shared by replicas (lib/coordination). The storage it
// uses is the top-level storage section, as for etcd snapshots (cross_checks.cc).

#include "config/sections.h"
#include "config/value_syntax.h"
#include "core/duration.h"

namespace frankenetes::config {
namespace {

std::string in_words(Duration d) { return core::format_duration(d); }

// Lease Blob takes x-ms-lease-duration in whole seconds: a fraction would be cut off by the
// client and the holder's fencing would count on time it does not have.
void read_lease_duration(MapReader& map, CoordinationConfig& coordination) {
  const auto value = map.get("leaseDuration");
  if (!value) return;
  const auto duration =
      value->as_duration(kMinCoordinationLeaseDuration, kMaxCoordinationLeaseDuration);
  if (!duration) return;
  if (*duration % std::chrono::seconds(1) != Duration::zero()) {
    value->report("must be a whole number of seconds (Blob leases last 15 to 60 s), got " +
                  in_words(*duration));
    return;
  }
  coordination.lease_duration = *duration;
}

}  // namespace

CoordinationConfig parse_coordination(const Node& node) {
  MapReader map(node);
  CoordinationConfig coordination;
  const auto lease_problems = map.context().problem_count();
  read_lease_duration(map, coordination);
  const bool lease_ok = map.context().problem_count() == lease_problems;
  const auto& lease = coordination.lease_duration;

  // The default follows leaseDuration. An explicit value must leave room for one failed renewal
  // before the lease runs out: with renewEvery >= leaseDuration / 2 a single lost answer would
  // leave the next attempt racing the expiry.
  coordination.renew_every = lease / kDefaultRenewsPerLeaseDuration;
  const auto renew_problems = map.context().problem_count();
  map.read_duration("renewEvery", coordination.renew_every, kMinCoordinationRenewEvery);
  bool renew_ok = map.context().problem_count() == renew_problems;
  if (lease_ok && renew_ok && coordination.renew_every * 2 >= lease) {
    renew_ok = false;
    map.context().report_at(map.child_path("renewEvery"),
                            "must be less than half of leaseDuration (" + in_words(lease) +
                                "), got " + in_words(coordination.renew_every));
  }

  if (const auto value = map.get("replicaId")) {
    if (auto text = value->as_string()) {
      if (is_replica_id(*text)) {
        coordination.replica_id = std::move(*text);
      } else {
        value->report("invalid replicaId \"" + *text + "\": use 1 to " +
                      std::to_string(kMaxReplicaIdLength) +
                      " letters, digits, '.', '_' and '-', starting with a letter or digit");
      }
    }
  }

  // A holder may act until (last renewal sent) + leaseDuration - fencingMargin. The next renewal
  // is sent renewEvery after the last one, so a margin of leaseDuration - renewEvery or more
  // would pause a holder whose renewals all succeed.
  const auto margin_problems = map.context().problem_count();
  map.read_duration("fencingMargin", coordination.fencing_margin, kMinFencingMargin);
  const bool margin_ok = map.context().problem_count() == margin_problems;
  if (lease_ok && renew_ok && margin_ok &&
      coordination.fencing_margin >= lease - coordination.renew_every) {
    map.context().report_at(map.child_path("fencingMargin"),
                            "must be less than leaseDuration - renewEvery (" + in_words(lease) +
                                " - " + in_words(coordination.renew_every) + " = " +
                                in_words(lease - coordination.renew_every) + "), got " +
                                in_words(coordination.fencing_margin));
  }
  map.finish();
  return coordination;
}

}  // namespace frankenetes::config
