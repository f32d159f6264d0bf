// PlanReporter's probe reporting: what a run of probe results logs (captured from stderr, where
// the log sink writes) and counts; and that the member states it reports are those the metrics
// keep a series for.

#include "reconcile/plan_reporter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "log/event.h"
#include "status/metrics.h"

namespace frankenetes::reconcile {
namespace {

using namespace std::chrono_literals;

const model::MemberKey kEtcd{"prod", "etcd"};

probe::ProbeResult result(model::ProbeOutcome outcome, std::string error = "") {
  probe::ProbeResult r;
  r.success = outcome == model::ProbeOutcome::kOk;
  r.outcome = outcome;
  r.error = std::move(error);
  r.duration = 5ms;
  return r;
}

struct ReporterTest : ::testing::Test {
  void SetUp() override { log::configure(log::Level::kInfo, log::Format::kText); }

  std::string report(const probe::ProbeResult& r) {
    ::testing::internal::CaptureStderr();
    reporter.probe_done(kEtcd, r);
    return ::testing::internal::GetCapturedStderr();
  }

  std::string tls_failures() const {
    const std::string series =
        R"(frankenetes_probe_tls_failures_total{cluster="prod",member="etcd"} )";
    const auto text = metrics.render();
    const auto at = text.find(series);
    if (at == std::string::npos) return "absent";
    return text.substr(at + series.size(), text.find('\n', at) - at - series.size());
  }

  status::Metrics metrics{{"test", "test", "Debug"}};
  PlanReporter reporter{metrics, metrics};
};

constexpr const char* kUntrusted =
    "TLS handshake with 10.0.0.4:2379 failed: certificate verify failed: unable to get local "
    "issuer certificate";
constexpr const char* kExpired =
    "TLS handshake with 10.0.0.4:2379 failed: certificate verify failed: certificate has expired";

TEST_F(ReporterTest, TlsFailuresAreLoggedOnChangeAndCountedEveryTime) {
  EXPECT_NE(report(result(model::ProbeOutcome::kOk)).find("probe.succeeded"), std::string::npos);
  EXPECT_EQ(tls_failures(), "0");  // the series exists before the first failure

  const auto first = report(result(model::ProbeOutcome::kTls, kUntrusted));
  EXPECT_NE(first.find("error probe.tls_failed cluster=prod member=etcd error=\"" +
                       std::string(kUntrusted) + "\""),
            std::string::npos)
      << first;
  EXPECT_EQ(first.find("probe.failed"), std::string::npos) << first;
  EXPECT_EQ(report(result(model::ProbeOutcome::kTls, kUntrusted)), "");  // same state: quiet
  EXPECT_NE(report(result(model::ProbeOutcome::kTls, kExpired)).find("probe.tls_failed"),
            std::string::npos);
  EXPECT_EQ(tls_failures(), "3");

  // From a TLS failure to another kind of failure: that is news too.
  const auto refused = report(result(model::ProbeOutcome::kConnectError, "connection refused"));
  EXPECT_NE(refused.find("probe.failed"), std::string::npos) << refused;
  EXPECT_EQ(report(result(model::ProbeOutcome::kConnectError, "connection refused")), "");
  EXPECT_NE(report(result(model::ProbeOutcome::kOk)).find("probe.succeeded"), std::string::npos);
  EXPECT_EQ(tls_failures(), "3");
  EXPECT_NE(metrics.render().find(R"(frankenetes_probe_success{cluster="prod",member="etcd"} 1)"),
            std::string::npos);
}

TEST_F(ReporterTest, TlsFailureRightAfterAnotherFailureIsLogged) {
  report(result(model::ProbeOutcome::kTimeout, "timeout after 2s"));
  EXPECT_NE(report(result(model::ProbeOutcome::kTls, kUntrusted)).find("probe.tls_failed"),
            std::string::npos);
  EXPECT_EQ(tls_failures(), "1");
  EXPECT_NE(metrics.render().find(R"(frankenetes_probe_success{cluster="prod",member="etcd"} 0)"),
            std::string::npos);
}

// Repeated results write only the duration (PlanReporter skips the unchanged series), but
// what /metrics shows must be what writing everything would show.
TEST_F(ReporterTest, RepeatedResultsKeepEverySeriesRight) {
  const auto has = [&](const std::string& line) {
    return metrics.render().find(line) != std::string::npos;
  };
  const std::string success = R"(frankenetes_probe_success{cluster="prod",member="etcd"} )";
  const std::string count = R"(frankenetes_probe_duration_seconds_count{member="etcd"} )";
  report(result(model::ProbeOutcome::kOk));
  report(result(model::ProbeOutcome::kOk));
  EXPECT_TRUE(has(success + "1"));
  EXPECT_EQ(tls_failures(), "0");  // from the first probe on
  EXPECT_TRUE(has(count + "2"));
  report(result(model::ProbeOutcome::kTimeout, "timeout after 2s"));
  report(result(model::ProbeOutcome::kTimeout, "timeout after 2s"));
  report(result(model::ProbeOutcome::kConnectError, "connect: connection refused"));
  EXPECT_TRUE(has(success + "0"));
  EXPECT_TRUE(has(count + "5"));
  report(result(model::ProbeOutcome::kTls, kUntrusted));
  report(result(model::ProbeOutcome::kTls, kUntrusted));
  EXPECT_EQ(tls_failures(), "2");
  report(result(model::ProbeOutcome::kOk));
  report(result(model::ProbeOutcome::kOk));
  EXPECT_TRUE(has(success + "1"));
  EXPECT_EQ(tls_failures(), "2");
  EXPECT_TRUE(has(count + "9"));
}

// frankenetes_member_state has one series per state in status::kMemberStates; a plan::Health
// missing there would never read 1, nor be removed with its member.
TEST(MemberStates, AreEveryHealthThePlannerAssesses) {
  const auto health = {plan::Health::kHealthy, plan::Health::kUnhealthy, plan::Health::kUnknown};
  EXPECT_EQ(status::kMemberStates.size(), health.size());
  for (const auto h : health) {
    EXPECT_NE(std::find(status::kMemberStates.begin(), status::kMemberStates.end(),
                        plan::to_string(h)),
              status::kMemberStates.end())
        << plan::to_string(h);
  }
}

}  // namespace
}  // namespace frankenetes::reconcile
