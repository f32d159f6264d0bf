#include "reconcile/dns_executor.h"

#include <chrono>
#include <utility>

namespace frankenetes::reconcile {

DnsApplyResult ProviderDnsExecutor::apply(const plan::DnsMemberChange& change,
                                          const DnsChangeTarget& target) {
  using Outcome = DnsApplyResult::Outcome;
  DnsApplyResult result;
  result.change = change;
  plan::DnsMemberInput input = target.input;
  for (;;) {
    if (stop_.stop_requested()) {
      result.outcome = Outcome::kStopped;
      return result;
    }
    ++result.attempts;
    const auto started = time_.monotonic_time();
    auto applied = target.provider.apply(result.change.changes);
    result.duration = std::chrono::duration_cast<core::Duration>(time_.monotonic_time() - started);
    if (applied.ok()) {
      result.outcome = Outcome::kApplied;
      return result;
    }
    const bool conflict = applied.error().kind == core::ErrorKind::kConflict;
    if (!conflict || static_cast<int>(result.conflicts.size()) >= kMaxConflictRetries) {
      result.outcome = Outcome::kFailed;
      result.error = applied.error();
      return result;
    }
    // Every change carries expected_current, so nothing was written: what is there now decides
    // what to write, never the stale plan.
    result.conflicts.push_back(applied.error());
    auto read = read_member_records(target.provider, input.dns);
    if (read.failure) {
      result.outcome = Outcome::kUnreadable;
      result.read_failure = std::move(read.failure);
      return result;
    }
    input.current = std::move(read.sets);
    auto replanned =
        plan::plan_dns_changes({target.owner_id, target.policy, {input}, time_.monotonic_time()});
    if (replanned.changes.empty()) {
      result.outcome = Outcome::kSettled;
      result.replan = std::move(replanned);
      return result;
    }
    result.change = replanned.changes.front();
  }
}

}  // namespace frankenetes::reconcile
