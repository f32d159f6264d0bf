#include "plan/ladder.h"

#include <algorithm>
#include <cstdint>

#include "core/backoff.h"

namespace frankenetes::plan {

std::optional<ActionKind> ladder_action(int rung, UnhealthyReason reason) {
  if (rung < 0 || rung >= kLadderRungs) return std::nullopt;
  // Restart, stop or start of a group that does not exist would only fail.
  if (reason == UnhealthyReason::kMissing) return ActionKind::kRecreate;
  switch (rung) {
    case 0:
      // reference/azure-api.md §0.5: restart fails on a stopped group; start is the fix.
      return reason == UnhealthyReason::kGroupStopped ? ActionKind::kStart : ActionKind::kRestart;
    case 1:
      return ActionKind::kStopStart;
    default:
      return ActionKind::kRecreate;
  }
}

bool needs_spec(ActionKind kind) { return kind == ActionKind::kRecreate; }

core::Duration backoff_after_action(const config::BackoffConfig& backoff, int action_index) {
  const core::BackoffPolicy policy{backoff.initial, backoff.max, 2.0};
  return core::backoff_delay(policy, static_cast<std::uint32_t>(std::max(action_index, 0)));
}

}  // namespace frankenetes::plan
