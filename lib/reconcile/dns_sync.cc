#include "reconcile/dns_sync.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>

#include "log/event.h"
#include "reconcile/internal_error.h"
#include "status/metrics.h"

namespace frankenetes::reconcile {
namespace {

constexpr core::Duration kBackoffInitial = std::chrono::seconds(1);

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

long long millis(core::Duration d) {
  return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

std::optional<dns::Expectation> expectation_for(const plan::DnsMemberChange& change) {
  if (change.new_record) {
    return dns::Expectation{change.fqdn, change.new_record->type, change.new_record->values};
  }
  if (change.old_record) return dns::Expectation{change.fqdn, change.old_record->type, {}};
  return std::nullopt;  // a TXT-only change: nothing a resolver of the name would see
}

// The verifier polls until its deadline; once the daemon stops, this clock says the deadline
// has passed, so a verification in progress ends at once instead of polling on (the sleeper
// returns immediately after a stop).
class StopAwareTime final : public core::TimeSource {
 public:
  StopAwareTime(const core::TimeSource& inner, const std::atomic<bool>& stopped)
      : inner_(inner), stopped_(stopped) {}
  core::SystemTime system_time() const override { return inner_.system_time(); }
  core::MonotonicTime monotonic_time() const override {
    const auto now = inner_.monotonic_time();
    return stopped_.load() ? now + std::chrono::hours(24) : now;
  }

 private:
  const core::TimeSource& inner_;
  const std::atomic<bool>& stopped_;
};

// What of the inputs can change the plan, besides the provider's records.
std::string signature_of(const std::vector<plan::DnsMemberInput>& inputs,
                         const DnsProviders& providers) {
  std::string out;
  for (const auto& [name, provider] : providers) {
    out += name + "@" + std::to_string(reinterpret_cast<std::uintptr_t>(provider.get())) + ";";
  }
  for (const auto& input : inputs) {
    out += input.member.to_string() + "|" + input.dns.provider + "|" + input.dns.name + "|" +
           std::to_string(input.dns.ttl) + "|" + (input.dns.adopt ? "adopt" : "") + "|" +
           (input.dns.delete_when_gone ? "delete" : "") + "|" +
           std::to_string(static_cast<int>(input.dns.mode)) + "|";
    if (!input.group) {
      out += "never;";
      continue;
    }
    out += std::to_string(static_cast<int>(input.group->outcome)) + "|";
    if (input.group->view) {
      const auto& view = *input.group->view;
      out += view.state + "|" + view.summary.ip.value_or("") + "|" + view.summary.fqdn.value_or("");
    }
    out += ";";
  }
  return out;
}

}  // namespace

DnsSynchronizer::DnsSynchronizer(DnsSyncDeps deps) : deps_(deps) {}

void DnsSynchronizer::configure(std::shared_ptr<const config::Config> config,
                                DnsProviders providers) {
  std::lock_guard lock(mutex_);
  config_ = std::move(config);
  providers_ = std::move(providers);
}

void DnsSynchronizer::on_sync(std::function<void(const DnsSyncReport&)> callback) {
  std::lock_guard lock(mutex_);
  on_sync_ = std::move(callback);
}

void DnsSynchronizer::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  stop_requested_ = true;
  pending_.reset();
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
  return report;
}

void DnsSynchronizer::internal_error(const std::string& what, std::string_view action) {
  ++internal_errors_;
  report_internal_error(
      [this](const std::string& component, const std::string&) {
        if (deps_.metrics) deps_.metrics->record_internal_error(component);
      },
      "dns_sync", what, action);
}

core::Result<std::vector<dns::RecordSet>> DnsSynchronizer::contained_read(
    dns::DnsProvider& provider, const std::string& fqdn) {
  try {
    return provider.read(fqdn);
  } catch (...) {
    const auto what = current_exception_text();
    internal_error(what, "read treated as failed; the member is left alone this pass");
    core::Error error;
    error.kind = core::ErrorKind::kTerminal;
    error.message =
        "provider '" + provider.name() + "' failed internally reading " + fqdn + ": " + what;
    return error;
  }
}

core::Status DnsSynchronizer::contained_apply(dns::DnsProvider& provider,
                                              const std::vector<dns::Change>& changes) {
  try {
    return provider.apply(changes);
  } catch (...) {
    const auto what = current_exception_text();
    internal_error(what, "update treated as failed; re-read next pass");
    core::Error error;
    error.kind = core::ErrorKind::kTerminal;
    error.message =
        "provider '" + provider.name() + "' failed internally applying changes: " + what;
    return error;
  }
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

DnsSyncReport DnsSynchronizer::run(const model::Observations& observed, bool force) {
  std::shared_ptr<const config::Config> config;
  DnsProviders providers;
  {
    std::lock_guard lock(mutex_);
    config = config_;
    providers = providers_;
  }
  DnsSyncReport report;
  if (!config || !config->dns) return report;
  auto inputs = plan::dns_members(*config, observed);
  forget_unconfigured(inputs);
  if (inputs.empty()) return report;

  for (const auto& [name, provider] : providers) {
    auto& state = provider_state_[name];
    if (state.instance != provider.get()) state = ProviderState{provider.get(), 0, std::nullopt};
  }

  const auto now = deps_.time.monotonic_time();
  const auto signature = signature_of(inputs, providers);
  if (!force && signature == last_signature_ && last_run_ && unverified_.empty() &&
      now - *last_run_ < config->policy.poll_interval) {
    return report;  // nothing new since the last sync less than a poll interval ago
  }
  last_signature_ = signature;
  last_run_ = now;

  for (auto& input : inputs) {
    const auto it = providers.find(input.dns.provider);
    if (it == providers.end() || !it->second) {
      input.read_error = "provider \"" + input.dns.provider + "\" is not available";
      continue;
    }
    if (backing_off(input.dns.provider, now)) {
      input.read_error = "provider \"" + input.dns.provider + "\" is backing off after errors";
      continue;
    }
    std::string error;
    input.current = read_member(*it->second, input.dns, error);
    if (!input.current) input.read_error = error;
  }

  const auto result = plan::plan_dns_changes({config->dns->owner_id, config->policy, inputs, now});

  // First sight of each desired address: the start of the change-to-consistent histogram.
  for (const auto& status : result.members) {
    if (!status.desired) continue;
    auto& seen = seen_[status.member];
    if (seen.values != status.desired->values) {
      const bool changed = !seen.values.empty() || status.in_sync == false;
      seen.values = status.desired->values;
      seen.since = now;
      if (const auto obs = observed.find(status.member);
          obs != observed.end() && obs->second.group) {
        seen.since = obs->second.group->observed_at;
      }
      seen.pending = changed;
    }
  }

  for (const auto& skip : result.skips) {
    note_skip(skip);
    report.skips.push_back(skip);
  }

  // Members without a change: the gauge follows the plan's in_sync (kept when unknown); a
  // name whose last verification failed is verified again.
  for (const auto& status : result.members) {
    if (result.find_change(status.member) || !status.in_sync) continue;
    const auto unverified = unverified_.find(status.member);
    if (unverified != unverified_.end()) {
      const bool same =
          status.desired && status.desired->values == unverified->second.expectation.values;
      const auto provider = providers.find(status.provider);
      if (*status.in_sync && same && provider != providers.end() && provider->second) {
        const auto expectation = unverified->second.expectation;
        verify(*config, *provider->second, status.member, expectation, report);
        continue;
      }
      unverified_.erase(unverified);
    }
    set_in_sync(status.member, *status.in_sync);
    if (*status.in_sync) consistent(status.member);
  }

  for (const auto& change : result.changes) {
    if (stop_requested_) break;
    const auto provider = providers.find(change.provider);
    if (provider == providers.end() || !provider->second) continue;
    const auto input = std::find_if(inputs.begin(), inputs.end(),
                                    [&](const auto& in) { return in.member == change.member; });
    if (input == inputs.end()) continue;
    apply_change(*config, *provider->second, change, *input, report);
  }
  return report;
}

std::optional<std::vector<dns::RecordSet>> DnsSynchronizer::read_member(
    dns::DnsProvider& provider, const config::MemberDnsConfig& dns, std::string& error) {
  std::vector<dns::RecordSet> sets;
  for (const auto& name : plan::names_to_read(dns)) {
    auto read = contained_read(provider, name);
    if (!read.ok()) {
      error = read.error().describe();
      log::warn("dns.read.failed",
                {{"provider", provider.name()}, {"fqdn", name}, {"error", error}});
      count_update(provider.name(), "read_failed");
      std::shared_ptr<const config::Config> config;
      {
        std::lock_guard lock(mutex_);
        config = config_;
      }
      if (config) provider_failed(*config, provider.name(), read.error());
      return std::nullopt;
    }
    sets.insert(sets.end(), read.value().begin(), read.value().end());
  }
  return sets;
}

void DnsSynchronizer::apply_change(const config::Config& config, dns::DnsProvider& provider,
                                   plan::DnsMemberChange change, plan::DnsMemberInput input,
                                   DnsSyncReport& report) {
  const auto& key = change.member;
  for (int attempt = 0;; ++attempt) {
    if (stop_requested_) return;
    if (change.dry_run) {
      const std::string what =
          describe_set(change.old_record) + " -> " + describe_set(change.new_record);
      auto& last = last_planned_[key];
      if (last != what) {
        last = what;
        log::info("dns.record.planned", {{"cluster", key.cluster},
                                         {"member", key.member},
                                         {"provider", change.provider},
                                         {"fqdn", change.fqdn},
                                         {"old", describe_set(change.old_record)},
                                         {"new", describe_set(change.new_record)},
                                         {"kind", plan::to_string(change.kind)},
                                         {"dry_run", true}});
      }
      count_update(change.provider, "dry_run");
      ++report.dry_run;
      return;
    }
    last_planned_.erase(key);
    const auto started = deps_.time.monotonic_time();
    const auto applied = contained_apply(provider, change.changes);
    const auto duration =
        std::chrono::duration_cast<core::Duration>(deps_.time.monotonic_time() - started);
    if (applied.ok()) {
      provider_ok(change.provider);
      last_skip_.erase(key);
      ++report.applied;
      count_update(change.provider, "updated");
      log::info("dns.record.updated", {{"cluster", key.cluster},
                                       {"member", key.member},
                                       {"provider", change.provider},
                                       {"fqdn", change.fqdn},
                                       {"old", describe_set(change.old_record)},
                                       {"new", describe_set(change.new_record)},
                                       {"kind", plan::to_string(change.kind)},
                                       {"duration_ms", millis(duration)}});
      if (const auto expectation = expectation_for(change)) {
        verify(config, provider, key, *expectation, report);
      }
      return;
    }
    const auto& error = applied.error();
    if (error.kind == core::ErrorKind::kConflict && attempt < kMaxConflictRetries) {
      ++report.conflicts;
      count_update(change.provider, "conflict");
      log::warn("dns.update.conflict", {{"cluster", key.cluster},
                                        {"member", key.member},
                                        {"provider", change.provider},
                                        {"fqdn", change.fqdn},
                                        {"attempt", attempt + 1},
                                        {"error", error.describe()},
                                        {"action", "re-reading and re-planning"}});
      std::string read_error;
      input.current = read_member(provider, input.dns, read_error);
      if (!input.current) {
        input.read_error = read_error;
        return;  // counted and backed off by read_member; the next pass starts over
      }
      const auto replanned = plan::plan_dns_changes(
          {config.dns->owner_id, config.policy, {input}, deps_.time.monotonic_time()});
      if (replanned.changes.empty()) {
        for (const auto& skip : replanned.skips) {
          note_skip(skip);
          report.skips.push_back(skip);
        }
        for (const auto& status : replanned.members) {
          if (status.in_sync) set_in_sync(status.member, *status.in_sync);
        }
        return;
      }
      change = replanned.changes.front();
      continue;
    }
    ++report.failed;
    count_update(change.provider, "failed");
    log::error("dns.update.failed", {{"cluster", key.cluster},
                                     {"member", key.member},
                                     {"provider", change.provider},
                                     {"fqdn", change.fqdn},
                                     {"old", describe_set(change.old_record)},
                                     {"new", describe_set(change.new_record)},
                                     {"error", error.describe()},
                                     {"attempts", attempt + 1}});
    set_in_sync(key, false);
    if (error.kind != core::ErrorKind::kConflict) provider_failed(config, change.provider, error);
    return;
  }
}

bool DnsSynchronizer::verify(const config::Config& config, dns::DnsProvider& provider,
                             const model::MemberKey& member, const dns::Expectation& expectation,
                             DnsSyncReport& report) {
  dns::VerifyOptions options;
  options.servers =
      dns::choose_verify_servers(config.dns->verify, provider.authoritative_servers());
  if (options.servers.empty()) {
    // Nothing to ask (no dns.verify.nameservers for a provider that names none): the
    // provider's acknowledgement is all we have.
    log::debug("dns.verify.skipped", {{"cluster", member.cluster},
                                      {"member", member.member},
                                      {"provider", provider.name()},
                                      {"reason", "no nameservers to verify against"}});
    unverified_.erase(member);
    set_in_sync(member, true);
    consistent(member);
    return true;
  }
  options.timeout = config.dns->verify.timeout;
  options.interval = config.dns->verify.interval;
  const StopAwareTime time(deps_.time, stop_requested_);
  const dns::DnsVerifier verifier(deps_.querier, time, deps_.sleeper);
  const auto result = verifier.verify(expectation, options);
  if (stop_requested_ && !result.consistent) return false;  // cut short by the stop
  if (result.consistent) {
    ++report.verified;
    unverified_.erase(member);
    log::info("dns.verify.succeeded", {{"cluster", member.cluster},
                                       {"member", member.member},
                                       {"provider", provider.name()},
                                       {"fqdn", expectation.fqdn},
                                       {"expected", expectation.describe()},
                                       {"duration_ms", millis(result.elapsed)}});
    set_in_sync(member, true);
    consistent(member);
    return true;
  }
  ++report.verify_failed;
  count_update(provider.name(), "verify_failed");
  unverified_[member] = Unverified{provider.name(), expectation};
  log::warn("dns.verify.failed", {{"cluster", member.cluster},
                                  {"member", member.member},
                                  {"provider", provider.name()},
                                  {"fqdn", expectation.fqdn},
                                  {"expected", expectation.describe()},
                                  {"result", result.describe()},
                                  {"action", "verifying again next pass"}});
  set_in_sync(member, false);
  return false;
}

void DnsSynchronizer::provider_failed(const config::Config& config, const std::string& provider,
                                      const core::Error& error) {
  auto& state = provider_state_[provider];
  // Capped at one poll interval: once the provider is back, the record is corrected within a
  // pass; the back-off only thins out calls when passes come faster (GETs, requeues).
  const core::BackoffPolicy policy{kBackoffInitial,
                                   std::max(kBackoffInitial, config.policy.poll_interval), 2.0};
  const auto delay = core::backoff_delay(policy, state.failures);
  ++state.failures;
  state.retry_at = deps_.time.monotonic_time() + delay;
  log::warn("dns.provider.backoff", {{"provider", provider},
                                     {"failures", static_cast<unsigned long>(state.failures)},
                                     {"retry_in_ms", millis(delay)},
                                     {"error", error.describe()}});
}

void DnsSynchronizer::provider_ok(const std::string& provider) {
  auto& state = provider_state_[provider];
  if (state.failures > 0) log::info("dns.provider.recovered", {{"provider", provider}});
  state.failures = 0;
  state.retry_at.reset();
}

bool DnsSynchronizer::backing_off(const std::string& provider, core::MonotonicTime now) const {
  const auto it = provider_state_.find(provider);
  return it != provider_state_.end() && it->second.retry_at && now < *it->second.retry_at;
}

void DnsSynchronizer::note_skip(const plan::DnsSkip& skip) {
  if (deps_.metrics) {
    deps_.metrics->dns_skips_total
        .Add({{"cluster", skip.member.cluster},
              {"member", skip.member.member},
              {"reason", std::string(plan::to_string(skip.reason))}})
        .Increment();
  }
  const auto it = last_skip_.find(skip.member);
  if (it != last_skip_.end() && it->second == skip.reason) return;
  last_skip_[skip.member] = skip.reason;
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

void DnsSynchronizer::forget_unconfigured(const std::vector<plan::DnsMemberInput>& inputs) {
  std::set<model::MemberKey> configured;
  for (const auto& input : inputs) configured.insert(input.member);
  for (auto it = gauged_.begin(); it != gauged_.end();) {
    if (configured.contains(*it)) {
      ++it;
      continue;
    }
    if (deps_.metrics) {
      auto& family = deps_.metrics->dns_record_in_sync;
      family.Remove(&family.Add({{"cluster", it->cluster}, {"member", it->member}}));
    }
    last_skip_.erase(*it);
    unverified_.erase(*it);
    seen_.erase(*it);
    last_planned_.erase(*it);
    it = gauged_.erase(it);
  }
}

void DnsSynchronizer::set_in_sync(const model::MemberKey& member, bool in_sync) {
  gauged_.insert(member);
  if (!deps_.metrics) return;
  deps_.metrics->dns_record_in_sync.Add({{"cluster", member.cluster}, {"member", member.member}})
      .Set(in_sync ? 1 : 0);
}

void DnsSynchronizer::consistent(const model::MemberKey& member) {
  const auto it = seen_.find(member);
  if (it == seen_.end() || !it->second.pending) return;
  it->second.pending = false;
  if (!deps_.metrics) return;
  const auto elapsed = deps_.time.monotonic_time() - it->second.since;
  deps_.metrics->dns_ip_change_to_consistent_seconds.Observe(
      std::chrono::duration<double>(elapsed).count());
}

void DnsSynchronizer::count_update(const std::string& provider, const char* result) {
  if (!deps_.metrics) return;
  deps_.metrics->dns_updates_total.Add({{"provider", provider}, {"result", result}}).Increment();
}

}  // namespace frankenetes::reconcile
