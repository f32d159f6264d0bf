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
//                         recreate           read the member's spec file (unreadable: nothing
//                                            is sent), DELETE (absent is fine), PUT the spec
//                       A step that errs ends the action as failed; running past
//                       policy.actionTimeout (or an LRO that timed out) as timed_out.
//   DryRunExecutor      logs remediation.planned and sends nothing.
//   PolicyExecutor      the one place dry-run is decided: action.dry_run (set by the planner
//                       from policy.dryRun) picks the dry-run executor, else the real one.

#include <functional>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/time_source.h"
#include "plan/action.h"
#include "reconcile/container_group_api.h"

namespace frankenetes::reconcile {

// What the action applies to, resolved from the config by the reconciler.
struct ActionTarget {
  ContainerGroupRef group;
  std::optional<std::string> spec_file;  // the member's spec.file, for recreate
  core::Duration timeout{std::chrono::minutes(5)};
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

// Reads a spec file's text; the default reads from disk (size-limited).
using SpecReader = std::function<core::Result<std::string>(const std::string& path)>;
core::Result<std::string> read_spec_file(const std::string& path);

class AciActionExecutor final : public ActionExecutor {
 public:
  AciActionExecutor(ContainerGroupApi& api, const core::TimeSource& time,
                    SpecReader read_spec = read_spec_file)
      : api_(api), time_(time), read_spec_(std::move(read_spec)) {}

  ActionResult execute(const plan::Action& action, const ActionTarget& target) override;

 private:
  ContainerGroupApi& api_;
  const core::TimeSource& time_;
  SpecReader read_spec_;
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
