#pragma once
// Recorders: what the components tell the metrics, in their own words. Each gets the small
// interface it needs and never sees a prometheus family, a label map or a null pointer:
//   RemediationMetrics  PlanReporter and the Reconciler: member state, actions, the loop
//   ProbeMetrics        PlanReporter: member probes
//   DnsMetrics          DnsReporter: DNS re-pointing
//   ArmMetrics          the daemon's ARM stack: requests, throttling, tokens
//   EtcdMetrics         EtcdGuard: etcd snapshots and data-loss detection
//   ErrorMetrics        task boundaries: exceptions contained instead of ending a thread
//   StatusRecorder      PlanReporter and DnsReporter: what /status and the status page show
// Metrics (metrics.h) implements every one over its families, under the names and labels that
// dashboards and alerts use; NoopMetrics records nothing (tests, and deps that leave metrics
// out). Label values arrive as the callers' own stable spellings (plan::to_string and the
// like), so lib/status needs no planner type.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time_source.h"
#include "status/status_snapshot.h"

namespace frankenetes::status {

// Durations in seconds, the base unit of every *_seconds metric. Any std::chrono duration
// converts to it without loss of precision worth keeping.
using Seconds = std::chrono::duration<double>;

// A configured member, as the `cluster` and `member` labels name it.
struct MemberName {
  std::string_view cluster;
  std::string_view member;
};

// The states a member can be assessed in (plan::Health's spellings): each has its own
// frankenetes_member_state series, 1 for the current one and 0 for the others.
inline constexpr std::array<std::string_view, 3> kMemberStates = {"healthy", "unhealthy",
                                                                  "unknown"};

class RemediationMetrics {
 public:
  virtual ~RemediationMetrics() = default;

  // After every plan, for each member: its state (one of kMemberStates), whether it is up, and
  // the two conditions that need a person.
  virtual void member_status(MemberName member, std::string_view state, bool up, bool gave_up,
                             bool etcd_data_at_risk) = 0;
  // After every plan, for each member: whether an operator paused it (admin API).
  virtual void member_paused(MemberName member, bool paused) = 0;
  // The member left the configuration: its gauges go (they would say "down" forever).
  virtual void member_removed(MemberName member) = 0;
  // The plan left the member alone for `reason` (plan::SkipReason); once per plan.
  virtual void action_skipped(MemberName member, std::string_view reason) = 0;
  // Container restarts seen since the member's previous read; 0 starts the count.
  virtual void restarts_observed(MemberName member, int restarts) = 0;
  // `action` (plan::ActionKind) ended with `result`: succeeded | failed | timed_out |
  // interrupted | dry_run.
  virtual void action_finished(MemberName member, std::string_view action,
                               std::string_view result) = 0;
  // After every plan: whether the global hourly action budget is used up.
  virtual void budget_exhausted(bool exhausted) = 0;
  // A persisted multi-step operation ("recreate") began, or ended either way.
  virtual void operation_started(MemberName member, std::string_view operation) = 0;
  virtual void operation_finished(MemberName member, std::string_view operation) = 0;
  // One observe-plan-act pass took `duration`.
  virtual void reconcile_finished(Seconds duration) = 0;
  // A pass read every container group, at `at`.
  virtual void observation_succeeded(core::SystemTime at) = 0;
  // After every pass: ARM reads of the last minute over policy.budget.armReadsPerMinute (the
  // subscription nearest its budget), and GETs that had to wait for the budget since the last
  // call.
  virtual void read_budget(double used_ratio, std::uint64_t deferred_gets) = 0;
};

class ProbeMetrics {
 public:
  virtual ~ProbeMetrics() = default;

  // A probe of the member ended; `tls_failed`: it failed in the TLS handshake.
  virtual void probe_finished(MemberName member, bool success, Seconds duration,
                              bool tls_failed) = 0;
  // A probe ended as the member's previous one did, and not in the TLS handshake: only its
  // duration is new (the result's series already say the rest).
  virtual void probe_repeated(MemberName member, Seconds duration) = 0;
  // The member left the configuration: its last result goes.
  virtual void probes_stopped(MemberName member) = 0;
};

class DnsMetrics {
 public:
  virtual ~DnsMetrics() = default;

  // A change set at `provider` (a dns.providers key) came to `result`: updated | conflict |
  // failed | dry_run | verify_failed | read_failed.
  virtual void update(const std::string& provider, std::string_view result) = 0;
  // Whether the member's name answers with its current address, as far as is known.
  virtual void record_in_sync(MemberName member, bool in_sync) = 0;
  // The member's dns section is gone: so is its in-sync gauge.
  virtual void record_removed(MemberName member) = 0;
  // The plan left the member's name alone for `reason` (plan::DnsSkipReason); once per plan.
  virtual void record_skipped(MemberName member, std::string_view reason) = 0;
  // From the first sight of a member's new address to the name answering it.
  virtual void ip_change_consistent(Seconds elapsed) = 0;
  // One member's records were read at `provider` because of `reason` (plan::DnsReadReason).
  virtual void record_read(const std::string& provider, std::string_view reason) = 0;
  // After every DNS pass: members whose wanted read the read cap put off to a later pass.
  virtual void reads_deferred(std::size_t members) = 0;
};

class ArmMetrics {
 public:
  virtual ~ArmMetrics() = default;

  // One HTTP exchange with ARM: `operation` ("aci.get", …), `code` (an HTTP status or the
  // error kind when no response arrived).
  virtual void request_finished(const std::string& operation, const std::string& code,
                                Seconds duration) = 0;
  // The lowest x-ms-ratelimit-remaining-subscription-reads seen.
  virtual void remaining_reads(long reads) = 0;
  // A token request by `credential` (azure.auth.method) succeeded or not.
  virtual void token_requested(const std::string& credential, bool success) = 0;
};

class EtcdMetrics {
 public:
  virtual ~EtcdMetrics() = default;

  // Snapshots are taken of the member: its failure count starts at zero.
  virtual void snapshots_declared(MemberName member) = 0;
  // A verified snapshot of `size_bytes` was uploaded (age 0) or found at start (`age` old).
  virtual void snapshot_taken(MemberName member, std::uint64_t size_bytes, Seconds age) = 0;
  // The newest verified snapshot is `age` old (updated every tick).
  virtual void snapshot_age(MemberName member, Seconds age) = 0;
  // An attempt to take a snapshot failed.
  virtual void snapshot_failed(MemberName member) = 0;
  // After every maintenance/status reading: whether data loss was detected (and not restored).
  virtual void data_loss(MemberName member, bool detected) = 0;
  // The member left the configuration (or is no longer etcd): its series go.
  virtual void etcd_member_removed(MemberName member) = 0;
};

class ErrorMetrics {
 public:
  virtual ~ErrorMetrics() = default;

  // A task boundary exists: its count starts at zero, so alerts see a zero, not a gap.
  virtual void boundary_declared(const std::string& component) = 0;
  // An exception reached the boundary `component` (worker:<pool>, scheduler, dns_sync,
  // http_server): a bug, contained.
  virtual void internal_error(const std::string& component) = 0;
};

// How to build the members' part of the status snapshot: it owns or shares (immutably) all it
// reads, so it may be called on any thread, any number of times, or never.
using PlanStatusSource = std::function<PlanStatus()>;

// The pieces of the status snapshot (status/status_snapshot.h), from whoever knows them.
class StatusRecorder {
 public:
  virtual ~StatusRecorder() = default;

  // After every plan (scheduler thread): how to build every configured member as the planner
  // saw it. Built only when the snapshot is read (StatusBoard::snapshot()).
  virtual void planned(PlanStatusSource build) = 0;
  // After every DNS pass (the DNS worker): what is known of each member's name.
  virtual void dns_records(std::vector<DnsRecordStatus> records) = 0;
  // Something for the ring of recent events happened (any thread); `at` is set on arrival.
  virtual void event(StatusEvent event) = 0;
};

// Records nothing.
class NoopMetrics final : public RemediationMetrics,
                          public ProbeMetrics,
                          public DnsMetrics,
                          public ArmMetrics,
                          public EtcdMetrics,
                          public ErrorMetrics,
                          public StatusRecorder {
 public:
  void member_status(MemberName, std::string_view, bool, bool, bool) override {}
  void member_paused(MemberName, bool) override {}
  void member_removed(MemberName) override {}
  void action_skipped(MemberName, std::string_view) override {}
  void restarts_observed(MemberName, int) override {}
  void action_finished(MemberName, std::string_view, std::string_view) override {}
  void budget_exhausted(bool) override {}
  void operation_started(MemberName, std::string_view) override {}
  void operation_finished(MemberName, std::string_view) override {}
  void reconcile_finished(Seconds) override {}
  void observation_succeeded(core::SystemTime) override {}
  void read_budget(double, std::uint64_t) override {}
  void probe_finished(MemberName, bool, Seconds, bool) override {}
  void probe_repeated(MemberName, Seconds) override {}
  void probes_stopped(MemberName) override {}
  void update(const std::string&, std::string_view) override {}
  void record_in_sync(MemberName, bool) override {}
  void record_removed(MemberName) override {}
  void record_skipped(MemberName, std::string_view) override {}
  void ip_change_consistent(Seconds) override {}
  void record_read(const std::string&, std::string_view) override {}
  void reads_deferred(std::size_t) override {}
  void request_finished(const std::string&, const std::string&, Seconds) override {}
  void remaining_reads(long) override {}
  void token_requested(const std::string&, bool) override {}
  void snapshots_declared(MemberName) override {}
  void snapshot_taken(MemberName, std::uint64_t, Seconds) override {}
  void snapshot_age(MemberName, Seconds) override {}
  void snapshot_failed(MemberName) override {}
  void data_loss(MemberName, bool) override {}
  void etcd_member_removed(MemberName) override {}
  void boundary_declared(const std::string&) override {}
  void internal_error(const std::string&) override {}
  void planned(PlanStatusSource) override {}
  void dns_records(std::vector<DnsRecordStatus>) override {}
  void event(StatusEvent) override {}
};

// One shared instance (it has no state): the default of deps that leave metrics out.
inline NoopMetrics& noop_metrics() {
  static NoopMetrics instance;
  return instance;
}

}  // namespace frankenetes::status
