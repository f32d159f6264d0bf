#include "reconcile/plan_reporter.h"

#include <set>

#include "log/event.h"
#include "status/metrics.h"

namespace frankenetes::reconcile {
namespace {

std::map<std::string, std::string> member_labels(const model::MemberKey& key) {
  return {{"cluster", key.cluster}, {"member", key.member}};
}

long long millis(core::Duration d) { return static_cast<long long>(d.count()); }

std::string_view result_label(const ActionResult& result) {
  return result.dry_run ? "dry_run" : plan::to_string(result.outcome);
}

}  // namespace

void PlanReporter::configure(const config::Config& config) {
  std::set<model::MemberKey> keep;
  for (const auto& cluster : config.clusters) {
    for (const auto& member : cluster.members) keep.insert({cluster.name, member.name});
  }
  for (auto it = members_.begin(); it != members_.end();) {
    if (keep.contains(it->first)) {
      ++it;
      continue;
    }
    // Gauges of a member that is gone would otherwise say "down" or "gave up" forever.
    if (metrics_) {
      const auto labels = member_labels(it->first);
      metrics_->member_up.Remove(&metrics_->member_up.Add(labels));
      metrics_->remediation_gave_up.Remove(&metrics_->remediation_gave_up.Add(labels));
      metrics_->etcd_data_at_risk.Remove(&metrics_->etcd_data_at_risk.Add(labels));
      metrics_->probe_success.Remove(&metrics_->probe_success.Add(labels));
      for (const auto h :
           {plan::Health::kHealthy, plan::Health::kUnhealthy, plan::Health::kUnknown}) {
        auto with_state = labels;
        with_state.emplace("state", std::string(plan::to_string(h)));
        metrics_->member_state.Remove(&metrics_->member_state.Add(with_state));
      }
    }
    it = members_.erase(it);
  }
}

void PlanReporter::plan_evaluated(const plan::PlanResult& result) {
  for (const auto& status : result.members) {
    auto& r = members_[status.member];
    const auto health = status.assessment.health;
    if (r.health != health) {
      const auto level =
          health == plan::Health::kHealthy || !r.health ? log::Level::kInfo : log::Level::kWarn;
      log::emit(level, "member.state.changed",
                {{"cluster", status.member.cluster},
                 {"member", status.member.member},
                 {"from", r.health ? plan::to_string(*r.health) : std::string_view("none")},
                 {"to", plan::to_string(health)},
                 {"reason", status.assessment.describe()}});
      r.health = health;
    }
    if (metrics_) {
      const auto labels = member_labels(status.member);
      metrics_->member_up.Add(labels).Set(status.assessment.healthy() ? 1 : 0);
      for (const auto h :
           {plan::Health::kHealthy, plan::Health::kUnhealthy, plan::Health::kUnknown}) {
        auto with_state = labels;
        with_state.emplace("state", std::string(plan::to_string(h)));
        metrics_->member_state.Add(with_state).Set(h == health ? 1 : 0);
      }
      metrics_->remediation_gave_up.Add(labels).Set(status.gave_up ? 1 : 0);
      metrics_->etcd_data_at_risk.Add(labels).Set(status.etcd_data_at_risk ? 1 : 0);
    }
    if (status.etcd_data_at_risk && !r.etcd_data_at_risk) {
      const auto* skip = result.find_skip(status.member);
      log::error("etcd.data_at_risk", {{"cluster", status.member.cluster},
                                       {"member", status.member.member},
                                       {"detail", skip ? skip->detail : std::string()}});
    }
    r.etcd_data_at_risk = status.etcd_data_at_risk;
    if (status.gave_up && !r.gave_up) {
      const auto* skip = result.find_skip(status.member);
      log::error("remediation.gave_up",
                 {{"cluster", status.member.cluster},
                  {"member", status.member.member},
                  {"reason", skip ? plan::to_string(skip->reason) : std::string_view("gave_up")},
                  {"detail", skip ? skip->detail : std::string()}});
    }
    r.gave_up = status.gave_up;

    const auto* skip = result.find_skip(status.member);
    if (skip) {
      if (metrics_) {
        auto labels = member_labels(status.member);
        labels.emplace("reason", std::string(plan::to_string(skip->reason)));
        metrics_->actions_skipped_total.Add(labels).Increment();
      }
      if (r.skip != skip->reason) {
        log::info("remediation.skipped", {{"cluster", status.member.cluster},
                                          {"member", status.member.member},
                                          {"reason", plan::to_string(skip->reason)},
                                          {"detail", skip->detail}});
      }
      r.skip = skip->reason;
    } else {
      r.skip.reset();
    }
  }
  if (result.budget.exhausted && !budget_exhausted_) {
    log::error("remediation.budget_exhausted",
               {{"used", result.budget.used}, {"limit", result.budget.limit}});
  }
  budget_exhausted_ = result.budget.exhausted;
  if (metrics_) metrics_->remediation_budget_exhausted.Set(result.budget.exhausted ? 1 : 0);
}

void PlanReporter::group_read(const model::MemberKey& member,
                              const model::GroupObservation& observation) {
  if (observation.outcome != model::GroupObservation::Outcome::kFound || !observation.view) return;
  auto& known = members_[member].restart_counts;
  int increase = 0;
  for (const auto& container : observation.view->containers) {
    if (!container.restart_count) continue;  // unknown: neither restarts nor a reset
    const int count = *container.restart_count;
    const auto it = known.find(container.name);
    // The first sighting is a baseline; a lower count means the container was recreated.
    if (it != known.end() && count > it->second) increase += count - it->second;
    known[container.name] = count;
  }
  if (metrics_) {
    auto& counter = metrics_->member_restarts_observed_total.Add(member_labels(member));
    if (increase > 0) counter.Increment(increase);
  }
}

void PlanReporter::probe_done(const model::MemberKey& member, const probe::ProbeResult& result) {
  auto& r = members_[member];
  const bool success = result.success;
  const bool tls_failed = !success && result.outcome == model::ProbeOutcome::kTls;
  if (tls_failed) {
    // Not a sign that the member is down but that its certificate cannot be verified
    // (probe.caFile missing or wrong, expired, another name): a person must fix trust, so it
    // says so at error level, and again when the reason changes.
    if (r.probe_tls_error != result.error) {
      log::error("probe.tls_failed",
                 {{"cluster", member.cluster}, {"member", member.member}, {"error", result.error}});
    }
  } else if (r.probe_success != success || (!success && r.probe_tls_error)) {
    if (success) {
      log::info("probe.succeeded", {{"cluster", member.cluster}, {"member", member.member}});
    } else {
      log::warn("probe.failed",
                {{"cluster", member.cluster}, {"member", member.member}, {"error", result.error}});
    }
  }
  r.probe_success = success;
  r.probe_tls_error = tls_failed ? std::optional<std::string>(result.error) : std::nullopt;
  if (metrics_) {
    const auto labels = member_labels(member);
    metrics_->probe_success.Add(labels).Set(success ? 1 : 0);
    metrics_->probe_duration_seconds.Add(labels, status::Metrics::latency_buckets())
        .Observe(std::chrono::duration<double>(result.duration).count());
    // The series exists from the first probe, so increase() sees a zero rather than a gap.
    auto& tls_failures = metrics_->probe_tls_failures_total.Add(labels);
    if (tls_failed) tls_failures.Increment();
  }
}

void PlanReporter::action_started(const plan::Action& action, const ActionTarget& target) {
  if (action.dry_run) return;  // DryRunExecutor logs remediation.planned instead
  log::info(target.resume ? "remediation.resumed" : "remediation.started",
            {{"cluster", action.member.cluster},
             {"member", action.member.member},
             {"action", plan::to_string(action.kind)},
             {"rung", action.rung},
             {"group", target.group.to_string()},
             {"reason", action.reason_text}});
  if (metrics_ && action.kind == plan::ActionKind::kRecreate) {
    auto labels = member_labels(action.member);
    labels.emplace("operation", "recreate");
    metrics_->operation_in_progress.Add(labels).Set(1);
  }
}

void PlanReporter::action_finished(const plan::Action& action, const ActionResult& result,
                                   core::Duration duration) {
  if (result.outcome == plan::ActionOutcome::kSucceeded) {
    if (!result.dry_run) {
      log::info("remediation.succeeded", {{"cluster", action.member.cluster},
                                          {"member", action.member.member},
                                          {"action", plan::to_string(action.kind)},
                                          {"rung", action.rung},
                                          {"reason", action.reason_text},
                                          {"duration_ms", millis(duration)}});
    }
  } else {
    log::error("remediation.failed", {{"cluster", action.member.cluster},
                                      {"member", action.member.member},
                                      {"action", plan::to_string(action.kind)},
                                      {"rung", action.rung},
                                      {"reason", action.reason_text},
                                      {"result", result_label(result)},
                                      {"duration_ms", millis(duration)},
                                      {"error", result.detail}});
  }
  if (metrics_ && action.kind == plan::ActionKind::kRecreate && !result.dry_run &&
      result.outcome != plan::ActionOutcome::kInterrupted) {
    auto labels = member_labels(action.member);
    labels.emplace("operation", "recreate");
    metrics_->operation_in_progress.Add(labels).Set(0);
  }
  if (metrics_) {
    auto labels = member_labels(action.member);
    labels.emplace("action", std::string(plan::to_string(action.kind)));
    labels.emplace("result", std::string(result_label(result)));
    metrics_->remediation_actions_total.Add(labels).Increment();
  }
}

}  // namespace frankenetes::reconcile
