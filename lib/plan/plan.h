#pragma once
// plan(): the remediation planner, a pure function of (desired config, observations, history,
// now) to actions and skips-with-reason, after external-dns plan.Calculate(). It reads no
// clock, does no I/O and does not log; the reconciler logs and counts what it returns,
// hands the actions to the executor and advances History (plan/history.h).
//
// For each cluster (config order) and each member in dependency order (plan/dependencies.h):
//   1. assess health (plan/health.h). Healthy: nothing to say. Paused by an operator
//      (model::MemberObservation::paused, the admin API): skip `paused`, whatever else is
//      wrong — hands off, not even the recreate of a group proven gone. Unknown: skip
//      `provisioning` or `state_unknown` — never act on what we do not know.
//   2. unhealthy, the first rule that applies:
//      remediate: false                                   -> remediation_disabled
//      an etcd member of the cluster is being restored
//        (etcd.autoRestore), or its restore failed half-way -> etcd_restore
//      gave up earlier (until resetAfter of health)       -> gave_up (or no_spec);
//        a group proven gone that has a spec is recreated all the same
//      own action still in flight                         -> action_in_flight
//      explainable failure and a (transitive) dependency
//        unhealthy or unknown, or whose latest probe
//        failed (even below its failureThreshold)         -> dependency_unhealthy
//      crash_loop whose restarts all happened while a
//        dependency was unhealthy (it has recovered since) -> dependency_unhealthy
//      probe_failing less than failureThreshold probe periods
//        after a dependency was last unhealthy             -> dependency_unhealthy
//      back-off after the previous action not elapsed    -> backoff
//      ladder exhausted                                   -> gave_up    (recorded: alert)
//      a probe failing on TLS / certificates             -> probe_tls  (alert; never acted on)
//      next rung is recreate, no spec configured          -> no_spec    (recorded: alert)
//      role etcd, the rung replaces the deployment (stop/start, recreate of an existing
//        group), and no verified snapshot younger than etcd.snapshots.maxAgeForDisruption:
//          snapshots enabled, none being taken or the
//            latest attempt is older than that age        -> etcd_snapshot_pending, and the
//                                                            member is in snapshot_requests
//          data-dir or wal-dir not on an azureFile
//            volume, or the layout cannot be read         -> etcd_data_at_risk (alert; with
//                                                            snapshots on: the latest attempt
//                                                            failed, and it is asked again)
//          both persistent                                -> the rung goes ahead
//      role etcd and another etcd member of the cluster
//        is not healthy (quorum)                          -> etcd_quorum
//      no remembered history: within two poll intervals
//        of start                                         -> startup_grace
//      another member of the cluster has an action in
//        flight, or got one earlier in this pass          -> cluster_busy
//      policy.budget.maxActionsPerHour actions started in
//        the last hour (all clusters, dry-run included)   -> budget_exhausted
//      otherwise                                          -> Action at the member's rung
// Actions carry dry_run = policy.dryRun: dry-run is decided here once, not by the executor's
// callers, and history treats dry-run actions like real ones.
//
// plan() folds the observations into a copy of history first (record_observation is
// idempotent), so it gives the same answer whether or not the reconciler already called
// record_observation for this tick; a caller that did says so (observation_recorded) and
// spares the copy (2.4 MB at 4000 members, every pass).

#include <optional>
#include <vector>

#include "config/types.h"
#include "core/time_source.h"
#include "plan/action.h"
#include "plan/health.h"
#include "plan/history.h"
#include "plan/member_index.h"

namespace frankenetes::plan {

// References, not copies: plan() runs every poll interval on the reconciler's own state.
struct PlanInput {
  const config::Config& desired;
  const model::Observations& observed;
  const History& history;
  core::MonotonicTime now;
  // history is already record_observation(…, desired, observed, now): read it as it is.
  bool observation_recorded = false;
};

// One configured member as the planner saw it: what /status and member_up show.
struct MemberStatus {
  model::MemberKey member;
  Assessment assessment;
  int rung = 0;          // the rung of the member's next action (actions since reset)
  bool gave_up = false;  // the alert: includes a give-up decided in this pass
  bool action_in_flight = false;
  std::optional<core::MonotonicTime> backoff_until;  // set while a back-off is running
  // A disruptive etcd rung was refused because etcd's data-dir or wal-dir is not persistent
  // (frankenetes_etcd_data_at_risk): a person must decide.
  bool etcd_data_at_risk = false;
  // The planner cannot fix this member by itself: gave up, etcd data at risk, or a TLS
  // failure of its probe.
  bool needs_person = false;
  bool paused = false;  // an operator paused it: it gets no action (skip `paused`)

  bool operator==(const MemberStatus&) const = default;
};

struct BudgetStatus {
  int limit = 0;
  int used = 0;            // actions started in the last hour, including this pass's
  bool exhausted = false;  // an action was refused for the budget in this pass (the alert)

  bool operator==(const BudgetStatus&) const = default;
};

struct PlanResult {
  std::vector<MemberStatus> members;  // every configured member, clusters in config order
  std::vector<Action> actions;        // at most one per cluster
  std::vector<Skip> skips;            // one per member that is not healthy and not acted on
  std::vector<Skip> give_ups;         // the skips of members given up on in this pass
  // etcd members whose next rung waits for a verified snapshot: the reconciler takes one
  // (unless one is being taken; it paces retries of failed attempts).
  std::vector<model::MemberKey> snapshot_requests;
  BudgetStatus budget;

  bool operator==(const PlanResult&) const = default;

  const MemberStatus* find_member(const model::MemberKey& key) const;
  const Skip* find_skip(const model::MemberKey& key) const;
  const Action* find_action(const model::MemberKey& key) const;
};

PlanResult plan(const PlanInput& input);

// Records what the planner decided: every action as started (record_action_started) and
// every give-up (record_gave_up). Call it when the actions are handed to the executor.
History record_plan(History history, const PlanResult& result, core::MonotonicTime now);

}  // namespace frankenetes::plan
