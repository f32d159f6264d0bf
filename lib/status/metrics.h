#pragma once
// Metrics: every Prometheus metric family the daemon exports, declared in one place with the
// `frankenetes_` prefix, base units and bounded label sets, and the recorders (recorders.h)
// that write them. Components receive the recorder they need from the composition root and
// say what happened in their own words; only this class (metrics.cc, prometheus_recorders.cc)
// knows families, label keys and buckets, and nothing registers families elsewhere. render()
// produces the text exposition served at /metrics.
//
// Families with a series per member are SeriesFamily (series_family.h): compact, and written
// straight into the text; the few others (per process, per operation, histograms) are
// prometheus-cpp's. A histogram is never per member: at 1000 clusters one of 14 buckets per
// member was more than half of /metrics.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "status/recorders.h"
#include "status/series_family.h"

namespace frankenetes::status {

class Metrics final : public RemediationMetrics,
                      public ProbeMetrics,
                      public DnsMetrics,
                      public ArmMetrics,
                      public EtcdMetrics,
                      public ErrorMetrics {
 public:
  explicit Metrics(const BuildInfo& build);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Text exposition format 0.0.4 of every family, including process_* metrics.
  std::string render() const;
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

  // The configuration the daemon started with was loaded at `now_seconds`.
  void record_config_loaded(double now_seconds);
  void record_config_reload(bool success, double now_seconds);

  // RemediationMetrics
  void member_status(MemberName member, std::string_view state, bool up, bool gave_up,
                     bool at_risk) override;
  void member_paused(MemberName member, bool paused) override;
  void member_removed(MemberName member) override;
  void action_skipped(MemberName member, std::string_view reason) override;
  void restarts_observed(MemberName member, int restarts) override;
  void action_finished(MemberName member, std::string_view action,
                       std::string_view result) override;
  void budget_exhausted(bool exhausted) override;
  void operation_started(MemberName member, std::string_view operation) override;
  void operation_finished(MemberName member, std::string_view operation) override;
  void reconcile_finished(Seconds duration) override;
  void observation_succeeded(core::SystemTime at) override;
  void read_budget(double used_ratio, std::uint64_t deferred_gets) override;
  // ProbeMetrics
  void probe_finished(MemberName member, bool success, Seconds duration,
                      bool tls_failed) override;
  void probe_repeated(MemberName member, Seconds duration) override;
  void probes_stopped(MemberName member) override;
  // DnsMetrics
  void update(const std::string& provider, std::string_view result) override;
  void record_in_sync(MemberName member, bool in_sync) override;
  void record_removed(MemberName member) override;
  void record_skipped(MemberName member, std::string_view reason) override;
  void ip_change_consistent(Seconds elapsed) override;
  void record_read(const std::string& provider, std::string_view reason) override;
  void reads_deferred(std::size_t members) override;
  // ArmMetrics
  void request_finished(const std::string& operation, const std::string& code,
                        Seconds duration) override;
  void remaining_reads(long reads) override;
  void token_requested(const std::string& credential, bool success) override;
  // ErrorMetrics
  void snapshots_declared(MemberName member) override;
  void snapshot_taken(MemberName member, std::uint64_t size_bytes, Seconds age) override;
  void snapshot_age(MemberName member, Seconds age) override;
  void snapshot_failed(MemberName member) override;
  void data_loss(MemberName member, bool detected) override;
  void etcd_member_removed(MemberName member) override;

  // Coordination (issue 13): 1 while `replica` (this daemon) holds the cluster's lease.
  void record_cluster_leader(const std::string& cluster, const std::string& replica, bool holds);
  void remove_cluster_leader(const std::string& cluster, const std::string& replica);
  // Called at the start of every render(), to bring up to date the gauges that answer for the
  // moment of the scrape (frankenetes_cluster_leader asks the fencing rule, so a replica stuck
  // in a storage call still shows the moment it stops acting). Empty clears it; after
  // set_before_render returns, the previous function is not running and never runs again.
  void set_before_render(std::function<void()> refresh);

  void boundary_declared(const std::string& component) override;
  void internal_error(const std::string& component) override;

 private:
  std::shared_ptr<prometheus::Registry> registry_;

 public:
  // Families (declared after registry_, which owns prometheus-cpp's). Label values are bounded
  // sets; a SeriesFamily takes its values in the order of the label names noted beside it.
  // Written only by the methods above; public so that tests can read a series.
  prometheus::Family<prometheus::Gauge>& build_info;
  prometheus::Family<prometheus::Counter>& config_reload_total;  // {result=success|failure}
  prometheus::Gauge& config_last_reload_successful;
  prometheus::Gauge& config_last_reload_success_timestamp_seconds;

  // Watch, detect, heal (labels: cluster, member from the config; action, result, reason,
  // state, operation, code from small fixed vocabularies).
  SeriesFamily member_up;                       // {cluster,member}
  SeriesFamily member_state;                    // {cluster,member,state}
  SeriesFamily member_restarts_observed_total;  // {cluster,member}
  SeriesFamily remediation_actions_total;       // {cluster,member,action,result}
  SeriesFamily actions_skipped_total;           // {cluster,member,reason}
  SeriesFamily remediation_gave_up;             // {cluster,member}: alert
  SeriesFamily member_paused_gauge;             // {cluster,member}
  prometheus::Gauge& remediation_budget_exhausted;                        // alert
  SeriesFamily etcd_data_at_risk;                                         // {cluster,member}: alert
  SeriesFamily operation_in_progress;  // {cluster,member,operation}
  prometheus::Family<prometheus::Counter>& arm_requests_total;            // {operation,code}
  prometheus::Family<prometheus::Histogram>& arm_request_duration_seconds;  // {operation}
  // Its one series appears with the first value ARM sent: before that the budget left is
  // unknown, not 0.
  prometheus::Family<prometheus::Gauge>& arm_ratelimit_remaining_reads;
  prometheus::Gauge& arm_read_budget_used_ratio;
  prometheus::Counter& arm_gets_deferred_total;
  prometheus::Family<prometheus::Counter>& token_requests_total;          // {credential,result}
  SeriesFamily probe_success;                                             // {cluster,member}
  prometheus::Family<prometheus::Histogram>& probe_duration_seconds;      // {member}: per role
  SeriesFamily probe_tls_failures_total;                                  // {cluster,member}
  prometheus::Histogram& reconcile_duration_seconds;
  prometheus::Gauge& last_successful_observation_timestamp_seconds;

  // DNS re-pointing (recorded by lib/reconcile/dns_reporter.h). provider: a dns.providers key;
  // result: updated | conflict | failed | dry_run | verify_failed | read_failed; reason:
  // plan::DnsSkipReason; read reason: plan::DnsReadReason.
  prometheus::Family<prometheus::Counter>& dns_updates_total;       // {provider,result}
  SeriesFamily dns_record_in_sync;                                  // {cluster,member}: alert on 0
  SeriesFamily dns_skips_total;                                     // {cluster,member,reason}
  prometheus::Histogram& dns_ip_change_to_consistent_seconds;       // first sight of a new IP -> verified
  prometheus::Family<prometheus::Counter>& dns_record_reads_total;  // {provider,reason}
  prometheus::Gauge& dns_record_reads_deferred;                     // members waiting for the cap

  // etcd's data (recorded by lib/reconcile/etcd_guard.h).
  SeriesFamily etcd_snapshot_age_seconds;     // {cluster,member}: alert when old
  SeriesFamily etcd_snapshot_size_bytes;      // {cluster,member}
  SeriesFamily etcd_snapshot_failures_total;  // {cluster,member}
  SeriesFamily etcd_data_loss_detected;       // {cluster,member}: alert

  // Coordination (daemon/coordination_stack.h): each replica reports its own holdings.
  SeriesFamily cluster_leader;  // {cluster,replica}

  // Exceptions caught at a task boundary (lib/reconcile/internal_error.h, the HTTP server):
  // bugs contained instead of ending a thread. component: worker:<pool>, scheduler, dns_sync,
  // http_server. Alert on any increase.
  prometheus::Family<prometheus::Counter>& internal_errors_total;   // {component}

 private:
  std::vector<const SeriesFamily*> per_member_families() const;
  mutable std::mutex before_render_mutex_;
  // The size of the latest exposition: the next reserves that much and a little more.
  mutable std::atomic<std::size_t> last_render_size_{0};
  std::function<void()> before_render_;
  // The member's role's series of probe_duration_seconds, looked up once per role (a probe
  // finishes hundreds of times a second at 1000 clusters; Family::Add builds a label map).
  prometheus::Histogram& probe_duration(std::string_view member);
  std::mutex probe_duration_mutex_;
  std::map<std::string, prometheus::Histogram*, std::less<>> probe_duration_by_member_;
  // Buckets for network calls: 5 ms to 30 s.
  static prometheus::Histogram::BucketBoundaries latency_buckets();
  // Buckets for IP change to consistent DNS: 0.5 s to 10 min.
  static prometheus::Histogram::BucketBoundaries dns_consistency_buckets();
};

}  // namespace frankenetes::status
