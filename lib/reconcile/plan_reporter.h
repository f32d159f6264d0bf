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
//   probe_success, probe_duration_seconds, probe_tls_failures_total: per probe;
//   member_up, member_state{state}, remediation_gave_up, remediation_budget_exhausted: set
//   after every plan; member_restarts_observed_total: restartCount increases between GETs;
//   remediation_actions_total{result}: succeeded | failed | timed_out | dry_run;
//   actions_skipped_total{reason}: counted once per plan evaluation that skipped the member
//   (so a skip that persists keeps the counter rising and increase() over a window shows it;
//   the rate follows the observation tick), while the log says it only on change.

#include <map>
#include <optional>
#include <string>

#include "config/types.h"
#include "model/observation.h"
#include "plan/plan.h"
#include "probe/prober.h"
#include "reconcile/action_executor.h"
#include "status/recorders.h"

namespace frankenetes::reconcile {

class PlanReporter {
 public:
  PlanReporter(status::RemediationMetrics& metrics, status::ProbeMetrics& probe_metrics)
      : metrics_(metrics), probe_metrics_(probe_metrics) {}

  void plan_evaluated(const plan::PlanResult& result);
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
  };

  status::RemediationMetrics& metrics_;
  status::ProbeMetrics& probe_metrics_;
  std::map<model::MemberKey, Remembered> members_;
  bool budget_exhausted_ = false;
};

}  // namespace frankenetes::reconcile
