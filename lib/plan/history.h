#pragma once
// History: what the planner must remember between polls, as one value type, and the pure
// functions that advance it. The reconciler owns the only copy and replaces it with the
// result of these functions; the planner reads it. Nothing here reads a clock: every
// function takes `now` (monotonic time, the same clock as observation timestamps).
//
// Per tick the reconciler does (order of the first two does not matter, see plan/plan.h):
//   history = record_observation(std::move(history), config, observed, now);
//   auto result = plan({config, observed, history, now});
//   history = record_plan(std::move(history), result, now);   // actions started, give-ups
//   … and when the executor is done with an action (dry-run: at once, as kSucceeded):
//   history = record_action_finished(std::move(history), member, outcome, finish_time);
//
// The executor must finish every action it was handed (kTimedOut after policy.actionTimeout
// at the latest): until it does, the member is action_in_flight and its cluster busy.
//
// It remembers, per member: restart-count samples (crash-loop evidence), since when the
// member has been healthy, when a dependency was last unhealthy, the ladder position, the
// action in flight and the last finished one, whether the planner gave up; globally: the
// start times of actions in the last hour (the budget). It does not remember observations themselves or anything about dry-run: a
// dry-run history is identical to a real one for the same inputs.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/types.h"
#include "core/time_source.h"
#include "etcd/data_loss.h"
#include "model/observation.h"
#include "plan/action.h"
#include "plan/vocabulary.h"

namespace frankenetes::plan {

// The budget counts actions started in (now - kBudgetWindow, now].
inline constexpr core::Duration kBudgetWindow = std::chrono::hours(1);

struct RestartSample {
  core::MonotonicTime at;  // observed_at of the GET that reported it
  int restart_count = 0;
  // The container's deployment as the GET showed it (the earliest firstTimestamp of its
  // events): a lower restartCount is a new container only when this moved forward.
  std::optional<core::SystemTime> deployed_at;

  bool operator==(const RestartSample&) const = default;
};

struct ActionRecord {
  ActionKind kind = ActionKind::kRestart;
  int rung = 0;
  core::MonotonicTime started_at;
  std::optional<core::MonotonicTime> finished_at;
  std::optional<ActionOutcome> outcome;

  bool operator==(const ActionRecord&) const = default;
};

struct MemberHistory {
  // restartCount per container name, oldest first, within crashLoop.window of now. Cleared
  // when an action starts or finishes (a crash loop must be proven again after every fix)
  // and per container when its count goes down with a new deployment in the instanceView
  // (the container was recreated). A count that is absent, or lower without a new
  // deployment, is unknown evidence: not recorded.
  std::map<std::string, std::vector<RestartSample>> restart_samples;

  // Probe failures of the current streak that were already counted before the last action
  // finished; they do not count again. Taken from the first probe result after the action
  // (probe_baseline_pending until then) and dropped when the streak breaks.
  int probe_failures_before_action = 0;
  bool probe_baseline_pending = false;

  // The last time one of the member's (transitive) dependencies was assessed not healthy.
  // Restarts before it were the dependency's doing: plan() does not count them as crash-loop
  // evidence against the member once the dependency has recovered.
  std::optional<core::MonotonicTime> dependency_trouble_at;

  // Start of the current run of healthy assessments; nullopt when the last one was not healthy.
  std::optional<core::MonotonicTime> healthy_since;

  // Actions since the last reset: the rung of the next action and the back-off exponent.
  int actions_taken = 0;
  // This member's share of History::action_starts (same times, within kBudgetWindow): what
  // moves with its cluster when another replica takes the cluster over (issue 13).
  std::vector<core::MonotonicTime> action_starts;
  std::optional<ActionRecord> in_flight;
  std::optional<ActionRecord> last_action;  // the latest finished action (kept across resets)

  // The planner gave up (ladder exhausted, or recreate needed but no spec). Cleared by a reset.
  bool gave_up = false;
  SkipReason give_up_reason = SkipReason::kGaveUp;  // kGaveUp or kNoSpec
  std::string give_up_detail;

  // etcd members: the data identity (cluster id, revision) of the latest maintenance/status
  // reading, and the data loss seen (etcd/data_loss.h): the detection's detail, "" for none.
  // Kept until a restore; not touched by the functions below (reconcile/etcd_guard.h).
  std::optional<etcd::DataIdentity> etcd_seen;
  std::string etcd_data_loss;
  // With a data loss: the identity of the last reading before it, which a restore brings back
  // (etcd/snapshot_catalog.h snapshot_of_lost_data). And an automatic restore
  // (etcd.autoRestore) that failed after it had changed something: what it left behind, ""
  // for none. While that is set the cluster is held until a restore by hand clears it.
  std::optional<etcd::DataIdentity> etcd_lost;
  std::string etcd_restore_failed;

  bool operator==(const MemberHistory&) const = default;
};

struct History {
  std::map<model::MemberKey, MemberHistory> members;
  std::vector<core::MonotonicTime> action_starts;  // within kBudgetWindow, oldest first
  // Set when the daemon started without its remembered history (state file missing or
  // unreadable): no action before this time (SkipReason::kStartupGrace), so a crash or a lost
  // file never hands out a fresh ladder and budget at once.
  std::optional<core::MonotonicTime> no_actions_before;
  std::string no_actions_reason;

  const MemberHistory* find(const model::MemberKey& key) const;
  // Actions started in (now - kBudgetWindow, now].
  int actions_in_budget_window(core::MonotonicTime now) const;

  bool operator==(const History&) const = default;
};

// Folds the latest observations in: restart samples, probe baselines, healthy_since, and the
// ladder reset (rung 0, no back-off, gave_up cleared) once a member without an action in
// flight has been healthy for policy.backoff.resetAfter. Forgets members no longer configured
// (unless an action is in flight) and data older than the windows. Idempotent for the same
// (observed, now): calling it twice changes nothing.
History record_observation(History history, const config::Config& desired,
                           const model::Observations& observed, core::MonotonicTime now);

// The executor is starting `action` (real or dry-run): it is in flight, the member climbs to
// rung action.rung + 1 and the budget is charged.
History record_action_started(History history, const Action& action, core::MonotonicTime now);

// The executor finished the member's in-flight action; the back-off starts now. A call for a
// member with nothing in flight changes nothing.
History record_action_finished(History history, const model::MemberKey& member,
                               ActionOutcome outcome, core::MonotonicTime now);

// The planner gave up on the member (`why` is the skip that said so: kGaveUp or kNoSpec).
History record_gave_up(History history, const Skip& why);

}  // namespace frankenetes::plan
