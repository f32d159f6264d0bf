#include "reconcile/dns_sync.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "reconcile/internal_error.h"

namespace frankenetes::reconcile {

DnsSynchronizer::DnsSynchronizer(DnsSyncDeps deps)
    : deps_(deps),
      providers_([this](const std::string& what, std::string_view action) {
        internal_error(what, action);
      }),
      reporter_(deps_.metrics, deps_.error_metrics, deps_.time, deps_.status),
      real_executor_(deps_.time, stop_.get_token()),
      executor_(real_executor_, dry_run_executor_),
      verification_(deps_.querier, deps_.time, deps_.sleeper, stop_.get_token()) {}

void DnsSynchronizer::configure(std::shared_ptr<const config::Config> config,
                                DnsProviders providers) {
  std::lock_guard lock(mutex_);
  config_ = std::move(config);
  ++config_generation_;
  providers_.update(providers);
}

void DnsSynchronizer::on_sync(std::function<void(const DnsSyncReport&)> callback) {
  std::lock_guard lock(mutex_);
  on_sync_ = std::move(callback);
}

void DnsSynchronizer::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  pending_.reset();
  stop_.request_stop();
}

void DnsSynchronizer::observe(std::shared_ptr<const model::Observations> observed) {
  if (!observed) return;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    pending_ = std::move(observed);
    if (running_) return;  // the running job takes the latest when it ends
    running_ = true;
  }
  // Should anything still escape run_loop(), the next observe() must be able to submit again.
  deps_.worker.submit([this] { run_loop(); },
                      [this](const std::string&) {
                        std::lock_guard lock(mutex_);
                        running_ = false;
                      });
}

DnsSyncReport DnsSynchronizer::sync_now(const model::Observations& observed) {
  return run_contained(observed, /*force=*/true);
}

void DnsSynchronizer::run_loop() {
  for (;;) {
    std::shared_ptr<const model::Observations> observed;
    {
      std::lock_guard lock(mutex_);
      if (stopped_ || !pending_) {
        running_ = false;
        return;
      }
      observed = std::move(pending_);
    }
    const auto report = run_contained(*observed, /*force=*/false);
    std::function<void(const DnsSyncReport&)> callback;
    {
      std::lock_guard lock(mutex_);
      callback = on_sync_;
    }
    if (!callback) continue;
    try {
      callback(report);
    } catch (...) {
      // running_ must end false whatever happens here, or no job is ever submitted again.
      internal_error(current_exception_text(), "on_sync callback failed; DNS jobs go on");
    }
  }
}

DnsSyncReport DnsSynchronizer::run_contained(const model::Observations& observed, bool force) {
  const auto before = internal_errors_;
  DnsSyncReport report;
  try {
    report = run(observed, force);
  } catch (...) {
    // A member whose pass ended early was never settled: it keeps its reason to be read.
    internal_error(current_exception_text(), "DNS job ended early; the next pass starts afresh");
  }
  report.internal_errors = internal_errors_ - before;
  reporter_.publish_status();
  return report;
}

namespace {

// Whether a plan that left a member alone for `reason` (on records read this pass) leaves it
// with nothing to do until its inputs change. Any other reason (the observation went stale
// while the job ran, the provider could not be read) reads it again next pass.
bool settles(plan::DnsSkipReason reason) {
  return reason == plan::DnsSkipReason::kInSync || reason == plan::DnsSkipReason::kNotOwned ||
         reason == plan::DnsSkipReason::kPaused;
}

// The address a carried member's name should have now, when its group is Running.
std::optional<std::vector<std::string>> desired_values(const plan::DnsMemberInput& input) {
  if (!input.group || !input.group->view) return std::nullopt;
  const auto desired = plan::desired_record(input.dns, input.group->view->summary);
  if (!desired.record) return std::nullopt;
  return desired.record->values;
}

}  // namespace

void DnsSynchronizer::mark_standby(std::vector<plan::DnsMemberInput>& inputs) const {
  if (!deps_.may_act) return;
  const std::string* cluster = nullptr;
  bool ours = true;
  for (auto& input : inputs) {  // a cluster's members are next to each other
    if (cluster == nullptr || *cluster != input.member.cluster) {
      cluster = &input.member.cluster;
      ours = deps_.may_act(*cluster);
    }
    input.standby = !ours;
  }
}

void DnsSynchronizer::forget_unconfigured(const std::vector<plan::DnsMemberInput>& inputs) {
  reporter_.forget_unconfigured(inputs);
  std::set<model::MemberKey> configured;
  for (const auto& input : inputs) configured.insert(input.member);
  reads_.forget_except(configured);
  std::erase_if(unverified_, [&](const auto& entry) { return !configured.contains(entry.first); });
}

DnsSyncReport DnsSynchronizer::run(const model::Observations& observed, bool force) {
  std::shared_ptr<const config::Config> config;
  std::uint64_t generation = 0;
  const DnsProviderSet providers = [&] {
    std::lock_guard lock(mutex_);
    config = config_;
    generation = config_generation_;
    return providers_;
  }();
  DnsSyncReport report;
  if (!config || !config->dns) return report;
  auto inputs = plan::dns_members(*config, observed);
  mark_standby(inputs);
  if (forgotten_for_ != generation) {
    forget_unconfigured(inputs);
    forgotten_for_ = generation;
  }
  if (inputs.empty()) return report;
  // A provider object no longer configured takes its back-off along.
  std::erase_if(backoff_, [&](const auto& entry) { return !providers.holds(entry.first); });

  const auto now = deps_.time.monotonic_time();
  const auto pass = read_due(*config, providers, inputs, now, force, report);
  // The members to plan, moved to the front of `inputs` in place: a second vector of them was
  // a few MB more at the peak of a pass that reads every member (a zone listing).
  std::size_t kept = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (pass.parts[i] != Part::kCarried) {
      if (kept != i) inputs[kept] = std::move(inputs[i]);
      ++kept;
    } else {
      reporter_.carried(inputs[i].member, desired_values(inputs[i]), inputs[i].group->observed_at);
    }
  }
  inputs.erase(inputs.begin() + static_cast<std::ptrdiff_t>(kept), inputs.end());
  std::vector<plan::DnsMemberInput>& planned = inputs;
  auto result = plan::plan_dns_changes({config->dns->owner_id, config->policy, planned, now});
  reporter_.planned(result, observed, now);
  std::map<model::MemberKey, const plan::DnsMemberInput*> planned_inputs;
  for (const auto& input : planned) planned_inputs.emplace(input.member, &input);

  finish_unchanged(*config, providers, result, pass.signatures, planned_inputs, report);
  for (const auto& change : result.changes) {
    // Read again next pass unless the change is seen through (a stop may end the loop first).
    reads_.unsettled(change.member);
  }
  for (const auto& change : result.changes) {
    if (stop_.stop_requested()) break;
    const auto* provider = providers.find(change.provider);
    const auto input = planned_inputs.find(change.member);
    if (provider == nullptr || input == planned_inputs.end()) continue;
    if (act(*config, *provider, change, *input->second, report)) {
      reads_.settled(change.member, pass.signatures.at(change.member));
    }
  }
  // The plan's skips first, then those of re-plans after conflicts (act()).
  report.skips.insert(report.skips.begin(), std::make_move_iterator(result.skips.begin()),
                      std::make_move_iterator(result.skips.end()));
  return report;
}

DnsSynchronizer::PassReads DnsSynchronizer::read_due(const config::Config& config,
                                                     const DnsProviderSet& providers,
                                                     std::vector<plan::DnsMemberInput>& inputs,
                                                     core::MonotonicTime now, bool force,
                                                     DnsSyncReport& report) {
  PassReads pass;
  pass.parts.assign(inputs.size(), Part::kCarried);
  std::map<model::MemberKey, std::size_t> index;
  std::vector<plan::DnsReadCandidate> candidates;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& input = inputs[i];
    index.emplace(input.member, i);
    if (!plan::dns_needs_records(input, config.policy, now)) {
      pass.parts[i] = Part::kWithoutRecords;
      reads_.not_needed(input.member);
      continue;
    }
    const auto* provider = providers.find(input.dns.provider);
    const bool readable = provider != nullptr && !backoff_[provider->key].backing_off(now);
    // A rebuilt provider (another zone, other credentials) may hold other records.
    const auto signature = plan::dns_read_signature(plan::dns_member_signature(input) + "|" +
                                                    (provider ? provider->key : ""));
    pass.signatures.emplace(input.member, signature);
    candidates.push_back(
        {input.member, signature, readable, provider && provider->provider->reads_zone()});
  }
  const plan::DnsReadSettings settings{config.dns->resync_interval,
                                       config.dns->max_member_reads_per_second,
                                       config.policy.poll_interval};
  auto decision = reads_.plan(candidates, now, settings, force);
  auto zones = plan_zone_reads(providers, decision.reads, inputs, index);
  add_zone_listed_members(decision, zones, candidates, providers, inputs, index);
  reporter_.reads_planned(decision, settings.max_reads_per_second, now);
  report.deferred = decision.deferred.size();
  for (const auto& wanted : decision.reads) {
    const auto i = index.at(wanted.member);
    pass.parts[i] = Part::kRead;
    if (!read(config, providers, wanted, inputs[i], zones, report)) {
      reads_.unsettled(wanted.member);
    }
  }
  for (const auto& wanted : decision.unreadable) {
    const auto i = index.at(wanted.member);
    pass.parts[i] = Part::kUnreadable;
    inputs[i].read_error = unavailable(providers, inputs[i].dns.provider);
  }
  return pass;
}

// Members without a change: the gauge follows the plan's in_sync (kept when unknown); a name
// whose last verification failed is verified again. A member planned on records it read is
// settled unless the read or that verification failed.
void DnsSynchronizer::finish_unchanged(
    const config::Config& config, const DnsProviderSet& providers,
    const plan::DnsPlanResult& result,
    const std::map<model::MemberKey, plan::DnsReadSignature>& signatures,
    const std::map<model::MemberKey, const plan::DnsMemberInput*>& planned, DnsSyncReport& report) {
  const auto changes = plan::index_by_member(result.changes);
  const auto skips = plan::index_by_member(result.skips);
  for (const auto& status : result.members) {
    if (plan::find_in(changes, status.member)) continue;
    const auto signature = signatures.find(status.member);
    const auto input = planned.find(status.member);
    const auto* skip = plan::find_in(skips, status.member);
    bool settled = signature != signatures.end() && input != planned.end() &&
                   input->second->current.has_value() && skip != nullptr && settles(skip->reason);
    if (const auto it = unverified_.find(status.member);
        it != unverified_.end() && status.in_sync) {
      const bool same = status.desired && status.desired->values == it->second.values;
      const auto* provider = providers.find(status.provider);
      if (*status.in_sync && same && provider) {
        const auto expectation = it->second;
        settled =
            verify(config, *provider->provider, status.member, expectation, report) && settled;
      } else {
        unverified_.erase(it);
        reporter_.member_in_sync(status.member, *status.in_sync);
      }
    } else if (status.in_sync) {
      reporter_.member_in_sync(status.member, *status.in_sync);
    }
    if (signature == signatures.end()) continue;
    if (settled) {
      reads_.settled(status.member, signature->second);
    } else {
      reads_.unsettled(status.member);
    }
  }
}

std::string DnsSynchronizer::unavailable(const DnsProviderSet& providers,
                                         const std::string& provider) {
  return providers.find(provider) == nullptr
             ? "provider \"" + provider + "\" is not available"
             : "provider \"" + provider + "\" is backing off after errors";
}

DnsSynchronizer::ZoneReads DnsSynchronizer::plan_zone_reads(
    const DnsProviderSet& providers, const std::vector<plan::DnsRead>& reads,
    const std::vector<plan::DnsMemberInput>& inputs,
    const std::map<model::MemberKey, std::size_t>& index) const {
  std::map<std::string, std::size_t> by_name;  // provider requests of reading name by name
  for (const auto& wanted : reads) {
    const auto& dns = inputs[index.at(wanted.member)].dns;
    const auto* provider = providers.find(dns.provider);
    if (provider == nullptr || !provider->provider->reads_zone()) continue;
    by_name[provider->key] +=
        plan::names_to_read(dns).size() * provider->provider->requests_per_read();
  }
  ZoneReads zones;
  for (const auto& [key, cost] : by_name) {
    // Never listed: assume one page, and learn.
    const auto it = zone_read_requests_.find(key);
    const std::size_t zone_cost = it == zone_read_requests_.end() ? 1 : it->second;
    if (zone_cost < cost) zones.emplace(key, std::nullopt);
  }
  return zones;
}

void DnsSynchronizer::add_zone_listed_members(
    plan::DnsReadDecision& decision, const ZoneReads& zones,
    const std::vector<plan::DnsReadCandidate>& candidates, const DnsProviderSet& providers,
    const std::vector<plan::DnsMemberInput>& inputs,
    const std::map<model::MemberKey, std::size_t>& index) const {
  if (zones.empty()) return;
  const auto listed = [&](const model::MemberKey& member) {
    const auto* provider = providers.find(inputs[index.at(member)].dns.provider);
    return provider != nullptr && zones.contains(provider->key);
  };
  std::set<model::MemberKey> reading;
  for (const auto& wanted : decision.reads) reading.insert(wanted.member);
  std::vector<plan::DnsRead> deferred;
  for (auto& wanted : decision.deferred) {
    if (listed(wanted.member)) {
      reading.insert(wanted.member);
      decision.reads.push_back(std::move(wanted));
    } else {
      deferred.push_back(std::move(wanted));
    }
  }
  decision.deferred = std::move(deferred);
  for (const auto& candidate : candidates) {
    if (!candidate.readable || reading.contains(candidate.member) || !listed(candidate.member)) {
      continue;
    }
    decision.reads.push_back(
        {candidate.member, plan::DnsReadReason::kResync, reads_.read_at(candidate.member)});
  }
}

bool DnsSynchronizer::read(const config::Config& config, const DnsProviderSet& providers,
                           const plan::DnsRead& wanted, plan::DnsMemberInput& input,
                           ZoneReads& zones, DnsSyncReport& report) {
  const auto* provider = providers.find(input.dns.provider);
  // Checked per member: a provider that failed a moment ago is not asked again this pass.
  if (!provider || backoff_[provider->key].backing_off(deps_.time.monotonic_time())) {
    input.read_error = unavailable(providers, input.dns.provider);
    return false;
  }
  ++report.reads;
  reporter_.records_read(input.member, input.dns.provider, wanted.reason, deps_.time.system_time());
  MemberRecords records;
  if (const auto zone = zones.find(provider->key); zone != zones.end()) {
    if (!zone->second) {
      auto listed = provider->provider->read_zone();
      if (listed.ok()) {
        zone_read_requests_[provider->key] = listed->requests;
        zone->second = ZoneIndex(std::move(listed.value()));
      } else {
        zone->second = core::Result<ZoneIndex>(listed.error());
      }
    }
    if (zone->second->ok()) {
      auto sets = zone->second->value().take_member_records(input.dns);
      if (!sets) {
        // Not the provider's fault (no back-off): configuration checks keep names unique.
        input.read_error =
            "the zone listing's records of " + input.dns.name + " went to another member this pass";
        return false;
      }
      records.sets = std::move(*sets);
    } else {
      records.failure = DnsReadFailure{provider->provider->zone(), zone->second->error()};
    }
  } else {
    records = read_member_records(*provider->provider, input.dns);
  }
  if (records.failure) {
    input.read_error = records.failure->error.describe();
    reporter_.read_failed(provider->provider->name(), *records.failure);
    provider_failed(config, *provider, records.failure->error);
    return false;
  }
  reads_.read(input.member, deps_.time.monotonic_time());
  input.current = std::move(records.sets);
  return true;
}

bool DnsSynchronizer::act(const config::Config& config, const DnsProviderSet::Entry& provider,
                          const plan::DnsMemberChange& change, const plan::DnsMemberInput& input,
                          DnsSyncReport& report) {
  using Outcome = DnsApplyResult::Outcome;
  const auto result =
      executor_.apply(change, {*provider.provider, input, config.dns->owner_id, config.policy});
  if (result.outcome == Outcome::kApplied) provider_ok(provider);
  reporter_.apply_finished(result);
  report.conflicts += result.conflicts.size();
  switch (result.outcome) {
    case Outcome::kApplied: {
      ++report.applied;
      const auto expectation = expectation_after(result.change);
      return !expectation ||
             verify(config, *provider.provider, result.change.member, *expectation, report);
    }
    case Outcome::kDryRun:
      ++report.dry_run;
      return true;
    case Outcome::kFailed:
      ++report.failed;
      // A conflict that outlasted the re-plans says nothing about the provider's health, nor
      // does a write the coordination fence kept (the lease went between plan and write).
      if (result.error->kind != core::ErrorKind::kConflict &&
          !result.error->message.starts_with(kLeaseLost)) {
        provider_failed(config, provider, *result.error);
      }
      return false;
    case Outcome::kUnreadable:
      provider_failed(config, provider, result.read_failure->error);
      return false;
    case Outcome::kSettled: {
      report.skips.insert(report.skips.end(), result.replan->skips.begin(),
                          result.replan->skips.end());
      const auto* skip = result.replan->find_skip(change.member);
      return skip != nullptr && settles(skip->reason);
    }
    case Outcome::kStopped:
      return false;
  }
  return false;
}

bool DnsSynchronizer::verify(const config::Config& config, dns::DnsProvider& provider,
                             const model::MemberKey& member, const dns::Expectation& expectation,
                             DnsSyncReport& report) {
  using Kind = DnsVerifyOutcome::Kind;
  const auto outcome = verification_.verify(config.dns->verify, provider, expectation);
  if (outcome.kind == Kind::kConsistent) ++report.verified;
  if (outcome.kind == Kind::kInconsistent) {
    ++report.verify_failed;
    unverified_.insert_or_assign(member, expectation);
  } else if (outcome.kind != Kind::kCancelled) {
    unverified_.erase(member);
  }
  reporter_.verified(member, provider.name(), expectation, outcome);
  return outcome.kind == Kind::kConsistent || outcome.kind == Kind::kNoServers;
}

void DnsSynchronizer::provider_failed(const config::Config& config,
                                      const DnsProviderSet::Entry& provider,
                                      const core::Error& error) {
  auto& backoff = backoff_[provider.key];
  const auto delay = backoff.failed(deps_.time.monotonic_time(), config.policy.poll_interval);
  reporter_.provider_backing_off(provider.provider->name(), backoff.failures(), delay, error);
}

void DnsSynchronizer::provider_ok(const DnsProviderSet::Entry& provider) {
  if (backoff_[provider.key].succeeded()) reporter_.provider_recovered(provider.provider->name());
}

void DnsSynchronizer::internal_error(const std::string& what, std::string_view action) {
  ++internal_errors_;
  reporter_.internal_error(what, action);
}

}  // namespace frankenetes::reconcile
