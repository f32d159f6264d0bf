// The ladder, back-off, reset, budget and give-up over long runs of fake time: each test
// drives the reconciler's per-tick sequence every poll interval (10s) and asserts the exact
// actions, and their times, that the policy implies. No sleeps: time is a number here.

#include <gtest/gtest.h>

#include "plan/ladder.h"
#include "plan/plan.h"
#include "plan/plan_test_util.h"

namespace frankenetes::plan {
namespace {

using namespace test_util;

const model::MemberKey kEtcd{"prod", "etcd"};
constexpr auto kPoll = 10s;

// A member whose group crash-loops from `broken_from` on, and that every action fixes for
// `rebreak_after` (nullopt: actions do not help at all).
struct FlakyMember {
  model::MemberKey key = kEtcd;
  std::optional<std::chrono::seconds> rebreak_after;
  MonotonicTime broken_from = at(60s);

  model::MemberObservation observe(MonotonicTime now) const {
    return now >= broken_from ? crash_loop_backoff(key, now) : healthy(key, now);
  }
  void fix(MonotonicTime now) {
    if (rebreak_after) broken_from = now + *rebreak_after;
  }
};

// What the planner said about the member at one tick.
struct Said {
  long t;
  std::optional<ActionKind> action;
  std::optional<SkipReason> skip;
  bool gave_up;  // the alert metric
};

struct SimRun {
  std::vector<LoggedAction> actions;
  std::vector<Said> ticks;
  std::vector<long> budget_alert_ticks;

  // The ticks at which the planner skipped for `reason`, as [first, last] runs.
  std::vector<std::pair<long, long>> skip_runs(SkipReason reason) const {
    std::vector<std::pair<long, long>> runs;
    for (const auto& s : ticks) {
      if (s.skip != reason) continue;
      if (!runs.empty() && runs.back().second + kPoll.count() == s.t) {
        runs.back().second = s.t;
      } else {
        runs.push_back({s.t, s.t});
      }
    }
    return runs;
  }
  std::optional<long> first_gave_up() const {
    for (const auto& s : ticks) {
      if (s.gave_up) return s.t;
    }
    return std::nullopt;
  }
};

SimRun simulate(config::Config config, FlakyMember world, std::chrono::seconds duration) {
  Harness h(std::move(config));
  h.executor = [&](const Action&) -> std::optional<ActionOutcome> {
    world.fix(h.now());
    return ActionOutcome::kSucceeded;
  };
  SimRun run;
  for (; h.now() < at(duration); h.advance(kPoll)) {
    h.observe(world.observe(h.now()));
    const PlanResult r = h.tick();
    Said said{seconds_since_t0(h.now()), std::nullopt, std::nullopt,
              r.find_member(world.key)->gave_up};
    if (const Action* a = r.find_action(world.key)) said.action = a->kind;
    if (const Skip* s = r.find_skip(world.key)) said.skip = s->reason;
    run.ticks.push_back(said);
    if (r.budget.exhausted) run.budget_alert_ticks.push_back(said.t);
  }
  run.actions = h.action_log();
  return run;
}

config::Config etcd_only(bool spec) {
  auto etcd = member("etcd");
  return make_config({cluster("prod", {spec ? with_spec(etcd) : etcd})});
}

TEST(Ladder, EscalatesWithDoublingBackoffThenGivesUp) {
  // Nothing helps: restart, then 10s later stop+start, 20s later recreate, 40s later give up.
  const SimRun run = simulate(etcd_only(true), FlakyMember{kEtcd, std::nullopt, at(0s)}, 10min);
  EXPECT_EQ(run.actions, (std::vector<LoggedAction>{{0, "etcd", ActionKind::kRestart, 0},
                                                    {10, "etcd", ActionKind::kStopStart, 1},
                                                    {30, "etcd", ActionKind::kRecreate, 2}}));
  EXPECT_EQ(run.skip_runs(SkipReason::kBackoff),
            (std::vector<std::pair<long, long>>{{20, 20}, {40, 60}}));
  EXPECT_EQ(run.skip_runs(SkipReason::kGaveUp), (std::vector<std::pair<long, long>>{{70, 590}}));
  EXPECT_EQ(run.first_gave_up(), 70);
}

TEST(Ladder, WithoutSpecStopsAtNoSpec) {
  const SimRun run = simulate(etcd_only(false), FlakyMember{kEtcd, std::nullopt, at(0s)}, 10min);
  EXPECT_EQ(run.actions, (std::vector<LoggedAction>{{0, "etcd", ActionKind::kRestart, 0},
                                                    {10, "etcd", ActionKind::kStopStart, 1}}));
  // Recreate would be next at t=30; without a spec the planner gives up there, and keeps
  // saying why (no_spec) until the member has been healthy for resetAfter.
  EXPECT_EQ(run.skip_runs(SkipReason::kBackoff), (std::vector<std::pair<long, long>>{{20, 20}}));
  EXPECT_EQ(run.skip_runs(SkipReason::kNoSpec), (std::vector<std::pair<long, long>>{{30, 590}}));
  EXPECT_EQ(run.first_gave_up(), 30);
}

TEST(Ladder, BackoffIsCappedAtMax) {
  config::BackoffConfig backoff;  // 10s .. 5m
  std::vector<long> delays;
  for (int k = 0; k < 8; ++k) {
    delays.push_back(static_cast<long>(
        std::chrono::duration_cast<std::chrono::seconds>(backoff_after_action(backoff, k))
            .count()));
  }
  EXPECT_EQ(delays, (std::vector<long>{10, 20, 40, 80, 160, 300, 300, 300}));
}

TEST(Ladder, ResetsAfterResetAfterOfHealthAndStartsAgainAtRestart) {
  auto config = etcd_only(true);
  Harness h(config);
  FlakyMember world{kEtcd, std::nullopt, at(0s)};
  // Exhaust the ladder (as above), then the member recovers on its own at t=2m.
  for (; h.now() < at(2min); h.advance(kPoll)) {
    h.observe(world.observe(h.now()));
    h.tick();
  }
  ASSERT_TRUE(h.history().find(kEtcd)->gave_up);
  // Healthy from 2m: still given up at 11m50 (9m50s of health)…
  for (; h.now() < at(12min); h.advance(kPoll)) {
    h.observe(healthy(kEtcd, h.now()));
    const PlanResult r = h.tick();
    ASSERT_TRUE(r.find_member(kEtcd)->gave_up) << seconds_since_t0(h.now());
  }
  // …and reset at 12m (10m of health): rung 0, no back-off, alert cleared.
  h.observe(healthy(kEtcd, h.now()));
  PlanResult r = h.tick();
  EXPECT_FALSE(r.find_member(kEtcd)->gave_up);
  EXPECT_EQ(r.find_member(kEtcd)->rung, 0);
  h.advance(kPoll);
  h.observe(crash_loop_backoff(kEtcd, h.now()));
  r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].kind, ActionKind::kRestart);
  EXPECT_EQ(r.actions[0].rung, 0);
}

TEST(Ladder, BreakingBeforeResetAfterKeepsGivingUp) {
  Harness h(etcd_only(true));
  FlakyMember world{kEtcd, std::nullopt, at(0s)};
  for (; h.now() < at(2min); h.advance(kPoll)) {
    h.observe(world.observe(h.now()));
    h.tick();
  }
  for (; h.now() < at(11min + 50s); h.advance(kPoll)) {
    h.observe(healthy(kEtcd, h.now()));
    h.tick();
  }
  h.observe(crash_loop_backoff(kEtcd, h.now()));
  const PlanResult r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(r.find_skip(kEtcd)->reason, SkipReason::kGaveUp);
  EXPECT_EQ(h.action_log().size(), 3u);
}

TEST(Simulation, BreaksTenSecondsAfterEveryFixForTwoHours) {
  // Defaults: poll 10s, back-off 10s..5m, resetAfter 10m, budget 12/h, with a spec.
  // Broken at 1m; each fix holds for 10s. The back-off, not the member, sets the pace:
  //   t=60  restart (back-off 10s)   t=70  stop_start (20s)   t=90  recreate (40s)
  //   t=130 ladder exhausted: gave_up, and nothing more for the rest of the two hours.
  const SimRun run = simulate(etcd_only(true), FlakyMember{kEtcd, 10s, at(60s)}, 2h);
  EXPECT_EQ(run.actions, (std::vector<LoggedAction>{{60, "etcd", ActionKind::kRestart, 0},
                                                    {70, "etcd", ActionKind::kStopStart, 1},
                                                    {90, "etcd", ActionKind::kRecreate, 2}}));
  EXPECT_EQ(run.skip_runs(SkipReason::kBackoff),
            (std::vector<std::pair<long, long>>{{80, 80}, {100, 120}}));
  EXPECT_EQ(run.skip_runs(SkipReason::kGaveUp), (std::vector<std::pair<long, long>>{{130, 7190}}));
  EXPECT_EQ(run.first_gave_up(), 130);
  EXPECT_TRUE(run.budget_alert_ticks.empty());
}

TEST(Simulation, EscalatesThenTheBudgetStopsItThenGivesUp) {
  // Budget 2/h. Broken at 1m; each fix holds for 5 minutes, never the 10m a reset needs:
  //   t=60    restart                       fix holds until t=360
  //   t=360   stop_start                    fix holds until t=660
  //   t=660   recreate is due, but 2 actions in the last hour: budget_exhausted …
  //   t=3660  … until the restart of t=60 leaves the window: recreate
  //   t=3960  broken again, ladder exhausted: gave_up for the rest of the two hours.
  auto config = etcd_only(true);
  config.policy.budget.max_actions_per_hour = 2;
  const SimRun run = simulate(config, FlakyMember{kEtcd, 5min, at(60s)}, 2h);
  EXPECT_EQ(run.actions, (std::vector<LoggedAction>{{60, "etcd", ActionKind::kRestart, 0},
                                                    {360, "etcd", ActionKind::kStopStart, 1},
                                                    {3660, "etcd", ActionKind::kRecreate, 2}}));
  EXPECT_EQ(run.skip_runs(SkipReason::kBudgetExhausted),
            (std::vector<std::pair<long, long>>{{660, 3650}}));
  EXPECT_EQ(run.budget_alert_ticks.front(), 660);
  EXPECT_EQ(run.budget_alert_ticks.back(), 3650);
  EXPECT_EQ(run.skip_runs(SkipReason::kGaveUp), (std::vector<std::pair<long, long>>{{3960, 7190}}));
  EXPECT_EQ(run.first_gave_up(), 3960);
}

TEST(Simulation, FixesThatHoldPastResetAfterRestartTheLadderAndTheBudgetPacesThem) {
  // Budget 4/h. Each fix holds 10m20s: healthy from the next poll for 10m (reset), then broken
  // again, so every break starts at rung 0 with no back-off. A cycle is 620s:
  //   restarts at 60, 680, 1300, 1920; at 2540 the 4 of the last hour exhaust the budget until
  //   t=3660 (t=60 leaves the window); then 3660, 4280, 4900, 5520; at 6140 exhausted again
  //   until 7260, after the two hours end.
  auto config = etcd_only(true);
  config.policy.budget.max_actions_per_hour = 4;
  const SimRun run = simulate(config, FlakyMember{kEtcd, 620s, at(60s)}, 2h);
  std::vector<LoggedAction> expected;
  for (long t : {60, 680, 1300, 1920, 3660, 4280, 4900, 5520}) {
    expected.push_back({t, "etcd", ActionKind::kRestart, 0});
  }
  EXPECT_EQ(run.actions, expected);
  EXPECT_EQ(run.skip_runs(SkipReason::kBudgetExhausted),
            (std::vector<std::pair<long, long>>{{2540, 3650}, {6140, 7190}}));
  EXPECT_FALSE(run.first_gave_up());
}

}  // namespace
}  // namespace frankenetes::plan
