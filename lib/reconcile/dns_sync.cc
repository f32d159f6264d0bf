#include "reconcile/dns_sync.h"

#include <algorithm>
#include <utility>

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

void DnsSynchronizer::observe(const model::Observations& observed) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    pending_ = observed;
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
    model::Observations observed;
    {
      std::lock_guard lock(mutex_);
      if (stopped_ || !pending_) {
        running_ = false;
        return;
      }
      observed = std::move(*pending_);
      pending_.reset();
    }
    const auto report = run_contained(observed, /*force=*/false);
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
    internal_error(current_exception_text(), "DNS job ended early; the next pass starts afresh");
    // The job may have stopped between a provider's answer and our record of it: the next
    // pass must read and plan again rather than skip as "unchanged".
    last_signature_.clear();
  }
  report.internal_errors = internal_errors_ - before;
  reporter_.publish_status();
  return report;
}

DnsSyncReport DnsSynchronizer::run(const model::Observations& observed, bool force) {
  std::shared_ptr<const config::Config> config;
  const DnsProviderSet providers = [&] {
    std::lock_guard lock(mutex_);
    config = config_;
    return providers_;
  }();
  DnsSyncReport report;
  if (!config || !config->dns) return report;
  auto inputs = plan::dns_members(*config, observed);
  reporter_.forget_unconfigured(inputs);
  std::erase_if(unverified_, [&](const auto& entry) {
    return std::none_of(inputs.begin(), inputs.end(),
                        [&](const auto& input) { return input.member == entry.first; });
  });
  if (inputs.empty()) return report;
  // A provider object no longer configured takes its back-off along.
  std::erase_if(backoff_, [&](const auto& entry) { return !providers.holds(entry.first); });

  const auto now = deps_.time.monotonic_time();
  std::string signature = plan::dns_inputs_signature(inputs);
  for (const auto& [name, entry] : providers.entries()) signature += entry.key + ";";
  if (!force && signature == last_signature_ && last_run_ && unverified_.empty() &&
      now - *last_run_ < config->policy.poll_interval) {
    return report;  // nothing new since the last sync less than a poll interval ago
  }
  last_signature_ = signature;
  last_run_ = now;

  read(*config, providers, inputs, now);
  const auto result = plan::plan_dns_changes({config->dns->owner_id, config->policy, inputs, now});
  reporter_.planned(result, observed, now);
  report.skips = result.skips;

  // Members without a change: the gauge follows the plan's in_sync (kept when unknown); a
  // name whose last verification failed is verified again.
  for (const auto& status : result.members) {
    if (result.find_change(status.member) || !status.in_sync) continue;
    if (const auto it = unverified_.find(status.member); it != unverified_.end()) {
      const bool same = status.desired && status.desired->values == it->second.values;
      const auto* provider = providers.find(status.provider);
      if (*status.in_sync && same && provider) {
        const auto expectation = it->second;
        verify(*config, *provider->provider, status.member, expectation, report);
        continue;
      }
      unverified_.erase(it);
    }
    reporter_.member_in_sync(status.member, *status.in_sync);
  }

  for (const auto& change : result.changes) {
    if (stop_.stop_requested()) break;
    const auto* provider = providers.find(change.provider);
    const auto input = std::find_if(inputs.begin(), inputs.end(),
                                    [&](const auto& in) { return in.member == change.member; });
    if (provider && input != inputs.end()) act(*config, *provider, change, *input, report);
  }
  return report;
}

void DnsSynchronizer::read(const config::Config& config, const DnsProviderSet& providers,
                           std::vector<plan::DnsMemberInput>& inputs, core::MonotonicTime now) {
  for (auto& input : inputs) {
    const auto* provider = providers.find(input.dns.provider);
    if (!provider) {
      input.read_error = "provider \"" + input.dns.provider + "\" is not available";
      continue;
    }
    // Checked per member: a provider that failed a moment ago is not asked again this pass.
    if (backoff_[provider->key].backing_off(now)) {
      input.read_error = "provider \"" + input.dns.provider + "\" is backing off after errors";
      continue;
    }
    auto read = read_member_records(*provider->provider, input.dns);
    if (read.failure) {
      input.read_error = read.failure->error.describe();
      reporter_.read_failed(provider->provider->name(), *read.failure);
      provider_failed(config, *provider, read.failure->error);
      continue;
    }
    input.current = std::move(read.sets);
  }
}

void DnsSynchronizer::act(const config::Config& config, const DnsProviderSet::Entry& provider,
                          const plan::DnsMemberChange& change, const plan::DnsMemberInput& input,
                          DnsSyncReport& report) {
  using Outcome = DnsApplyResult::Outcome;
  const auto result =
      executor_.apply(change, {*provider.provider, input, config.dns->owner_id, config.policy});
  if (result.outcome == Outcome::kApplied) provider_ok(provider);
  reporter_.apply_finished(result);
  report.conflicts += result.conflicts.size();
  if (result.outcome == Outcome::kApplied) {
    ++report.applied;
    if (const auto expectation = expectation_after(result.change)) {
      verify(config, *provider.provider, result.change.member, *expectation, report);
    }
  } else if (result.outcome == Outcome::kDryRun) {
    ++report.dry_run;
  } else if (result.outcome == Outcome::kFailed) {
    ++report.failed;
    // A conflict that outlasted the re-plans says nothing about the provider's health.
    if (result.error->kind != core::ErrorKind::kConflict) {
      provider_failed(config, provider, *result.error);
    }
  } else if (result.outcome == Outcome::kUnreadable) {
    provider_failed(config, provider, result.read_failure->error);
  } else if (result.outcome == Outcome::kSettled) {
    report.skips.insert(report.skips.end(), result.replan->skips.begin(),
                        result.replan->skips.end());
  }
}

void DnsSynchronizer::verify(const config::Config& config, dns::DnsProvider& provider,
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
