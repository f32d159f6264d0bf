// plan(): one rule per test, each on a small explicit world at explicit time points.

#include <gtest/gtest.h>

#include "plan/plan.h"
#include "plan/plan_test_util.h"

namespace frankenetes::plan {
namespace {

using namespace test_util;

const model::MemberKey kEtcd{"prod", "etcd"};
const model::MemberKey kApiserver{"prod", "apiserver"};
const model::MemberKey kScheduler{"prod", "scheduler"};

// The whole control plane healthy at `t`, so that tests only state what is wrong.
void all_healthy(Harness& h, const std::string& cluster_name = "prod") {
  for (const auto& c : h.config().clusters) {
    if (c.name != cluster_name) continue;
    for (const auto& m : c.members) {
      const model::MemberKey key{c.name, m.name};
      auto obs = healthy(key, h.now());
      if (m.probe) obs = with_probe_result(obs, 0, h.now());
      h.observe(obs);
    }
  }
}

std::vector<SkipReason> reasons(const PlanResult& r) {
  std::vector<SkipReason> out;
  for (const auto& s : r.skips) out.push_back(s.reason);
  return out;
}

TEST(Plan, HealthyClusterNeedsNothingAndReportsEveryMember) {
  Harness h(make_config({control_plane()}));
  all_healthy(h);
  const PlanResult r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  EXPECT_TRUE(r.skips.empty());
  ASSERT_EQ(r.members.size(), 4u);
  for (const auto& m : r.members) EXPECT_TRUE(m.assessment.healthy()) << m.member.to_string();
  EXPECT_EQ(r.budget, (BudgetStatus{12, 0, false}));
}

// --- each unhealthy reason leads to the right first action -----------------------------------

struct FirstActionCase {
  std::string name;
  std::function<model::MemberObservation(MonotonicTime)> observation;
  bool spec;
  std::string expected;  // the action kind, or "skip <reason>"
};

class FirstAction : public ::testing::TestWithParam<FirstActionCase> {};

TEST_P(FirstAction, ForEachUnhealthyReason) {
  const FirstActionCase& c = GetParam();
  auto etcd = with_probe(member("etcd"));
  if (c.spec) etcd = with_spec(etcd);
  Harness h(make_config({cluster("prod", {etcd})}));
  h.observe(c.observation(h.now()));
  const PlanResult r = h.tick();
  ASSERT_EQ(r.actions.size() + r.skips.size(), 1u);
  if (!r.actions.empty()) {
    EXPECT_EQ(to_string(r.actions[0].kind), c.expected);
    EXPECT_EQ(r.actions[0].rung, 0);
    EXPECT_FALSE(r.actions[0].dry_run);
  } else {
    EXPECT_EQ("skip " + std::string(to_string(r.skips[0].reason)), c.expected) << r.skips[0].detail;
  }
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Plan, FirstAction,
    ::testing::Values(
        FirstActionCase{"CrashLoopBackOffRestarts",
                        [](auto when) { return crash_loop_backoff(kEtcd, when); }, true, "restart"},
        FirstActionCase{"GroupFailedRestarts",
                        [](auto when) { return found(kEtcd, when, "Failed"); }, true, "restart"},
        FirstActionCase{"StoppedGroupIsStarted",
                        [](auto when) { return found(kEtcd, when, "Stopped"); }, true, "start"},
        FirstActionCase{"ProbeFailingRestarts",
                        [](auto when) { return with_probe_result(healthy(kEtcd, when), 3, when); },
                        true, "restart"},
        FirstActionCase{"MissingWithSpecIsRecreated",
                        [](auto when) { return not_found(kEtcd, when); }, true, "recreate"},
        FirstActionCase{"MissingWithoutSpecIsNoSpec",
                        [](auto when) { return not_found(kEtcd, when); }, false, "skip no_spec"},
        FirstActionCase{"ArmErrorIsStateUnknown",
                        [](auto when) { return read_error(kEtcd, when); }, true,
                        "skip state_unknown"},
        FirstActionCase{"StaleCrashLoopIsStateUnknown",
                        [](auto when) { return crash_loop_backoff(kEtcd, when - 21s); }, true,
                        "skip state_unknown"},
        FirstActionCase{"ProvisioningIsProvisioning",
                        [](auto when) { return found(kEtcd, when, "Running", 0, "Creating"); },
                        true, "skip provisioning"},
        FirstActionCase{"PendingIsProvisioning",
                        [](auto when) { return found(kEtcd, when, "Pending"); }, true,
                        "skip provisioning"}),
    [](const auto& p) { return p.param.name; });
// clang-format on

TEST(Plan, CrashLoopFromRisingRestartCountIsRemediated) {
  Harness h(make_config({cluster("prod", {member("etcd")})}));
  std::vector<std::size_t> actions;
  for (int i = 0; i < 4; ++i) {
    h.observe(healthy(kEtcd, h.now(), i));  // one restart per poll
    actions.push_back(h.tick().actions.size());
    h.advance(10s);
  }
  EXPECT_EQ(actions, (std::vector<std::size_t>{0, 0, 0, 1}));
  EXPECT_EQ(h.action_log()[0], (LoggedAction{30, "etcd", ActionKind::kRestart, 0}));
}

TEST(Plan, NeverObservedMemberIsStateUnknown) {
  Harness h(make_config({control_plane()}));
  const PlanResult r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(reasons(r), std::vector<SkipReason>(4, SkipReason::kStateUnknown));
}

TEST(Plan, ArmOutageMeansNoActionForAnyoneEvenIfTheLastKnownStateWasBroken) {
  Harness h(make_config({control_plane()}));
  all_healthy(h);
  h.observe(crash_loop_backoff(kEtcd, h.now()));
  h.executor = nullptr;  // keep nothing from finishing: irrelevant here
  // ARM answers 503 for 60s: every GET fails; the last good (broken) view grows stale.
  for (int i = 0; i < 7; ++i) {
    for (const auto& m : h.config().clusters[0].members) {
      h.observe(read_error({"prod", m.name}, h.now()));
    }
    const PlanResult r = h.tick();
    EXPECT_TRUE(r.actions.empty()) << "t=" << seconds_since_t0(h.now());
    EXPECT_EQ(reasons(r), std::vector<SkipReason>(4, SkipReason::kStateUnknown));
    h.advance(10s);
  }
}

TEST(Plan, DataStaleButNotErroredIsStateUnknown) {
  Harness h(make_config({cluster("prod", {member("etcd")})}));
  h.observe(crash_loop_backoff(kEtcd, h.now()));
  h.advance(21s);  // no new GET since
  const PlanResult r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  ASSERT_EQ(r.skips.size(), 1u);
  EXPECT_EQ(r.skips[0].reason, SkipReason::kStateUnknown);
  EXPECT_EQ(r.skips[0].detail, "stale: last observation is 21s old (staleAfter 20s)");
}

// --- dependencies -----------------------------------------------------------------------------

TEST(Plan, SickEtcdExplainsFailingApiserver) {
  Harness h(make_config({control_plane()}));
  all_healthy(h);
  h.observe(crash_loop_backoff(kEtcd, h.now()));
  h.observe(with_probe_result(healthy(kApiserver, h.now()), 3, h.now()));
  PlanResult r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].member, kEtcd);
  ASSERT_NE(r.find_skip(kApiserver), nullptr);
  EXPECT_EQ(r.find_skip(kApiserver)->reason, SkipReason::kDependencyUnhealthy);
  EXPECT_EQ(r.find_skip(kApiserver)->detail,
            "etcd is unhealthy (crash_loop_backoff: container etcd is Waiting: CrashLoopBackOff: "
            "Back-off restarting failed); probe_failing: probe failed 3 times in a row "
            "(threshold 3): HTTP 503");

  // The restart fixed etcd, and with it the apiserver: no apiserver action, ever.
  for (int i = 0; i < 60; ++i) {
    h.advance(10s);
    all_healthy(h);
    r = h.tick();
    EXPECT_TRUE(r.actions.empty());
    EXPECT_TRUE(r.skips.empty());
  }
  EXPECT_EQ(h.action_log(), (std::vector<LoggedAction>{{0, "etcd", ActionKind::kRestart, 0}}));
}

// Found by tests/integration/test_heal.py (test_02): a hung apiserver fails its
// dependents' checks at once, while our probe of it waits for its timeout and reaches the
// threshold later. A dependency whose latest probe failed already explains the dependents.
TEST(Plan, DependencyWithAFailingProbeBelowThresholdExplainsDependents) {
  Harness h(make_config({control_plane()}));
  all_healthy(h);
  h.observe(with_probe_result(healthy(kApiserver, h.now()), 1, h.now()));
  h.observe(crash_loop_backoff(kScheduler, h.now()));
  PlanResult r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  EXPECT_TRUE(r.find_member(kApiserver)->assessment.healthy());
  ASSERT_NE(r.find_skip(kScheduler), nullptr);
  EXPECT_EQ(r.find_skip(kScheduler)->reason, SkipReason::kDependencyUnhealthy);
  EXPECT_TRUE(r.find_skip(kScheduler)
                  ->detail.starts_with(
                      "apiserver is healthy so far, but its probe failed 1 time(s) in a row; "))
      << r.find_skip(kScheduler)->detail;

  // The apiserver reaches its threshold: it is the one restarted.
  h.advance(5s);
  all_healthy(h);
  h.observe(with_probe_result(healthy(kApiserver, h.now()), 3, h.now()));
  h.observe(crash_loop_backoff(kScheduler, h.now()));
  r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].member, kApiserver);
  EXPECT_EQ(r.find_skip(kScheduler)->reason, SkipReason::kDependencyUnhealthy);
}

// Found by tests/integration/test_heal.py (test_03): when etcd turns healthy, the
// apiserver's latest probe results still come from etcd's outage. They must not get the
// apiserver restarted; only a streak that lasts failureThreshold probe periods past the
// recovery is its own fault.
TEST(Plan, ProbeFailuresFromADependencyOutageAreNotHeldAgainstTheMemberAtRecovery) {
  Harness h(make_config({control_plane()}));
  all_healthy(h);
  h.observe(crash_loop_backoff(kEtcd, h.now()));
  h.observe(with_probe_result(healthy(kApiserver, h.now()), 3, h.now()));
  ASSERT_EQ(h.tick().actions.size(), 1u);  // t=0: etcd restarted, the apiserver skipped

  // From t=10 etcd is healthy, but the apiserver's probe (period 5s, threshold 3) still
  // reports the streak that began during the outage. Grace: 3 periods from t=0, the last
  // time etcd was seen unhealthy.
  PlanResult r;
  for (h.advance(10s); h.now() < at(15s); h.advance(1s)) {
    all_healthy(h);
    h.observe(with_probe_result(healthy(kApiserver, h.now()), 4, h.now() - 1s));
    r = h.tick();
    ASSERT_TRUE(r.actions.empty()) << "t=" << seconds_since_t0(h.now());
    ASSERT_NE(r.find_skip(kApiserver), nullptr);
    EXPECT_EQ(r.find_skip(kApiserver)->reason, SkipReason::kDependencyUnhealthy);
    EXPECT_TRUE(r.find_skip(kApiserver)
                    ->detail.starts_with(
                        "probe failures may predate a dependency's recovery (last seen unhealthy "))
        << r.find_skip(kApiserver)->detail;
  }
  // t=15: still failing three probe periods after etcd's last trouble: the apiserver's own.
  all_healthy(h);
  h.observe(with_probe_result(healthy(kApiserver, h.now()), 6, h.now()));
  r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].member, kApiserver);
  EXPECT_EQ(r.actions[0].reason, UnhealthyReason::kProbeFailing);
}

TEST(Plan, RestartsDuringADependencyOutageAreNotHeldAgainstTheMemberAfterwards) {
  Harness h(make_config({control_plane()}));
  h.executor = nullptr;
  int apiserver_restarts = 0;
  auto observe = [&](const model::MemberObservation& etcd) {
    all_healthy(h);
    h.observe(etcd);
    h.observe(with_probe_result(healthy(kApiserver, h.now(), apiserver_restarts), 0, h.now()));
  };
  // t=0 etcd crash-loops and is restarted; while that runs, the apiserver restarts 3 times.
  observe(crash_loop_backoff(kEtcd, h.now()));
  ASSERT_EQ(h.tick().actions.size(), 1u);
  PlanResult r;
  for (int i = 0; i < 3; ++i) {
    h.advance(10s);
    ++apiserver_restarts;
    observe(found(kEtcd, h.now(), "Running", 0, "Updating"));
    r = h.tick();
  }
  EXPECT_EQ(r.find_member(kApiserver)->assessment.unhealthy, UnhealthyReason::kCrashLoop);
  EXPECT_EQ(r.find_skip(kApiserver)->reason, SkipReason::kDependencyUnhealthy);

  // t=40 etcd is back and the apiserver runs stably: its 3 restarts are etcd's doing.
  h.finish(kEtcd);
  for (h.advance(10s); h.now() < at(12min); h.advance(10s)) {
    observe(healthy(kEtcd, h.now()));
    r = h.tick();
    ASSERT_TRUE(r.actions.empty()) << "t=" << seconds_since_t0(h.now());
    if (h.now() == at(40s)) {
      EXPECT_EQ(r.find_member(kApiserver)->assessment.unhealthy, UnhealthyReason::kCrashLoop);
      EXPECT_EQ(r.find_skip(kApiserver)->reason, SkipReason::kDependencyUnhealthy);
      EXPECT_TRUE(r.find_skip(kApiserver)
                      ->detail.starts_with("restarts happened while a dependency was unhealthy "
                                           "(last seen 10s ago); crash_loop: "))
          << r.find_skip(kApiserver)->detail;
    }
  }
  EXPECT_TRUE(r.find_member(kApiserver)->assessment.healthy());

  // Restarting again on its own, with etcd healthy: now it is the apiserver's problem.
  for (int i = 0; i < 3; ++i) {
    ++apiserver_restarts;
    observe(healthy(kEtcd, h.now()));
    r = h.tick();
    h.advance(10s);
  }
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].member, kApiserver);
  EXPECT_EQ(r.actions[0].reason, UnhealthyReason::kCrashLoop);
  EXPECT_EQ(h.action_log(),
            (std::vector<LoggedAction>{{0, "etcd", ActionKind::kRestart, 0},
                                       {740, "apiserver", ActionKind::kRestart, 0}}));
}

TEST(Plan, UnknownDependencyAlsoExplainsAndTransitively) {
  Harness h(make_config({control_plane()}));
  all_healthy(h);
  h.observe(read_error(kEtcd, h.now()));
  h.observe(crash_loop_backoff(kScheduler, h.now()));
  const PlanResult r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  ASSERT_NE(r.find_skip(kScheduler), nullptr);
  EXPECT_EQ(r.find_skip(kScheduler)->reason, SkipReason::kDependencyUnhealthy);
  EXPECT_TRUE(r.find_skip(kScheduler)->detail.starts_with("etcd is unknown (read_failed: "))
      << r.find_skip(kScheduler)->detail;
}

TEST(Plan, StoppedOrMissingGroupIsActedOnDespiteUnhealthyDependency) {
  Harness h(make_config({control_plane("prod"), control_plane("stage")}));
  all_healthy(h, "prod");
  all_healthy(h, "stage");
  // etcd's state is unknown and it is not acted on; a stopped apiserver is still started, a
  // deleted one still recreated: no dependency stops or deletes a group.
  h.observe(read_error(kEtcd, h.now()));
  h.observe(found(kApiserver, h.now(), "Stopped"));
  const model::MemberKey stage_etcd{"stage", "etcd"};
  const model::MemberKey stage_api{"stage", "apiserver"};
  h.observe(crash_loop_backoff(stage_etcd, h.now()));
  h.observe(not_found(stage_api, h.now()));
  h.executor = nullptr;
  const PlanResult r = h.tick();
  ASSERT_EQ(r.actions.size(), 2u);
  EXPECT_EQ(r.actions[0].member, kApiserver);
  EXPECT_EQ(r.actions[0].kind, ActionKind::kStart);
  EXPECT_EQ(r.actions[0].reason, UnhealthyReason::kGroupStopped);
  // In stage etcd comes first (one action per cluster); the missing apiserver waits its turn
  // as cluster_busy, not dependency_unhealthy.
  EXPECT_EQ(r.actions[1].member, stage_etcd);
  ASSERT_NE(r.find_skip(stage_api), nullptr);
  EXPECT_EQ(r.find_skip(stage_api)->reason, SkipReason::kClusterBusy);
}

// --- one action per cluster -------------------------------------------------------------------

TEST(Plan, OneDisruptiveActionPerClusterInFlight) {
  Harness h(
      make_config({cluster("prod", {with_spec(member("etcd")), with_spec(member("scheduler"))}),
                   cluster("stage", {with_spec(member("etcd"))})}));
  h.executor = nullptr;  // actions stay in flight until finish()
  const model::MemberKey stage_etcd{"stage", "etcd"};
  auto observe_all = [&](bool etcd_fixed) {
    h.observe(etcd_fixed ? healthy(kEtcd, h.now()) : found(kEtcd, h.now(), "Failed"));
    h.observe(found(kScheduler, h.now(), "Failed"));
    h.observe(healthy(stage_etcd, h.now()));
  };
  observe_all(false);
  PlanResult r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].member, kEtcd);
  EXPECT_EQ(r.find_skip(kScheduler)->reason, SkipReason::kClusterBusy);
  EXPECT_EQ(r.find_skip(kScheduler)->detail,
            "action on etcd planned in this pass; group_failed: instanceView.state Failed");

  h.advance(10s);
  observe_all(false);
  h.observe(found(stage_etcd, h.now(), "Failed"));  // another cluster is not blocked
  r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].member, stage_etcd);
  EXPECT_EQ(r.find_skip(kEtcd)->reason, SkipReason::kActionInFlight);
  EXPECT_EQ(r.find_skip(kEtcd)->detail, "restart started 10s ago");
  EXPECT_EQ(r.find_skip(kScheduler)->reason, SkipReason::kClusterBusy);
  EXPECT_EQ(r.find_skip(kScheduler)->detail,
            "action on etcd in flight; group_failed: instanceView.state Failed");
  EXPECT_TRUE(r.find_member(kEtcd)->action_in_flight);

  h.finish(kEtcd);
  h.advance(10s);
  observe_all(true);
  r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].member, kScheduler);
}

// --- remediate: false, back-off, dry-run ------------------------------------------------------

TEST(Plan, RemediationDisabledIsObservedButNeverTouched) {
  Harness h(make_config(
      {cluster("prod", {without_remediation(member("etcd")), with_spec(member("scheduler"))})}));
  h.observe(not_found(kEtcd, h.now()));
  h.observe(healthy(kScheduler, h.now()));
  const PlanResult r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  ASSERT_EQ(r.skips.size(), 1u);
  EXPECT_EQ(r.skips[0].reason, SkipReason::kRemediationDisabled);
  EXPECT_EQ(r.find_member(kEtcd)->assessment.unhealthy, UnhealthyReason::kMissing);
}

TEST(Plan, BackoffSkipSaysHowLongToWait) {
  Harness h(make_config({cluster("prod", {with_spec(member("etcd"))})}));
  h.observe(found(kEtcd, h.now(), "Failed"));
  ASSERT_EQ(h.tick().actions.size(), 1u);  // restart at t0, finished at once: back-off 10s
  h.advance(4s);
  h.observe(found(kEtcd, h.now(), "Failed"));
  const PlanResult r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  ASSERT_EQ(r.skips.size(), 1u);
  EXPECT_EQ(r.skips[0].reason, SkipReason::kBackoff);
  EXPECT_EQ(r.skips[0].detail,
            "next action allowed in 6s; group_failed: instanceView.state Failed");
  EXPECT_EQ(r.find_member(kEtcd)->backoff_until, at(10s));
  EXPECT_EQ(r.find_member(kEtcd)->rung, 1);
}

TEST(Plan, DryRunActionsAreMarkedAndHistoryIsIdentical) {
  auto config = make_config({control_plane()});
  Harness real(config);
  config.policy.dry_run = true;
  Harness dry(config);
  for (int i = 0; i < 30; ++i) {
    for (Harness* h : {&real, &dry}) {
      all_healthy(*h);
      h->observe(crash_loop_backoff(kEtcd, h->now()));  // nothing fixes it in either run
    }
    const PlanResult r_real = real.tick();
    const PlanResult r_dry = dry.tick();
    ASSERT_EQ(r_real.actions.size(), r_dry.actions.size());
    for (std::size_t a = 0; a < r_real.actions.size(); ++a) {
      EXPECT_FALSE(r_real.actions[a].dry_run);
      EXPECT_TRUE(r_dry.actions[a].dry_run);
      Action undried = r_dry.actions[a];
      undried.dry_run = false;
      EXPECT_EQ(undried, r_real.actions[a]);
    }
    EXPECT_EQ(r_real.skips, r_dry.skips);
    EXPECT_EQ(real.history(), dry.history());
    real.advance(10s);
    dry.advance(10s);
  }
  EXPECT_EQ(dry.action_log(), real.action_log());
  EXPECT_EQ(dry.action_log().size(), 3u);  // restart, stop_start, recreate, then gave_up
}

TEST(Plan, PlanDoesNotDependOnWhetherRecordObservationRanFirst) {
  Harness h(make_config({control_plane()}));
  all_healthy(h);
  for (int i = 0; i < 3; ++i) {
    h.observe(healthy(kEtcd, h.now(), i));
    h.tick();
    h.advance(10s);
  }
  h.observe(healthy(kEtcd, h.now(), 3));
  const PlanResult before = plan({h.config(), h.observed(), h.history(), h.now()});
  const History recorded = record_observation(h.history(), h.config(), h.observed(), h.now());
  const PlanResult after = plan({h.config(), h.observed(), recorded, h.now()});
  ASSERT_EQ(before.actions.size(), 1u);
  EXPECT_EQ(before.actions, after.actions);
  EXPECT_EQ(before.members, after.members);
  EXPECT_EQ(before.actions[0].reason, UnhealthyReason::kCrashLoop);
}

// --- budget -----------------------------------------------------------------------------------

TEST(Plan, BudgetCapsActionsPerSlidingHourAcrossClusters) {
  // Four single-member clusters that flap (broken, fixed, broken, …) every poll.
  std::vector<config::ClusterConfig> clusters;
  for (const char* name : {"a", "b", "c", "d"}) {
    clusters.push_back(cluster(name, {with_spec(member("etcd"))}));
  }
  auto config = make_config(clusters);
  config.policy.budget.max_actions_per_hour = 3;
  Harness h(config);
  int tick = 0;
  auto observe_all = [&] {
    for (const char* name : {"a", "b", "c", "d"}) {
      const model::MemberKey key{name, "etcd"};
      h.observe(tick % 2 == 0 ? found(key, h.now(), "Failed") : healthy(key, h.now()));
    }
  };
  std::vector<PlanResult> results;
  for (; h.now() < at(60min); h.advance(10s), ++tick) {
    observe_all();
    results.push_back(h.tick());
  }
  EXPECT_EQ(h.action_log(), (std::vector<LoggedAction>{{0, "etcd", ActionKind::kRestart, 0},
                                                       {0, "etcd", ActionKind::kRestart, 0},
                                                       {0, "etcd", ActionKind::kRestart, 0}}));
  EXPECT_EQ(results[0].actions[0].member.cluster, "a");
  EXPECT_EQ(results[0].actions[2].member.cluster, "c");
  // The 4th is refused, and the alert is up.
  const Skip* fourth = results[0].find_skip({"d", "etcd"});
  ASSERT_NE(fourth, nullptr);
  EXPECT_EQ(fourth->reason, SkipReason::kBudgetExhausted);
  EXPECT_EQ(fourth->detail,
            "3 actions in the last hour (limit 3); group_failed: instanceView.state Failed");
  EXPECT_EQ(results[0].budget, (BudgetStatus{3, 3, true}));
  // Every later broken tick in the hour: all four refused for the budget.
  EXPECT_EQ(reasons(results[2]), std::vector<SkipReason>(4, SkipReason::kBudgetExhausted));
  EXPECT_TRUE(results[1].skips.empty());  // the healthy ticks say nothing

  // t=60m: the three actions of t=0 left the window; three actions again (rung 1 now that
  // the ladder was not reset: the members never stayed healthy for 10 minutes).
  observe_all();
  const PlanResult resumed = h.tick();
  ASSERT_EQ(resumed.actions.size(), 3u);
  EXPECT_EQ(resumed.actions[0].kind, ActionKind::kStopStart);
  EXPECT_EQ(resumed.find_skip({"d", "etcd"})->reason, SkipReason::kBudgetExhausted);
  EXPECT_EQ(h.action_log().size(), 6u);
}

}  // namespace
}  // namespace frankenetes::plan
