#pragma once
// Health assessment of one member: healthy, unhealthy (with a reason) or unknown (with a
// reason), from its latest observation, what history remembers about it, the policy and now.
// Used by plan() to decide and by record_observation() to track health streaks; the
// reconciler can show the result (PlanResult::members) as member_up and on /status.
//
// Rules, in order (the state vocabularies are ACI's: model/container_group.h):
//   unknown    never observed; last GET failed; GET older than policy.staleAfter and not
//              vouched for (current_as_of below); GET sent
//              before the last action finished (predates_action); a 404 not yet proven
//              (gone_unproven, model::GroupObservation::gone_confirmed);
//              provisioningState not terminal (anything but Succeeded/Failed/Canceled, "" too);
//              instanceView.state Pending (provisioning) or any state without a rule below
//   unhealthy  missing (proven gone); group_failed (provisioningState Failed/Canceled or state Failed);
//              group_stopped (state Stopped); then, for a Running group:
//              crash_loop_backoff (a container Waiting, detailStatus "CrashLoopBackOff…"),
//              crash_loop (a container's restartCount rose by >= crashLoop.restarts between
//              the oldest sample within crashLoop.window and now; an unknown count is no
//              evidence either way),
//              probe_tls (the failing streak ends in a TLS failure: alerted, never acted on),
//              probe_failing (>= failureThreshold consecutive failures not already counted
//              before the last action; probe data older than max(staleAfter, 2 probe periods)
//              that says "failing", or a GET sent before the streak's first failure
//              (ProbeObservation::failing_since), makes the member unknown (stale) instead)
//   healthy    otherwise.
// A GET older than staleAfter that a fresh LIST vouches for (current_as_of) is assessed as if
// fresh, but only a healthy verdict stands: anything else is unknown (stale) until a GET sent
// within staleAfter confirms it, so no action ever rests on a reading LIST merely vouched for.
// Azure's state strings are compared case-insensitively.
// Known limit of the window heuristic: a loop that stopped by itself still reads crash_loop
// until its restarts leave the window (samples are cleared by every action, and plan() does
// not blame a member for restarts made while a dependency was down).

#include <optional>
#include <string>

#include "config/types.h"
#include "core/time_source.h"
#include "model/observation.h"
#include "plan/history.h"
#include "plan/vocabulary.h"

namespace frankenetes::plan {

struct Assessment {
  Health health = Health::kUnknown;
  std::optional<UnhealthyReason> unhealthy;  // set exactly when health == kUnhealthy
  std::optional<UnknownReason> unknown;      // set exactly when health == kUnknown
  std::string detail;                        // for people: "container etcd restarted 3 times …"

  bool healthy() const { return health == Health::kHealthy; }
  // "healthy", "unhealthy (crash_loop: …)", "unknown (stale: …)"
  std::string describe() const;
  // The part in parentheses: "crash_loop: …"; "" when healthy.
  std::string why() const;

  bool operator==(const Assessment&) const = default;
};

// Until when the group reading is current: the newest LIST that showed the group unchanged
// since the GET (GroupObservation::vouched_at), as long as the GET itself is at most
// 2 x getInterval.healthy + staleAfter older than that LIST (a rolling resync slowed by the
// read budget stays vouched for; a GET nobody refreshed for longer is not); else when the GET
// arrived.
core::MonotonicTime current_as_of(const model::GroupObservation& group,
                                  const config::PolicyConfig& policy);

// `observation` and `history` may be null (never observed, nothing remembered). With
// `restarts_after`, restart samples taken at or before that time are no crash-loop evidence.
Assessment assess_member(const config::MemberConfig& member,
                         const model::MemberObservation* observation, const MemberHistory* history,
                         const config::PolicyConfig& policy, core::MonotonicTime now,
                         std::optional<core::MonotonicTime> restarts_after = std::nullopt);

}  // namespace frankenetes::plan
