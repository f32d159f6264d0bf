#pragma once
// DnsSynchronizer: keeps each member's DNS name on its group's current address, with the same
// observe -> plan -> act -> report shape as the Reconciler's remediation:
//
//   observe  the reconciler hands over the observations of every completed pass (observe(),
//            scheduler thread, never blocks); the job, on a dedicated DNS Worker so a slow or
//            dead provider never stalls remediation, reads names_to_read() of the members that
//            need it at their provider (read_member_records(), dns_providers.h). Which members
//            those are is DnsReadPlanner's decision (plan/dns_read_plan.h): only members whose
//            plan looks at the records (plan::dns_needs_records(): Running with an address, or
//            gone with deleteWhenGone), and of those only the ones with a reason — inputs
//            changed since their last settled pass (a new IP), never read, a failed read, write
//            or verification — plus a rolling resync spread evenly over dns.resyncInterval,
//            all capped at dns.maxMemberReadsPerSecond (the rest are deferred, longest waiting
//            first, and reported). A provider backing off (DnsProviderBackoff, dns_backoff.h)
//            is not called: its members with a reason skip as provider_unreadable. A
//            provider that lists its zone (Azure DNS) is listed once for all its members of
//            the pass when the names would take more requests than its last zone list did;
//            a listing reads all of that provider's members, so it is their resync too (one
//            listing per resyncInterval when nothing else needs one).
//   plan     plan_dns_changes() (pure; it alone decides, so nothing changes while state is
//            unknown) over the members judged on their group state alone and the members read
//            this pass. A member not read keeps its last known state (DnsReporter::carried()).
//   act      per member change, PolicyDnsExecutor (dns_executor.h): dry-run chosen there, the
//            real one applies and re-plans on a conflict; then DnsVerification
//            (dns_verification.h) asks the authoritative servers. A name whose verification
//            failed is read and verified again next pass.
//   report   DnsReporter (dns_reporter.h): every log event and metric of the pipeline.
//
// Passes are coalesced: one arriving while a job runs replaces the pending one (no queue). An
// IP change is read, planned and written in the first pass that observes it (unless the read
// cap defers it). A provider error other than a conflict backs that provider off.
//
// State (back-off, read planner, unverified names, the reporter's memory) is touched only by
// the job on the worker; configure()/observe() only swap inputs under a mutex.
//
// Failures are contained: a provider call that throws counts as that call's error
// (ContainedDnsProvider) and a job that throws ends that job only; both log internal.error
// component=dns_sync and count frankenetes_internal_errors_total{component="dns_sync"}.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "config/types.h"
#include "core/sleeper.h"
#include "core/time_source.h"
#include "dns/verifier.h"
#include "model/observation.h"
#include "plan/dns_plan.h"
#include "plan/dns_read_plan.h"
#include "reconcile/act_gate.h"
#include "reconcile/dns_backoff.h"
#include "reconcile/dns_executor.h"
#include "reconcile/dns_providers.h"
#include "reconcile/dns_reporter.h"
#include "reconcile/dns_verification.h"
#include "reconcile/worker.h"
#include "status/recorders.h"

namespace frankenetes::reconcile {

struct DnsSyncDeps {
  Worker& worker;  // DNS work only (one thread in the daemon)
  const core::TimeSource& time;
  dns::RecordQuerier& querier;  // verification
  core::Sleeper& sleeper;       // verification polling (the daemon's StopSignal)
  status::DnsMetrics& metrics = status::noop_metrics();
  status::ErrorMetrics& error_metrics = status::noop_metrics();  // component dns_sync
  status::StatusRecorder& status = status::noop_metrics();       // /status
  // Coordination (act_gate.h): members of clusters another replica holds are skipped as
  // not_leader before anything is read; the provider's fence stays the last word on writes.
  // Empty: every cluster.
  ActGate may_act = {};
};

// What one job did, for tests and the on_sync hook.
struct DnsSyncReport {
  std::size_t applied = 0;
  std::size_t failed = 0;
  std::size_t conflicts = 0;  // kConflict answers (each followed by a re-read)
  std::size_t dry_run = 0;
  std::size_t verified = 0;
  std::size_t verify_failed = 0;
  std::size_t internal_errors = 0;  // exceptions contained (provider calls, the job itself)
  std::size_t reads = 0;            // members whose records were read (or tried)
  std::size_t deferred = 0;         // members whose wanted read the cap put off
  std::vector<plan::DnsSkip> skips;
};

class DnsSynchronizer {
 public:
  explicit DnsSynchronizer(DnsSyncDeps deps);
  DnsSynchronizer(const DnsSynchronizer&) = delete;
  DnsSynchronizer& operator=(const DnsSynchronizer&) = delete;

  // Any thread. The providers by dns.providers key; a provider object that changed (reload)
  // starts without back-off.
  void configure(std::shared_ptr<const config::Config> config, DnsProviders providers);

  // Any thread (the reconciler's scheduler thread): the observations of a completed pass.
  // Submits a job unless one is running; the running job picks the latest up when it ends.
  void observe(std::shared_ptr<const model::Observations> observed);

  // One job synchronously on the caller's thread (tests): every member whose plan needs its
  // records is read, whatever its reason and the read cap.
  DnsSyncReport sync_now(const model::Observations& observed);

  // Called on the worker after every job.
  void on_sync(std::function<void(const DnsSyncReport&)> callback);

  // Stops submitting; a job in flight finishes its current provider call, applies nothing
  // more, and a verification in progress ends before its next round.
  void stop();

 private:
  void run_loop();
  // run() behind the task boundary: an exception becomes an internal error of this job.
  DnsSyncReport run_contained(const model::Observations& observed, bool force);
  DnsSyncReport run(const model::Observations& observed, bool force);
  // How a member takes part in a pass.
  enum class Part {
    kWithoutRecords,  // its plan judges it on the group state alone: nothing to read
    kRead,            // its records were read (or the read failed) this pass
    kUnreadable,      // it wants a read but its provider cannot be called
    kCarried,         // not read this pass: it keeps its last known state
  };
  struct PassReads {
    std::vector<Part> parts;                             // by index of the pass's inputs
    // Members whose plan needs records.
    std::map<model::MemberKey, plan::DnsReadSignature> signatures;
  };
  // Sets DnsMemberInput::standby from deps_.may_act.
  void mark_standby(std::vector<plan::DnsMemberInput>& inputs) const;
  // Drops what the job keeps of members no longer in `inputs` (all that are configured).
  void forget_unconfigured(const std::vector<plan::DnsMemberInput>& inputs);
  // Asks the read planner whose records to read and reads them into `inputs`.
  PassReads read_due(const config::Config& config, const DnsProviderSet& providers,
                     std::vector<plan::DnsMemberInput>& inputs, core::MonotonicTime now, bool force,
                     DnsSyncReport& report);
  void finish_unchanged(const config::Config& config, const DnsProviderSet& providers,
                        const plan::DnsPlanResult& result,
                        const std::map<model::MemberKey, plan::DnsReadSignature>& signatures,
                        const std::map<model::MemberKey, const plan::DnsMemberInput*>& planned,
                        DnsSyncReport& report);
  // Why `provider` cannot be read now, for the skip detail.
  static std::string unavailable(const DnsProviderSet& providers, const std::string& provider);
  // The zone reads of one pass, by DnsProviderSet::Entry::key: nullopt until made.
  using ZoneReads = std::map<std::string, std::optional<core::Result<ZoneIndex>>>;
  // Which providers this pass reads by zone: those that can (DnsProvider::reads_zone) and
  // whose per-name reads of `reads` would cost more requests than their last zone read took.
  ZoneReads plan_zone_reads(const DnsProviderSet& providers,
                            const std::vector<plan::DnsRead>& reads,
                            const std::vector<plan::DnsMemberInput>& inputs,
                            const std::map<model::MemberKey, std::size_t>& index) const;
  // A zone listing reads every member of its provider: the provider's readable candidates
  // that `decision` defers (over the cap) or leaves for later are read from it too, at no
  // extra request, so the listing is also their resync (plan/dns_read_plan.h).
  void add_zone_listed_members(plan::DnsReadDecision& decision, const ZoneReads& zones,
                               const std::vector<plan::DnsReadCandidate>& candidates,
                               const DnsProviderSet& providers,
                               const std::vector<plan::DnsMemberInput>& inputs,
                               const std::map<model::MemberKey, std::size_t>& index) const;
  // Reads one member's records into `input` (or its read_error), from its provider's zone
  // read when `zones` has one for it (made at the first member that needs it); false when
  // that failed.
  bool read(const config::Config& config, const DnsProviderSet& providers,
            const plan::DnsRead& read, plan::DnsMemberInput& input, ZoneReads& zones,
            DnsSyncReport& report);
  // True when the member's change left it settled (plan/dns_read_plan.h).
  bool act(const config::Config& config, const DnsProviderSet::Entry& provider,
           const plan::DnsMemberChange& change, const plan::DnsMemberInput& input,
           DnsSyncReport& report);
  // True when the name answers as expected (or nobody can be asked).
  bool verify(const config::Config& config, dns::DnsProvider& provider,
              const model::MemberKey& member, const dns::Expectation& expectation,
              DnsSyncReport& report);
  void provider_failed(const config::Config& config, const DnsProviderSet::Entry& provider,
                       const core::Error& error);
  void provider_ok(const DnsProviderSet::Entry& provider);
  void internal_error(const std::string& what, std::string_view action);

  DnsSyncDeps deps_;
  std::stop_source stop_;

  // Inputs, guarded by mutex_.
  std::mutex mutex_;
  std::shared_ptr<const config::Config> config_;
  std::uint64_t config_generation_ = 0;  // configure() calls so far
  DnsProviderSet providers_;
  std::shared_ptr<const model::Observations> pending_;
  bool running_ = false;
  bool stopped_ = false;
  std::function<void(const DnsSyncReport&)> on_sync_;

  // The pipeline's stages and job state (one job at a time).
  DnsReporter reporter_;
  ProviderDnsExecutor real_executor_;
  DryRunDnsExecutor dry_run_executor_;
  PolicyDnsExecutor executor_;
  DnsVerification verification_;
  std::map<std::string, DnsProviderBackoff> backoff_;        // by DnsProviderSet::Entry::key
  std::map<std::string, std::size_t> zone_read_requests_;     // the last zone read's cost, same key
  std::map<model::MemberKey, dns::Expectation> unverified_;  // last verification failed
  // The configuration (config_generation_) whose members the job state was last trimmed to:
  // only a new one can drop members, so the passes in between skip the trimming (sets of
  // every member, each pass).
  std::optional<std::uint64_t> forgotten_for_;
  // Provider reads cost API quota (every Azure DNS GET is an ARM read): whose records to read.
  plan::DnsReadPlanner reads_;
  std::size_t internal_errors_ = 0;  // contained so far (DnsSyncReport::internal_errors)
};

}  // namespace frankenetes::reconcile
