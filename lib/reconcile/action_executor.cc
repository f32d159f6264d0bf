#include "reconcile/action_executor.h"

#include <fstream>
#include <sstream>

#include "core/duration.h"
#include "log/event.h"

namespace frankenetes::reconcile {
namespace {

// A container group definition is a few kilobytes; anything near this is not one.
constexpr std::size_t kMaxSpecBytes = 1024 * 1024;

bool is_timeout(const core::Error& error) {
  return error.kind == core::ErrorKind::kTransient &&
         error.message.find("timed out") != std::string::npos;
}

}  // namespace

core::Result<std::string> read_spec_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    core::Error error;
    error.kind = core::ErrorKind::kInvalidConfig;
    error.message = "cannot read spec file " + path;
    return error;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxSpecBytes) {
    core::Error error;
    error.kind = core::ErrorKind::kInvalidConfig;
    error.message = "spec file " + path + " is larger than 1 MiB";
    return error;
  }
  return text.str();
}

ActionResult AciActionExecutor::execute(const plan::Action& action, const ActionTarget& target) {
  const auto started = time_.monotonic_time();
  ActionResult result;

  // Runs one step; false ends the sequence with `result` filled in.
  auto step = [&](const char* name, const core::Status& status) {
    const bool overdue = time_.monotonic_time() - started > target.timeout;
    if (status.ok() && !overdue) return true;
    if (!status.ok()) {
      result.outcome = is_timeout(status.error()) || overdue ? plan::ActionOutcome::kTimedOut
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
      if (!step("restart", api_.restart(group))) return result;
      break;
    case plan::ActionKind::kStart:
      if (!step("start", api_.start(group))) return result;
      break;
    case plan::ActionKind::kStopStart:
      if (!step("stop", api_.stop(group))) return result;
      if (!step("start", api_.start(group))) return result;
      break;
    case plan::ActionKind::kRecreate: {
      if (!target.spec_file) {
        result.detail = "recreate: the member has no spec file";
        return result;
      }
      // Read the spec before deleting anything: a group we cannot recreate stays as it is.
      auto spec = read_spec_(*target.spec_file);
      if (!spec.ok()) {
        result.detail = "recreate: " + spec.error().message;
        return result;
      }
      auto deleted = api_.delete_group(group);
      if (!deleted.ok() && deleted.error().kind == core::ErrorKind::kNotFound) deleted = {};
      if (!step("delete", deleted)) return result;
      if (!step("create_or_update", api_.create_or_update(group, *spec))) return result;
      break;
    }
  }
  result.outcome = plan::ActionOutcome::kSucceeded;
  return result;
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
