// assess_member(): every unhealthy reason, every unknown reason, and the boundaries of
// staleness and probe thresholds, as one table.

#include "plan/health.h"

#include <gtest/gtest.h>

#include "plan/plan_test_util.h"
#include "support/edit_view.h"

namespace frankenetes::plan {
namespace {

using namespace test_util;

const model::MemberKey kEtcd{"prod", "etcd"};
const MonotonicTime kNow = at(10min);

struct HealthCase {
  std::string name;
  std::function<std::optional<model::MemberObservation>()> observation;
  std::string expected;  // "healthy", "unhealthy <reason>" or "unknown <reason>"
};

// "unhealthy crash_loop", "unknown stale", "healthy": what the table compares.
std::string summary(const Assessment& a) {
  std::string out(to_string(a.health));
  if (a.unhealthy) out += " " + std::string(to_string(*a.unhealthy));
  if (a.unknown) out += " " + std::string(to_string(*a.unknown));
  return out;
}

model::MemberObservation with_current_state(model::MemberObservation obs, std::string state,
                                            std::string detail) {
  testing::edit_view(*obs.group).containers[0].current_state = model::ContainerState{
      std::move(state), std::move(detail), std::nullopt, std::nullopt, std::nullopt};
  return obs;
}

model::MemberObservation without_group(const model::MemberKey& key) {
  model::MemberObservation obs;
  obs.key = key;
  return obs;
}

// LIST showed the group unchanged at `at`, after the GET.
model::MemberObservation vouched(model::MemberObservation obs, MonotonicTime at) {
  obs.group->vouched_at = at;
  return obs;
}

// The probe's current failing streak began at `since`.
model::MemberObservation failing_since(model::MemberObservation obs, MonotonicTime since) {
  obs.probe.failing_since = since;
  return obs;
}

model::MemberObservation probe_not_run_yet(model::MemberObservation obs) {
  obs.probe.configured = true;
  return obs;
}

// clang-format off
std::vector<HealthCase> health_cases() {
  const auto fresh = kNow - 5s;
  return {
      {"RunningIsHealthy", [=] { return healthy(kEtcd, fresh); }, "healthy"},
      {"NeverObserved", [] { return std::nullopt; }, "unknown never_observed"},
      {"NoGroupObservationYet", [] { return without_group(kEtcd); }, "unknown never_observed"},
      {"ArmError", [=] { return read_error(kEtcd, fresh, 503); }, "unknown read_failed"},
      {"Throttled", [=] { return read_error(kEtcd, fresh, 429); }, "unknown read_failed"},
      {"TokenFailure", [=] { return read_error(kEtcd, fresh, 401); }, "unknown read_failed"},
      {"StaleBeyondStaleAfter", [=] { return healthy(kEtcd, kNow - 21s); }, "unknown stale"},
      {"ExactlyStaleAfterIsStillFresh", [=] { return healthy(kEtcd, kNow - 20s); }, "healthy"},
      {"StaleCrashLoopIsUnknownNotUnhealthy",
       [=] { return crash_loop_backoff(kEtcd, kNow - 60s); }, "unknown stale"},
      {"StaleNotFoundIsUnknown", [=] { return not_found(kEtcd, kNow - 60s); }, "unknown stale"},
      {"ProvisioningCreating", [=] { return found(kEtcd, fresh, "Running", 0, "Creating"); },
       "unknown provisioning"},
      {"ProvisioningPendingWhileStopped",
       [=] { return found(kEtcd, fresh, "Stopped", 0, "Pending"); }, "unknown provisioning"},
      {"ProvisioningUpdating", [=] { return found(kEtcd, fresh, "Running", 0, "Updating"); },
       "unknown provisioning"},
      {"ProvisioningStateAbsent", [=] { return found(kEtcd, fresh, "Running", 0, ""); },
       "unknown provisioning"},
      {"InstanceStatePending", [=] { return found(kEtcd, fresh, "Pending"); },
       "unknown provisioning"},
      {"InstanceStateSucceededHasNoRule", [=] { return found(kEtcd, fresh, "Succeeded"); },
       "unknown unrecognized_state"},
      {"InstanceStateInventedByAci", [=] { return found(kEtcd, fresh, "Node Stopped"); },
       "unknown unrecognized_state"},
      {"InstanceViewAbsent", [=] { return found(kEtcd, fresh, ""); }, "unknown unrecognized_state"},
      {"Missing", [=] { return not_found(kEtcd, fresh); }, "unhealthy missing"},
      {"GroupFailed", [=] { return found(kEtcd, fresh, "Failed"); }, "unhealthy group_failed"},
      {"ProvisioningFailed", [=] { return found(kEtcd, fresh, "Running", 0, "Failed"); },
       "unhealthy group_failed"},
      {"ProvisioningCanceled", [=] { return found(kEtcd, fresh, "Running", 0, "Canceled"); },
       "unhealthy group_failed"},
      {"GroupStopped", [=] { return found(kEtcd, fresh, "Stopped"); }, "unhealthy group_stopped"},
      {"StateComparedCaseInsensitively", [=] { return found(kEtcd, fresh, "stopped"); },
       "unhealthy group_stopped"},
      {"CrashLoopBackOff", [=] { return crash_loop_backoff(kEtcd, fresh); },
       "unhealthy crash_loop_backoff"},
      {"WaitingForAnotherReasonIsHealthy",
       [=] { return with_current_state(healthy(kEtcd, fresh), "Waiting", "ContainerCreating"); },
       "healthy"},
      {"ProbeFailingAtThreshold",
       [=] { return with_probe_result(healthy(kEtcd, fresh), 3, fresh); },
       "unhealthy probe_failing"},
      {"ProbeBelowThresholdIsHealthy",
       [=] { return with_probe_result(healthy(kEtcd, fresh), 2, fresh); }, "healthy"},
      {"ProbeFailingButStaleIsUnknown",
       [=] { return with_probe_result(healthy(kEtcd, fresh), 5, kNow - 30s); }, "unknown stale"},
      // The GET bought by the streak's first failure has not answered (an ARM outage): the
      // state read before the streak is no ground for a restart.
      {"ProbeFailingSinceAfterTheGetIsUnknown",
       [=] { return failing_since(with_probe_result(healthy(kEtcd, fresh), 3, fresh), fresh + 1s); },
       "unknown stale"},
      {"ProbeFailingWithAGetSentSinceIsUnhealthy",
       [=] { return failing_since(with_probe_result(healthy(kEtcd, fresh), 3, fresh), fresh); },
       "unhealthy probe_failing"},
      {"ProbeNotRunYetIsIgnored",
       [=] { return probe_not_run_yet(healthy(kEtcd, fresh)); }, "healthy"},
      {"OldGetVouchedForByAFreshListIsCurrent",
       [=] { return vouched(healthy(kEtcd, kNow - 200s), fresh); }, "healthy"},
      {"OldGetVouchedForLongAgoIsStale",
       [=] { return vouched(healthy(kEtcd, kNow - 200s), kNow - 21s); }, "unknown stale"},
      {"VouchedCrashLoopWaitsForAGetOfItsOwn",
       [=] { return vouched(crash_loop_backoff(kEtcd, kNow - 200s), fresh); }, "unknown stale"},
      {"VouchedFailingProbeWaitsForAGetOfItsOwn",
       [=] { return with_probe_result(vouched(healthy(kEtcd, kNow - 200s), fresh), 5, fresh); },
       "unknown stale"},
      {"VouchingNeverMakesANotFoundCurrent",
       [=] { return vouched(not_found(kEtcd, kNow - 60s), fresh); }, "unknown stale"},
      {"GroupStateWinsOverProbe",
       [=] { return with_probe_result(found(kEtcd, fresh, "Stopped"), 9, fresh); },
       "unhealthy group_stopped"},
  };
}
// clang-format on

class HealthTable : public ::testing::TestWithParam<HealthCase> {};

TEST_P(HealthTable, Assesses) {
  const HealthCase& c = GetParam();
  const auto obs = c.observation();
  const auto member_config = with_probe(member("etcd"), 3);
  const Assessment a =
      assess_member(member_config, obs ? &*obs : nullptr, nullptr, config::PolicyConfig{}, kNow);
  EXPECT_EQ(summary(a), c.expected) << a.describe();
  if (!a.healthy()) {
    EXPECT_FALSE(a.detail.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Plan, HealthTable, ::testing::ValuesIn(health_cases()),
                         [](const auto& p) { return p.param.name; });

TEST(Health, ProbeIgnoredWhenMemberHasNoProbeConfigured) {
  const auto obs = with_probe_result(healthy(kEtcd, kNow), 10, kNow);
  const Assessment a = assess_member(member("etcd"), &obs, nullptr, config::PolicyConfig{}, kNow);
  EXPECT_TRUE(a.healthy()) << a.describe();
}

TEST(Health, ProbeFreshnessFollowsSlowProbePeriod) {
  // A probe that runs every 30s is not stale 45s after its last result (2 periods = 60s).
  auto member_config = with_probe(member("etcd"), 3);
  member_config.probe->period = 30s;
  const auto obs = with_probe_result(healthy(kEtcd, kNow), 3, kNow - 45s);
  const Assessment a = assess_member(member_config, &obs, nullptr, config::PolicyConfig{}, kNow);
  EXPECT_EQ(a.unhealthy, UnhealthyReason::kProbeFailing) << a.describe();
}

TEST(Health, DescribeNamesHealthReasonAndDetail) {
  const auto obs = crash_loop_backoff(kEtcd, kNow);
  const Assessment a = assess_member(member("etcd"), &obs, nullptr, config::PolicyConfig{}, kNow);
  EXPECT_EQ(a.describe(),
            "unhealthy (crash_loop_backoff: container etcd is Waiting: CrashLoopBackOff: "
            "Back-off restarting failed)");
}

TEST(HealthVouching, AGetOlderThanTwoResyncPeriodsIsNotVouchedFor) {
  config::PolicyConfig policy;
  policy.get_interval.healthy = 1min;  // vouching spans 2 x 1m + staleAfter 20s = 2m20s
  auto obs = vouched(healthy(kEtcd, kNow - 140s), kNow - 1s);
  EXPECT_TRUE(assess_member(member("etcd"), &obs, nullptr, policy, kNow).healthy());
  obs = vouched(healthy(kEtcd, kNow - 142s), kNow - 1s);
  const auto a = assess_member(member("etcd"), &obs, nullptr, policy, kNow);
  EXPECT_EQ(summary(a), "unknown stale") << a.describe();
  EXPECT_NE(a.detail.find("vouched for by LIST 1s ago"), std::string::npos) << a.detail;
}

}  // namespace
}  // namespace frankenetes::plan
