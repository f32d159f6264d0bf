#pragma once
// The planner's closed vocabularies: member health, why a member is unhealthy or unknown, the
// remediation actions, action outcomes and the reasons the planner did NOT act. Their
// to_string() spellings are stable snake_case and are used verbatim as metric label values
// (`actions_skipped_total{reason}`, `remediation_actions_total{action,result}`) and in log
// events, so changing one is a breaking change for dashboards and alert rules.

#include <string_view>

namespace frankenetes::plan {

enum class Health {
  kHealthy,
  kUnhealthy,  // the planner may act (subject to the rules in plan/plan.h)
  kUnknown,    // the planner never acts
};

// Why a member is unhealthy. The first four are "explainable": a member with one of them is
// not touched while one of its dependencies is unhealthy or unknown (plan/plan.h).
enum class UnhealthyReason {
  kCrashLoop,         // restartCount rose by >= crashLoop.restarts within crashLoop.window
  kCrashLoopBackOff,  // a container is Waiting with detailStatus "CrashLoopBackOff…"
  kGroupFailed,       // instanceView.state Failed, or provisioningState Failed/Canceled
  kProbeFailing,      // the member's probe failed failureThreshold times in a row
  kGroupStopped,      // instanceView.state Stopped: nothing a dependency did explains it
  kMissing,           // ARM proved the group gone (plan/health.h: 404 envelope, LIST, 2nd GET)
  kProbeTls,          // the probe failed on the certificate or TLS handshake: a restart cannot
                      // fix that, so it is alerted (skip probe_tls), never remediated
};

// Why a member's health is unknown. Every one of them means "no action".
enum class UnknownReason {
  kNeverObserved,      // no GET has completed yet
  kReadFailed,         // the last GET failed (ARM error, throttling, token, TLS)
  kStale,              // the newest data is older than policy.staleAfter
  kProvisioning,       // non-terminal provisioningState, or instanceView.state Pending
  kUnrecognizedState,  // an instanceView.state the planner has no rule for
  kGoneUnproven,       // a 404 whose absence is not proven yet (model::GroupObservation)
  kPredatesAction,     // the newest GET was sent before the member's last action finished
};

// What the executor does to a container group. Rung 0 of the ladder is kRestart (kStart for a
// stopped group, on which ACI's restart fails), rung 1 kStopStart, rung 2 kRecreate.
enum class ActionKind {
  kRestart,    // POST …/restart
  kStart,      // POST …/start
  kStopStart,  // POST …/stop, then POST …/start
  kRecreate,   // DELETE the group (ignoring 404), then PUT the member's spec
};

// kInterrupted: the daemon stopped (or died) while the action ran; a recreate is resumed at
// the next start, any other action is recorded as interrupted and backs off like a failure.
// kLeaseLost: coordination (issue 13) took the cluster's lease away before a mutating call;
// that call and the rest of the action were not sent.
enum class ActionOutcome { kSucceeded, kFailed, kTimedOut, kInterrupted, kLeaseLost };

// Why the planner did not act on a member that is not healthy.
enum class SkipReason {
  kStateUnknown,         // health unknown (never observed, read failed, stale, unknown state)
  kProvisioning,         // the group is being provisioned: wait for a terminal state
  kDependencyUnhealthy,  // a dependency is unhealthy or unknown and explains the failure
  kBackoff,              // the per-member back-off after the previous action has not elapsed
  kBudgetExhausted,      // the global budget of actions per hour is used up
  kClusterBusy,          // another member of the cluster has an action in flight or planned
  kNoSpec,               // the next rung is recreate but the member has no spec: given up
  kRemediationDisabled,  // remediate: false
  kGaveUp,               // the ladder is exhausted; waits for resetAfter of health
  kActionInFlight,       // this member's previous action has not finished
  kEtcdDataAtRisk,       // the rung would replace etcd's deployment, and its data-dir or
                         // wal-dir is not on a persistent volume: a person must decide
  kEtcdSnapshotPending,  // the rung would replace etcd's deployment: a verified snapshot is
                         // being taken first (etcd.snapshots)
  kEtcdQuorum,           // another etcd member of the cluster is not healthy
  kProbeTls,             // a certificate/TLS probe failure: alerted, never remediated
  kStartupGrace,         // no remembered history (state file missing or unreadable): no
                         // actions for two poll intervals after start
  kEtcdRestore,          // an etcd member of the cluster is being restored from a snapshot
                         // (etcd.autoRestore), or its restore failed half-way: hands off
  kPaused,               // an operator paused the member (admin API): hands off, no action
                         // of any kind until resumed
  kNotLeader,            // coordination: another replica holds the cluster's lease (or none
                         // does yet); this replica observes and probes only
};

std::string_view to_string(Health health);
std::string_view to_string(UnhealthyReason reason);
std::string_view to_string(UnknownReason reason);
std::string_view to_string(ActionKind kind);
std::string_view to_string(ActionOutcome outcome);
std::string_view to_string(SkipReason reason);

// Whether an unhealthy dependency can cause this failure (so acting on the member would not
// help). A stopped or deleted group is never caused by its dependencies.
bool explainable_by_dependency(UnhealthyReason reason);

}  // namespace frankenetes::plan
