#pragma once
// Metrics: every Prometheus metric family the daemon exports, declared in one place with the
// `frankenetes_` prefix, base units and bounded label sets. Components receive
// a Metrics& from the composition root and update the series they own; nothing registers
// families elsewhere. render() produces the text exposition served at /metrics.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

namespace frankenetes::status {

struct BuildInfo {
  std::string version;
  std::string commit;
  std::string build_type;
};

class Metrics {
 public:
  explicit Metrics(const BuildInfo& build);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Text exposition format 0.0.4 of every family, including process_* metrics.
  std::string render() const;
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

  void record_config_reload(bool success, double now_seconds);

 private:
  std::shared_ptr<prometheus::Registry> registry_;

 public:
  // Families (declared after registry_, which owns them). Label values are bounded sets.
  prometheus::Family<prometheus::Gauge>& build_info;
  prometheus::Family<prometheus::Counter>& config_reload_total;  // {result=success|failure}
  prometheus::Gauge& config_last_reload_successful;
  prometheus::Gauge& config_last_reload_success_timestamp_seconds;

  // Watch, detect, heal (labels: cluster, member from the config; action, result, reason,
  // state, operation, code from small fixed vocabularies).
  prometheus::Family<prometheus::Gauge>& member_up;                       // {cluster,member}
  prometheus::Family<prometheus::Gauge>& member_state;                    // {cluster,member,state}
  prometheus::Family<prometheus::Counter>& member_restarts_observed_total;  // {cluster,member}
  prometheus::Family<prometheus::Counter>& remediation_actions_total;     // {cluster,member,action,result}
  prometheus::Family<prometheus::Counter>& actions_skipped_total;         // {cluster,member,reason}
  prometheus::Family<prometheus::Gauge>& remediation_gave_up;             // {cluster,member}: alert
  prometheus::Gauge& remediation_budget_exhausted;                        // alert
  prometheus::Family<prometheus::Gauge>& etcd_data_at_risk;               // {cluster,member}: alert
  prometheus::Family<prometheus::Gauge>& operation_in_progress;           // {cluster,member,operation}
  prometheus::Family<prometheus::Counter>& arm_requests_total;            // {operation,code}
  prometheus::Family<prometheus::Histogram>& arm_request_duration_seconds;  // {operation}
  prometheus::Gauge& arm_ratelimit_remaining_reads;
  prometheus::Family<prometheus::Counter>& token_requests_total;          // {credential,result}
  prometheus::Family<prometheus::Gauge>& probe_success;                   // {cluster,member}
  prometheus::Family<prometheus::Histogram>& probe_duration_seconds;      // {cluster,member}
  prometheus::Family<prometheus::Counter>& probe_tls_failures_total;      // {cluster,member}
  prometheus::Histogram& reconcile_duration_seconds;
  prometheus::Gauge& last_successful_observation_timestamp_seconds;

  // DNS re-pointing (recorded by lib/reconcile/dns_reporter.h). provider: a dns.providers key;
  // result: updated | conflict | failed | dry_run | verify_failed; reason: plan::DnsSkipReason.
  prometheus::Family<prometheus::Counter>& dns_updates_total;       // {provider,result}
  prometheus::Family<prometheus::Gauge>& dns_record_in_sync;        // {cluster,member}: alert on 0
  prometheus::Family<prometheus::Counter>& dns_skips_total;         // {cluster,member,reason}
  prometheus::Histogram& dns_ip_change_to_consistent_seconds;       // first sight of a new IP -> verified

  // Exceptions caught at a task boundary (lib/reconcile/internal_error.h, the HTTP server):
  // bugs contained instead of ending a thread. component: worker:<pool>, scheduler, dns_sync,
  // http_server. Alert on any increase.
  prometheus::Family<prometheus::Counter>& internal_errors_total;   // {component}
  void record_internal_error(const std::string& component);

  // Buckets for network calls: 5 ms to 30 s.
  static prometheus::Histogram::BucketBoundaries latency_buckets();
  // Buckets for IP change to consistent DNS: 0.5 s to 10 min.
  static prometheus::Histogram::BucketBoundaries dns_consistency_buckets();
};

}  // namespace frankenetes::status
