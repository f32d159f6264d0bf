#pragma once
// DnsSynchronizer: keeps each member's DNS name on its group's current address. The
// reconciler hands it the observations of every completed pass (observe(), scheduler thread,
// never blocks); the work runs on a dedicated DNS Worker so a slow or dead provider never
// stalls the observe -> plan -> act loop:
//
//   for the latest observations (a pass arriving while one is in flight replaces the pending
//   one; passes are never queued up; observations whose DNS-relevant part — group outcome,
//   state, IP, FQDN, config — did not change are synced at most once per poll interval, so
//   provider quotas are not spent on every GET; a change runs at once):
//     read names_to_read() of every member at its provider (providers backing off are not
//       called: their members skip as provider_unreadable)
//     plan_dns_changes() (pure; it alone decides, so nothing changes while state is unknown)
//     per member change: dry-run -> logged only; else provider.apply(); kConflict -> re-read
//       that member's names and re-plan it, at most kMaxConflictRetries times (the stale write
//       never happens: every change carries expected_current); any other error ->
//       dns.update.failed, counted, the provider backs off (core::Backoff, capped at one poll
//       interval so a correction is never delayed by more than a pass after recovery)
//     after a successful apply: DnsVerifier against choose_verify_servers(); a failure is
//       logged (dns.verify.failed), the gauge stays 0 and the next pass verifies again.
//
// State (back-off, last skip reasons, unverified expectations, first sight of an address) is
// touched only by the job on the worker; observe()/configure() only swap inputs under a mutex.
//
// Failures are contained: a provider call that throws counts as that call's error
// (the member is unreadable or its update failed: nothing is decided on it) and a job that
// throws ends that job only; both log internal.error component=dns_sync and count
// frankenetes_internal_errors_total{component="dns_sync"}. The next pass starts afresh.
//
// Logs: dns.record.updated (fqdn old new provider duration_ms kind), dns.record.planned
// (dry-run), dns.record.skipped (only when a member's reason changes), dns.update.failed,
// dns.update.conflict, dns.verify.succeeded / dns.verify.failed, dns.provider.backoff.
// Metrics (status/metrics.h): dns_updates_total, dns_record_in_sync, dns_skips_total,
// dns_ip_change_to_consistent_seconds.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/types.h"
#include "core/backoff.h"
#include "core/sleeper.h"
#include "core/time_source.h"
#include "dns/provider.h"
#include "dns/verifier.h"
#include "model/observation.h"
#include "plan/dns_plan.h"
#include "reconcile/worker.h"

namespace frankenetes::status {
class Metrics;
}

namespace frankenetes::reconcile {

using DnsProviders = std::map<std::string, std::shared_ptr<dns::DnsProvider>>;

struct DnsSyncDeps {
  Worker& worker;  // DNS work only (one thread in the daemon)
  const core::TimeSource& time;
  dns::RecordQuerier& querier;  // verification
  core::Sleeper& sleeper;       // verification polling (the daemon's StopSignal)
  status::Metrics* metrics = nullptr;
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
  std::vector<plan::DnsSkip> skips;
};

class DnsSynchronizer {
 public:
  static constexpr int kMaxConflictRetries = 3;

  explicit DnsSynchronizer(DnsSyncDeps deps);
  DnsSynchronizer(const DnsSynchronizer&) = delete;
  DnsSynchronizer& operator=(const DnsSynchronizer&) = delete;

  // Any thread. The providers by dns.providers key; a provider object that changed (reload)
  // starts without back-off.
  void configure(std::shared_ptr<const config::Config> config, DnsProviders providers);

  // Any thread (the reconciler's scheduler thread): the observations of a completed pass.
  // Submits a job unless one is running; the running job picks the latest up when it ends.
  void observe(const model::Observations& observed);

  // One job synchronously on the caller's thread (tests, --once), never skipped as unchanged.
  DnsSyncReport sync_now(const model::Observations& observed);

  // Called on the worker after every job.
  void on_sync(std::function<void(const DnsSyncReport&)> callback);

  // Stops submitting; a job in flight finishes its current provider call, applies nothing
  // more, and a verification in progress ends at once.
  void stop();

 private:
  struct ProviderState {
    const dns::DnsProvider* instance = nullptr;  // back-off resets when the provider changes
    std::uint32_t failures = 0;
    std::optional<core::MonotonicTime> retry_at;
  };
  struct Unverified {
    std::string provider;
    dns::Expectation expectation;
  };
  struct AddressSeen {
    std::vector<std::string> values;
    core::MonotonicTime since{};
    bool pending = false;  // changed and not yet verified
  };

  void run_loop();
  // run() behind the task boundary: an exception becomes an internal error of this job.
  DnsSyncReport run_contained(const model::Observations& observed, bool force);
  DnsSyncReport run(const model::Observations& observed, bool force);
  std::optional<std::vector<dns::RecordSet>> read_member(dns::DnsProvider& provider,
                                                         const config::MemberDnsConfig& dns,
                                                         std::string& error);
  void apply_change(const config::Config& config, dns::DnsProvider& provider,
                    plan::DnsMemberChange change, plan::DnsMemberInput input,
                    DnsSyncReport& report);
  bool verify(const config::Config& config, dns::DnsProvider& provider,
              const model::MemberKey& member, const dns::Expectation& expectation,
              DnsSyncReport& report);
  void provider_failed(const config::Config& config, const std::string& provider,
                       const core::Error& error);
  void provider_ok(const std::string& provider);
  bool backing_off(const std::string& provider, core::MonotonicTime now) const;
  void note_skip(const plan::DnsSkip& skip);
  void set_in_sync(const model::MemberKey& member, bool in_sync);
  // A reload dropped a member's dns section: its gauge and memory go too.
  void forget_unconfigured(const std::vector<plan::DnsMemberInput>& inputs);
  void consistent(const model::MemberKey& member);
  void count_update(const std::string& provider, const char* result);
  // Logs internal.error component=dns_sync and counts it.
  void internal_error(const std::string& what, std::string_view action);
  // The provider's read()/apply() with an exception turned into a kTerminal error (and an
  // internal error): a provider with a bug is an unreadable or failing provider, not a dead job.
  core::Result<std::vector<dns::RecordSet>> contained_read(dns::DnsProvider& provider,
                                                           const std::string& fqdn);
  core::Status contained_apply(dns::DnsProvider& provider, const std::vector<dns::Change>& changes);

  DnsSyncDeps deps_;

  // Inputs, guarded by mutex_.
  std::mutex mutex_;
  std::shared_ptr<const config::Config> config_;
  DnsProviders providers_;
  std::optional<model::Observations> pending_;
  bool running_ = false;
  bool stopped_ = false;
  std::atomic<bool> stop_requested_{false};  // read by the job without the mutex
  std::function<void(const DnsSyncReport&)> on_sync_;

  // Job state (one job at a time).
  std::map<std::string, ProviderState> provider_state_;
  std::map<model::MemberKey, plan::DnsSkipReason> last_skip_;
  std::map<model::MemberKey, Unverified> unverified_;
  std::map<model::MemberKey, AddressSeen> seen_;
  std::map<model::MemberKey, std::string> last_planned_;  // dry-run logged once per change
  std::set<model::MemberKey> gauged_;  // members with a dns_record_in_sync series
  // Provider reads cost API quota (Azure DNS reads count against ARM's): an unchanged input
  // is synced at most once per poll interval; a changed one (new IP, state) at once.
  std::string last_signature_;
  std::optional<core::MonotonicTime> last_run_;
  std::size_t internal_errors_ = 0;  // contained so far (DnsSyncReport::internal_errors)
};

}  // namespace frankenetes::reconcile
