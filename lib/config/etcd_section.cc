// etcd: snapshots of the etcd members (to the storage section's container) and the
// autoRestore switch (its needs are checked with the storage section: cross_checks.cc).

#include "config/sections.h"
#include "core/duration.h"

namespace frankenetes::config {
namespace {

EtcdSnapshotConfig parse_snapshots(const Node& node, EtcdSnapshotConfig snapshots) {
  MapReader map(node);
  map.read_bool("enabled", snapshots.enabled);
  map.read_duration("interval", snapshots.interval, kMinSnapshotInterval, kMaxSnapshotInterval);
  map.read_int("retain", snapshots.retain, 1, kMaxSnapshotRetain);
  // Retention counts UTC calendar days, so a fraction of a day would only look precise.
  if (const auto value = map.get("keepDailyFor")) {
    if (const auto keep = value->as_duration(Duration::zero(), kMaxSnapshotKeepDailyFor)) {
      if (*keep % kSnapshotDay == Duration::zero()) {
        snapshots.keep_daily_for = *keep;
      } else {
        value->report("must be a whole number of days (a multiple of 24h, e.g. 168h for 7 "
                      "days), got " + core::format_duration(*keep));
      }
    }
  }
  map.read_duration("maxAgeForDisruption", snapshots.max_age_for_disruption,
                    kMinSnapshotMaxAgeForDisruption, kMaxSnapshotMaxAgeForDisruption);
  map.read_duration("timeout", snapshots.timeout, kMinSnapshotTimeout, kMaxSnapshotTimeout);
  map.finish();
  return snapshots;
}

}  // namespace

EtcdConfig parse_etcd(const Node& node, EtcdConfig etcd) {
  MapReader map(node);
  if (const auto snapshots = map.get("snapshots")) {
    etcd.snapshots = parse_snapshots(*snapshots, etcd.snapshots);
  }
  map.read_bool("autoRestore", etcd.auto_restore);
  map.finish();
  return etcd;
}

}  // namespace frankenetes::config
