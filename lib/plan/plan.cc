#include "plan/plan.h"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/duration.h"
#include "etcd/data_layout.h"
#include "plan/dependencies.h"
#include "plan/ladder.h"

namespace frankenetes::plan {
namespace {

core::Duration between(core::MonotonicTime from, core::MonotonicTime to) {
  return std::chrono::duration_cast<core::Duration>(to - from);
}

// The end of the member's back-off, when one applies: only after a finished action since the
// last reset (a reset means "healthy long enough": the next failure starts from scratch).
std::optional<core::MonotonicTime> backoff_until(const MemberHistory& member,
                                                 const config::BackoffConfig& backoff) {
  if (member.actions_taken == 0 || !member.last_action || !member.last_action->finished_at) {
    return std::nullopt;
  }
  return *member.last_action->finished_at + backoff_after_action(backoff, member.actions_taken - 1);
}

std::string ladder_so_far(int rungs, UnhealthyReason reason) {
  std::string out;
  for (int rung = 0; rung < rungs; ++rung) {
    const auto kind = ladder_action(rung, reason);
    if (!kind) break;
    if (!out.empty()) out += ", ";
    out += to_string(*kind);
  }
  return out;
}

// Everything the planner needs to decide about one cluster in one pass.
class ClusterPass {
 public:
  ClusterPass(const config::ClusterConfig& cluster, const PlanInput& input, const History& history,
              int& budget_used, PlanResult& result)
      : cluster_(cluster),
        input_(input),
        policy_(input.desired.policy),
        history_(history),
        budget_used_(budget_used),
        result_(result) {}

  void run() {
    const auto order = planning_order(cluster_);
    for (const auto* member : order) {
      assessments_[member->name] =
          assess_member(*member, observation(member->name), history_.find(key(member->name)),
                        policy_, input_.now);
      if (const auto* mh = history_.find(key(member->name)); mh != nullptr && mh->in_flight) {
        if (!busy_with_) busy_with_ = member->name;
      }
      if (const auto* obs = observation(member->name);
          obs != nullptr && !obs->etcd_restore.empty() && restore_hold_.empty()) {
        restore_hold_ = member->name + ": " + obs->etcd_restore;
      }
    }
    for (const auto* member : order) decide(*member);
  }

 private:
  model::MemberKey key(const std::string& member) const { return {cluster_.name, member}; }

  const model::MemberObservation* observation(const std::string& member) const {
    const auto it = input_.observed.find(key(member));
    return it == input_.observed.end() ? nullptr : &it->second;
  }

  void skip(MemberStatus& status, SkipReason reason, std::string detail) {
    result_.skips.push_back(Skip{status.member, reason, std::move(detail)});
  }

  void give_up(MemberStatus& status, SkipReason reason, std::string detail) {
    status.gave_up = true;
    status.needs_person = true;
    skip(status, reason, std::move(detail));
    result_.give_ups.push_back(result_.skips.back());
  }

  // "etcd is unhealthy (crash_loop_backoff: …)"; "" when every dependency is healthy.
  // A dependency whose latest probe failed counts too, below its failureThreshold: members
  // that check it fail as soon as it does, often faster than our probe of it reaches the
  // threshold (a hung apiserver: its dependents get quick errors, our probe waits for its
  // timeout), and acting on them then would restart the wrong member.
  std::string unhealthy_dependencies(const std::string& member) const {
    std::string out;
    for (const auto& dep : transitive_dependencies(cluster_, member)) {
      const auto it = assessments_.find(dep);
      if (it == assessments_.end()) continue;
      std::string what;
      if (!it->second.healthy()) {
        what = it->second.describe();
      } else if (const auto* obs = observation(dep);
                 obs != nullptr && obs->probe.configured && obs->probe.last_success == false) {
        what = "healthy so far, but its probe failed " +
               std::to_string(obs->probe.consecutive_failures) + " time(s) in a row";
      }
      if (what.empty()) continue;
      if (!out.empty()) out += "; ";
      out += dep + " is " + what;
    }
    return out;
  }

  // Restarts counted while a dependency was down are the dependency's doing: once it has
  // recovered, only restarts after that are evidence against the member. The assessment in
  // MemberStatus keeps counting them all (it describes the window); this one assigns blame.
  Assessment own_fault(const config::MemberConfig& member, const MemberHistory& mh) const {
    return assess_member(member, observation(member.name), &mh, policy_, input_.now,
                         mh.dependency_trouble_at);
  }

  // Why replacing this etcd member's deployment would lose data; "" when both its data-dir
  // and wal-dir are on azureFile volumes in every layout we can read (the running group's and
  // the spec's). No readable layout is a risk too: unknown is never safe.
  std::string etcd_data_risk(const config::MemberConfig& member) const {
    std::vector<std::pair<std::string, etcd::DataLayout>> layouts;
    if (const auto* obs = observation(member.name);
        obs != nullptr && obs->group && obs->group->view) {
      if (auto layout = etcd::analyze_etcd_layout(*obs->group->view)) {
        layouts.emplace_back("running group", *layout);
      }
    }
    if (member.spec && member.spec->view) {
      if (auto layout = etcd::analyze_etcd_layout(*member.spec->view)) {
        layouts.emplace_back("spec", *layout);
      }
    }
    if (layouts.empty()) return "the etcd data layout cannot be read from the group or a spec";
    std::string out;
    for (const auto& [where, layout] : layouts) {
      if (layout.persistent()) continue;
      if (!out.empty()) out += "; ";
      out += where + ": " + layout.describe();
    }
    return out;
  }

  // A rung that replaces an etcd member's deployment: true when it may go ahead — a verified
  // snapshot younger than etcd.snapshots.maxAgeForDisruption exists, or both data-dir and
  // wal-dir are persistent and no snapshot can be had (snapshots off, or the latest attempt
  // failed). Otherwise skips the member: etcd_snapshot_pending while a snapshot is (to be)
  // taken first, etcd_data_at_risk when the data would be lost and no snapshot is at hand.
  bool guard_etcd_data(MemberStatus& status, const config::MemberConfig& member, int rung,
                       ActionKind kind, const std::string& why) {
    const auto max_age = input_.desired.etcd.snapshots.max_age_for_disruption;
    const auto* obs = observation(member.name);
    const model::SnapshotObservation* snapshots =
        obs != nullptr && obs->snapshots ? &*obs->snapshots : nullptr;
    const std::string what = "rung " + std::to_string(rung) + " " + std::string(to_string(kind));
    std::string snapshot_note;  // what we know about snapshots, for the skip detail
    if (snapshots != nullptr) {
      if (snapshots->verified_at && between(*snapshots->verified_at, input_.now) <= max_age) {
        return true;  // a verified snapshot is fresh enough: this is no longer a loss
      }
      const bool failed_lately =
          !snapshots->in_progress && snapshots->failed_at &&
          between(*snapshots->failed_at, input_.now) <= max_age;
      if (!failed_lately) {
        result_.snapshot_requests.push_back(status.member);
        skip(status, SkipReason::kEtcdSnapshotPending,
             (snapshots->in_progress ? "a snapshot is being taken before " : "taking a snapshot before ") +
                 what + " replaces etcd's deployment" +
                 (snapshots->verified_at ? " (the newest, " + snapshots->verified_name + ", is " +
                                               core::format_duration(between(*snapshots->verified_at, input_.now)) +
                                               " old)"
                                         : "") +
                 "; " + why);
        return false;
      }
      snapshot_note = "no verified snapshot younger than " + core::format_duration(max_age) +
                      " (the latest attempt failed " +
                      core::format_duration(between(*snapshots->failed_at, input_.now)) +
                      " ago: " + snapshots->error + ")";
    }
    const std::string risk = etcd_data_risk(member);
    if (risk.empty()) return true;
    if (snapshots != nullptr) result_.snapshot_requests.push_back(status.member);  // try again
    status.etcd_data_at_risk = true;
    status.needs_person = true;
    skip(status, SkipReason::kEtcdDataAtRisk,
         what + " would wipe etcd's data: " + risk + "; " +
             (snapshot_note.empty() ? "etcd.snapshots are off" : snapshot_note) + "; " + why +
             "; a person must decide (restore from a snapshot, or move --wal-dir to the share)");
    return false;
  }

  // "etcd-2 is unknown (stale: …)"; "" when every other etcd member is healthy.
  std::string other_etcd_not_healthy(const std::string& name) const {
    std::string out;
    for (const auto& other : cluster_.members) {
      if (other.name == name || other.role != config::MemberRole::kEtcd) continue;
      const auto it = assessments_.find(other.name);
      if (it == assessments_.end()) continue;
      std::string what;
      if (!it->second.healthy()) {
        what = it->second.describe();
      } else if (const auto* obs = observation(other.name);
                 obs != nullptr && obs->probe.configured && obs->probe.last_success == false) {
        what = "healthy so far, but its latest probe failed";
      }
      if (what.empty()) continue;
      if (!out.empty()) out += ", ";
      out += other.name + " is " + what;
    }
    return out;
  }

  void decide(const config::MemberConfig& member) {
    const Assessment& assessment = assessments_.at(member.name);
    static const MemberHistory kNoHistory;
    const MemberHistory* found = history_.find(key(member.name));
    const MemberHistory& mh = found != nullptr ? *found : kNoHistory;

    MemberStatus& status = result_.members.emplace_back();
    status.member = key(member.name);
    status.assessment = assessment;
    status.rung = mh.actions_taken;
    status.gave_up = mh.gave_up;
    status.action_in_flight = mh.in_flight.has_value();
    status.needs_person = mh.gave_up;
    if (auto until = backoff_until(mh, policy_.backoff); until && input_.now < *until) {
      status.backoff_until = until;
    }

    const auto* obs = observation(member.name);
    status.paused = obs != nullptr && obs->paused;

    if (assessment.health == Health::kHealthy) return;
    if (status.paused) {
      skip(status, SkipReason::kPaused,
           "paused by an operator (resume it through the admin API); " + assessment.describe());
      return;
    }
    if (assessment.health == Health::kUnknown) {
      const bool provisioning = assessment.unknown == UnknownReason::kProvisioning;
      skip(status, provisioning ? SkipReason::kProvisioning : SkipReason::kStateUnknown,
           std::string(to_string(*assessment.unknown)) + ": " + assessment.detail);
      return;
    }
    UnhealthyReason reason = *assessment.unhealthy;
    std::string why = std::string(to_string(reason)) + ": " + assessment.detail;

    if (!member.remediate) {
      skip(status, SkipReason::kRemediationDisabled, "remediate is false; " + why);
      return;
    }
    if (!restore_hold_.empty()) {
      skip(status, SkipReason::kEtcdRestore, restore_hold_ + "; " + why);
      return;
    }
    const bool recreate_gone = reason == UnhealthyReason::kMissing && member.spec.has_value();
    if (mh.gave_up && !recreate_gone) {
      skip(status, mh.give_up_reason, mh.give_up_detail);
      return;
    }
    if (mh.in_flight) {
      skip(status, SkipReason::kActionInFlight,
           std::string(to_string(mh.in_flight->kind)) + " started " +
               core::format_duration(between(mh.in_flight->started_at, input_.now)) + " ago");
      return;
    }
    if (reason == UnhealthyReason::kProbeTls) {
      status.needs_person = true;
      skip(status, SkipReason::kProbeTls,
           why + "; restarting cannot fix a certificate: check probe.caFile and the member's "
                 "certificate");
      return;
    }
    if (explainable_by_dependency(reason)) {
      if (auto deps = unhealthy_dependencies(member.name); !deps.empty()) {
        skip(status, SkipReason::kDependencyUnhealthy, deps + "; " + why);
        return;
      }
    }
    if (reason == UnhealthyReason::kCrashLoop && mh.dependency_trouble_at) {
      const Assessment own = own_fault(member, mh);
      if (own.health != Health::kUnhealthy) {
        skip(status, SkipReason::kDependencyUnhealthy,
             "restarts happened while a dependency was unhealthy (last seen " +
                 core::format_duration(between(*mh.dependency_trouble_at, input_.now)) + " ago); " +
                 why);
        return;
      }
      reason = *own.unhealthy;
      why = std::string(to_string(reason)) + ": " + own.detail;
    }
    // The same for probe failures: the streak may predate the dependency's recovery (the
    // member's last probe ran while the dependency was still down). Blame the member only
    // after its probe had failureThreshold periods to pass since the dependency was last seen
    // unhealthy.
    if (reason == UnhealthyReason::kProbeFailing && mh.dependency_trouble_at && member.probe) {
      const core::Duration grace = member.probe->failure_threshold * member.probe->period;
      if (between(*mh.dependency_trouble_at, input_.now) < grace) {
        skip(status, SkipReason::kDependencyUnhealthy,
             "probe failures may predate a dependency's recovery (last seen unhealthy " +
                 core::format_duration(between(*mh.dependency_trouble_at, input_.now)) +
                 " ago, waiting " + core::format_duration(grace) + "); " + why);
        return;
      }
    }
    if (status.backoff_until) {
      skip(status, SkipReason::kBackoff,
           "next action allowed in " +
               core::format_duration(between(input_.now, *status.backoff_until)) + "; " + why);
      return;
    }
    const int rung = mh.actions_taken;
    const auto kind = ladder_action(rung, reason);
    if (!kind) {
      give_up(status, SkipReason::kGaveUp,
              "still " + why + " after " + ladder_so_far(rung, reason) + "; giving up until " +
                  core::format_duration(policy_.backoff.reset_after) + " healthy");
      return;
    }
    if (needs_spec(*kind) && !member.spec) {
      give_up(status, SkipReason::kNoSpec,
              "next rung is recreate but no spec is configured; " + why + "; giving up until " +
                  core::format_duration(policy_.backoff.reset_after) + " healthy");
      return;
    }
    if (member.role == config::MemberRole::kEtcd) {
      if (replaces_deployment(*kind, reason) && !guard_etcd_data(status, member, rung, *kind, why)) {
        return;
      }
      if (reason != UnhealthyReason::kMissing) {
        if (auto others = other_etcd_not_healthy(member.name); !others.empty()) {
          skip(status, SkipReason::kEtcdQuorum,
               "not disrupting an etcd member while " + others + "; " + why);
          return;
        }
      }
    }
    if (history_.no_actions_before && input_.now < *history_.no_actions_before) {
      skip(status, SkipReason::kStartupGrace,
           history_.no_actions_reason + "; no actions for another " +
               core::format_duration(between(input_.now, *history_.no_actions_before)) + "; " +
               why);
      return;
    }
    if (busy_with_ && *busy_with_ != member.name) {
      skip(status, SkipReason::kClusterBusy, "action on " + *busy_with_ + " in flight; " + why);
      return;
    }
    if (acted_on_) {
      skip(status, SkipReason::kClusterBusy,
           "action on " + *acted_on_ + " planned in this pass; " + why);
      return;
    }
    if (budget_used_ >= policy_.budget.max_actions_per_hour) {
      result_.budget.exhausted = true;
      skip(status, SkipReason::kBudgetExhausted,
           std::to_string(budget_used_) + " actions in the last hour (limit " +
               std::to_string(policy_.budget.max_actions_per_hour) + "); " + why);
      return;
    }
    ++budget_used_;
    acted_on_ = member.name;
    result_.actions.push_back(
        Action{status.member, *kind, rung, reason,
               "rung " + std::to_string(rung) + " " + std::string(to_string(*kind)) + ": " + why,
               policy_.dry_run});
  }

  const config::ClusterConfig& cluster_;
  const PlanInput& input_;
  const config::PolicyConfig& policy_;
  const History& history_;
  int& budget_used_;
  PlanResult& result_;
  std::map<std::string, Assessment> assessments_;
  std::optional<std::string> busy_with_;  // a member with an action in flight
  std::string restore_hold_;  // "<member>: <why>" while an etcd restore holds the cluster
  std::optional<std::string> acted_on_;   // the member that got this pass's action
};

template <typename T>
const T* find_by_member(const std::vector<T>& items, const model::MemberKey& key) {
  for (const auto& item : items) {
    if (item.member == key) return &item;
  }
  return nullptr;
}

}  // namespace

const MemberStatus* PlanResult::find_member(const model::MemberKey& key) const {
  return find_by_member(members, key);
}
const Skip* PlanResult::find_skip(const model::MemberKey& key) const {
  return find_by_member(skips, key);
}
const Action* PlanResult::find_action(const model::MemberKey& key) const {
  return find_by_member(actions, key);
}

PlanResult plan(const PlanInput& input) {
  std::optional<History> folded;
  if (!input.observation_recorded) {
    folded = record_observation(input.history, input.desired, input.observed, input.now);
  }
  const History& history = folded ? *folded : input.history;
  PlanResult result;
  // One status per member: sized once (growing by doubling left up to half of it unused in
  // every result the status page keeps).
  std::size_t members = 0;
  for (const auto& cluster : input.desired.clusters) members += cluster.members.size();
  result.members.reserve(members);
  int budget_used = history.actions_in_budget_window(input.now);
  for (const auto& cluster : input.desired.clusters) {
    ClusterPass(cluster, input, history, budget_used, result).run();
  }
  result.budget.limit = input.desired.policy.budget.max_actions_per_hour;
  result.budget.used = budget_used;
  return result;
}

History record_plan(History history, const PlanResult& result, core::MonotonicTime now) {
  for (const auto& action : result.actions) {
    history = record_action_started(std::move(history), action, now);
  }
  for (const auto& why : result.give_ups) history = record_gave_up(std::move(history), why);
  return history;
}

}  // namespace frankenetes::plan
