#include "plan/vocabulary.h"

namespace frankenetes::plan {

std::string_view to_string(Health health) {
  switch (health) {
    case Health::kHealthy:
      return "healthy";
    case Health::kUnhealthy:
      return "unhealthy";
    case Health::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view to_string(UnhealthyReason reason) {
  switch (reason) {
    case UnhealthyReason::kCrashLoop:
      return "crash_loop";
    case UnhealthyReason::kCrashLoopBackOff:
      return "crash_loop_backoff";
    case UnhealthyReason::kGroupFailed:
      return "group_failed";
    case UnhealthyReason::kProbeFailing:
      return "probe_failing";
    case UnhealthyReason::kGroupStopped:
      return "group_stopped";
    case UnhealthyReason::kMissing:
      return "missing";
    case UnhealthyReason::kProbeTls:
      return "probe_tls";
  }
  return "unknown";
}

std::string_view to_string(UnknownReason reason) {
  switch (reason) {
    case UnknownReason::kNeverObserved:
      return "never_observed";
    case UnknownReason::kReadFailed:
      return "read_failed";
    case UnknownReason::kStale:
      return "stale";
    case UnknownReason::kProvisioning:
      return "provisioning";
    case UnknownReason::kUnrecognizedState:
      return "unrecognized_state";
    case UnknownReason::kGoneUnproven:
      return "gone_unproven";
    case UnknownReason::kPredatesAction:
      return "predates_action";
  }
  return "unknown";
}

std::string_view to_string(ActionKind kind) {
  switch (kind) {
    case ActionKind::kRestart:
      return "restart";
    case ActionKind::kStart:
      return "start";
    case ActionKind::kStopStart:
      return "stop_start";
    case ActionKind::kRecreate:
      return "recreate";
  }
  return "unknown";
}

std::string_view to_string(ActionOutcome outcome) {
  switch (outcome) {
    case ActionOutcome::kSucceeded:
      return "succeeded";
    case ActionOutcome::kFailed:
      return "failed";
    case ActionOutcome::kTimedOut:
      return "timed_out";
    case ActionOutcome::kInterrupted:
      return "interrupted";
    case ActionOutcome::kLeaseLost:
      return "lease_lost";
  }
  return "unknown";
}

std::string_view to_string(SkipReason reason) {
  switch (reason) {
    case SkipReason::kStateUnknown:
      return "state_unknown";
    case SkipReason::kProvisioning:
      return "provisioning";
    case SkipReason::kDependencyUnhealthy:
      return "dependency_unhealthy";
    case SkipReason::kBackoff:
      return "backoff";
    case SkipReason::kBudgetExhausted:
      return "budget_exhausted";
    case SkipReason::kClusterBusy:
      return "cluster_busy";
    case SkipReason::kNoSpec:
      return "no_spec";
    case SkipReason::kRemediationDisabled:
      return "remediation_disabled";
    case SkipReason::kGaveUp:
      return "gave_up";
    case SkipReason::kActionInFlight:
      return "action_in_flight";
    case SkipReason::kEtcdDataAtRisk:
      return "etcd_data_at_risk";
    case SkipReason::kEtcdSnapshotPending:
      return "etcd_snapshot_pending";
    case SkipReason::kEtcdQuorum:
      return "etcd_quorum";
    case SkipReason::kProbeTls:
      return "probe_tls";
    case SkipReason::kEtcdRestore:
      return "etcd_restore";
    case SkipReason::kStartupGrace:
      return "startup_grace";
    case SkipReason::kPaused:
      return "paused";
    case SkipReason::kNotLeader:
      return "not_leader";
  }
  return "unknown";
}

bool explainable_by_dependency(UnhealthyReason reason) {
  switch (reason) {
    case UnhealthyReason::kCrashLoop:
    case UnhealthyReason::kCrashLoopBackOff:
    case UnhealthyReason::kGroupFailed:
    case UnhealthyReason::kProbeFailing:
      return true;
    case UnhealthyReason::kGroupStopped:
    case UnhealthyReason::kMissing:
    case UnhealthyReason::kProbeTls:
      return false;
  }
  return false;
}

}  // namespace frankenetes::plan
