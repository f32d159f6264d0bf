#include "plan/history.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "plan/dependencies.h"
#include "plan/health.h"

namespace frankenetes::plan {
namespace {

void prune_budget(History& history, core::MonotonicTime now) {
  const auto old = [&](core::MonotonicTime at) { return at <= now - kBudgetWindow; };
  std::erase_if(history.action_starts, old);
  for (auto& [key, member] : history.members) std::erase_if(member.action_starts, old);
}

void record_restart_samples(MemberHistory& member, const model::MemberObservation* observation,
                            core::MonotonicTime now, core::Duration window) {
  std::set<std::string> present;
  if (observation != nullptr && observation->group &&
      observation->group->outcome == model::GroupObservation::Outcome::kFound &&
      observation->group->view) {
    const auto at = observation->group->observed_at;
    for (const auto& container : observation->group->view->containers) {
      present.insert(container.name);
      if (!container.restart_count) continue;  // unknown: neither evidence nor a reset
      auto& samples = member.restart_samples[container.name];
      const auto deployed = container.deployed_at;
      if (!samples.empty() && *container.restart_count < samples.back().restart_count) {
        // A lower count is a new container only when the instanceView shows a new deployment;
        // otherwise it is unknown (a proxy's stale copy, a partial answer) and ignored.
        const auto& last = samples.back();
        const bool redeployed = deployed && last.deployed_at && *deployed > *last.deployed_at;
        if (!redeployed) continue;
        samples.clear();
      }
      // The same GET seen again (idempotence, or no new GET since the last tick).
      if (samples.empty() || samples.back().at < at) {
        samples.push_back({at, *container.restart_count, deployed});
      }
    }
  }
  // Keep containers that this observation did not report on (a failed or stale GET says
  // nothing about them); forget those a fresh GET no longer lists.
  if (!present.empty()) {
    std::erase_if(member.restart_samples,
                  [&](const auto& entry) { return !present.contains(entry.first); });
  }
  for (auto& [name, samples] : member.restart_samples) {
    std::erase_if(samples, [&](const RestartSample& s) { return s.at < now - window; });
  }
  std::erase_if(member.restart_samples, [](const auto& entry) { return entry.second.empty(); });
}

void record_probe_baseline(MemberHistory& member, const model::MemberObservation* observation) {
  if (observation == nullptr || !observation->probe.configured ||
      !observation->probe.last_success.has_value()) {
    return;
  }
  const auto& probe = observation->probe;
  if (member.probe_baseline_pending) {
    const bool after_action = !member.last_action || !member.last_action->finished_at ||
                              probe.observed_at >= *member.last_action->finished_at;
    if (!after_action) return;
    member.probe_failures_before_action = probe.consecutive_failures;
    member.probe_baseline_pending = false;
  } else if (probe.consecutive_failures < member.probe_failures_before_action) {
    // The streak broke since: whatever fails now is new.
    member.probe_failures_before_action = 0;
  }
}

void record_health(MemberHistory& member, const Assessment& assessment,
                   const config::BackoffConfig& backoff, core::MonotonicTime now) {
  if (!assessment.healthy()) {
    member.healthy_since.reset();
    return;
  }
  if (!member.healthy_since) member.healthy_since = now;
  const bool reset_due = !member.in_flight && now - *member.healthy_since >= backoff.reset_after;
  if (reset_due && (member.actions_taken > 0 || member.gave_up)) {
    member.actions_taken = 0;
    member.gave_up = false;
    member.give_up_reason = SkipReason::kGaveUp;
    member.give_up_detail.clear();
  }
}

}  // namespace

const MemberHistory* History::find(const model::MemberKey& key) const {
  const auto it = members.find(key);
  return it == members.end() ? nullptr : &it->second;
}

int History::actions_in_budget_window(core::MonotonicTime now) const {
  return static_cast<int>(std::count_if(action_starts.begin(), action_starts.end(), [&](auto at) {
    return at > now - kBudgetWindow && at <= now;
  }));
}

History record_observation(History history, const config::Config& desired,
                           const model::Observations& observed, core::MonotonicTime now) {
  // The configured members' entries, by address (map nodes stay put): what is not among them
  // is forgotten below. Addresses and indices rather than copies of the keys and names: this
  // runs over every member in every pass.
  std::vector<const MemberHistory*> configured;
  std::vector<bool> healthy;
  for (const auto& cluster : desired.clusters) {
    healthy.assign(cluster.members.size(), false);
    for (std::size_t i = 0; i < cluster.members.size(); ++i) {
      const auto& member_config = cluster.members[i];
      const model::MemberKey key{cluster.name, member_config.name};
      const auto obs_it = observed.find(key);
      const model::MemberObservation* observation =
          obs_it == observed.end() ? nullptr : &obs_it->second;
      MemberHistory& member = history.members[key];
      configured.push_back(&member);
      record_restart_samples(member, observation, now, desired.policy.crash_loop.window);
      record_probe_baseline(member, observation);
      const Assessment assessment =
          assess_member(member_config, observation, &member, desired.policy, now);
      record_health(member, assessment, desired.policy.backoff, now);
      healthy[i] = assessment.healthy();
    }
    for (const auto& member_config : cluster.members) {
      MemberHistory& member = history.members[{cluster.name, member_config.name}];
      for (const std::size_t dep : transitive_dependency_indices(cluster, member_config.name)) {
        if (!healthy[dep]) member.dependency_trouble_at = now;
      }
      // Older than the crash-loop window, it no longer filters any sample.
      if (member.dependency_trouble_at &&
          *member.dependency_trouble_at < now - desired.policy.crash_loop.window) {
        member.dependency_trouble_at.reset();
      }
    }
  }
  // A member removed from the config is forgotten, unless the executor still owes us the
  // outcome of its action (record_action_finished would otherwise find nothing).
  const std::less<const MemberHistory*> by_address;
  std::sort(configured.begin(), configured.end(), by_address);
  std::erase_if(history.members, [&](const auto& entry) {
    return !std::binary_search(configured.begin(), configured.end(), &entry.second, by_address) &&
           !entry.second.in_flight;
  });
  prune_budget(history, now);
  return history;
}

History record_action_started(History history, const Action& action, core::MonotonicTime now) {
  MemberHistory& member = history.members[action.member];
  member.in_flight = ActionRecord{action.kind, action.rung, now, std::nullopt, std::nullopt};
  member.actions_taken = std::max(member.actions_taken, action.rung + 1);
  member.healthy_since.reset();
  member.restart_samples.clear();
  member.action_starts.push_back(now);
  history.action_starts.push_back(now);
  prune_budget(history, now);
  return history;
}

History record_action_finished(History history, const model::MemberKey& member,
                               ActionOutcome outcome, core::MonotonicTime now) {
  const auto it = history.members.find(member);
  if (it == history.members.end() || !it->second.in_flight) return history;
  MemberHistory& entry = it->second;
  ActionRecord record = *entry.in_flight;
  record.finished_at = now;
  record.outcome = outcome;
  entry.last_action = record;
  entry.in_flight.reset();
  // Evidence gathered while the action ran describes the group before or during the fix.
  entry.restart_samples.clear();
  entry.probe_baseline_pending = true;
  return history;
}

History record_gave_up(History history, const Skip& why) {
  MemberHistory& member = history.members[why.member];
  member.gave_up = true;
  member.give_up_reason = why.reason;
  member.give_up_detail = why.detail;
  return history;
}

}  // namespace frankenetes::plan
