#include "reconcile/plan_reporter.h"

#include <set>

#include "log/event.h"

namespace frankenetes::reconcile {
namespace {

status::MemberName metric_name(const model::MemberKey& key) { return {key.cluster, key.member}; }

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
    metrics_.member_removed(metric_name(it->first));
    probe_metrics_.probes_stopped(metric_name(it->first));
    action_notes_.erase(it->first);
    it = members_.erase(it);
  }
}

void PlanReporter::plan_evaluated(const plan::PlanResult& result) {
  const auto skips = plan::index_by_member(result.skips);
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
      record("state", status.member, std::string(plan::to_string(health)), "",
             status.assessment.why());
      r.health = health;
    }
    const Remembered::Shown shown{health, status.assessment.healthy(), status.gave_up,
                                  status.etcd_data_at_risk, status.paused};
    if (r.shown != shown) {
      metrics_.member_status(metric_name(status.member), plan::to_string(health), shown.up,
                             shown.gave_up, shown.at_risk);
      metrics_.member_paused(metric_name(status.member), shown.paused);
      r.shown = shown;
    }
    if (status.etcd_data_at_risk && !r.etcd_data_at_risk) {
      const auto* skip = plan::find_in(skips, status.member);
      log::error("etcd.data_at_risk", {{"cluster", status.member.cluster},
                                       {"member", status.member.member},
                                       {"detail", skip ? skip->detail : std::string()}});
    }
    r.etcd_data_at_risk = status.etcd_data_at_risk;
    if (status.gave_up && !r.gave_up) {
      const auto* skip = plan::find_in(skips, status.member);
      log::error("remediation.gave_up",
                 {{"cluster", status.member.cluster},
                  {"member", status.member.member},
                  {"reason", skip ? plan::to_string(skip->reason) : std::string_view("gave_up")},
                  {"detail", skip ? skip->detail : std::string()}});
    }
    r.gave_up = status.gave_up;

    const auto* skip = plan::find_in(skips, status.member);
    if (skip) {
      metrics_.action_skipped(metric_name(status.member), plan::to_string(skip->reason));
      if (r.skip != skip->reason) {
        log::info("remediation.skipped", {{"cluster", status.member.cluster},
                                          {"member", status.member.member},
                                          {"reason", plan::to_string(skip->reason)},
                                          {"detail", skip->detail}});
        record("skip", status.member, std::string(plan::to_string(skip->reason)), "", skip->detail);
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
  metrics_.budget_exhausted(result.budget.exhausted);
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
  metrics_.restarts_observed(metric_name(member), increase);
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
  // The success gauge and the TLS failure count are written with the first probe (which makes
  // the counter's series, at zero), when the result changes and on each TLS failure: writing
  // them again unchanged was a tenth of the scheduler thread's work at 2000 members.
  const bool repeated = r.probe_success == success && !tls_failed;
  r.probe_success = success;
  r.probe_tls_error = tls_failed ? std::optional<std::string>(result.error) : std::nullopt;
  if (repeated) {
    probe_metrics_.probe_repeated(metric_name(member), result.duration);
  } else {
    probe_metrics_.probe_finished(metric_name(member), success, result.duration, tls_failed);
  }
}

void PlanReporter::action_started(const plan::Action& action, const ActionTarget& target) {
  action_notes_[action.member] = ActionNote{action.reason_text, "", ""};
  record("action", action.member, std::string(plan::to_string(action.kind)),
         action.dry_run ? "planned (dry run)" : (target.resume ? "resumed" : "started"),
         action.reason_text);
  if (action.dry_run) return;  // DryRunExecutor logs remediation.planned instead
  log::info(target.resume ? "remediation.resumed" : "remediation.started",
            {{"cluster", action.member.cluster},
             {"member", action.member.member},
             {"action", plan::to_string(action.kind)},
             {"rung", action.rung},
             {"group", target.group.to_string()},
             {"reason", action.reason_text}});
  if (action.kind == plan::ActionKind::kRecreate) {
    metrics_.operation_started(metric_name(action.member), "recreate");
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
  if (action.kind == plan::ActionKind::kRecreate && !result.dry_run &&
      result.outcome != plan::ActionOutcome::kInterrupted) {
    metrics_.operation_finished(metric_name(action.member), "recreate");
  }
  metrics_.action_finished(metric_name(action.member), plan::to_string(action.kind),
                           result_label(result));
  auto& note = action_notes_[action.member];
  note.reason = action.reason_text;
  note.result = result_label(result);
  note.detail = result.outcome == plan::ActionOutcome::kSucceeded ? "" : result.detail;
  record("action", action.member, std::string(plan::to_string(action.kind)),
         std::string(result_label(result)),
         result.outcome == plan::ActionOutcome::kSucceeded
             ? "took " + std::to_string(millis(duration)) + " ms"
             : result.detail);
}

void PlanReporter::publish(StatusViewInput input) {
  status_.planned(
      [input = std::move(input), notes = action_notes_] { return status_view(input, notes); });
}

void PlanReporter::pause_changed(const model::MemberKey& member, bool paused,
                                 const std::string& who) {
  log::info(paused ? "admin.member.paused" : "admin.member.resumed",
            {{"cluster", member.cluster}, {"member", member.member}, {"by", who}});
  record("admin", member, paused ? "paused" : "resumed", "", "by " + who);
}

void PlanReporter::pass_requested(const std::string& who) {
  log::info("admin.reconcile.requested", {{"by", who}});
  status_.event({{}, "admin", "", "", "reconcile", "", "a full pass, asked by " + who});
}

void PlanReporter::record(std::string kind, const model::MemberKey& member, std::string what,
                          std::string outcome, std::string detail) {
  status_.event({{}, std::move(kind), member.cluster, member.member, std::move(what),
                 std::move(outcome), std::move(detail)});
}

}  // namespace frankenetes::reconcile
