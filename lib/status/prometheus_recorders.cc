// Metrics' recorders (recorders.h): the series each call writes. Names, label keys and values,
// buckets and removals are what dashboards and alerts depend on; tests/status/
// recorders_test.cc pins them.

#include <algorithm>
#include <string>

#include "status/metrics.h"

namespace frankenetes::status {
namespace {

double flag(bool on) { return on ? 1 : 0; }

}  // namespace

void Metrics::member_status(MemberName member, std::string_view state, bool up, bool gave_up,
                            bool at_risk) {
  const auto [cluster, name] = member;
  member_up.set({cluster, name}, flag(up));
  for (const auto each : kMemberStates) {
    member_state.set({cluster, name, each}, flag(each == state));
  }
  remediation_gave_up.set({cluster, name}, flag(gave_up));
  etcd_data_at_risk.set({cluster, name}, flag(at_risk));
}

void Metrics::member_paused(MemberName member, bool paused) {
  member_paused_gauge.set({member.cluster, member.member}, flag(paused));
}

void Metrics::member_removed(MemberName member) {
  const auto [cluster, name] = member;
  member_up.remove({cluster, name});
  member_paused_gauge.remove({cluster, name});
  remediation_gave_up.remove({cluster, name});
  etcd_data_at_risk.remove({cluster, name});
  for (const auto each : kMemberStates) member_state.remove({cluster, name, each});
}

void Metrics::action_skipped(MemberName member, std::string_view reason) {
  actions_skipped_total.add({member.cluster, member.member, reason});
}

void Metrics::restarts_observed(MemberName member, int restarts) {
  member_restarts_observed_total.add({member.cluster, member.member}, std::max(restarts, 0));
}

void Metrics::action_finished(MemberName member, std::string_view action, std::string_view result) {
  remediation_actions_total.add({action, member.cluster, member.member, result});
}

void Metrics::budget_exhausted(bool exhausted) {
  remediation_budget_exhausted.Set(flag(exhausted));
}

void Metrics::operation_started(MemberName member, std::string_view operation) {
  operation_in_progress.set({member.cluster, member.member, operation}, 1);
}

void Metrics::operation_finished(MemberName member, std::string_view operation) {
  operation_in_progress.set({member.cluster, member.member, operation}, 0);
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
  probe_success.set({member.cluster, member.member}, flag(success));
  probe_duration(member.member).Observe(duration.count());
  // The series exists from the first probe, so increase() sees a zero rather than a gap.
  probe_tls_failures_total.add({member.cluster, member.member}, tls_failed ? 1 : 0);
}

void Metrics::probe_repeated(MemberName member, Seconds duration) {
  probe_duration(member.member).Observe(duration.count());
}

prometheus::Histogram& Metrics::probe_duration(std::string_view member) {
  std::lock_guard lock(probe_duration_mutex_);
  if (const auto it = probe_duration_by_member_.find(member); it != probe_duration_by_member_.end()) {
    return *it->second;
  }
  auto& histogram =
      probe_duration_seconds.Add({{"member", std::string(member)}}, latency_buckets());
  probe_duration_by_member_.emplace(std::string(member), &histogram);
  return histogram;
}

void Metrics::probes_stopped(MemberName member) {
  probe_success.remove({member.cluster, member.member});
}

void Metrics::update(const std::string& provider, std::string_view result) {
  dns_updates_total.Add({{"provider", provider}, {"result", std::string(result)}}).Increment();
}

void Metrics::record_in_sync(MemberName member, bool in_sync) {
  dns_record_in_sync.set({member.cluster, member.member}, flag(in_sync));
}

void Metrics::record_removed(MemberName member) {
  dns_record_in_sync.remove({member.cluster, member.member});
}

void Metrics::record_skipped(MemberName member, std::string_view reason) {
  dns_skips_total.add({member.cluster, member.member, reason});
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
  etcd_snapshot_failures_total.add({member.cluster, member.member}, 0);
}

void Metrics::snapshot_taken(MemberName member, std::uint64_t size_bytes, Seconds age) {
  etcd_snapshot_size_bytes.set({member.cluster, member.member}, static_cast<double>(size_bytes));
  etcd_snapshot_age_seconds.set({member.cluster, member.member}, age.count());
}

void Metrics::snapshot_age(MemberName member, Seconds age) {
  etcd_snapshot_age_seconds.set({member.cluster, member.member}, age.count());
}

void Metrics::snapshot_failed(MemberName member) {
  etcd_snapshot_failures_total.add({member.cluster, member.member});
}

void Metrics::record_cluster_leader(const std::string& cluster, const std::string& replica,
                                    bool holds) {
  cluster_leader.set({cluster, replica}, flag(holds));
}

void Metrics::remove_cluster_leader(const std::string& cluster, const std::string& replica) {
  cluster_leader.remove({cluster, replica});
}

void Metrics::data_loss(MemberName member, bool detected) {
  etcd_data_loss_detected.set({member.cluster, member.member}, flag(detected));
}

void Metrics::etcd_member_removed(MemberName member) {
  const auto [cluster, name] = member;
  etcd_snapshot_age_seconds.remove({cluster, name});
  etcd_snapshot_size_bytes.remove({cluster, name});
  etcd_snapshot_failures_total.remove({cluster, name});
  etcd_data_loss_detected.remove({cluster, name});
}

void Metrics::boundary_declared(const std::string& component) {
  internal_errors_total.Add({{"component", component}});
}

void Metrics::internal_error(const std::string& component) {
  internal_errors_total.Add({{"component", component}}).Increment();
}

}  // namespace frankenetes::status
