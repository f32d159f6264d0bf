#include "status/metrics.h"

#include <prometheus/text_serializer.h>

#include "status/process_collector.h"

namespace frankenetes::status {

Metrics::Metrics(const BuildInfo& build)
    : registry_(std::make_shared<prometheus::Registry>()),
      build_info(prometheus::BuildGauge()
                     .Name("frankenetes_build_info")
                     .Help("Build information; the value is always 1.")
                     .Register(*registry_)),
      config_reload_total(prometheus::BuildCounter()
                              .Name("frankenetes_config_reload_total")
                              .Help("Configuration reloads (SIGHUP) by result.")
                              .Register(*registry_)),
      config_last_reload_successful(
          prometheus::BuildGauge()
              .Name("frankenetes_config_last_reload_successful")
              .Help("Whether the last configuration reload attempt succeeded (1) or not (0).")
              .Register(*registry_)
              .Add({})),
      config_last_reload_success_timestamp_seconds(
          prometheus::BuildGauge()
              .Name("frankenetes_config_last_reload_success_timestamp_seconds")
              .Help("Time of the last successful configuration load, in seconds since the epoch.")
              .Register(*registry_)
              .Add({})),
      member_up("frankenetes_member_up",
                "1 when the member's group is running and its probe passes, else 0.",
                SeriesFamily::Type::kGauge, {"cluster", "member"}),
      member_state("frankenetes_member_state",
                   "1 for the member's current assessed state (healthy, unhealthy, unknown).",
                   SeriesFamily::Type::kGauge, {"cluster", "member", "state"}),
      member_restarts_observed_total("frankenetes_member_restarts_observed_total",
                                     "Container restarts seen in ACI restartCount increases.",
                                     SeriesFamily::Type::kCounter, {"cluster", "member"}),
      remediation_actions_total("frankenetes_remediation_actions_total",
                                "Remediation actions by member, action and result.",
                                SeriesFamily::Type::kCounter,
                                {"action", "cluster", "member", "result"}),
      actions_skipped_total("frankenetes_actions_skipped_total",
                            "Unhealthy members not acted on, by reason.",
                            SeriesFamily::Type::kCounter, {"cluster", "member", "reason"}),
      remediation_gave_up(
          "frankenetes_remediation_gave_up",
          "1 when the remediation ladder is exhausted for a member: a human must look.",
          SeriesFamily::Type::kGauge, {"cluster", "member"}),
      member_paused_gauge("frankenetes_member_paused",
                          "1 while an operator has paused the member (admin API): no action of any "
                          "kind, DNS included, is taken for it.",
                          SeriesFamily::Type::kGauge, {"cluster", "member"}),
      remediation_budget_exhausted(prometheus::BuildGauge()
                                       .Name("frankenetes_remediation_budget_exhausted")
                                       .Help("1 while the global hourly action budget is used up.")
                                       .Register(*registry_)
                                       .Add({})),
      etcd_data_at_risk(
          "frankenetes_etcd_data_at_risk",
          "1 when a rung that replaces an etcd member's deployment was refused because its "
          "data-dir or wal-dir is not on a persistent volume: a human must decide.",
          SeriesFamily::Type::kGauge, {"cluster", "member"}),
      operation_in_progress("frankenetes_operation_in_progress",
                            "1 while a persisted multi-step operation (recreate) is under way for "
                            "a member; it survives restarts of the daemon.",
                            SeriesFamily::Type::kGauge, {"cluster", "member", "operation"}),
      arm_requests_total(
          prometheus::BuildCounter()
              .Name("frankenetes_arm_requests_total")
              .Help("Azure Resource Manager requests by operation and HTTP status (or error kind).")
              .Register(*registry_)),
      arm_request_duration_seconds(prometheus::BuildHistogram()
                                       .Name("frankenetes_arm_request_duration_seconds")
                                       .Help("Azure Resource Manager request latency.")
                                       .Register(*registry_)),
      arm_ratelimit_remaining_reads(
          prometheus::BuildGauge()
              .Name("frankenetes_arm_ratelimit_remaining_reads")
              .Help("Last x-ms-ratelimit-remaining-subscription-reads seen from ARM.")
              .Register(*registry_)),
      arm_read_budget_used_ratio(
          prometheus::BuildGauge()
              .Name("frankenetes_arm_read_budget_used_ratio")
              .Help("ARM reads of the last minute over policy.budget.armReadsPerMinute "
                    "(the subscription nearest its budget).")
              .Register(*registry_)
              .Add({})),
      arm_gets_deferred_total(
          prometheus::BuildCounter()
              .Name("frankenetes_arm_gets_deferred_total")
              .Help("Container-group GETs that waited for the next pass because the read "
                    "budget was spent.")
              .Register(*registry_)
              .Add({})),
      token_requests_total(prometheus::BuildCounter()
                               .Name("frankenetes_token_requests_total")
                               .Help("Access token requests by credential and result.")
                               .Register(*registry_)),
      probe_success("frankenetes_probe_success",
                    "1 when the member's last health probe passed, else 0.",
                    SeriesFamily::Type::kGauge, {"cluster", "member"}),
      probe_duration_seconds(prometheus::BuildHistogram()
                                 .Name("frankenetes_probe_duration_seconds")
                                 .Help("Member health probe latency, by member (the role's name "
                                       "across clusters; each member's latest is on /status).")
                                 .Register(*registry_)),
      probe_tls_failures_total("frankenetes_probe_tls_failures_total",
                               "Member health probes that failed in the TLS handshake: certificate "
                               "not trusted, expired or for another name, or no TLS.",
                               SeriesFamily::Type::kCounter, {"cluster", "member"}),
      reconcile_duration_seconds(prometheus::BuildHistogram()
                                     .Name("frankenetes_reconcile_duration_seconds")
                                     .Help("Duration of one observe-plan-act pass.")
                                     .Register(*registry_)
                                     .Add({}, latency_buckets())),
      last_successful_observation_timestamp_seconds(
          prometheus::BuildGauge()
              .Name("frankenetes_last_successful_observation_timestamp_seconds")
              .Help("Time of the last pass in which every container group was read, in seconds "
                    "since the epoch.")
              .Register(*registry_)
              .Add({})),
      dns_updates_total(prometheus::BuildCounter()
                            .Name("frankenetes_dns_updates_total")
                            .Help("DNS change sets by provider and result (updated, conflict, "
                                  "failed, dry_run, verify_failed).")
                            .Register(*registry_)),
      dns_record_in_sync(
          "frankenetes_dns_record_in_sync",
          "1 when the member's DNS name answers with its current address (verified), else 0.",
          SeriesFamily::Type::kGauge, {"cluster", "member"}),
      dns_skips_total("frankenetes_dns_skips_total",
                      "DNS names left alone by the plan, by reason (counted once per DNS pass; a "
                      "member whose records were not read in that pass counts its latest reason).",
                      SeriesFamily::Type::kCounter, {"cluster", "member", "reason"}),
      dns_ip_change_to_consistent_seconds(
          prometheus::BuildHistogram()
              .Name("frankenetes_dns_ip_change_to_consistent_seconds")
              .Help("From the first observation of a member's new address to the authoritative "
                    "servers answering it.")
              .Register(*registry_)
              .Add({}, dns_consistency_buckets())),
      dns_record_reads_total(
          prometheus::BuildCounter()
              .Name("frankenetes_dns_record_reads_total")
              .Help("Members' DNS records read at their provider (the name and its ownership TXT "
                    "name), by provider and reason (inputs_changed, retry, never_read, resync). "
                    "Azure DNS spends 6 ARM reads on one.")
              .Register(*registry_)),
      dns_record_reads_deferred(
          prometheus::BuildGauge()
              .Name("frankenetes_dns_record_reads_deferred")
              .Help("Members whose DNS records wanted a read in the latest DNS pass but wait for a "
                    "later pass: dns.maxMemberReadsPerSecond was used up.")
              .Register(*registry_)
              .Add({})),
      etcd_snapshot_age_seconds("frankenetes_etcd_snapshot_age_seconds",
                                "Age of the newest verified etcd snapshot of the member in Blob "
                                "Storage (uploaded by this daemon or found at start).",
                                SeriesFamily::Type::kGauge, {"cluster", "member"}),
      etcd_snapshot_size_bytes(
          "frankenetes_etcd_snapshot_size_bytes",
          "Size of the newest verified etcd snapshot of the member, SHA-256 trailer included.",
          SeriesFamily::Type::kGauge, {"cluster", "member"}),
      etcd_snapshot_failures_total(
          "frankenetes_etcd_snapshot_failures_total",
          "Attempts to take, verify or upload an etcd snapshot of the member that failed.",
          SeriesFamily::Type::kCounter, {"cluster", "member"}),
      etcd_data_loss_detected("frankenetes_etcd_data_loss_detected",
                              "1 when the member's etcd cluster id changed or its revision went "
                              "backwards between two maintenance/status readings: data was lost or "
                              "replaced; a human must decide about a restore.",
                              SeriesFamily::Type::kGauge, {"cluster", "member"}),
      cluster_leader("frankenetes_cluster_leader",
                     "1 while this replica holds the cluster's coordination lease and may act on "
                     "it (the fencing rule, at the last renewal tick), 0 otherwise; only with a "
                     "coordination section.",
                     SeriesFamily::Type::kGauge, {"cluster", "replica"}),
      internal_errors_total(
          prometheus::BuildCounter()
              .Name("frankenetes_internal_errors_total")
              .Help("Exceptions caught at a task boundary (a bug, contained), by component.")
              .Register(*registry_)) {
  build_info.Add({{"version", build.version}, {"commit", build.commit}, {"build_type", build.build_type}})
      .Set(1);
  // Both results exist from the start so that rate() and alerts see a zero, not a gap.
  config_reload_total.Add({{"result", "success"}});
  config_reload_total.Add({{"result", "failure"}});
  config_last_reload_successful.Set(1);
}

prometheus::Histogram::BucketBoundaries Metrics::latency_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

prometheus::Histogram::BucketBoundaries Metrics::dns_consistency_buckets() {
  return {0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600};
}

std::vector<const SeriesFamily*> Metrics::per_member_families() const {
  return {&member_up,
          &member_state,
          &member_restarts_observed_total,
          &remediation_actions_total,
          &actions_skipped_total,
          &remediation_gave_up,
          &member_paused_gauge,
          &etcd_data_at_risk,
          &operation_in_progress,
          &probe_success,
          &probe_tls_failures_total,
          &dns_record_in_sync,
          &dns_skips_total,
          &etcd_snapshot_age_seconds,
          &etcd_snapshot_size_bytes,
          &etcd_snapshot_failures_total,
          &etcd_data_loss_detected,
          &cluster_leader};
}

void Metrics::record_config_loaded(double now_seconds) {
  config_last_reload_success_timestamp_seconds.Set(now_seconds);
}

void Metrics::record_config_reload(bool success, double now_seconds) {
  config_reload_total.Add({{"result", success ? "success" : "failure"}}).Increment();
  config_last_reload_successful.Set(success ? 1 : 0);
  if (success) config_last_reload_success_timestamp_seconds.Set(now_seconds);
}

void Metrics::set_before_render(std::function<void()> refresh) {
  std::lock_guard lock(before_render_mutex_);
  before_render_ = std::move(refresh);
}

std::string Metrics::render() const {
  {
    std::lock_guard lock(before_render_mutex_);
    if (before_render_) before_render_();
  }
  // prometheus::Registry takes only its own families, so process metrics are collected
  // beside it and serialised together.
  auto families = registry_->Collect();
  auto process = ProcessCollector().Collect();
  families.insert(families.end(), process.begin(), process.end());
  auto text = prometheus::TextSerializer().Serialize(families);
  // One allocation for the lot rather than doubling through it (4 MiB at 4000 members):
  // the latest exposition's size and a sixteenth, or ~96 bytes a series the first time.
  std::size_t estimate = last_render_size_.load();
  if (estimate == 0) {
    for (const SeriesFamily* family : per_member_families()) estimate += 96 * family->size();
  }
  text.reserve(text.size() + estimate + estimate / 16 + 4096);
  for (const SeriesFamily* family : per_member_families()) family->render(text);
  last_render_size_.store(text.size());
  return text;
}

}  // namespace frankenetes::status
