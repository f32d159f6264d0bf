// Metrics' recorders (recorders.h): the series each call writes. Names, label keys and values,
// buckets and removals are what dashboards and alerts depend on; tests/status/
// recorders_test.cc pins them.

#include <prometheus/labels.h>

#include <string>

#include "status/metrics.h"

namespace frankenetes::status {
namespace {

prometheus::Labels member_labels(MemberName member) {
  return {{"cluster", std::string(member.cluster)}, {"member", std::string(member.member)}};
}

prometheus::Labels with(prometheus::Labels labels, const char* key, std::string_view value) {
  labels.emplace(key, std::string(value));
  return labels;
}

// Remove() takes the series itself, which Add() finds (or makes, to drop at once).
template <typename Metric>
void remove(prometheus::Family<Metric>& family, const prometheus::Labels& labels) {
  family.Remove(&family.Add(labels));
}

double flag(bool on) { return on ? 1 : 0; }

}  // namespace

void Metrics::member_status(MemberName member, std::string_view state, bool up, bool gave_up,
                            bool at_risk) {
  const auto labels = member_labels(member);
  member_up.Add(labels).Set(flag(up));
  for (const auto each : kMemberStates) {
    member_state.Add(with(labels, "state", each)).Set(flag(each == state));
  }
  remediation_gave_up.Add(labels).Set(flag(gave_up));
  etcd_data_at_risk.Add(labels).Set(flag(at_risk));
}

void Metrics::member_paused(MemberName member, bool paused) {
  member_paused_gauge.Add(member_labels(member)).Set(flag(paused));
}

void Metrics::member_removed(MemberName member) {
  const auto labels = member_labels(member);
  remove(member_up, labels);
  remove(member_paused_gauge, labels);
  remove(remediation_gave_up, labels);
  remove(etcd_data_at_risk, labels);
  for (const auto each : kMemberStates) remove(member_state, with(labels, "state", each));
}

void Metrics::action_skipped(MemberName member, std::string_view reason) {
  actions_skipped_total.Add(with(member_labels(member), "reason", reason)).Increment();
}

void Metrics::restarts_observed(MemberName member, int restarts) {
  auto& counter = member_restarts_observed_total.Add(member_labels(member));
  if (restarts > 0) counter.Increment(restarts);
}

void Metrics::action_finished(MemberName member, std::string_view action, std::string_view result) {
  auto labels = with(member_labels(member), "action", action);
  labels.emplace("result", std::string(result));
  remediation_actions_total.Add(labels).Increment();
}

void Metrics::budget_exhausted(bool exhausted) {
  remediation_budget_exhausted.Set(flag(exhausted));
}

void Metrics::operation_started(MemberName member, std::string_view operation) {
  operation_in_progress.Add(with(member_labels(member), "operation", operation)).Set(1);
}

void Metrics::operation_finished(MemberName member, std::string_view operation) {
  operation_in_progress.Add(with(member_labels(member), "operation", operation)).Set(0);
}

void Metrics::reconcile_finished(Seconds duration) {
  reconcile_duration_seconds.Observe(duration.count());
}

void Metrics::observation_succeeded(core::SystemTime at) {
  last_successful_observation_timestamp_seconds.Set(Seconds(at.time_since_epoch()).count());
}

void Metrics::read_budget(double used_ratio, std::uint64_t deferred_gets) {
  arm_read_budget_used_ratio.Set(used_ratio);
  arm_gets_deferred_total.Increment(static_cast<double>(deferred_gets));
}

void Metrics::probe_finished(MemberName member, bool success, Seconds duration, bool tls_failed) {
  const auto labels = member_labels(member);
  probe_success.Add(labels).Set(flag(success));
  probe_duration_seconds.Add(labels, latency_buckets()).Observe(duration.count());
  // The series exists from the first probe, so increase() sees a zero rather than a gap.
  auto& tls_failures = probe_tls_failures_total.Add(labels);
  if (tls_failed) tls_failures.Increment();
}

void Metrics::probes_stopped(MemberName member) { remove(probe_success, member_labels(member)); }

void Metrics::update(const std::string& provider, std::string_view result) {
  dns_updates_total.Add({{"provider", provider}, {"result", std::string(result)}}).Increment();
}

void Metrics::record_in_sync(MemberName member, bool in_sync) {
  dns_record_in_sync.Add(member_labels(member)).Set(flag(in_sync));
}

void Metrics::record_removed(MemberName member) {
  remove(dns_record_in_sync, member_labels(member));
}

void Metrics::record_skipped(MemberName member, std::string_view reason) {
  dns_skips_total.Add(with(member_labels(member), "reason", reason)).Increment();
}

void Metrics::ip_change_consistent(Seconds elapsed) {
  dns_ip_change_to_consistent_seconds.Observe(elapsed.count());
}

void Metrics::record_read(const std::string& provider, std::string_view reason) {
  dns_record_reads_total.Add({{"provider", provider}, {"reason", std::string(reason)}}).Increment();
}

void Metrics::reads_deferred(std::size_t members) {
  dns_record_reads_deferred.Set(static_cast<double>(members));
}

void Metrics::request_finished(const std::string& operation, const std::string& code,
                               Seconds duration) {
  arm_requests_total.Add({{"operation", operation}, {"code", code}}).Increment();
  arm_request_duration_seconds.Add({{"operation", operation}}, latency_buckets())
      .Observe(duration.count());
}

void Metrics::remaining_reads(long reads) {
  arm_ratelimit_remaining_reads.Add({}).Set(static_cast<double>(reads));
}

void Metrics::token_requested(const std::string& credential, bool success) {
  token_requests_total
      .Add({{"credential", credential}, {"result", success ? "success" : "failure"}})
      .Increment();
}

void Metrics::snapshots_declared(MemberName member) {
  etcd_snapshot_failures_total.Add(member_labels(member));
}

void Metrics::snapshot_taken(MemberName member, std::uint64_t size_bytes, Seconds age) {
  const auto labels = member_labels(member);
  etcd_snapshot_size_bytes.Add(labels).Set(static_cast<double>(size_bytes));
  etcd_snapshot_age_seconds.Add(labels).Set(age.count());
}

void Metrics::snapshot_age(MemberName member, Seconds age) {
  etcd_snapshot_age_seconds.Add(member_labels(member)).Set(age.count());
}

void Metrics::snapshot_failed(MemberName member) {
  etcd_snapshot_failures_total.Add(member_labels(member)).Increment();
}

void Metrics::data_loss(MemberName member, bool detected) {
  etcd_data_loss_detected.Add(member_labels(member)).Set(flag(detected));
}

void Metrics::etcd_member_removed(MemberName member) {
  const auto labels = member_labels(member);
  remove(etcd_snapshot_age_seconds, labels);
  remove(etcd_snapshot_size_bytes, labels);
  remove(etcd_snapshot_failures_total, labels);
  remove(etcd_data_loss_detected, labels);
}

void Metrics::boundary_declared(const std::string& component) {
  internal_errors_total.Add({{"component", component}});
}

void Metrics::internal_error(const std::string& component) {
  internal_errors_total.Add({{"component", component}}).Increment();
}

}  // namespace frankenetes::status
