#pragma once
// The planner's two kinds of output about a member: an Action the executor should carry out,
// or a Skip that says why the planner did not act (why it did nothing is data too). Both are
// values; logging and counting them is the reconciler's job.

#include <string>

#include "model/observation.h"
#include "plan/vocabulary.h"

namespace frankenetes::plan {

struct Action {
  model::MemberKey member;
  ActionKind kind = ActionKind::kRestart;
  int rung = 0;  // position on the remediation ladder (plan/ladder.h), 0-based
  UnhealthyReason reason = UnhealthyReason::kCrashLoop;
  std::string reason_text;  // one line for logs: "crash_loop_backoff: container etcd …"
  // policy.dryRun: the executor must not send anything mutating, but records the action in
  // history exactly like a real one so back-off, ladder and budget behave the same.
  bool dry_run = false;

  bool operator==(const Action&) const = default;
};

struct Skip {
  model::MemberKey member;
  SkipReason reason = SkipReason::kStateUnknown;
  std::string detail;  // for people: names the dependency, the remaining back-off, …

  bool operator==(const Skip&) const = default;
};

}  // namespace frankenetes::plan
