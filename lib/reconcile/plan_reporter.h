#pragma once
// PlanReporter: turns what the reconciler saw and decided into log events and metrics
// (README.md "Logs"; the recorders of lib/status/recorders.h). Runs on the scheduler thread.
//
// Logs — state changes at info, nothing per quiet poll:
//   member.state.changed cluster= member= from= to= reason=   (healthy/unhealthy/unknown)
//   remediation.skipped cluster= member= reason= detail=       only when the member's skip
//                                                              reason changes
//   remediation.gave_up / remediation.budget_exhausted         when the alert turns on
//   remediation.started / .succeeded / .failed cluster= member= action= rung= reason=
//                                                              duration_ms= (one per action;
//                                                              a dry-run action is logged once,
//                                                              as remediation.planned, by
//                                                              DryRunExecutor)
//   probe.succeeded / probe.failed cluster= member= error=     when the probe result changes
//   probe.tls_failed cluster= member= error=                   (error level) when a probe fails
//                                                              its TLS handshake, again when
//                                                              the error changes; instead of
//                                                              probe.failed
// Metrics:
//   probe_duration_seconds: per probe; probe_success, probe_tls_failures_total: on the first
//   probe, when the result changes and on each TLS failure;
//   member_up, member_state{state}, remediation_gave_up, remediation_budget_exhausted: set
//   after every plan; member_restarts_observed_total: restartCount increases between GETs;
//   remediation_actions_total{result}: succeeded | failed | timed_out | dry_run;
//   actions_skipped_total{reason}: counted once per plan evaluation that skipped the member
//   (so a skip that persists keeps the counter rising and increase() over a window shows it;
//   the rate follows the observation tick), while the log says it only on change;
//   member_paused: set after every plan.
// Status (status::StatusRecorder; /status and the status page):
//   events: an action started and finished, a member's health or skip reason changed, an
//   operator paused or resumed a member or asked for a pass (admin.* log events too);
//   the members after every plan: publish() hands the StatusBoard how to build them — through
//   status_view() (status_view.h), from what the reconciler knows plus the reason and result
//   of each member's latest action, which only this reporter remembers — built when /status
//   is read.

#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "config/types.h"
#include "model/observation.h"
#include "plan/plan.h"
#include "probe/prober.h"
#include "reconcile/action_executor.h"
#include "reconcile/status_view.h"
#include "status/recorders.h"

namespace frankenetes::reconcile {

class PlanReporter {
 public:
  PlanReporter(status::RemediationMetrics& metrics, status::ProbeMetrics& probe_metrics,
               status::StatusRecorder& status = status::noop_metrics())
      : metrics_(metrics), probe_metrics_(probe_metrics), status_(status) {}

  void plan_evaluated(const plan::PlanResult& result);
  // The members for /status after a plan (and what has been dispatched since).
  void publish(StatusViewInput input);
  // An operator (admin API, `who` is the peer's address) paused or resumed a member, or asked
  // for a pass at once.
  void pause_changed(const model::MemberKey& member, bool paused, const std::string& who);
  void pass_requested(const std::string& who);
  void group_read(const model::MemberKey& member, const model::GroupObservation& observation);
  void probe_done(const model::MemberKey& member, const probe::ProbeResult& result);
  void action_started(const plan::Action& action, const ActionTarget& target);
  void action_finished(const plan::Action& action, const ActionResult& result,
                       core::Duration duration);
  // Drops remembered state of members no longer configured.
  void configure(const config::Config& config);

 private:
  struct Remembered {
    std::optional<plan::Health> health;
    std::optional<plan::SkipReason> skip;
    bool gave_up = false;
    bool etcd_data_at_risk = false;
    std::optional<bool> probe_success;
    std::optional<std::string> probe_tls_error;  // set while the probe fails its TLS handshake
    std::map<std::string, int> restart_counts;  // per container
    // What the member's gauges show, so a pass writes them only when it changes them (12
    // series per member per pass were most of the reporter's cost at 1000 clusters).
    struct Shown {
      plan::Health health;
      bool up, gave_up, at_risk, paused;
      bool operator==(const Shown&) const = default;
    };
    std::optional<Shown> shown;
  };

  void record(std::string kind, const model::MemberKey& member, std::string what,
              std::string outcome, std::string detail);

  status::RemediationMetrics& metrics_;
  status::ProbeMetrics& probe_metrics_;
  status::StatusRecorder& status_;
  std::unordered_map<model::MemberKey, Remembered, model::MemberKeyHash> members_;
  std::map<model::MemberKey, ActionNote> action_notes_;
  bool budget_exhausted_ = false;
};

}  // namespace frankenetes::reconcile
