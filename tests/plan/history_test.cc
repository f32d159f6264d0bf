// History and its pure update functions: crash-loop evidence over time (window boundaries,
// counter resets), health streaks and the ladder reset, probe baselines after an action,
// action bookkeeping and the budget window.

#include "plan/history.h"

#include <gtest/gtest.h>

#include "plan/health.h"
#include "plan/plan_test_util.h"
#include "support/edit_view.h"

namespace frankenetes::plan {
namespace {

using namespace test_util;

const model::MemberKey kEtcd{"prod", "etcd"};

config::Config one_member() { return make_config({cluster("prod", {member("etcd")})}); }

// Feeds one GET per 10s poll from `from` to `to` (inclusive) with the restart count that
// `restarts_at(t)` gives, and returns the assessment at each tick.
struct Tick {
  long t;
  Assessment assessment;
};

std::vector<Tick> run_restarts(const config::Config& config, History& history,
                               std::chrono::seconds from, std::chrono::seconds to,
                               const std::function<int(std::chrono::seconds)>& restarts_at) {
  std::vector<Tick> ticks;
  for (auto t = from; t <= to; t += 10s) {
    const auto now = at(t);
    model::Observations observed{{kEtcd, healthy(kEtcd, now, restarts_at(t))}};
    history = record_observation(std::move(history), config, observed, now);
    ticks.push_back({static_cast<long>(t.count()),
                     assess_member(config.clusters[0].members[0], &observed.at(kEtcd),
                                   history.find(kEtcd), config.policy, now)});
  }
  return ticks;
}

// How many of `times` (offsets) are <= t.
int count_until(const std::vector<std::chrono::seconds>& times, std::chrono::seconds t) {
  return static_cast<int>(
      std::count_if(times.begin(), times.end(), [&](auto x) { return x <= t; }));
}

struct CrashLoopCase {
  std::string name;
  std::vector<std::chrono::seconds> restarts;  // when the container restarted
  std::chrono::seconds until;
  std::optional<long> first_crash_loop_at;  // nullopt: never a crash loop
};

class CrashLoopTable : public ::testing::TestWithParam<CrashLoopCase> {};

TEST_P(CrashLoopTable, DetectsRisingRestartCountWithinWindow) {
  const CrashLoopCase& c = GetParam();
  const auto config = one_member();  // crash loop: 3 restarts within 10m
  History history;
  const auto ticks = run_restarts(config, history, 0s, c.until,
                                  [&](auto t) { return count_until(c.restarts, t); });
  std::optional<long> first;
  for (const auto& tick : ticks) {
    if (tick.assessment.unhealthy == UnhealthyReason::kCrashLoop) {
      first = tick.t;
      break;
    }
  }
  EXPECT_EQ(first, c.first_crash_loop_at);
}

INSTANTIATE_TEST_SUITE_P(
    Plan, CrashLoopTable,
    ::testing::Values(
        CrashLoopCase{"ThreeRestartsInThreeMinutes", {60s, 120s, 180s}, 15min, 180},
        CrashLoopCase{"TwoRestartsAreNotALoop", {60s, 120s}, 15min, std::nullopt},
        // 3 restarts, but any 10-minute window holds at most 2 of them.
        CrashLoopCase{"SpreadWiderThanWindow", {30s, 6min + 30s, 12min + 30s}, 20min, std::nullopt},
        // The same 3 restarts within 9m50s: the third one is a loop.
        CrashLoopCase{"SpreadJustInsideWindow", {30s, 5min, 10min + 10s}, 20min, 610},
        CrashLoopCase{"SeveralRestartsBetweenTwoPolls", {61s, 62s, 63s}, 2min, 70},
        CrashLoopCase{
            "SteadyRestartsEveryFourMinutes", {4min, 8min, 12min, 16min, 20min}, 25min, 720}),
    [](const auto& p) { return p.param.name; });

TEST(CrashLoop, HighRestartCountAtFirstSightIsNoEvidence) {
  const auto config = one_member();
  History history;
  const auto ticks = run_restarts(config, history, 0s, 5min, [](auto) { return 57; });
  for (const auto& tick : ticks) EXPECT_TRUE(tick.assessment.healthy()) << tick.t;
}

TEST(CrashLoop, SampleExactlyOneWindowOldStillCounts) {
  // Two GETs exactly one window apart (the ones in between failed): the rise between them is
  // within the window. One second later the older sample has left the window.
  const auto config = one_member();
  History history;
  model::Observations first{{kEtcd, healthy(kEtcd, at(0s), 0)}};
  history = record_observation(std::move(history), config, first, at(0s));
  model::Observations second{{kEtcd, healthy(kEtcd, at(10min), 3)}};
  history = record_observation(std::move(history), config, second, at(10min));
  const auto& m = config.clusters[0].members[0];
  EXPECT_EQ(
      assess_member(m, &second.at(kEtcd), history.find(kEtcd), config.policy, at(10min)).unhealthy,
      UnhealthyReason::kCrashLoop);
  model::Observations third{{kEtcd, healthy(kEtcd, at(10min + 1s), 3)}};
  history = record_observation(std::move(history), config, third, at(10min + 1s));
  EXPECT_TRUE(assess_member(m, &third.at(kEtcd), history.find(kEtcd), config.policy, at(10min + 1s))
                  .healthy());
}

TEST(CrashLoop, CounterThatGoesDownStartsOver) {
  const auto config = one_member();
  History history;
  // 5 restarts, then the container is new (count 0, and the instanceView shows a new
  // deployment), then 2 more: not a loop; a third: loop.
  const std::vector<int> counts{5, 5, 0, 1, 2, 3};
  std::vector<Health> health;
  std::optional<UnhealthyReason> last;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const auto now = at(std::chrono::seconds(10 * i));
    model::Observations observed{{kEtcd, healthy(kEtcd, now, counts[i])}};
    testing::edit_view(*observed.at(kEtcd).group).containers[0].deployed_at =
        core::SystemTime{std::chrono::minutes(i < 2 ? 1 : 30)};
    history = record_observation(std::move(history), config, observed, now);
    const auto a = assess_member(config.clusters[0].members[0], &observed.at(kEtcd),
                                 history.find(kEtcd), config.policy, now);
    health.push_back(a.health);
    last = a.unhealthy;
  }
  EXPECT_EQ(health, (std::vector<Health>{Health::kHealthy, Health::kHealthy, Health::kHealthy,
                                         Health::kHealthy, Health::kHealthy, Health::kUnhealthy}));
  EXPECT_EQ(last, UnhealthyReason::kCrashLoop);
}

TEST(CrashLoop, ActionClearsTheEvidence) {
  const auto config = one_member();
  History history;
  run_restarts(config, history, 0s, 30s, [](auto t) { return static_cast<int>(t / 10s); });
  ASSERT_FALSE(history.find(kEtcd)->restart_samples.empty());
  history = record_action_started(
      std::move(history),
      Action{kEtcd, ActionKind::kRestart, 0, UnhealthyReason::kCrashLoop, "", false}, at(30s));
  EXPECT_TRUE(history.find(kEtcd)->restart_samples.empty());
  // The old count keeps rising slowly after the fix: only 2 new restarts, not a loop.
  const auto ticks =
      run_restarts(config, history, 40s, 2min, [](auto t) { return t >= 90s ? 5 : 3; });
  for (const auto& tick : ticks) EXPECT_TRUE(tick.assessment.healthy()) << tick.t;
}

TEST(RecordObservation, IsIdempotent) {
  const auto config = make_config({control_plane()});
  History history;
  model::Observations observed{{kEtcd, healthy(kEtcd, at(0s), 1)},
                        {{"prod", "apiserver"}, crash_loop_backoff({"prod", "apiserver"}, at(0s))}};
  history = record_observation(std::move(history), config, observed, at(0s));
  observed[kEtcd] = healthy(kEtcd, at(10s), 2);
  const History once = record_observation(history, config, observed, at(10s));
  const History twice = record_observation(once, config, observed, at(10s));
  EXPECT_EQ(once, twice);
}

TEST(RecordObservation, ForgetsRemovedMembersUnlessActionInFlight) {
  auto config = make_config({cluster("prod", {member("etcd"), member("old"), member("busy")})});
  History history;
  history = record_observation(std::move(history), config, {}, at(0s));
  history = record_action_started(
      std::move(history),
      Action{{"prod", "busy"}, ActionKind::kRestart, 0, UnhealthyReason::kGroupFailed, "", false},
      at(0s));
  config.clusters[0].members = {member("etcd")};
  history = record_observation(std::move(history), config, {}, at(10s));
  EXPECT_NE(history.find(kEtcd), nullptr);
  EXPECT_EQ(history.find({"prod", "old"}), nullptr);
  ASSERT_NE(history.find({"prod", "busy"}), nullptr);
  history = record_action_finished(std::move(history), {"prod", "busy"}, ActionOutcome::kSucceeded,
                                   at(20s));
  history = record_observation(std::move(history), config, {}, at(30s));
  EXPECT_EQ(history.find({"prod", "busy"}), nullptr);
}

History after_two_actions(const config::Config& config) {
  History history;
  for (int rung = 0; rung < 2; ++rung) {
    const auto t = at(std::chrono::seconds(rung * 30));
    history = record_action_started(
        std::move(history),
        Action{kEtcd, ActionKind::kRestart, rung, UnhealthyReason::kCrashLoopBackOff, "", false},
        t);
    history = record_action_finished(std::move(history), kEtcd, ActionOutcome::kSucceeded, t);
  }
  history = record_gave_up(std::move(history), Skip{kEtcd, SkipReason::kNoSpec, "no spec"});
  (void)config;
  return history;
}

TEST(RecordObservation, ResetsLadderAfterResetAfterOfContinuousHealth) {
  const auto config = one_member();  // resetAfter 10m
  History history = after_two_actions(config);
  ASSERT_EQ(history.find(kEtcd)->actions_taken, 2);
  // Healthy from t=1m on: healthy_since = 1m, reset due at 11m.
  for (std::chrono::seconds t = 1min; t < 11min; t += 10s) {
    model::Observations observed{{kEtcd, healthy(kEtcd, at(t))}};
    history = record_observation(std::move(history), config, observed, at(t));
    ASSERT_EQ(history.find(kEtcd)->actions_taken, 2) << "t=" << t.count();
    ASSERT_TRUE(history.find(kEtcd)->gave_up);
  }
  model::Observations observed{{kEtcd, healthy(kEtcd, at(11min))}};
  history = record_observation(std::move(history), config, observed, at(11min));
  const MemberHistory& m = *history.find(kEtcd);
  EXPECT_EQ(m.actions_taken, 0);
  EXPECT_FALSE(m.gave_up);
  EXPECT_EQ(m.give_up_reason, SkipReason::kGaveUp);
  EXPECT_TRUE(m.give_up_detail.empty());
  EXPECT_EQ(m.healthy_since, at(1min));
}

TEST(RecordObservation, UnknownOrUnhealthyBreaksTheHealthyStreak) {
  const auto config = one_member();
  History history = after_two_actions(config);
  auto step = [&](std::chrono::seconds t, model::MemberObservation obs) {
    model::Observations observed{{kEtcd, std::move(obs)}};
    history = record_observation(std::move(history), config, observed, at(t));
  };
  step(1min, healthy(kEtcd, at(1min)));
  step(6min, read_error(kEtcd, at(6min)));  // 503 for one poll: we do not know
  EXPECT_FALSE(history.find(kEtcd)->healthy_since);
  step(6min + 10s, healthy(kEtcd, at(6min + 10s)));
  step(11min, healthy(kEtcd, at(11min)));
  EXPECT_EQ(history.find(kEtcd)->actions_taken, 2);
  step(16min + 10s, healthy(kEtcd, at(16min + 10s)));
  EXPECT_EQ(history.find(kEtcd)->actions_taken, 0);
}

TEST(RecordObservation, NoResetWhileActionInFlight) {
  const auto config = one_member();
  History history;
  history = record_action_started(
      std::move(history),
      Action{kEtcd, ActionKind::kRecreate, 2, UnhealthyReason::kMissing, "", false}, at(0s));
  for (std::chrono::seconds t = 10s; t <= 20min; t += 10s) {
    model::Observations observed{{kEtcd, healthy(kEtcd, at(t))}};
    history = record_observation(std::move(history), config, observed, at(t));
  }
  EXPECT_EQ(history.find(kEtcd)->actions_taken, 3);
}

TEST(ProbeBaseline, FailuresCountedBeforeAnActionDoNotCountAgain) {
  const auto config = make_config({cluster("prod", {with_probe(member("etcd"), 3)})});
  const auto& m = config.clusters[0].members[0];
  History history;
  auto assess = [&](std::chrono::seconds t, int failures) {
    model::Observations observed{{kEtcd, with_probe_result(healthy(kEtcd, at(t)), failures, at(t))}};
    history = record_observation(std::move(history), config, observed, at(t));
    return assess_member(m, &observed.at(kEtcd), history.find(kEtcd), config.policy, at(t));
  };
  EXPECT_EQ(assess(0s, 3).unhealthy, UnhealthyReason::kProbeFailing);
  history = record_action_started(
      std::move(history),
      Action{kEtcd, ActionKind::kRestart, 0, UnhealthyReason::kProbeFailing, "", false}, at(0s));
  history = record_action_finished(std::move(history), kEtcd, ActionOutcome::kSucceeded, at(5s));
  // The probe kept failing through the restart: 5 in a row at the first result after it.
  EXPECT_TRUE(assess(10s, 5).healthy());
  EXPECT_TRUE(assess(20s, 7).healthy());                                // 2 new failures
  EXPECT_EQ(assess(30s, 8).unhealthy, UnhealthyReason::kProbeFailing);  // 3 new
  // A success breaks the streak; from then on every failure is new.
  EXPECT_TRUE(assess(40s, 0).healthy());
  EXPECT_EQ(history.find(kEtcd)->probe_failures_before_action, 0);
  EXPECT_EQ(assess(50s, 3).unhealthy, UnhealthyReason::kProbeFailing);
}

TEST(ProbeBaseline, NoProbeResultSinceTheActionIsNoEvidence) {
  const auto config = make_config({cluster("prod", {with_probe(member("etcd"), 3)})});
  History history;
  history = record_action_started(
      std::move(history),
      Action{kEtcd, ActionKind::kRestart, 0, UnhealthyReason::kProbeFailing, "", false}, at(0s));
  history = record_action_finished(std::move(history), kEtcd, ActionOutcome::kSucceeded, at(8s));
  // The probe's newest result (t=6s) predates the end of the action.
  model::Observations observed{{kEtcd, with_probe_result(healthy(kEtcd, at(10s)), 9, at(6s))}};
  history = record_observation(std::move(history), config, observed, at(10s));
  EXPECT_TRUE(history.find(kEtcd)->probe_baseline_pending);
  EXPECT_TRUE(assess_member(config.clusters[0].members[0], &observed.at(kEtcd), history.find(kEtcd),
                            config.policy, at(10s))
                  .healthy());
}

TEST(RecordAction, StartedAndFinishedBookkeeping) {
  History history;
  const Action restart{kEtcd, ActionKind::kRestart, 0, UnhealthyReason::kGroupFailed, "", false};
  history = record_action_started(std::move(history), restart, at(0s));
  const MemberHistory* m = history.find(kEtcd);
  ASSERT_TRUE(m->in_flight);
  EXPECT_EQ(m->in_flight->kind, ActionKind::kRestart);
  EXPECT_EQ(m->actions_taken, 1);
  EXPECT_EQ(history.action_starts, std::vector<MonotonicTime>{at(0s)});

  history = record_action_finished(std::move(history), kEtcd, ActionOutcome::kTimedOut, at(5min));
  m = history.find(kEtcd);
  EXPECT_FALSE(m->in_flight);
  ASSERT_TRUE(m->last_action);
  EXPECT_EQ(m->last_action->started_at, at(0s));
  EXPECT_EQ(m->last_action->finished_at, at(5min));
  EXPECT_EQ(m->last_action->outcome, ActionOutcome::kTimedOut);

  // A second finish for the same action (or one for a member that has none) is ignored.
  const History before = history;
  EXPECT_EQ(record_action_finished(history, kEtcd, ActionOutcome::kFailed, at(6min)), before);
  EXPECT_EQ(record_action_finished(history, {"prod", "nobody"}, ActionOutcome::kFailed, at(6min)),
            before);
}

TEST(Budget, CountsActionsInTheLastHourOnly) {
  History history;
  const Action a{kEtcd, ActionKind::kRestart, 0, UnhealthyReason::kGroupFailed, "", false};
  history = record_action_started(std::move(history), a, at(0s));
  history = record_action_finished(std::move(history), kEtcd, ActionOutcome::kSucceeded, at(0s));
  history = record_action_started(std::move(history), a, at(30min));
  EXPECT_EQ(history.actions_in_budget_window(at(59min)), 2);
  EXPECT_EQ(history.actions_in_budget_window(at(60min) - 1ms), 2);
  EXPECT_EQ(history.actions_in_budget_window(at(60min)), 1);  // window is (now-1h, now]
  EXPECT_EQ(history.actions_in_budget_window(at(90min)), 0);
  history = record_observation(std::move(history), one_member(), {}, at(61min));
  EXPECT_EQ(history.action_starts, std::vector<MonotonicTime>{at(30min)});
}

}  // namespace
}  // namespace frankenetes::plan
