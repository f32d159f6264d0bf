#include "plan/ladder.h"

#include <algorithm>
#include <cstdint>

#include "core/backoff.h"

namespace frankenetes::plan {

std::optional<ActionKind> ladder_action(int rung, UnhealthyReason reason) {
  // Restart, stop or start of a group that does not exist would only fail; and a group proven
  // gone is recreated whatever rung the member had reached (it has no other way back).
  if (reason == UnhealthyReason::kMissing) return ActionKind::kRecreate;
  if (rung < 0 || rung >= kLadderRungs) return std::nullopt;
  switch (rung) {
    case 0:
      // ACI's restart fails on a stopped group (409); start is the fix.
      return reason == UnhealthyReason::kGroupStopped ? ActionKind::kStart : ActionKind::kRestart;
    case 1:
      return ActionKind::kStopStart;
    default:
      return ActionKind::kRecreate;
  }
}

bool needs_spec(ActionKind kind) { return kind == ActionKind::kRecreate; }

bool replaces_deployment(ActionKind kind, UnhealthyReason reason) {
  switch (kind) {
    case ActionKind::kStopStart: return true;
    case ActionKind::kRecreate: return reason != UnhealthyReason::kMissing;
    case ActionKind::kRestart:
    case ActionKind::kStart: return false;
  }
  return true;
}

core::Duration backoff_after_action(const config::BackoffConfig& backoff, int action_index) {
  const core::BackoffPolicy policy{backoff.initial, backoff.max, 2.0};
  return core::backoff_delay(policy, static_cast<std::uint32_t>(std::max(action_index, 0)));
}

}  // namespace frankenetes::plan
