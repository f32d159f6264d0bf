#pragma once
// DnsExecutor: the one door a planned DNS change goes through, as ActionExecutor is for
// remediation. The DnsSynchronizer hands it one member's plan::DnsMemberChange and the provider
// that holds the name; the executor carries the change out and says what came of it. It decides
// nothing about whether to change (plan/dns_plan.h does), and neither logs nor counts
// (DnsReporter does), nor verifies (DnsVerification does).
//
//   ProviderDnsExecutor   provider.apply(change). A kConflict answer (412, prerequisite
//                         failed, Cloudflare values moved: the record changed since it was
//                         read) re-reads the member's names and re-plans that member alone,
//                         at most kMaxConflictRetries times, so the stale write never
//                         happens; a re-plan that leaves nothing to change ends as kSettled.
//                         A stop of the daemon ends it before the next provider call.
//   DryRunDnsExecutor     sends nothing: the change is reported as planned.
//   PolicyDnsExecutor     the one place dry-run is decided: change.dry_run (set by the planner
//                         from policy.dryRun) picks the dry-run executor, else the real one.

#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "config/types.h"
#include "core/result.h"
#include "core/time_source.h"
#include "dns/provider.h"
#include "plan/dns_plan.h"
#include "reconcile/dns_providers.h"

namespace frankenetes::reconcile {

// Where a change goes and what a re-plan needs.
struct DnsChangeTarget {
  dns::DnsProvider& provider;
  const plan::DnsMemberInput& input;  // what the change was planned from
  const std::string& owner_id;        // dns.ownerId
  const config::PolicyConfig& policy;
};

struct DnsApplyResult {
  enum class Outcome {
    kApplied,     // the provider accepted `change`
    kDryRun,      // nothing sent (policy.dryRun)
    kFailed,      // the provider refused `change`: `error` (a kConflict: re-plans used up)
    kSettled,     // a conflict re-plan left nothing to change: `replan` says why
    kUnreadable,  // the re-read after a conflict failed: `read_failure`
    kStopped,     // the daemon is stopping: not (or no longer) sent
  };
  Outcome outcome = Outcome::kStopped;
  plan::DnsMemberChange change;        // as last planned (a conflict re-plan replaces it)
  std::vector<core::Error> conflicts;  // each kConflict answer that was followed by a re-plan
  int attempts = 0;                    // provider.apply() calls
  core::Duration duration{0};          // of the last apply() call
  std::optional<core::Error> error;    // kFailed
  std::optional<DnsReadFailure> read_failure;  // kUnreadable
  std::optional<plan::DnsPlanResult> replan;   // kSettled: the member's skip and status
};

class DnsExecutor {
 public:
  virtual ~DnsExecutor() = default;
  virtual DnsApplyResult apply(const plan::DnsMemberChange& change,
                               const DnsChangeTarget& target) = 0;
};

class ProviderDnsExecutor final : public DnsExecutor {
 public:
  static constexpr int kMaxConflictRetries = 3;

  // `time` times the provider calls and is the re-plan's `now`; `stop` ends the loop.
  ProviderDnsExecutor(const core::TimeSource& time, std::stop_token stop)
      : time_(time), stop_(std::move(stop)) {}

  DnsApplyResult apply(const plan::DnsMemberChange& change, const DnsChangeTarget& target) override;

 private:
  const core::TimeSource& time_;
  std::stop_token stop_;
};

class DryRunDnsExecutor final : public DnsExecutor {
 public:
  DnsApplyResult apply(const plan::DnsMemberChange& change, const DnsChangeTarget&) override {
    DnsApplyResult result;
    result.outcome = DnsApplyResult::Outcome::kDryRun;
    result.change = change;
    return result;
  }
};

class PolicyDnsExecutor final : public DnsExecutor {
 public:
  PolicyDnsExecutor(DnsExecutor& real, DnsExecutor& dry_run) : real_(real), dry_run_(dry_run) {}
  DnsApplyResult apply(const plan::DnsMemberChange& change,
                       const DnsChangeTarget& target) override {
    return change.dry_run ? dry_run_.apply(change, target) : real_.apply(change, target);
  }

 private:
  DnsExecutor& real_;
  DnsExecutor& dry_run_;
};

}  // namespace frankenetes::reconcile
