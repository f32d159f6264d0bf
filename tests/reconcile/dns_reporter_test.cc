// DnsReporter: what each step of the DNS pipeline logs (captured from stderr, where the log
// sink writes) and counts. Event names, fields and metric labels are an interface (alerts,
// dashboards, integration tests read them).

#include "reconcile/dns_reporter.h"

#include <gtest/gtest.h>

#include <string>

#include "log/event.h"
#include "status/metrics.h"
#include "support/fake_time_source.h"

namespace frankenetes::reconcile {
namespace {

using namespace std::chrono_literals;
using dns::RecordSet;
using dns::RecordType;
using Outcome = DnsApplyResult::Outcome;

const model::MemberKey kEtcd{"prod", "etcd"};
constexpr const char* kName = "etcd.example.com";

plan::DnsMemberChange change_to(const std::string& ip) {
  plan::DnsMemberChange c;
  c.member = kEtcd;
  c.provider = "p";
  c.fqdn = kName;
  c.kind = plan::DnsChangeKind::kUpdate;
  c.old_record = RecordSet{kName, RecordType::kA, 60, {"10.0.0.1"}, ""};
  c.new_record = RecordSet{kName, RecordType::kA, 60, {ip}, ""};
  return c;
}

DnsApplyResult finished(Outcome outcome, const std::string& ip = "10.0.0.2") {
  DnsApplyResult r;
  r.outcome = outcome;
  r.change = change_to(ip);
  r.attempts = outcome == Outcome::kDryRun ? 0 : 1;
  r.duration = 250ms;
  return r;
}

plan::DnsSkip skip(plan::DnsSkipReason reason) { return {kEtcd, "p", kName, reason, "detail"}; }

struct DnsReporterTest : ::testing::Test {
  void SetUp() override { log::configure(log::Level::kInfo, log::Format::kText); }

  template <typename F>
  std::string logged(F&& f) {
    ::testing::internal::CaptureStderr();
    f();
    return ::testing::internal::GetCapturedStderr();
  }

  double updates(const char* result) {
    return metrics.dns_updates_total.Add({{"provider", "p"}, {"result", result}}).Value();
  }
  double in_sync() { return metrics.dns_record_in_sync.value({"prod", "etcd"}).value_or(0); }
  double skips(const char* reason) {
    return metrics.dns_skips_total.value({"prod", "etcd", reason}).value_or(0);
  }
  // A plan with one skipped member.
  void plan_skipped(plan::DnsSkipReason reason) {
    plan::DnsPlanResult result;
    result.skips.push_back(skip(reason));
    reporter.planned(result, {}, time.monotonic_time());
  }

  status::Metrics metrics{{"test", "test", "Debug"}};
  testing::FakeTimeSource time;
  DnsReporter reporter{metrics, metrics, time};
};

TEST_F(DnsReporterTest, AppliedChangeIsLoggedAndCounted) {
  const auto out = logged([&] { reporter.apply_finished(finished(Outcome::kApplied)); });
  EXPECT_NE(out.find("info  dns.record.updated cluster=prod member=etcd provider=p "
                     "fqdn=etcd.example.com old=\"A 10.0.0.1\" new=\"A 10.0.0.2\" kind=update "
                     "duration_ms=250"),
            std::string::npos)
      << out;
  EXPECT_EQ(updates("updated"), 1);
}

TEST_F(DnsReporterTest, DryRunIsLoggedOncePerChangeAndCountedEveryTime) {
  const auto first = logged([&] { reporter.apply_finished(finished(Outcome::kDryRun)); });
  EXPECT_NE(first.find("dns.record.planned"), std::string::npos) << first;
  EXPECT_NE(first.find("dry_run=true"), std::string::npos) << first;
  EXPECT_EQ(logged([&] { reporter.apply_finished(finished(Outcome::kDryRun)); }), "");
  EXPECT_NE(logged([&] {
              reporter.apply_finished(finished(Outcome::kDryRun, "10.0.0.3"));
            }).find("dns.record.planned"),
            std::string::npos);
  EXPECT_EQ(updates("dry_run"), 3);
}

TEST_F(DnsReporterTest, EveryConflictIsLoggedWithItsAttempt) {
  auto result = finished(Outcome::kApplied);
  result.conflicts = {core::make_error(core::ErrorKind::kConflict, "412"),
                      core::make_error(core::ErrorKind::kConflict, "412")};
  const auto out = logged([&] { reporter.apply_finished(result); });
  EXPECT_NE(out.find("dns.update.conflict cluster=prod member=etcd provider=p "
                     "fqdn=etcd.example.com attempt=1"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("attempt=2"), std::string::npos) << out;
  EXPECT_LT(out.find("dns.update.conflict"), out.find("dns.record.updated"));
  EXPECT_EQ(updates("conflict"), 2);
  EXPECT_EQ(updates("updated"), 1);
}

TEST_F(DnsReporterTest, FailedUpdateIsAnErrorAndTheNameIsNotInSync) {
  auto result = finished(Outcome::kFailed);
  result.error = core::make_error(core::ErrorKind::kTerminal, "TSIG BADSIG");
  result.attempts = 2;
  const auto out = logged([&] { reporter.apply_finished(result); });
  EXPECT_NE(out.find("error dns.update.failed cluster=prod member=etcd provider=p"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("attempts=2"), std::string::npos) << out;
  EXPECT_EQ(updates("failed"), 1);
  EXPECT_EQ(in_sync(), 0);
}

TEST_F(DnsReporterTest, UnreadableAfterAConflictIsAReadFailure) {
  auto result = finished(Outcome::kUnreadable);
  result.read_failure = DnsReadFailure{kName, core::make_error(core::ErrorKind::kTransient, "503")};
  const auto out = logged([&] { reporter.apply_finished(result); });
  EXPECT_NE(out.find("warning dns.read.failed provider=p fqdn=etcd.example.com"), std::string::npos)
      << out;
  EXPECT_EQ(updates("read_failed"), 1);
}

TEST_F(DnsReporterTest, SkipIsLoggedWhenItsReasonChangesAndCountedEveryPlan) {
  EXPECT_NE(logged([&] { plan_skipped(plan::DnsSkipReason::kGroupNotRunning); })
                .find("info  dns.record.skipped cluster=prod member=etcd provider=p "
                      "fqdn=etcd.example.com reason=group_not_running detail=detail"),
            std::string::npos);
  EXPECT_EQ(logged([&] { plan_skipped(plan::DnsSkipReason::kGroupNotRunning); }), "");
  EXPECT_NE(logged([&] {
              plan_skipped(plan::DnsSkipReason::kNotOwned);
            }).find("warning dns.record.skipped"),
            std::string::npos);
  EXPECT_EQ(skips("group_not_running"), 2);
  EXPECT_EQ(skips("not_owned"), 1);
  // An update in between: the same skip afterwards is news again.
  logged([&] { reporter.apply_finished(finished(Outcome::kApplied)); });
  EXPECT_NE(
      logged([&] { plan_skipped(plan::DnsSkipReason::kNotOwned); }).find("dns.record.skipped"),
      std::string::npos);
}

TEST_F(DnsReporterTest, VerificationOutcomesSetTheGaugeAndTimeTheChange) {
  const dns::Expectation want{kName, RecordType::kA, {"10.0.0.2"}};
  plan::DnsPlanResult result;
  plan::DnsMemberStatus status;
  status.member = kEtcd;
  status.desired = RecordSet{kName, RecordType::kA, 60, {"10.0.0.2"}, ""};
  status.in_sync = false;
  result.members.push_back(status);
  reporter.planned(result, {}, time.monotonic_time());  // first sight of 10.0.0.2
  time.advance(4s);

  DnsVerifyOutcome failed{DnsVerifyOutcome::Kind::kInconsistent, {}};
  const auto out = logged([&] { reporter.verified(kEtcd, "p", want, failed); });
  EXPECT_NE(out.find("warning dns.verify.failed cluster=prod member=etcd provider=p "
                     "fqdn=etcd.example.com expected=\"A 10.0.0.2\""),
            std::string::npos)
      << out;
  EXPECT_EQ(in_sync(), 0);
  EXPECT_EQ(updates("verify_failed"), 1);

  EXPECT_EQ(logged([&] {
              reporter.verified(kEtcd, "p", want, {DnsVerifyOutcome::Kind::kCancelled, {}});
            }),
            "");
  EXPECT_EQ(in_sync(), 0);

  const auto ok = logged([&] {
    reporter.verified(kEtcd, "p", want, {DnsVerifyOutcome::Kind::kConsistent, {}});
  });
  EXPECT_NE(ok.find("info  dns.verify.succeeded"), std::string::npos) << ok;
  EXPECT_EQ(in_sync(), 1);
  const auto rendered = metrics.render();
  EXPECT_NE(rendered.find("frankenetes_dns_ip_change_to_consistent_seconds_count 1"),
            std::string::npos)
      << rendered;
  EXPECT_NE(rendered.find("frankenetes_dns_ip_change_to_consistent_seconds_sum 4"),
            std::string::npos);
}

TEST_F(DnsReporterTest, ProviderBackOffAndRecoveryAreLogged) {
  const auto out = logged([&] {
    reporter.provider_backing_off("p", 2, 2s, core::make_error(core::ErrorKind::kTransient, "503"));
    reporter.provider_recovered("p");
  });
  EXPECT_NE(out.find("warning dns.provider.backoff provider=p failures=2 retry_in_ms=2000"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("info  dns.provider.recovered provider=p"), std::string::npos) << out;
}

TEST_F(DnsReporterTest, InternalErrorsAreCountedAsDnsSync) {
  logged([&] { reporter.internal_error("boom", "next pass"); });
  EXPECT_EQ(metrics.internal_errors_total.Add({{"component", "dns_sync"}}).Value(), 1);
}

TEST_F(DnsReporterTest, AMemberNoLongerConfiguredLosesItsGauge) {
  reporter.member_in_sync(kEtcd, true);
  EXPECT_NE(metrics.render().find("frankenetes_dns_record_in_sync{"), std::string::npos);
  reporter.forget_unconfigured({});
  EXPECT_EQ(metrics.render().find("frankenetes_dns_record_in_sync{"), std::string::npos);
}

TEST_F(DnsReporterTest, DeferredReadsAreLoggedWhenTheBacklogStartsAndEnds) {
  plan::DnsReadDecision backlog;
  backlog.reads = {{kEtcd, plan::DnsReadReason::kInputsChanged, time.monotonic_time()}};
  backlog.deferred = {
      {{"prod", "apiserver"}, plan::DnsReadReason::kInputsChanged, time.monotonic_time() - 12s},
      {{"prod", "scheduler"}, plan::DnsReadReason::kNeverRead, std::nullopt}};
  auto out = logged([&] { reporter.reads_planned(backlog, 20, time.monotonic_time()); });
  EXPECT_NE(out.find("warning dns.read.deferred deferred=2 read=1 oldest_cluster=prod "
                     "oldest_member=apiserver waiting_ms=12000 limit_per_second=20"),
            std::string::npos)
      << out;
  EXPECT_EQ(metrics.dns_record_reads_deferred.Value(), 2);
  EXPECT_EQ(logged([&] { reporter.reads_planned(backlog, 20, time.monotonic_time()); }), "");
  out = logged([&] { reporter.reads_planned({}, 20, time.monotonic_time()); });
  EXPECT_NE(out.find("info  dns.read.caught_up"), std::string::npos) << out;
  EXPECT_EQ(metrics.dns_record_reads_deferred.Value(), 0);
}

// A member not read this pass keeps what the last read showed: its skip is counted again, and a
// new address whose read waits makes the name out of sync, timed from when it was first seen.
TEST_F(DnsReporterTest, CarriedMemberKeepsItsStateUntilANewAddressIsSeen) {
  plan::DnsPlanResult result;
  result.members.push_back(
      {kEtcd, "p", kName, RecordSet{kName, RecordType::kA, 60, {"10.0.0.1"}, ""}, true});
  result.skips.push_back(skip(plan::DnsSkipReason::kInSync));
  reporter.planned(result, {}, time.monotonic_time());
  reporter.member_in_sync(kEtcd, true);
  reporter.carried(kEtcd, std::vector<std::string>{"10.0.0.1"}, time.monotonic_time());
  EXPECT_EQ(skips("in_sync"), 2);
  EXPECT_EQ(in_sync(), 1);

  const auto seen = time.monotonic_time();
  time.advance(5s);
  reporter.carried(kEtcd, std::vector<std::string>{"10.0.0.2"}, seen);
  EXPECT_EQ(in_sync(), 0);
  EXPECT_EQ(skips("in_sync"), 2);
  time.advance(3s);
  reporter.verified(kEtcd, "p", dns::Expectation{kName, RecordType::kA, {"10.0.0.2"}},
                    DnsVerifyOutcome{DnsVerifyOutcome::Kind::kConsistent, {}});
  EXPECT_NE(metrics.render().find("frankenetes_dns_ip_change_to_consistent_seconds_sum 8"),
            std::string::npos);
}

}  // namespace
}  // namespace frankenetes::reconcile
