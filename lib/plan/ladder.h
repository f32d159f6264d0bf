#pragma once
// The remediation ladder and its per-member back-off, as data (README.md "What it does every
// poll interval"):
//   rung 0  restart the group        (start, when the group is Stopped: ACI's restart fails there)
//   rung 1  stop + start
//   rung 2  delete + recreate from the member's spec (only when one is configured)
//   then    give up: stop acting and raise the alert, until resetAfter of continuous health.
// A group proven gone can only be recreated, so every rung — also past the last — is
// kRecreate for it: a configured member with a spec whose group is gone is always recreated.
// After the k-th action (0-based) the member waits backoff.initial * 2^k, capped at
// backoff.max, counted from the moment the action finished.

#include <optional>

#include "config/types.h"
#include "plan/vocabulary.h"

namespace frankenetes::plan {

inline constexpr int kLadderRungs = 3;

// The action for `rung` when the member is unhealthy for `reason`; nullopt past the last rung.
std::optional<ActionKind> ladder_action(int rung, UnhealthyReason reason);

// Recreate needs the member's spec; the other actions work on the existing group.
bool needs_spec(ActionKind kind);

// The rung replaces the group's deployment, wiping every container filesystem and every
// volume but azureFile (model/container_group.h VolumeKind): stop/start, and recreate of a group
// that still exists. Restart is in place; start of a stopped group and recreate of a group that is
// already gone destroy nothing more.
bool replaces_deployment(ActionKind kind, UnhealthyReason reason);

// How long the member waits after its action number `action_index` (0-based) finished.
core::Duration backoff_after_action(const config::BackoffConfig& backoff, int action_index);

}  // namespace frankenetes::plan
