#include "plan/health.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string_view>

#include "core/duration.h"
#include "core/strings.h"

namespace frankenetes::plan {
namespace {

using model::GroupObservation;

using core::iequals;

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

core::Duration age(core::MonotonicTime at, core::MonotonicTime now) {
  return std::chrono::duration_cast<core::Duration>(now - at);
}

Assessment healthy() { return Assessment{Health::kHealthy, std::nullopt, std::nullopt, ""}; }

Assessment unhealthy(UnhealthyReason reason, std::string detail) {
  return Assessment{Health::kUnhealthy, reason, std::nullopt, std::move(detail)};
}

Assessment unknown(UnknownReason reason, std::string detail) {
  return Assessment{Health::kUnknown, std::nullopt, reason, std::move(detail)};
}

// The largest rise of a container's restartCount over the samples within the window ending at
// now. The current observation is compared too, in case it has not been recorded yet. A
// container whose count is unknown (absent from the GET) gives no evidence either way.
std::optional<Assessment> crash_loop(const model::ContainerGroupView& view,
                                     const MemberHistory* history,
                                     const config::PolicyConfig& policy, core::MonotonicTime now,
                                     std::optional<core::MonotonicTime> restarts_after) {
  if (history == nullptr) return std::nullopt;
  const auto window_start = now - policy.crash_loop.window;
  for (const auto& container : view.containers) {
    if (!container.restart_count) continue;
    const auto it = history->restart_samples.find(container.name);
    if (it == history->restart_samples.end()) continue;
    std::optional<int> baseline;
    for (const auto& sample : it->second) {
      if (sample.at < window_start || sample.at > now) continue;
      if (restarts_after && sample.at <= *restarts_after) continue;
      baseline = std::min(baseline.value_or(sample.restart_count), sample.restart_count);
    }
    if (!baseline) continue;
    const int current = *container.restart_count;
    const int rise = current - *baseline;
    if (rise >= policy.crash_loop.restarts) {
      return unhealthy(UnhealthyReason::kCrashLoop,
                       "container " + container.name + " restarted " + std::to_string(rise) +
                           " times within " + core::format_duration(policy.crash_loop.window) +
                           " (restartCount " + std::to_string(*baseline) + " -> " +
                           std::to_string(current) + ")");
    }
  }
  return std::nullopt;
}

std::optional<Assessment> probe_failing(const config::MemberConfig& member,
                                        const model::ProbeObservation& probe,
                                        const GroupObservation& group,
                                        const MemberHistory* history,
                                        const config::PolicyConfig& policy,
                                        core::MonotonicTime now) {
  if (!member.probe || !probe.configured || !probe.last_success.has_value()) return std::nullopt;
  int failures = probe.consecutive_failures;
  if (history != nullptr) {
    // No probe result since the last action finished: the streak we see is the old one.
    if (history->probe_baseline_pending) return std::nullopt;
    if (failures >= history->probe_failures_before_action) {
      failures -= history->probe_failures_before_action;
    }
  }
  if (failures < member.probe->failure_threshold) return std::nullopt;
  // TLS failures in the streak never count towards remediation: only the others can reach
  // the threshold; a streak that reaches it only with them is probe_tls (alerted).
  const int tls = std::min(probe.consecutive_tls_failures, failures);
  if (tls > 0 && (failures - tls < member.probe->failure_threshold ||
                  probe.last_outcome == model::ProbeOutcome::kTls)) {
    return unhealthy(UnhealthyReason::kProbeTls,
                     "probe failed " + std::to_string(failures) + " times in a row, " +
                         std::to_string(tls) +
                         " of them on the certificate or TLS handshake: " + probe.last_error);
  }
  const auto fresh_for = std::max(policy.stale_after, 2 * member.probe->period);
  if (age(probe.observed_at, now) > fresh_for) {
    return unknown(UnknownReason::kStale, "probe says failing but its last result is " +
                                              core::format_duration(age(probe.observed_at, now)) +
                                              " old (limit " + core::format_duration(fresh_for) +
                                              ")");
  }
  std::string detail = "probe failed " + std::to_string(failures) + " times in a row (threshold " +
                       std::to_string(member.probe->failure_threshold) + ")";
  if (!probe.last_error.empty()) detail += ": " + probe.last_error;
  // The failing probe bought a GET at its first failure (reconcile/reconciler.cc); until one
  // sent since has answered, the group's state is what it was before the streak, and an
  // action would rest on it (during an ARM outage, that GET is what fails).
  if (probe.failing_since && group.sent() < *probe.failing_since) {
    return unknown(UnknownReason::kStale,
                   detail + ", but the newest GET was sent " +
                       core::format_duration(age(group.sent(), *probe.failing_since)) +
                       " before the first failure: waiting for one sent since");
  }
  return unhealthy(UnhealthyReason::kProbeFailing, std::move(detail));
}

}  // namespace

std::string Assessment::why() const {
  std::string out;
  if (unhealthy) out = to_string(*unhealthy);
  if (unknown) out = to_string(*unknown);
  if (!out.empty() && !detail.empty()) out += ": " + detail;
  return out;
}

std::string Assessment::describe() const {
  std::string out(to_string(health));
  if (const auto reason = why(); !reason.empty()) out += " (" + reason + ")";
  return out;
}

core::MonotonicTime current_as_of(const model::GroupObservation& group,
                                  const config::PolicyConfig& policy) {
  if (group.outcome != GroupObservation::Outcome::kFound || !group.vouched_at ||
      *group.vouched_at <= group.observed_at) {
    return group.observed_at;
  }
  const auto span = 2 * policy.get_interval.healthy + policy.stale_after;
  return *group.vouched_at - group.observed_at <= span ? *group.vouched_at : group.observed_at;
}

namespace {

// assess_member without the rule for vouched readings.
Assessment assess_reading(const config::MemberConfig& member,
                          const model::MemberObservation* observation,
                          const MemberHistory* history, const config::PolicyConfig& policy,
                          core::MonotonicTime now,
                          std::optional<core::MonotonicTime> restarts_after) {
  if (observation == nullptr || !observation->group) {
    return unknown(UnknownReason::kNeverObserved, "no container group observation yet");
  }
  const GroupObservation& group = *observation->group;
  if (group.outcome == GroupObservation::Outcome::kError) {
    return unknown(UnknownReason::kReadFailed,
                   group.error ? group.error->describe() : std::string("the last read failed"));
  }
  if (age(current_as_of(group, policy), now) > policy.stale_after) {
    std::string detail =
        "last observation is " + core::format_duration(age(group.observed_at, now)) + " old";
    if (group.vouched_at) {
      detail += ", last vouched for by LIST " +
                core::format_duration(age(*group.vouched_at, now)) + " ago";
    }
    return unknown(UnknownReason::kStale,
                   detail + " (staleAfter " + core::format_duration(policy.stale_after) + ")");
  }
  // A reading that left before the last action finished describes the group before or
  // during the fix: the next action waits for one sent afterwards.
  if (history != nullptr && history->last_action && history->last_action->finished_at &&
      group.sent() < *history->last_action->finished_at) {
    return unknown(UnknownReason::kPredatesAction,
                   "the newest GET was sent " +
                       core::format_duration(age(group.sent(), *history->last_action->finished_at)) +
                       " before the last " + std::string(to_string(history->last_action->kind)) +
                       " finished");
  }
  if (group.outcome == GroupObservation::Outcome::kNotFound) {
    if (!group.gone_confirmed) {
      return unknown(UnknownReason::kGoneUnproven,
                     "container group " + member.container_group + " answered 404 but is not " +
                         "proven gone: " + group.gone_evidence);
    }
    return unhealthy(UnhealthyReason::kMissing,
                     "container group " + member.container_group + " is gone (" +
                         group.gone_evidence + ")");
  }
  if (!group.view) return unknown(UnknownReason::kReadFailed, "GET returned no container group");
  const model::ContainerGroupView& view = *group.view;

  // ARM LRO rules: only Succeeded, Failed and Canceled are terminal; anything else (and a
  // missing value) means an operation is still running and the runtime state is not settled.
  const std::string& provisioning = view.summary.provisioning_state;
  if (iequals(provisioning, "Failed") || iequals(provisioning, "Canceled")) {
    return unhealthy(UnhealthyReason::kGroupFailed, "provisioningState " + provisioning);
  }
  if (!iequals(provisioning, "Succeeded")) {
    return unknown(UnknownReason::kProvisioning,
                   "provisioningState " + (provisioning.empty() ? "absent" : provisioning));
  }

  // instanceView.state is a free string (§1.5): act only on the values we know the meaning of.
  if (iequals(view.state, "Failed")) {
    return unhealthy(UnhealthyReason::kGroupFailed, "instanceView.state Failed");
  }
  if (iequals(view.state, "Stopped")) {
    return unhealthy(UnhealthyReason::kGroupStopped, "instanceView.state Stopped");
  }
  if (iequals(view.state, "Pending")) {
    return unknown(UnknownReason::kProvisioning, "instanceView.state Pending");
  }
  if (!iequals(view.state, "Running")) {
    return unknown(UnknownReason::kUnrecognizedState,
                   "instanceView.state " +
                       (view.state.empty() ? "absent" : "'" + view.state + "'") +
                       " has no remediation rule");
  }

  for (const auto& container : view.containers) {
    if (container.current_state && iequals(container.current_state->state, "Waiting") &&
        istarts_with(container.current_state->detail_status, "CrashLoopBackOff")) {
      return unhealthy(
          UnhealthyReason::kCrashLoopBackOff,
          "container " + container.name + " is Waiting: " + container.current_state->detail_status);
    }
  }
  if (auto looping = crash_loop(view, history, policy, now, restarts_after)) return *looping;
  if (auto failing = probe_failing(member, observation->probe, group, history, policy, now)) {
    return *failing;
  }
  return healthy();
}

}  // namespace

Assessment assess_member(const config::MemberConfig& member,
                         const model::MemberObservation* observation, const MemberHistory* history,
                         const config::PolicyConfig& policy, core::MonotonicTime now,
                         std::optional<core::MonotonicTime> restarts_after) {
  auto assessment = assess_reading(member, observation, history, policy, now, restarts_after);
  if (assessment.health != Health::kUnhealthy) return assessment;
  const GroupObservation& group = *observation->group;  // unhealthy: there is one
  if (age(group.observed_at, now) <= policy.stale_after) return assessment;
  // Only LIST vouched for this reading: what looks wrong waits for a GET of its own.
  return unknown(UnknownReason::kStale,
                 assessment.why() + "; but the GET is " +
                     core::format_duration(age(group.observed_at, now)) +
                     " old and LIST vouches only for presence, IP and provisioningState: "
                     "acting waits for a GET within staleAfter (" +
                     core::format_duration(policy.stale_after) + ")");
}

}  // namespace frankenetes::plan
