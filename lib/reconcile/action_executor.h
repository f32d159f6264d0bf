#pragma once
// ActionExecutor: the one door every remediation action goes through (external-dns
// "providers apply changes behind narrow interfaces"). The reconciler hands it a planned
// plan::Action on a worker thread and records the returned outcome in history; the executor
// decides nothing about whether to act.
//
//   AciActionExecutor   carries the action out through ContainerGroupApi, one rung each:
//                         restart            POST restart (LRO)
//                         start              POST start (LRO)
//                         stop_start         POST stop, then POST start; a failed stop
//                                            ends the sequence (start is not sent)
//                         recreate           a persisted operation (state/operation.h):
//                                            record the intent in the state directory
//                                            (cannot: nothing is sent), DELETE, wait until
//                                            ARM answers ResourceNotFound, then PUT the
//                                            validated spec and retry it with back-off until
//                                            the group exists — across actionTimeout; only
//                                            a stop of the daemon interrupts it, and the
//                                            next start resumes it (ActionTarget::resume).
//                                            A DELETE refused while the group stays as it
//                                            was ends it as failed: nothing was destroyed.
//                       A step of the other actions that errs ends the action as failed;
//                       running past policy.actionTimeout (or an LRO that timed out) as
//                       timed_out.
//                       Every mutating call (POST, DELETE, PUT) first asks the ActGate
//                       (act_gate.h): a cluster whose lease is not ours ends the action
//                       as lease_lost, the call not sent.
//   DryRunExecutor      logs remediation.planned and sends nothing.
//   PolicyExecutor      the one place dry-run is decided: action.dry_run (set by the planner
//                       from policy.dryRun) picks the dry-run executor, else the real one.

#include <functional>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/sleeper.h"
#include "core/time_source.h"
#include "plan/action.h"
#include "reconcile/act_gate.h"
#include "reconcile/container_group_api.h"
#include "state/operation.h"
#include "state/state_store.h"

namespace frankenetes::reconcile {

// What the action applies to, resolved from the config by the reconciler.
struct ActionTarget {
  ContainerGroupRef group;
  std::string spec_text;                 // the validated spec (config), for recreate
  core::Duration timeout{std::chrono::minutes(5)};
  // Set when a recreate found in the state directory at start-up is resumed.
  std::optional<state::RecreateOperation> resume;
};

struct ActionResult {
  plan::ActionOutcome outcome = plan::ActionOutcome::kFailed;
  std::string detail;  // "" on success; the failed step and its error otherwise
  bool dry_run = false;
};

class ActionExecutor {
 public:
  virtual ~ActionExecutor() = default;
  virtual ActionResult execute(const plan::Action& action, const ActionTarget& target) = 0;
};

// How the recreate loop waits between its reads and PUT attempts: back-off from `initial`
// doubling to `max`.
struct RecreatePacing {
  core::Duration initial{std::chrono::seconds(1)};
  core::Duration max{std::chrono::seconds(30)};
};

class AciActionExecutor final : public ActionExecutor {
 public:
  // `sleeper` waits between recreate steps (the daemon's StopSignal, which wakes on stop);
  // `stopping` tells the recreate loop to hand over to the next start; `store` keeps the
  // operation (null: recreate is refused, nothing is sent).
  AciActionExecutor(ContainerGroupApi& api, const core::TimeSource& time, core::Sleeper& sleeper,
                    std::function<bool()> stopping, state::StateStore* store,
                    RecreatePacing pacing = {}, ActGate gate = {})
      : api_(api),
        time_(time),
        sleeper_(sleeper),
        stopping_(std::move(stopping)),
        store_(store),
        pacing_(pacing),
        gate_(std::move(gate)) {}

  ActionResult execute(const plan::Action& action, const ActionTarget& target) override;

 private:
  ActionResult recreate(const plan::Action& action, const ActionTarget& target);
  bool stopping() const { return stopping_ && stopping_(); }
  // False, logged as remediation.lease_lost, when the gate refuses `call` on the cluster.
  bool fenced(const plan::Action& action, const char* call) const;

  ContainerGroupApi& api_;
  const core::TimeSource& time_;
  core::Sleeper& sleeper_;
  std::function<bool()> stopping_;
  state::StateStore* store_;
  RecreatePacing pacing_;
  ActGate gate_;
};

class DryRunExecutor final : public ActionExecutor {
 public:
  ActionResult execute(const plan::Action& action, const ActionTarget& target) override;
};

class PolicyExecutor final : public ActionExecutor {
 public:
  PolicyExecutor(ActionExecutor& real, ActionExecutor& dry_run) : real_(real), dry_run_(dry_run) {}
  ActionResult execute(const plan::Action& action, const ActionTarget& target) override {
    return action.dry_run ? dry_run_.execute(action, target) : real_.execute(action, target);
  }

 private:
  ActionExecutor& real_;
  ActionExecutor& dry_run_;
};

}  // namespace frankenetes::reconcile
