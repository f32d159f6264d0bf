#include "reconcile/action_executor.h"

#include <algorithm>
#include <cctype>

#include "azure/arm_error.h"
#include "core/duration.h"
#include "core/strings.h"
#include "log/event.h"

namespace frankenetes::reconcile {
namespace {

using azure::arm_says_absent;

using core::iequals;

// What one GET says about a group being recreated.
enum class GroupPresence { kGone, kDeleting, kPresent, kUnknown };

GroupPresence presence(const core::Result<model::ContainerGroupView>& got) {
  if (got.ok()) {
    return iequals(got->summary.provisioning_state, "Deleting") ? GroupPresence::kDeleting
                                                               : GroupPresence::kPresent;
  }
  return arm_says_absent(got.error()) ? GroupPresence::kGone : GroupPresence::kUnknown;
}

}  // namespace

bool AciActionExecutor::fenced(const plan::Action& action, const char* call) const {
  if (may_act(gate_, action.member.cluster)) return true;
  log::warn("remediation.lease_lost",
            {{"cluster", action.member.cluster},
             {"member", action.member.member},
             {"action", plan::to_string(action.kind)},
             {"call", call},
             {"detail", "another replica holds the cluster's lease; not sent"}});
  return false;
}

ActionResult AciActionExecutor::execute(const plan::Action& action, const ActionTarget& target) {
  const auto started = time_.monotonic_time();
  ActionResult result;

  // Before each call: false ends the sequence as lease_lost.
  auto gate = [&](const char* name) {
    if (fenced(action, name)) return true;
    result.outcome = plan::ActionOutcome::kLeaseLost;
    result.detail = std::string(name) + ": " + kLeaseLost + " (not sent)";
    return false;
  };
  // Runs one step; false ends the sequence with `result` filled in.
  auto step = [&](const char* name, const core::Status& status) {
    const bool overdue = time_.monotonic_time() - started > target.timeout;
    if (status.ok() && !overdue) return true;
    if (!status.ok()) {
      result.outcome = status.error().timed_out || overdue ? plan::ActionOutcome::kTimedOut
                                                           : plan::ActionOutcome::kFailed;
      result.detail = std::string(name) + ": " + status.error().describe();
    } else {
      result.outcome = plan::ActionOutcome::kTimedOut;
      result.detail =
          std::string(name) + ": exceeded actionTimeout " + core::format_duration(target.timeout);
    }
    return false;
  };

  const auto& group = target.group;
  switch (action.kind) {
    case plan::ActionKind::kRestart:
      if (!gate("restart") || !step("restart", api_.restart(group))) return result;
      break;
    case plan::ActionKind::kStart:
      if (!gate("start") || !step("start", api_.start(group))) return result;
      break;
    case plan::ActionKind::kStopStart:
      if (!gate("stop") || !step("stop", api_.stop(group))) return result;
      if (!gate("start") || !step("start", api_.start(group))) return result;
      break;
    case plan::ActionKind::kRecreate:
      return recreate(action, target);
  }
  result.outcome = plan::ActionOutcome::kSucceeded;
  return result;
}

ActionResult AciActionExecutor::recreate(const plan::Action& action, const ActionTarget& target) {
  ActionResult result;
  const auto& group = target.group;
  const auto group_name = group.to_string();
  state::RecreateOperation op;
  if (target.resume) {
    op = *target.resume;
  } else {
    if (target.spec_text.empty()) {
      result.detail = "recreate: the member has no validated spec";
      return result;
    }
    if (store_ == nullptr) {
      result.detail = "recreate: no state directory to record the operation in; nothing sent";
      return result;
    }
    if (!fenced(action, "recreate")) {  // before the intent is recorded: nothing to resume
      result.outcome = plan::ActionOutcome::kLeaseLost;
      result.detail = std::string("recreate: ") + kLeaseLost + " (not sent)";
      return result;
    }
    op.member = action.member;
    op.subscription_id = group.subscription_id;
    op.resource_group = group.resource_group;
    op.group_name = group.name;
    op.spec_text = target.spec_text;
    op.started_at = time_.system_time();
    // The planner recreates a missing group only once ARM proved it gone: no DELETE is owed.
    op.delete_confirmed = action.reason == plan::UnhealthyReason::kMissing;
    // The intent is durable before anything is destroyed: a crash from here on resumes.
    if (auto saved = store_->put_operation(op); !saved.ok()) {
      result.detail = "recreate: cannot record the operation (" + saved.error().message +
                      "); nothing sent";
      return result;
    }
  }
  const auto save = [&] {
    if (store_ == nullptr) return;
    if (auto saved = store_->put_operation(op); !saved.ok()) {
      log::warn("state.write_failed", {{"error", saved.error().message}});
    }
  };
  const auto finish = [&](plan::ActionOutcome outcome, std::string detail) {
    // Interrupted or fenced half-way: the operation stays, to be resumed by a start or by this
    // replica holding the cluster's lease again (it reads before it sends anything).
    if (store_ != nullptr && outcome != plan::ActionOutcome::kInterrupted &&
        outcome != plan::ActionOutcome::kLeaseLost) {
      if (auto removed = store_->remove_operation(op.member); !removed.ok()) {
        log::warn("state.write_failed", {{"error", removed.error().message}});
      }
    }
    result.outcome = outcome;
    result.detail = std::move(detail);
    return result;
  };
  auto delay = pacing_.initial;
  const auto pause = [&] {
    sleeper_.sleep_for(delay);
    delay = std::min(pacing_.max, delay * 2);
  };
  const auto interrupted = [&] {
    return finish(plan::ActionOutcome::kInterrupted,
                  std::string("recreate: the daemon is stopping; the next start resumes it (") +
                      (op.delete_confirmed ? "PUT owed" : "waiting for the deletion") + ")");
  };
  const auto lease_lost = [&](const char* call) {
    return finish(plan::ActionOutcome::kLeaseLost,
                  std::string("recreate: ") + call + ": " + kLeaseLost + " (not sent)");
  };
  // A refusal that leaves the group as it was (403, 409, …): nothing was destroyed.
  const auto refused = [](const core::Status& status) {
    return !status.ok() && !arm_says_absent(status.error()) &&
           status.error().kind != core::ErrorKind::kTransient;
  };

  // Phase 1: the group must be gone, on ARM's word.
  if (!op.delete_confirmed) {
    const bool delete_sent = !target.resume.has_value();
    if (delete_sent) {
      if (!fenced(action, "delete")) return lease_lost("delete");
      auto deleted = api_.delete_group(group);
      if (refused(deleted) && presence(api_.get(group)) == GroupPresence::kPresent) {
        return finish(plan::ActionOutcome::kFailed,
                      "delete: " + deleted.error().describe() + "; the group is unchanged");
      }
      if (!deleted.ok()) {
        // Slow (an LRO past its timeout) or failed in transit: wait for ARM's answer below.
        log::warn("remediation.recreate.delete_pending",
                  {{"cluster", action.member.cluster},
                   {"member", action.member.member},
                   {"group", group_name},
                   {"error", deleted.error().describe()}});
      }
    }
    for (;;) {
      if (stopping()) return interrupted();
      const auto now = presence(api_.get(group));
      if (now == GroupPresence::kGone) break;
      if (now == GroupPresence::kPresent) {
        if (!delete_sent) {
          // Resumed without proof that our DELETE reached ARM, and the group is there: the
          // evidence that justified deleting it is old. The planner decides again.
          return finish(plan::ActionOutcome::kFailed,
                        "recreate: resumed and found the group present; not deleting on old "
                        "evidence");
        }
        // Our DELETE did not take (lost before ARM accepted it): send it again.
        if (!fenced(action, "delete")) return lease_lost("delete");
        auto again = api_.delete_group(group);
        if (refused(again)) {
          return finish(plan::ActionOutcome::kFailed,
                        "delete: " + again.error().describe() + "; the group is unchanged");
        }
      }
      pause();
    }
    op.delete_confirmed = true;
    save();
    delay = pacing_.initial;
  }

  // Phase 2: PUT until the group exists; actionTimeout does not end this (a deleted member
  // must come back), only a stop of the daemon, which resumes it at the next start. Every
  // attempt reads first: a group that exists (our earlier PUT landed, or a person recreated it
  // meanwhile) is never overwritten with this operation's spec.
  constexpr int kStuckAfterAttempts = 5;
  for (;;) {
    if (stopping()) return interrupted();
    const auto now = presence(api_.get(group));
    if (now == GroupPresence::kPresent) {
      return finish(plan::ActionOutcome::kSucceeded,
                    op.put_attempts == 0 ? "the group exists already; no PUT sent"
                                         : "the group exists after " +
                                               std::to_string(op.put_attempts) + " PUT attempts");
    }
    if (now == GroupPresence::kGone) {
      if (!fenced(action, "put")) return lease_lost("put");
      ++op.put_attempts;
      auto put = api_.create_or_update(group, op.spec_text);
      if (put.ok()) {
        return finish(plan::ActionOutcome::kSucceeded,
                      op.put_attempts > 1
                          ? "created after " + std::to_string(op.put_attempts) + " PUT attempts"
                          : "");
      }
      log::warn("remediation.recreate.put_failed", {{"cluster", action.member.cluster},
                                                    {"member", action.member.member},
                                                    {"group", group_name},
                                                    {"attempt", op.put_attempts},
                                                    {"error", put.error().describe()}});
      if (op.put_attempts == kStuckAfterAttempts) {
        log::error("remediation.recreate.stuck",
                   {{"cluster", action.member.cluster},
                    {"member", action.member.member},
                    {"group", group_name},
                    {"attempts", op.put_attempts},
                    {"error", put.error().describe()},
                    {"action", "still retrying; a person should look at the spec, quota or "
                               "permissions"}});
      }
      save();
    }
    pause();
  }
}

ActionResult DryRunExecutor::execute(const plan::Action& action, const ActionTarget& target) {
  log::info("remediation.planned", {{"cluster", action.member.cluster},
                                    {"member", action.member.member},
                                    {"action", plan::to_string(action.kind)},
                                    {"rung", action.rung},
                                    {"group", target.group.to_string()},
                                    {"reason", action.reason_text},
                                    {"dry_run", true}});
  ActionResult result;
  result.outcome = plan::ActionOutcome::kSucceeded;
  result.dry_run = true;
  return result;
}

}  // namespace frankenetes::reconcile
