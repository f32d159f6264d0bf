#pragma once
// DnsReporter: the logs and metrics of the DNS pipeline, as PlanReporter is for remediation.
// The DnsSynchronizer tells it what was planned, applied and verified; it remembers only what
// it needs to log on change (a member's last skip reason, the last dry-run change logged) and
// to time a new address until resolvers see it. It decides nothing and calls no provider.
// Job thread only (one job at a time).
//
// Logs:
//   dns.record.updated cluster= member= provider= fqdn= old= new= kind= duration_ms=
//   dns.record.planned cluster= member= provider= fqdn= old= new= kind= dry_run=true
//                                                    (once per change while it stays planned)
//   dns.record.skipped cluster= member= provider= fqdn= reason= detail=
//                                                    (when a member's reason changes; warn for
//                                                    not_owned and provider_unreadable)
//   dns.update.conflict cluster= member= provider= fqdn= attempt= error= action=   (warn)
//   dns.update.failed cluster= member= provider= fqdn= old= new= error= attempts=  (error)
//   dns.read.failed provider= fqdn= error=           (warn)
//   dns.verify.succeeded cluster= member= provider= fqdn= expected= duration_ms=
//   dns.verify.failed cluster= member= provider= fqdn= expected= result= action=   (warn)
//   dns.verify.skipped cluster= member= provider= reason=                          (debug)
//   dns.provider.backoff provider= failures= retry_in_ms= error=                   (warn)
//   dns.provider.recovered provider=
//   dns.read.deferred deferred= read= oldest_cluster= oldest_member= waiting_ms= limit_per_second=
//                                                    (warn, when a backlog starts)
//   dns.read.caught_up                               (when it ends)
//   internal.error component=dns_sync what= action=  (internal_error.h)
// Metrics (status/recorders.h: DnsMetrics, and ErrorMetrics for internal errors):
//   dns_updates_total{provider,result}: updated | conflict | failed | dry_run | verify_failed |
//     read_failed; dns_record_in_sync{cluster,member}: set whenever the plan, an update or a
//     verification knows, removed with the member's dns section; dns_skips_total{cluster,
//     member,reason}: once per plan that skipped the member; dns_ip_change_to_consistent_seconds:
//     first sight of a new address -> verified; internal_errors_total{component="dns_sync"};
//     dns_record_reads_total{provider,reason}: one per member read; dns_record_reads_deferred:
//     members the read cap put off, after every pass. A member not read in a pass (no reason)
//     counts its latest skip reason again: it is left alone for that reason in this pass too.
// Status (status::StatusRecorder; /status and the status page): each member's name, provider,
// in-sync flag, latest skip and when its records were read (or that a read waits for the cap),
// published after every job (publish_status()); events for
// updates, failed updates and verifications, dry-run changes (once each) and skip reasons that
// changed (other than to in_sync).

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time_source.h"
#include "dns/verifier.h"
#include "model/observation.h"
#include "plan/dns_plan.h"
#include "plan/dns_read_plan.h"
#include "reconcile/dns_executor.h"
#include "reconcile/dns_providers.h"
#include "reconcile/dns_verification.h"
#include "status/recorders.h"

namespace frankenetes::reconcile {

class DnsReporter {
 public:
  // `time` ends the change-to-consistent interval when a verification succeeds.
  DnsReporter(status::DnsMetrics& metrics, status::ErrorMetrics& errors,
              const core::TimeSource& time,
              status::StatusRecorder& status = status::noop_metrics())
      : metrics_(metrics), errors_(errors), time_(time), status_(status) {}

  // A pass was planned at `now`: the first sight of each new desired address (the group's
  // observed_at when known) and every skip.
  void planned(const plan::DnsPlanResult& result, const model::Observations& observed,
               core::MonotonicTime now);
  // A member without a change whose plan says whether its name is as desired.
  void member_in_sync(const model::MemberKey& member, bool in_sync);
  // The pass's read decision (plan/dns_read_plan.h), at `now`: the deferred members and
  // whether a backlog started or ended.
  void reads_planned(const plan::DnsReadDecision& decision, int limit_per_second,
                     core::MonotonicTime now);
  // A member's records came back from `provider` at `at`.
  void records_read(const model::MemberKey& member, const std::string& provider,
                    plan::DnsReadReason reason, core::SystemTime at);
  // A member whose plan needs its records but which was not read this pass keeps its last
  // known state. `desired`: its address now when the group is Running; one that differs from
  // the address last planned is timed from `seen_at` and makes the name out of sync until a
  // read shows otherwise.
  void carried(const model::MemberKey& member,
               const std::optional<std::vector<std::string>>& desired, core::MonotonicTime seen_at);
  void read_failed(const std::string& provider, const DnsReadFailure& failure);
  void apply_finished(const DnsApplyResult& result);
  void verified(const model::MemberKey& member, const std::string& provider,
                const dns::Expectation& expectation, const DnsVerifyOutcome& outcome);
  void provider_backing_off(const std::string& provider, std::uint32_t failures,
                            core::Duration delay, const core::Error& error);
  void provider_recovered(const std::string& provider);
  void internal_error(const std::string& what, std::string_view action);
  // Members without a dns section in `inputs` (a reload dropped it) lose their gauge and what
  // is remembered of them.
  void forget_unconfigured(const std::vector<plan::DnsMemberInput>& inputs);
  // Hands every member's DNS status to the status recorder (after each job).
  void publish_status();

 private:
  struct AddressSeen {
    std::vector<std::string> values;
    core::MonotonicTime since{};
    bool pending = false;  // changed and not yet verified
  };

  void skipped(const plan::DnsSkip& skip);
  void set_in_sync(const model::MemberKey& member, bool in_sync);
  void consistent(const model::MemberKey& member);
  void record(const model::MemberKey& member, std::string what, std::string outcome,
              std::string detail);

  status::DnsMetrics& metrics_;
  status::ErrorMetrics& errors_;
  const core::TimeSource& time_;
  status::StatusRecorder& status_;
  std::map<model::MemberKey, status::DnsStatus> records_;  // what /status shows
  std::map<model::MemberKey, plan::DnsSkipReason> last_skip_;
  std::map<model::MemberKey, AddressSeen> seen_;
  std::map<model::MemberKey, std::string> last_planned_;  // dry-run logged once per change
  std::set<model::MemberKey> gauged_;  // members with a dns_record_in_sync series
  bool deferring_ = false;             // the last pass put reads off (dns.read.deferred logged)
};

}  // namespace frankenetes::reconcile
