// Metrics as the recorders (status/recorders.h): the exact series each call writes. Dashboards
// and alerts depend on these names, label keys, label values and buckets, so each is spelled
// out here in full rather than derived from the code under test.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "status/metrics.h"

namespace frankenetes::status {
namespace {

using namespace std::chrono_literals;

constexpr MemberName kEtcd{"prod", "etcd"};
constexpr MemberName kApiserver{"prod", "apiserver"};

struct RecordersTest : ::testing::Test {
  // Whether the exposition has `line` as a whole line.
  bool has(const std::string& line) const {
    return ("\n" + metrics.render()).find("\n" + line + "\n") != std::string::npos;
  }
  // Whether any series starts with `prefix` (a name and the start of its labels).
  bool has_series(const std::string& prefix) const {
    return ("\n" + metrics.render()).find("\n" + prefix) != std::string::npos;
  }

  Metrics metrics{{"test", "test", "Debug"}};
};

TEST_F(RecordersTest, MemberStatusSetsEveryStateAndTheAlerts) {
  RemediationMetrics& remediation = metrics;
  remediation.member_status(kEtcd, "unhealthy", false, true, false);
  EXPECT_TRUE(has("# TYPE frankenetes_member_up gauge")) << metrics.render();
  EXPECT_TRUE(has(R"(frankenetes_member_up{cluster="prod",member="etcd"} 0)"));
  EXPECT_TRUE(has("# TYPE frankenetes_member_state gauge"));
  EXPECT_TRUE(has(R"(frankenetes_member_state{cluster="prod",member="etcd",state="healthy"} 0)"));
  EXPECT_TRUE(has(R"(frankenetes_member_state{cluster="prod",member="etcd",state="unhealthy"} 1)"));
  EXPECT_TRUE(has(R"(frankenetes_member_state{cluster="prod",member="etcd",state="unknown"} 0)"));
  EXPECT_TRUE(has("# TYPE frankenetes_remediation_gave_up gauge"));
  EXPECT_TRUE(has(R"(frankenetes_remediation_gave_up{cluster="prod",member="etcd"} 1)"));
  EXPECT_TRUE(has("# TYPE frankenetes_etcd_data_at_risk gauge"));
  EXPECT_TRUE(has(R"(frankenetes_etcd_data_at_risk{cluster="prod",member="etcd"} 0)"));

  remediation.member_status(kEtcd, "healthy", true, false, true);
  EXPECT_TRUE(has(R"(frankenetes_member_up{cluster="prod",member="etcd"} 1)"));
  EXPECT_TRUE(has(R"(frankenetes_member_state{cluster="prod",member="etcd",state="healthy"} 1)"));
  EXPECT_TRUE(has(R"(frankenetes_member_state{cluster="prod",member="etcd",state="unhealthy"} 0)"));
  EXPECT_TRUE(has(R"(frankenetes_remediation_gave_up{cluster="prod",member="etcd"} 0)"));
  EXPECT_TRUE(has(R"(frankenetes_etcd_data_at_risk{cluster="prod",member="etcd"} 1)"));
}

TEST_F(RecordersTest, MemberPausedIsAGauge) {
  RemediationMetrics& remediation = metrics;
  remediation.member_paused(kEtcd, true);
  EXPECT_TRUE(has("# TYPE frankenetes_member_paused gauge")) << metrics.render();
  EXPECT_TRUE(has(R"(frankenetes_member_paused{cluster="prod",member="etcd"} 1)"));
  remediation.member_paused(kEtcd, false);
  EXPECT_TRUE(has(R"(frankenetes_member_paused{cluster="prod",member="etcd"} 0)"));
}

TEST_F(RecordersTest, ARemovedMemberLosesItsGaugesButNotItsCounters) {
  RemediationMetrics& remediation = metrics;
  ProbeMetrics& probes = metrics;
  for (const auto member : {kEtcd, kApiserver}) {
    remediation.member_status(member, "unhealthy", false, false, false);
    remediation.member_paused(member, false);
    remediation.action_skipped(member, "backoff");
    remediation.restarts_observed(member, 0);
    probes.probe_finished(member, false, 10ms, false);
  }
  remediation.member_removed(kEtcd);
  probes.probes_stopped(kEtcd);

  for (const char* gauge :
       {"member_up", "member_state", "remediation_gave_up", "etcd_data_at_risk", "probe_success",
        "member_paused"}) {
    const std::string name = std::string("frankenetes_") + gauge;
    EXPECT_FALSE(has_series(name + R"({cluster="prod",member="etcd")")) << name;
    EXPECT_TRUE(has_series(name + R"({cluster="prod",member="apiserver")")) << name;
  }
  // Counters and histograms keep the departed member's series (as they always have).
  EXPECT_TRUE(
      has(R"(frankenetes_actions_skipped_total{cluster="prod",member="etcd",reason="backoff"} 1)"));
  EXPECT_TRUE(has(R"(frankenetes_member_restarts_observed_total{cluster="prod",member="etcd"} 0)"));
  EXPECT_TRUE(has(R"(frankenetes_probe_tls_failures_total{cluster="prod",member="etcd"} 0)"));
  EXPECT_TRUE(has(R"(frankenetes_probe_duration_seconds_count{member="etcd"} 1)"));
}

TEST_F(RecordersTest, ActionsSkipsRestartsAndOperations) {
  RemediationMetrics& remediation = metrics;
  remediation.action_skipped(kEtcd, "backoff");
  remediation.action_skipped(kEtcd, "backoff");
  EXPECT_TRUE(has("# TYPE frankenetes_actions_skipped_total counter"));
  EXPECT_TRUE(
      has(R"(frankenetes_actions_skipped_total{cluster="prod",member="etcd",reason="backoff"} 2)"));

  remediation.restarts_observed(kEtcd, 0);  // the series exists from the first read
  EXPECT_TRUE(has("# TYPE frankenetes_member_restarts_observed_total counter"));
  EXPECT_TRUE(has(R"(frankenetes_member_restarts_observed_total{cluster="prod",member="etcd"} 0)"));
  remediation.restarts_observed(kEtcd, 3);
  EXPECT_TRUE(has(R"(frankenetes_member_restarts_observed_total{cluster="prod",member="etcd"} 3)"));

  remediation.action_finished(kEtcd, "restart", "succeeded");
  EXPECT_TRUE(has("# TYPE frankenetes_remediation_actions_total counter"));
  EXPECT_TRUE(has(
      R"(frankenetes_remediation_actions_total{action="restart",cluster="prod",member="etcd",result="succeeded"} 1)"));

  remediation.operation_started(kEtcd, "recreate");
  EXPECT_TRUE(has("# TYPE frankenetes_operation_in_progress gauge"));
  EXPECT_TRUE(has(
      R"(frankenetes_operation_in_progress{cluster="prod",member="etcd",operation="recreate"} 1)"));
  remediation.operation_finished(kEtcd, "recreate");
  EXPECT_TRUE(has(
      R"(frankenetes_operation_in_progress{cluster="prod",member="etcd",operation="recreate"} 0)"));

  EXPECT_TRUE(has("# TYPE frankenetes_remediation_budget_exhausted gauge"));
  EXPECT_TRUE(has("frankenetes_remediation_budget_exhausted 0"));
  remediation.budget_exhausted(true);
  EXPECT_TRUE(has("frankenetes_remediation_budget_exhausted 1"));
}

TEST_F(RecordersTest, TheLoopsDurationAndLastObservation) {
  RemediationMetrics& remediation = metrics;
  remediation.reconcile_finished(250ms);
  EXPECT_TRUE(has("# TYPE frankenetes_reconcile_duration_seconds histogram")) << metrics.render();
  EXPECT_TRUE(has(R"(frankenetes_reconcile_duration_seconds_bucket{le="0.1"} 0)"));
  EXPECT_TRUE(has(R"(frankenetes_reconcile_duration_seconds_bucket{le="0.25"} 1)"));
  EXPECT_TRUE(has("frankenetes_reconcile_duration_seconds_sum 0.25"));
  EXPECT_TRUE(has("frankenetes_reconcile_duration_seconds_count 1"));
  // The network-call buckets, 5 ms to 30 s.
  for (const char* le : {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5",
                         "10", "30", "+Inf"}) {
    EXPECT_TRUE(has_series(std::string(R"(frankenetes_reconcile_duration_seconds_bucket{le=")") +
                           le + "\"}"))
        << le;
  }

  remediation.observation_succeeded(core::SystemTime(std::chrono::seconds(1767225600)));
  EXPECT_TRUE(has("# TYPE frankenetes_last_successful_observation_timestamp_seconds gauge"));
  EXPECT_TRUE(has("frankenetes_last_successful_observation_timestamp_seconds 1767225600"));

  // Present from the start (0), so alerts and dashboards see a value before the first pass.
  EXPECT_TRUE(has("frankenetes_arm_read_budget_used_ratio 0"));
  EXPECT_TRUE(has("frankenetes_arm_gets_deferred_total 0"));
  remediation.read_budget(0.25, 3);
  remediation.read_budget(0.5, 2);
  EXPECT_TRUE(has("frankenetes_arm_read_budget_used_ratio 0.5"));
  EXPECT_TRUE(has("frankenetes_arm_gets_deferred_total 5"));
}

TEST_F(RecordersTest, ProbeResults) {
  ProbeMetrics& probes = metrics;
  probes.probe_finished(kEtcd, false, 30ms, true);
  EXPECT_TRUE(has("# TYPE frankenetes_probe_success gauge"));
  EXPECT_TRUE(has(R"(frankenetes_probe_success{cluster="prod",member="etcd"} 0)"));
  // One histogram per role across clusters, never per member: at 1000 clusters a histogram per
  // member was more than half of /metrics.
  EXPECT_TRUE(has("# TYPE frankenetes_probe_duration_seconds histogram"));
  EXPECT_TRUE(has(R"(frankenetes_probe_duration_seconds_bucket{member="etcd",le="0.025"} 0)"));
  EXPECT_TRUE(has(R"(frankenetes_probe_duration_seconds_bucket{member="etcd",le="0.05"} 1)"));
  EXPECT_TRUE(has(R"(frankenetes_probe_duration_seconds_bucket{member="etcd",le="30"} 1)"));
  EXPECT_TRUE(has(R"(frankenetes_probe_duration_seconds_count{member="etcd"} 1)"));
  EXPECT_FALSE(has_series(R"(frankenetes_probe_duration_seconds_count{cluster=)"));
  EXPECT_TRUE(has("# TYPE frankenetes_probe_tls_failures_total counter"));
  EXPECT_TRUE(has(R"(frankenetes_probe_tls_failures_total{cluster="prod",member="etcd"} 1)"));

  probes.probe_finished(kEtcd, true, 10ms, false);
  EXPECT_TRUE(has(R"(frankenetes_probe_success{cluster="prod",member="etcd"} 1)"));
  EXPECT_TRUE(has(R"(frankenetes_probe_tls_failures_total{cluster="prod",member="etcd"} 1)"));
  probes.probe_finished({"staging", "etcd"}, true, 10ms, false);
  EXPECT_TRUE(has(R"(frankenetes_probe_duration_seconds_count{member="etcd"} 3)"));
  // Same result again: the duration is observed, the rest stays.
  probes.probe_repeated(kEtcd, 20ms);
  EXPECT_TRUE(has(R"(frankenetes_probe_duration_seconds_count{member="etcd"} 4)"));
  EXPECT_TRUE(has(R"(frankenetes_probe_success{cluster="prod",member="etcd"} 1)"));
  EXPECT_TRUE(has(R"(frankenetes_probe_tls_failures_total{cluster="prod",member="etcd"} 1)"));
}

TEST_F(RecordersTest, DnsUpdatesSyncSkipsAndConsistency) {
  DnsMetrics& dns = metrics;
  dns.update("cloudflare-prod", "updated");
  dns.update("cloudflare-prod", "conflict");
  dns.update("cloudflare-prod", "conflict");
  EXPECT_TRUE(has("# TYPE frankenetes_dns_updates_total counter"));
  EXPECT_TRUE(
      has(R"(frankenetes_dns_updates_total{provider="cloudflare-prod",result="updated"} 1)"));
  EXPECT_TRUE(
      has(R"(frankenetes_dns_updates_total{provider="cloudflare-prod",result="conflict"} 2)"));

  dns.record_in_sync(kEtcd, false);
  EXPECT_TRUE(has("# TYPE frankenetes_dns_record_in_sync gauge"));
  EXPECT_TRUE(has(R"(frankenetes_dns_record_in_sync{cluster="prod",member="etcd"} 0)"));
  dns.record_in_sync(kEtcd, true);
  dns.record_in_sync(kApiserver, true);
  EXPECT_TRUE(has(R"(frankenetes_dns_record_in_sync{cluster="prod",member="etcd"} 1)"));

  dns.record_skipped(kEtcd, "not_owned");
  EXPECT_TRUE(has("# TYPE frankenetes_dns_skips_total counter"));
  EXPECT_TRUE(
      has(R"(frankenetes_dns_skips_total{cluster="prod",member="etcd",reason="not_owned"} 1)"));

  dns.ip_change_consistent(1500ms);
  EXPECT_TRUE(has("# TYPE frankenetes_dns_ip_change_to_consistent_seconds histogram"));
  EXPECT_TRUE(has(R"(frankenetes_dns_ip_change_to_consistent_seconds_bucket{le="1"} 0)"));
  EXPECT_TRUE(has(R"(frankenetes_dns_ip_change_to_consistent_seconds_bucket{le="2"} 1)"));
  EXPECT_TRUE(has("frankenetes_dns_ip_change_to_consistent_seconds_sum 1.5"));
  // 0.5 s to 10 min.
  for (const char* le :
       {"0.5", "1", "2", "5", "10", "20", "30", "60", "120", "300", "600", "+Inf"}) {
    EXPECT_TRUE(has_series(
        std::string(R"(frankenetes_dns_ip_change_to_consistent_seconds_bucket{le=")") + le + "\"}"))
        << le;
  }

  dns.record_removed(kEtcd);
  EXPECT_FALSE(has_series(R"(frankenetes_dns_record_in_sync{cluster="prod",member="etcd"})"));
  EXPECT_TRUE(has(R"(frankenetes_dns_record_in_sync{cluster="prod",member="apiserver"} 1)"));
  EXPECT_TRUE(
      has(R"(frankenetes_dns_skips_total{cluster="prod",member="etcd",reason="not_owned"} 1)"));
}

TEST_F(RecordersTest, ArmRequestsThrottlingAndTokens) {
  ArmMetrics& arm = metrics;
  arm.request_finished("aci.get", "200", 40ms);
  arm.request_finished("aci.get", "transient", 2s);
  EXPECT_TRUE(has("# TYPE frankenetes_arm_requests_total counter"));
  EXPECT_TRUE(has(R"(frankenetes_arm_requests_total{code="200",operation="aci.get"} 1)"));
  EXPECT_TRUE(has(R"(frankenetes_arm_requests_total{code="transient",operation="aci.get"} 1)"));
  EXPECT_TRUE(has("# TYPE frankenetes_arm_request_duration_seconds histogram"));
  EXPECT_TRUE(
      has(R"(frankenetes_arm_request_duration_seconds_bucket{operation="aci.get",le="0.025"} 0)"));
  EXPECT_TRUE(
      has(R"(frankenetes_arm_request_duration_seconds_bucket{operation="aci.get",le="0.05"} 1)"));
  EXPECT_TRUE(
      has(R"(frankenetes_arm_request_duration_seconds_bucket{operation="aci.get",le="2.5"} 2)"));
  EXPECT_TRUE(has(R"(frankenetes_arm_request_duration_seconds_count{operation="aci.get"} 2)"));

  EXPECT_FALSE(has("frankenetes_arm_ratelimit_remaining_reads 0"))
      << "no answer from ARM yet: the budget left is unknown, not 0";
  arm.remaining_reads(11999);
  EXPECT_TRUE(has("# TYPE frankenetes_arm_ratelimit_remaining_reads gauge"));
  EXPECT_TRUE(has("frankenetes_arm_ratelimit_remaining_reads 11999"));

  arm.token_requested("clientSecret", true);
  arm.token_requested("clientSecret", false);
  EXPECT_TRUE(has("# TYPE frankenetes_token_requests_total counter"));
  EXPECT_TRUE(
      has(R"(frankenetes_token_requests_total{credential="clientSecret",result="success"} 1)"));
  EXPECT_TRUE(
      has(R"(frankenetes_token_requests_total{credential="clientSecret",result="failure"} 1)"));
}

TEST_F(RecordersTest, InternalErrorsStartAtZeroPerBoundary) {
  ErrorMetrics& errors = metrics;
  errors.boundary_declared("scheduler");
  errors.boundary_declared("worker:dns");
  errors.internal_error("worker:dns");
  EXPECT_TRUE(has("# TYPE frankenetes_internal_errors_total counter"));
  EXPECT_TRUE(has(R"(frankenetes_internal_errors_total{component="scheduler"} 0)"));
  EXPECT_TRUE(has(R"(frankenetes_internal_errors_total{component="worker:dns"} 1)"));
}

TEST(NoopMetrics, StandsInForEveryRecorder) {
  // The default of deps that leave metrics out: one instance, usable as each interface.
  RemediationMetrics& remediation = noop_metrics();
  ProbeMetrics& probes = noop_metrics();
  DnsMetrics& dns = noop_metrics();
  ArmMetrics& arm = noop_metrics();
  ErrorMetrics& errors = noop_metrics();
  remediation.member_status(kEtcd, "healthy", true, false, false);
  probes.probe_finished(kEtcd, true, 1ms, false);
  dns.update("p", "updated");
  arm.remaining_reads(1);
  errors.internal_error("scheduler");
  EXPECT_EQ(&noop_metrics(), &noop_metrics());
}

}  // namespace
}  // namespace frankenetes::status
