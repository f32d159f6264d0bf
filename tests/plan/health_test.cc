// assess_member(): every unhealthy reason, every unknown reason, and the boundaries of
// staleness and probe thresholds, as one table.

#include "plan/health.h"

#include <gtest/gtest.h>

#include "plan/plan_test_util.h"

namespace frankenetes::plan {
namespace {

using namespace test_util;

const model::MemberKey kEtcd{"prod", "etcd"};
const MonotonicTime kNow = at(10min);

struct HealthCase {
  std::string name;
  std::function<std::optional<model::MemberObservation>()> observation;
  Health health;
  std::optional<UnhealthyReason> unhealthy;
  std::optional<UnknownReason> unknown;
};

model::MemberObservation with_current_state(model::MemberObservation obs, std::string state,
                                            std::string detail) {
  obs.group->view->containers[0].current_state =
      model::ContainerState{std::move(state), std::move(detail), std::nullopt, std::nullopt,
                            std::nullopt};
  return obs;
}

std::vector<HealthCase> health_cases() {
  const auto fresh = kNow - 5s;
  return {
      {"RunningIsHealthy", [=] { return healthy(kEtcd, fresh); }, Health::kHealthy, {}, {}},
      {"NeverObserved", [] { return std::nullopt; }, Health::kUnknown, {},
       UnknownReason::kNeverObserved},
      {"NoGroupObservationYet",
       [] {
         model::MemberObservation obs;
         obs.key = kEtcd;
         return obs;
       },
       Health::kUnknown, {}, UnknownReason::kNeverObserved},
      {"ArmError", [=] { return read_error(kEtcd, fresh, 503); }, Health::kUnknown, {},
       UnknownReason::kReadFailed},
      {"Throttled", [=] { return read_error(kEtcd, fresh, 429); }, Health::kUnknown, {},
       UnknownReason::kReadFailed},
      {"TokenFailure", [=] { return read_error(kEtcd, fresh, 401); }, Health::kUnknown, {},
       UnknownReason::kReadFailed},
      {"StaleBeyondStaleAfter", [=] { return healthy(kEtcd, kNow - 21s); }, Health::kUnknown, {},
       UnknownReason::kStale},
      {"ExactlyStaleAfterIsStillFresh", [=] { return healthy(kEtcd, kNow - 20s); },
       Health::kHealthy, {}, {}},
      {"StaleCrashLoopIsUnknownNotUnhealthy",
       [=] { return crash_loop_backoff(kEtcd, kNow - 60s); }, Health::kUnknown, {},
       UnknownReason::kStale},
      {"StaleNotFoundIsUnknown", [=] { return not_found(kEtcd, kNow - 60s); }, Health::kUnknown,
       {}, UnknownReason::kStale},
      {"ProvisioningCreating",
       [=] { return found(kEtcd, fresh, "Running", 0, "Creating"); }, Health::kUnknown, {},
       UnknownReason::kProvisioning},
      {"ProvisioningPendingWhileStopped",
       [=] { return found(kEtcd, fresh, "Stopped", 0, "Pending"); }, Health::kUnknown, {},
       UnknownReason::kProvisioning},
      {"ProvisioningUpdating", [=] { return found(kEtcd, fresh, "Running", 0, "Updating"); },
       Health::kUnknown, {}, UnknownReason::kProvisioning},
      {"ProvisioningStateAbsent", [=] { return found(kEtcd, fresh, "Running", 0, ""); },
       Health::kUnknown, {}, UnknownReason::kProvisioning},
      {"InstanceStatePending", [=] { return found(kEtcd, fresh, "Pending"); }, Health::kUnknown,
       {}, UnknownReason::kProvisioning},
      {"InstanceStateSucceededHasNoRule", [=] { return found(kEtcd, fresh, "Succeeded"); },
       Health::kUnknown, {}, UnknownReason::kUnrecognizedState},
      {"InstanceStateInventedByAci", [=] { return found(kEtcd, fresh, "Node Stopped"); },
       Health::kUnknown, {}, UnknownReason::kUnrecognizedState},
      {"InstanceViewAbsent", [=] { return found(kEtcd, fresh, ""); }, Health::kUnknown, {},
       UnknownReason::kUnrecognizedState},
      {"Missing", [=] { return not_found(kEtcd, fresh); }, Health::kUnhealthy,
       UnhealthyReason::kMissing, {}},
      {"GroupFailed", [=] { return found(kEtcd, fresh, "Failed"); }, Health::kUnhealthy,
       UnhealthyReason::kGroupFailed, {}},
      {"ProvisioningFailed", [=] { return found(kEtcd, fresh, "Running", 0, "Failed"); },
       Health::kUnhealthy, UnhealthyReason::kGroupFailed, {}},
      {"GroupStopped", [=] { return found(kEtcd, fresh, "Stopped"); }, Health::kUnhealthy,
       UnhealthyReason::kGroupStopped, {}},
      {"StateComparedCaseInsensitively", [=] { return found(kEtcd, fresh, "stopped"); },
       Health::kUnhealthy, UnhealthyReason::kGroupStopped, {}},
      {"CrashLoopBackOff", [=] { return crash_loop_backoff(kEtcd, fresh); }, Health::kUnhealthy,
       UnhealthyReason::kCrashLoopBackOff, {}},
      {"WaitingForAnotherReasonIsHealthy",
       [=] { return with_current_state(healthy(kEtcd, fresh), "Waiting", "ContainerCreating"); },
       Health::kHealthy, {}, {}},
      {"ProbeFailingAtThreshold",
       [=] { return with_probe_result(healthy(kEtcd, fresh), 3, fresh); }, Health::kUnhealthy,
       UnhealthyReason::kProbeFailing, {}},
      {"ProbeBelowThresholdIsHealthy",
       [=] { return with_probe_result(healthy(kEtcd, fresh), 2, fresh); }, Health::kHealthy, {},
       {}},
      {"ProbeFailingButStaleIsUnknown",
       [=] { return with_probe_result(healthy(kEtcd, fresh), 5, kNow - 30s); }, Health::kUnknown,
       {}, UnknownReason::kStale},
      {"ProbeNotRunYetIsIgnored",
       [=] {
         auto obs = healthy(kEtcd, fresh);
         obs.probe.configured = true;
         return obs;
       },
       Health::kHealthy, {}, {}},
      {"GroupStateWinsOverProbe",
       [=] { return with_probe_result(found(kEtcd, fresh, "Stopped"), 9, fresh); },
       Health::kUnhealthy, UnhealthyReason::kGroupStopped, {}},
  };
}

class HealthTable : public ::testing::TestWithParam<HealthCase> {};

TEST_P(HealthTable, Assesses) {
  const HealthCase& c = GetParam();
  const auto obs = c.observation();
  const auto member_config = with_probe(member("etcd"), 3);
  const Assessment a =
      assess_member(member_config, obs ? &*obs : nullptr, nullptr, config::PolicyConfig{}, kNow);
  EXPECT_EQ(a.health, c.health) << a.describe();
  EXPECT_EQ(a.unhealthy, c.unhealthy) << a.describe();
  EXPECT_EQ(a.unknown, c.unknown) << a.describe();
  if (c.health != Health::kHealthy) {
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
  const Assessment a =
      assess_member(member_config, &obs, nullptr, config::PolicyConfig{}, kNow);
  EXPECT_EQ(a.unhealthy, UnhealthyReason::kProbeFailing) << a.describe();
}

TEST(Health, DescribeNamesHealthReasonAndDetail) {
  const auto obs = crash_loop_backoff(kEtcd, kNow);
  const Assessment a = assess_member(member("etcd"), &obs, nullptr, config::PolicyConfig{}, kNow);
  EXPECT_EQ(a.describe(),
            "unhealthy (crash_loop_backoff: container etcd is Waiting: CrashLoopBackOff: "
            "Back-off restarting failed)");
}

}  // namespace
}  // namespace frankenetes::plan
