// DnsSynchronizer on fakes: an in-memory DnsProvider (dns_test_util.h), a RecordQuerier
// that answers from what was "published", fake time and a sleeper that advances it. Everything
// runs on the test thread.
#include "reconcile/dns_sync.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <stdexcept>
#include <utility>

#include "dns_test_util.h"
#include "plan/dns_registry.h"
#include "reconcile_test_util.h"
#include "status/metrics.h"
#include "support/fake_time_source.h"

namespace frankenetes::reconcile {
namespace {

using namespace std::chrono_literals;
using dns::RecordSet;
using dns::RecordType;
using test_util::FakeProvider;
using test_util::running;

constexpr const char* kName = "etcd.example.com";

class DnsSyncTest : public test_util::DnsFakesTest {
 protected:
  DnsSyncTest() : sync_({worker_, time_, querier_, sleeper_, metrics_, metrics_}) {
    auto member = test_util::member("etcd");
    member.dns = config::MemberDnsConfig{};
    member.dns->provider = "p";
    member.dns->name = kName;
    config_ = test_util::config_with({member});
    config_.dns = config::DnsConfig{};
    config_.dns->owner_id = "owner-1";
    configure();
  }

  void configure() {
    sync_.configure(std::make_shared<const config::Config>(config_), {{"p", provider_}});
  }

  std::string our_txt() const { return plan::encode_ownership({"owner-1", "prod", "etcd"}); }
  void seed_owned(const std::string& ip) {
    provider_->set(kName, RecordType::kA, {ip});
    provider_->set(plan::registry_name(kName), RecordType::kTxt, {our_txt()});
  }

  model::Observations observed(std::optional<model::GroupObservation> group) {
    model::Observations o;
    model::MemberObservation m;
    m.key = {"prod", "etcd"};
    m.group = std::move(group);
    o.emplace(m.key, m);
    return o;
  }
  model::Observations at_ip(const std::string& ip) {
    return observed(running(ip, time_.monotonic_time()));
  }

  double in_sync() { return metrics_.dns_record_in_sync.value({"prod", "etcd"}).value_or(0); }
  double updates(const char* result) {
    return metrics_.dns_updates_total.Add({{"provider", "p"}, {"result", result}}).Value();
  }
  double skips(const char* reason) {
    return metrics_.dns_skips_total.value({"prod", "etcd", reason}).value_or(0);
  }

  config::Config config_;
  DnsSynchronizer sync_;
};

TEST_F(DnsSyncTest, NewAddressIsWrittenAndVerified) {
  seed_owned("10.0.0.1");
  const auto report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(report.applied, 1u);
  EXPECT_EQ(report.verified, 1u);
  EXPECT_EQ(provider_->values(kName, RecordType::kA), std::vector<std::string>{"10.0.0.2"});
  EXPECT_EQ(in_sync(), 1);
  EXPECT_EQ(updates("updated"), 1);
  // Next pass: in sync, nothing applied.
  const auto again = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(again.applied, 0u);
  EXPECT_EQ(provider_->applies, 1);
  EXPECT_EQ(skips("in_sync"), 1);
}

// Coordination: a standby neither reads nor writes the names of a cluster another replica
// holds (its write would only be fenced, and a fenced write must not back the provider off for
// the clusters this replica does hold); once the cluster is its own, the next pass writes.
TEST_F(DnsSyncTest, AStandbyNeitherReadsNorWritesTheNamesOfAClusterItDoesNotHold) {
  bool held = false;
  DnsSynchronizer standby({worker_, time_, querier_, sleeper_, metrics_, metrics_,
                           status::noop_metrics(), [&](const std::string&) { return held; }});
  standby.configure(std::make_shared<const config::Config>(config_), {{"p", provider_}});
  seed_owned("10.0.0.1");
  const int reads = provider_->reads;
  auto report = standby.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(report.reads, 0u);
  EXPECT_EQ(report.failed, 0u);
  EXPECT_EQ(provider_->reads, reads);
  EXPECT_EQ(provider_->applies, 0);
  EXPECT_EQ(skips("not_leader"), 1);

  held = true;
  report = standby.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(report.applied, 1u);
  EXPECT_EQ(provider_->values(kName, RecordType::kA), std::vector<std::string>{"10.0.0.2"});
}

// The lease went between plan and write: the fence refuses the write, which says nothing
// about the provider, so it is not backed off: the next pass reads and writes again.
TEST_F(DnsSyncTest, AWriteTheLeaseFenceRefusedDoesNotBackTheProviderOff) {
  seed_owned("10.0.0.1");
  provider_->fail_apply = core::make_error(
      core::ErrorKind::kTerminal, std::string(kLeaseLost) + ": cluster prod is another replica's");
  EXPECT_EQ(sync_.sync_now(at_ip("10.0.0.2")).failed, 1u);
  provider_->fail_apply.reset();
  time_.advance(100ms);  // a provider backing off would wait 1 s at least
  const auto report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(report.applied, 1u) << "the provider was backed off";
  EXPECT_EQ(provider_->values(kName, RecordType::kA), std::vector<std::string>{"10.0.0.2"});
}

TEST_F(DnsSyncTest, ObserveRunsOnTheWorker) {
  seed_owned("10.0.0.1");
  int jobs = 0;
  sync_.on_sync([&](const DnsSyncReport& r) {
    ++jobs;
    EXPECT_EQ(r.applied, 1u);
  });
  sync_.observe(std::make_shared<const model::Observations>(at_ip("10.0.0.2")));
  EXPECT_EQ(jobs, 1);
  EXPECT_EQ(provider_->values(kName, RecordType::kA), std::vector<std::string>{"10.0.0.2"});
}

TEST_F(DnsSyncTest, UnchangedInputsAreReadAgainOnlyAtTheirResync) {
  seed_owned("10.0.0.1");
  sync_.observe(std::make_shared<const model::Observations>(at_ip("10.0.0.1")));
  const int reads = provider_->reads;
  EXPECT_GT(reads, 0);
  time_.advance(config_.policy.poll_interval);
  sync_.observe(std::make_shared<const model::Observations>(
      at_ip("10.0.0.1")));  // same inputs, in sync: no provider call
  EXPECT_EQ(provider_->reads, reads);
  EXPECT_EQ(skips("in_sync"), 2);    // still counted once per pass, from what was read
  sync_.observe(
      std::make_shared<const model::Observations>(at_ip("10.0.0.2")));  // a new IP: at once
  EXPECT_GT(provider_->reads, reads);
  EXPECT_EQ(provider_->values(kName, RecordType::kA), std::vector<std::string>{"10.0.0.2"});
  const int after_change = provider_->reads;
  time_.advance(config_.dns->resync_interval - 1s);
  sync_.observe(std::make_shared<const model::Observations>(at_ip("10.0.0.2")));
  EXPECT_EQ(provider_->reads, after_change);
  time_.advance(1s);
  sync_.observe(std::make_shared<const model::Observations>(
      at_ip("10.0.0.2")));  // a resync interval after the last read: read again
  EXPECT_GT(provider_->reads, after_change);
}

// An ARM outage makes the group's state unknown: the plan skips the member before it would
// look at the records, so the provider is not read at all; once the state is known again the
// member is read (and corrected) in that very pass.
TEST_F(DnsSyncTest, UnknownStateReadsNothingAndKnownAgainReadsAtOnce) {
  seed_owned("10.0.0.1");
  sync_.observe(std::make_shared<const model::Observations>(at_ip("10.0.0.1")));
  const int reads = provider_->reads;
  model::GroupObservation failed;
  failed.outcome = model::GroupObservation::Outcome::kError;
  failed.error = std::make_shared<const core::Error>(
      core::make_error(core::ErrorKind::kTransient, "ARM down"));
  for (int i = 0; i < 3; ++i) {
    time_.advance(config_.policy.poll_interval);
    failed.observed_at = time_.monotonic_time();
    sync_.observe(std::make_shared<const model::Observations>(observed(failed)));
  }
  EXPECT_EQ(provider_->reads, reads);
  EXPECT_EQ(skips("state_unknown"), 3);
  time_.advance(config_.policy.poll_interval);
  sync_.observe(std::make_shared<const model::Observations>(
      at_ip("10.0.0.1")));  // same address as before the outage: read all the same
  EXPECT_GT(provider_->reads, reads);
  EXPECT_EQ(provider_->applies, 0);
}

TEST_F(DnsSyncTest, UnknownStateChangesNothing) {
  seed_owned("10.0.0.1");
  model::GroupObservation failed;
  failed.outcome = model::GroupObservation::Outcome::kError;
  failed.error = std::make_shared<const core::Error>(
      core::make_error(core::ErrorKind::kTransient, "ARM down"));
  failed.observed_at = time_.monotonic_time();
  const auto report = sync_.sync_now(observed(failed));
  EXPECT_EQ(provider_->applies, 0);
  ASSERT_EQ(report.skips.size(), 1u);
  EXPECT_EQ(report.skips[0].reason, plan::DnsSkipReason::kStateUnknown);
  sync_.sync_now(observed(std::nullopt));
  EXPECT_EQ(provider_->applies, 0);
  EXPECT_EQ(provider_->values(kName, RecordType::kA), std::vector<std::string>{"10.0.0.1"});
}

TEST_F(DnsSyncTest, RecordWithoutOurTxtIsNotOwnedUnlessAdopted) {
  provider_->set(kName, RecordType::kA, {"10.0.0.1"});
  const auto report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(provider_->applies, 0);
  ASSERT_EQ(report.skips.size(), 1u);
  EXPECT_EQ(report.skips[0].reason, plan::DnsSkipReason::kNotOwned);
  EXPECT_EQ(skips("not_owned"), 1);

  config_.clusters[0].members[0].dns->adopt = true;
  configure();
  const auto adopted = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(adopted.applied, 1u);
  EXPECT_EQ(provider_->values(kName, RecordType::kA), std::vector<std::string>{"10.0.0.2"});
  EXPECT_EQ(provider_->values(plan::registry_name(kName), RecordType::kTxt),
            std::vector<std::string>{our_txt()});
}

TEST_F(DnsSyncTest, ConflictRereadsAndReplansNeverOverwritesStale) {
  seed_owned("10.0.0.1");
  bool changed = false;
  provider_->before_apply = [&](FakeProvider& p) {
    if (changed) return;
    changed = true;
    p.set(kName, RecordType::kA, {"10.0.0.9"});  // somebody else, between our read and write
  };
  const auto report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(report.conflicts, 1u);
  EXPECT_EQ(report.applied, 1u);
  EXPECT_EQ(provider_->applies, 2);
  EXPECT_EQ(provider_->values(kName, RecordType::kA), std::vector<std::string>{"10.0.0.2"});
  EXPECT_EQ(updates("conflict"), 1);
}

// A conflict's re-plan that finds the observation gone stale meanwhile (a slow provider) writes
// nothing, and is no settlement: the member is read and put right in the next pass.
TEST_F(DnsSyncTest, ReplanOnStaleStateIsReadAgainInTheNextPass) {
  seed_owned("10.0.0.1");
  sync_.observe(std::make_shared<const model::Observations>(at_ip("10.0.0.1")));
  bool changed = false;
  provider_->before_apply = [&](FakeProvider& p) {
    if (changed) return;
    changed = true;
    p.set(kName, RecordType::kA, {"10.0.0.9"});
    time_.advance(config_.policy.stale_after + 1s);
  };
  time_.advance(config_.policy.poll_interval);
  sync_.observe(std::make_shared<const model::Observations>(at_ip("10.0.0.2")));
  EXPECT_EQ(provider_->values(kName, RecordType::kA), std::vector<std::string>{"10.0.0.9"});
  EXPECT_EQ(updates("conflict"), 1);
  time_.advance(config_.policy.poll_interval);
  const int reads = provider_->reads;
  sync_.observe(std::make_shared<const model::Observations>(at_ip("10.0.0.2")));
  EXPECT_GT(provider_->reads, reads);
  EXPECT_EQ(provider_->values(kName, RecordType::kA), std::vector<std::string>{"10.0.0.2"});
}

TEST_F(DnsSyncTest, ConflictRetriesAreBounded) {
  seed_owned("10.0.0.1");
  int n = 0;
  provider_->before_apply = [&](FakeProvider& p) {
    p.set(kName, RecordType::kA, {"10.0.1." + std::to_string(++n)});
  };
  const auto report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(provider_->applies, 1 + ProviderDnsExecutor::kMaxConflictRetries);
  EXPECT_EQ(report.applied, 0u);
  EXPECT_EQ(report.failed, 1u);
  EXPECT_EQ(in_sync(), 0);
}

TEST_F(DnsSyncTest, ProviderErrorBacksOffThenRetries) {
  seed_owned("10.0.0.1");
  provider_->fail_apply = core::make_error(core::ErrorKind::kTerminal, "TSIG BADSIG");
  auto report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(report.failed, 1u);
  EXPECT_EQ(updates("failed"), 1);
  EXPECT_EQ(in_sync(), 0);
  const int reads = provider_->reads;
  // Within the back-off: the provider is not called at all.
  report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(provider_->reads, reads);
  EXPECT_EQ(provider_->applies, 1);
  ASSERT_EQ(report.skips.size(), 1u);
  EXPECT_EQ(report.skips[0].reason, plan::DnsSkipReason::kProviderUnreadable);
  // After it, called again; fixed, the record is corrected.
  time_.advance(2s);
  provider_->fail_apply.reset();
  report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(report.applied, 1u);
  EXPECT_EQ(in_sync(), 1);
}

TEST_F(DnsSyncTest, BackOffIsCappedAtThePollInterval) {
  seed_owned("10.0.0.1");
  provider_->fail_read = core::make_error(core::ErrorKind::kTransient, "503");
  for (int i = 0; i < 10; ++i) {
    sync_.sync_now(at_ip("10.0.0.2"));
    time_.advance(config_.policy.poll_interval);
  }
  const int reads = provider_->reads;
  provider_->fail_read.reset();
  const auto report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_GT(provider_->reads, reads);
  EXPECT_EQ(report.applied, 1u);
}

TEST_F(DnsSyncTest, ReconfiguredProviderStartsWithoutBackOff) {
  seed_owned("10.0.0.1");
  provider_->fail_apply = core::make_error(core::ErrorKind::kTerminal, "TSIG BADSIG");
  sync_.sync_now(at_ip("10.0.0.2"));
  auto fixed = std::make_shared<FakeProvider>();
  fixed->records = provider_->records;
  provider_ = fixed;
  configure();
  const auto report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(report.applied, 1u);
}

TEST_F(DnsSyncTest, DryRunAppliesNothing) {
  config_.policy.dry_run = true;
  configure();
  seed_owned("10.0.0.1");
  const auto report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(report.dry_run, 1u);
  EXPECT_EQ(provider_->applies, 0);
  EXPECT_EQ(updates("dry_run"), 1);
}

TEST_F(DnsSyncTest, VerifyFailureKeepsGaugeAtZeroAndVerifiesAgain) {
  seed_owned("10.0.0.1");
  querier_.stale = std::vector<std::string>{"10.0.0.1"};
  auto report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(report.applied, 1u);
  EXPECT_EQ(report.verify_failed, 1u);
  EXPECT_EQ(in_sync(), 0);
  EXPECT_EQ(updates("verify_failed"), 1);
  querier_.stale.reset();
  report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(report.applied, 0u);
  EXPECT_EQ(report.verified, 1u);
  EXPECT_EQ(in_sync(), 1);
}

TEST_F(DnsSyncTest, StopEndsAVerificationInProgress) {
  seed_owned("10.0.0.1");
  querier_.stale = std::vector<std::string>{"10.0.0.1"};
  sleeper_.on_sleep = [&] { sync_.stop(); };
  const auto report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(report.applied, 1u);
  EXPECT_EQ(report.verify_failed, 0u);  // cut short, not reported as a failure
  EXPECT_LE(querier_.queries, 2);       // not polled on until the 30 s deadline
}

TEST_F(DnsSyncTest, AMemberWithoutDnsLosesItsGauge) {
  seed_owned("10.0.0.1");
  sync_.sync_now(at_ip("10.0.0.1"));
  EXPECT_NE(metrics_.render().find("frankenetes_dns_record_in_sync{"), std::string::npos);
  config_.clusters[0].members[0].dns.reset();
  configure();
  sync_.sync_now(at_ip("10.0.0.1"));
  EXPECT_EQ(metrics_.render().find("frankenetes_dns_record_in_sync{"), std::string::npos);
}

TEST_F(DnsSyncTest, ChangeToConsistentIsTimedFromFirstSight) {
  seed_owned("10.0.0.1");
  sync_.sync_now(at_ip("10.0.0.1"));  // baseline, in sync
  const auto first_seen = time_.monotonic_time();
  provider_->fail_apply = core::make_error(core::ErrorKind::kTransient, "503");
  sync_.sync_now(observed(running("10.0.0.2", first_seen)));
  time_.advance(3s);
  provider_->fail_apply.reset();
  sync_.sync_now(at_ip("10.0.0.2"));
  const auto rendered = metrics_.render();
  EXPECT_NE(rendered.find("frankenetes_dns_ip_change_to_consistent_seconds_count 1"),
            std::string::npos)
      << rendered;
  EXPECT_NE(rendered.find("frankenetes_dns_ip_change_to_consistent_seconds_sum 3"),
            std::string::npos);
}

// A provider that throws (the Cloudflare `"ttl": "60"` crash) is an unreadable
// provider for that pass: nothing is applied, the error is counted, and the next pass runs.
TEST_F(DnsSyncTest, ProviderThatThrowsOnReadIsContainedAndCounted) {
  seed_owned("10.0.0.1");
  provider_->throw_on_read = true;
  const auto report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(report.internal_errors, 1u);
  EXPECT_EQ(provider_->applies, 0);
  ASSERT_EQ(report.skips.size(), 1u);
  EXPECT_EQ(report.skips[0].reason, plan::DnsSkipReason::kProviderUnreadable);
  EXPECT_EQ(metrics_.internal_errors_total.Add({{"component", "dns_sync"}}).Value(), 1);
  EXPECT_EQ(updates("read_failed"), 1);

  provider_->throw_on_read = false;
  time_.advance(config_.policy.poll_interval);  // past the provider's back-off
  const auto next = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(next.internal_errors, 0u);
  EXPECT_EQ(next.applied, 1u);
  EXPECT_EQ(provider_->values(kName, RecordType::kA), std::vector<std::string>{"10.0.0.2"});
}

TEST_F(DnsSyncTest, ProviderThatThrowsOnApplyIsAFailedUpdate) {
  seed_owned("10.0.0.1");
  provider_->throw_on_apply = true;
  const auto report = sync_.sync_now(at_ip("10.0.0.2"));
  EXPECT_EQ(report.internal_errors, 1u);
  EXPECT_EQ(report.failed, 1u);
  EXPECT_EQ(updates("failed"), 1);
  EXPECT_EQ(in_sync(), 0);
  EXPECT_EQ(metrics_.internal_errors_total.Add({{"component", "dns_sync"}}).Value(), 1);
}

// A job that throws outside a provider call (here: the on_sync hook) must not leave the
// synchronizer believing a job is still running: the next observe() runs a job again.
TEST_F(DnsSyncTest, ThrowingJobDoesNotWedgeLaterObservations) {
  seed_owned("10.0.0.1");
  int jobs = 0;
  sync_.on_sync([&](const DnsSyncReport&) {
    ++jobs;
    throw std::runtime_error("hook bug");
  });
  sync_.observe(std::make_shared<const model::Observations>(at_ip("10.0.0.2")));
  EXPECT_EQ(jobs, 1);
  sync_.observe(std::make_shared<const model::Observations>(at_ip("10.0.0.3")));
  EXPECT_EQ(jobs, 2);
  EXPECT_EQ(provider_->values(kName, RecordType::kA), std::vector<std::string>{"10.0.0.3"});
  EXPECT_EQ(metrics_.internal_errors_total.Add({{"component", "dns_sync"}}).Value(), 2);
}

}  // namespace
}  // namespace frankenetes::reconcile
