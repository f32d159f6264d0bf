#include "reconcile/dns_reporter.h"

#include <utility>

#include "log/event.h"
#include "reconcile/internal_error.h"

namespace frankenetes::reconcile {
namespace {

std::string describe_set(const std::optional<dns::RecordSet>& set) {
  if (!set) return "none";
  std::string out = dns::to_string(set->type);
  out += ' ';
  for (std::size_t i = 0; i < set->values.size(); ++i) {
    if (i) out += ',';
    out += set->values[i];
  }
  return out;
}

long long millis(core::Duration d) { return static_cast<long long>(d.count()); }

std::string describe_values(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ",") + v;
  return out;
}

status::MemberName metric_name(const model::MemberKey& key) { return {key.cluster, key.member}; }

// dns.record.planned / dns.record.updated / dns.update.failed: the change, then the event's
// own two fields.
void log_change(log::Level level, std::string_view event, const plan::DnsMemberChange& change,
                log::Field first, log::Field second) {
  log::emit(level, event,
            {{"cluster", change.member.cluster},
             {"member", change.member.member},
             {"provider", change.provider},
             {"fqdn", change.fqdn},
             {"old", describe_set(change.old_record)},
             {"new", describe_set(change.new_record)},
             std::move(first),
             std::move(second)});
}

}  // namespace

void DnsReporter::planned(const plan::DnsPlanResult& result, const model::Observations& observed,
                          core::MonotonicTime now) {
  for (const auto& status : result.members) {
    auto& record = records_[status.member];
    record.provider = status.provider;
    record.fqdn = status.fqdn;
    if (status.in_sync) record.in_sync = status.in_sync;
    record.skip_reason.clear();
    record.detail.clear();
  }
  for (const auto& change : result.changes) records_[change.member].detail = change.detail;
  for (const auto& status : result.members) {
    if (!status.desired) continue;
    auto& seen = seen_[status.member];
    if (seen.values == status.desired->values) continue;
    // The very first sight of a member counts only when its name is not already right.
    const bool changed = !seen.values.empty() || status.in_sync == false;
    seen.values = status.desired->values;
    seen.since = now;
    if (const auto obs = observed.find(status.member); obs != observed.end() && obs->second.group) {
      seen.since = obs->second.group->observed_at;
    }
    seen.pending = changed;
  }
  for (const auto& skip : result.skips) skipped(skip);
}

void DnsReporter::member_in_sync(const model::MemberKey& member, bool in_sync) {
  set_in_sync(member, in_sync);
  if (in_sync) consistent(member);
}

void DnsReporter::reads_planned(const plan::DnsReadDecision& decision, int limit_per_second,
                                core::MonotonicTime now) {
  for (auto& [key, record] : records_) record.read_deferred = false;
  for (const auto& deferred : decision.deferred) records_[deferred.member].read_deferred = true;
  metrics_.reads_deferred(decision.deferred.size());
  if (decision.deferred.empty()) {
    if (deferring_) log::info("dns.read.caught_up", {});
    deferring_ = false;
    return;
  }
  if (deferring_) return;  // the gauge follows the backlog; the log says when it starts
  deferring_ = true;
  const auto& oldest = decision.deferred.front();
  const auto waited = oldest.waiting_since ? now - *oldest.waiting_since : core::Duration(0);
  log::warn("dns.read.deferred",
            {{"deferred", static_cast<unsigned long>(decision.deferred.size())},
             {"read", static_cast<unsigned long>(decision.reads.size())},
             {"oldest_cluster", oldest.member.cluster},
             {"oldest_member", oldest.member.member},
             {"waiting_ms", millis(std::chrono::duration_cast<core::Duration>(waited))},
             {"limit_per_second", limit_per_second},
             {"action", "reading them over the next passes, longest waiting first"}});
}

void DnsReporter::records_read(const model::MemberKey& member, const std::string& provider,
                               plan::DnsReadReason reason, core::SystemTime at) {
  metrics_.record_read(provider, plan::to_string(reason));
  records_[member].read_at = at;
}

void DnsReporter::carried(const model::MemberKey& member,
                          const std::optional<std::vector<std::string>>& desired,
                          core::MonotonicTime seen_at) {
  const auto it = records_.find(member);
  if (it == records_.end()) return;  // never planned: nothing known to carry
  auto& record = it->second;
  if (desired) {
    auto& seen = seen_[member];
    if (!seen.values.empty() && seen.values != *desired) {
      // A new address whose read waits: the name still holds the old one as far as is known.
      seen.values = *desired;
      seen.since = seen_at;
      seen.pending = true;
      record.skip_reason.clear();
      record.detail = "new address " + describe_values(*desired) + ": records not read yet";
      set_in_sync(member, false);
    }
  }
  if (!record.skip_reason.empty()) {
    metrics_.record_skipped(metric_name(member), record.skip_reason);
  } else if (record.in_sync == true) {
    metrics_.record_skipped(metric_name(member), plan::to_string(plan::DnsSkipReason::kInSync));
  }
}

void DnsReporter::read_failed(const std::string& provider, const DnsReadFailure& failure) {
  log::warn("dns.read.failed",
            {{"provider", provider}, {"fqdn", failure.fqdn}, {"error", failure.error.describe()}});
  metrics_.update(provider, "read_failed");
}

void DnsReporter::apply_finished(const DnsApplyResult& result) {
  using Outcome = DnsApplyResult::Outcome;
  const auto& change = result.change;
  const auto& key = change.member;
  for (std::size_t i = 0; i < result.conflicts.size(); ++i) {
    metrics_.update(change.provider, "conflict");
    log::warn("dns.update.conflict", {{"cluster", key.cluster},
                                      {"member", key.member},
                                      {"provider", change.provider},
                                      {"fqdn", change.fqdn},
                                      {"attempt", static_cast<int>(i + 1)},
                                      {"error", result.conflicts[i].describe()},
                                      {"action", "re-reading and re-planning"}});
  }
  if (result.outcome == Outcome::kDryRun) {
    const std::string what =
        describe_set(change.old_record) + " -> " + describe_set(change.new_record);
    if (auto& last = last_planned_[key]; last != what) {
      last = what;
      log_change(log::Level::kInfo, "dns.record.planned", change,
                 {"kind", plan::to_string(change.kind)}, {"dry_run", true});
      record(key, std::string(plan::to_string(change.kind)), "planned (dry run)", change.detail);
    }
    metrics_.update(change.provider, "dry_run");
    return;
  }
  if (result.attempts > 0) last_planned_.erase(key);
  switch (result.outcome) {
    case Outcome::kApplied:
      last_skip_.erase(key);
      metrics_.update(change.provider, "updated");
      log_change(log::Level::kInfo, "dns.record.updated", change,
                 {"kind", plan::to_string(change.kind)}, {"duration_ms", millis(result.duration)});
      record(key, std::string(plan::to_string(change.kind)), "updated",
             change.fqdn + ": " + change.detail);
      break;
    case Outcome::kFailed:
      metrics_.update(change.provider, "failed");
      log_change(log::Level::kError, "dns.update.failed", change,
                 {"error", result.error ? result.error->describe() : ""},
                 {"attempts", result.attempts});
      record(key, std::string(plan::to_string(change.kind)), "failed",
             change.fqdn + ": " + (result.error ? result.error->describe() : std::string()));
      set_in_sync(key, false);
      break;
    case Outcome::kSettled:
      for (const auto& skip : result.replan->skips) skipped(skip);
      for (const auto& status : result.replan->members) {
        if (status.in_sync) set_in_sync(status.member, *status.in_sync);
      }
      break;
    case Outcome::kUnreadable:
      read_failed(change.provider, *result.read_failure);
      break;
    case Outcome::kDryRun:
    case Outcome::kStopped:
      break;
  }
}

void DnsReporter::verified(const model::MemberKey& member, const std::string& provider,
                           const dns::Expectation& expectation, const DnsVerifyOutcome& outcome) {
  using Kind = DnsVerifyOutcome::Kind;
  switch (outcome.kind) {
    case Kind::kNoServers:
      log::debug("dns.verify.skipped", {{"cluster", member.cluster},
                                        {"member", member.member},
                                        {"provider", provider},
                                        {"reason", "no nameservers to verify against"}});
      set_in_sync(member, true);
      consistent(member);
      break;
    case Kind::kConsistent:
      log::info("dns.verify.succeeded", {{"cluster", member.cluster},
                                         {"member", member.member},
                                         {"provider", provider},
                                         {"fqdn", expectation.fqdn},
                                         {"expected", expectation.describe()},
                                         {"duration_ms", millis(outcome.result.elapsed)}});
      set_in_sync(member, true);
      consistent(member);
      break;
    case Kind::kInconsistent:
      metrics_.update(provider, "verify_failed");
      log::warn("dns.verify.failed", {{"cluster", member.cluster},
                                      {"member", member.member},
                                      {"provider", provider},
                                      {"fqdn", expectation.fqdn},
                                      {"expected", expectation.describe()},
                                      {"result", outcome.result.describe()},
                                      {"action", "verifying again next pass"}});
      record(member, "verify", "failed",
             expectation.fqdn + ": expected " + expectation.describe() + ", got " +
                 outcome.result.describe());
      set_in_sync(member, false);
      break;
    case Kind::kCancelled:
      break;  // the daemon is stopping: nothing was learnt
  }
}

void DnsReporter::provider_backing_off(const std::string& provider, std::uint32_t failures,
                                       core::Duration delay, const core::Error& error) {
  log::warn("dns.provider.backoff", {{"provider", provider},
                                     {"failures", static_cast<unsigned long>(failures)},
                                     {"retry_in_ms", millis(delay)},
                                     {"error", error.describe()}});
}

void DnsReporter::provider_recovered(const std::string& provider) {
  log::info("dns.provider.recovered", {{"provider", provider}});
}

void DnsReporter::internal_error(const std::string& what, std::string_view action) {
  report_internal_error(
      [this](const std::string& component, const std::string&) {
        errors_.internal_error(component);
      },
      "dns_sync", what, action);
}

void DnsReporter::forget_unconfigured(const std::vector<plan::DnsMemberInput>& inputs) {
  std::set<model::MemberKey> configured;
  for (const auto& input : inputs) configured.insert(input.member);
  for (auto it = gauged_.begin(); it != gauged_.end();) {
    if (configured.contains(*it)) {
      ++it;
      continue;
    }
    metrics_.record_removed(metric_name(*it));
    records_.erase(*it);
    last_skip_.erase(*it);
    seen_.erase(*it);
    last_planned_.erase(*it);
    it = gauged_.erase(it);
  }
}

void DnsReporter::skipped(const plan::DnsSkip& skip) {
  metrics_.record_skipped(metric_name(skip.member), plan::to_string(skip.reason));
  auto& status = records_[skip.member];
  status.skip_reason = plan::to_string(skip.reason);
  status.detail = skip.detail;
  const auto it = last_skip_.find(skip.member);
  if (it != last_skip_.end() && it->second == skip.reason) return;
  last_skip_[skip.member] = skip.reason;
  if (skip.reason != plan::DnsSkipReason::kInSync) {
    record(skip.member, "skip " + std::string(plan::to_string(skip.reason)), "", skip.detail);
  }
  const bool warn = skip.reason == plan::DnsSkipReason::kNotOwned ||
                    skip.reason == plan::DnsSkipReason::kProviderUnreadable;
  log::emit(warn ? log::Level::kWarn : log::Level::kInfo, "dns.record.skipped",
            {{"cluster", skip.member.cluster},
             {"member", skip.member.member},
             {"provider", skip.provider},
             {"fqdn", skip.fqdn},
             {"reason", plan::to_string(skip.reason)},
             {"detail", skip.detail}});
}

void DnsReporter::publish_status() {
  std::vector<status::DnsRecordStatus> records;
  records.reserve(records_.size());
  for (const auto& [key, record] : records_) records.push_back({key.cluster, key.member, record});
  status_.dns_records(std::move(records));
}

void DnsReporter::record(const model::MemberKey& member, std::string what, std::string outcome,
                         std::string detail) {
  status_.event({{}, "dns", member.cluster, member.member, std::move(what), std::move(outcome),
                 std::move(detail)});
}

void DnsReporter::set_in_sync(const model::MemberKey& member, bool in_sync) {
  records_[member].in_sync = in_sync;
  gauged_.insert(member);
  metrics_.record_in_sync(metric_name(member), in_sync);
}

void DnsReporter::consistent(const model::MemberKey& member) {
  const auto it = seen_.find(member);
  if (it == seen_.end() || !it->second.pending) return;
  it->second.pending = false;
  metrics_.ip_change_consistent(time_.monotonic_time() - it->second.since);
}

}  // namespace frankenetes::reconcile
