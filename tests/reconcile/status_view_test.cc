// status_view(): what /status shows of the planner's side, from hand-made inputs; in particular
// that what was never learnt stays unknown rather than becoming 0.

#include "reconcile/status_view.h"

#include <gtest/gtest.h>

#include "reconcile/reconcile_test_util.h"

namespace frankenetes::reconcile {
namespace {

using namespace std::chrono_literals;
using test_util::config_with;
using test_util::member;

const model::MemberKey kEtcd{"prod", "etcd"};
const core::MonotonicTime kNow{std::chrono::hours(1000)};
const core::SystemTime kWallNow{std::chrono::seconds(1796219100)};

model::MemberObservation crash_looping(core::MonotonicTime at) {
  model::ContainerGroupView view;
  view.summary.ip = "10.0.0.4";
  view.summary.provisioning_state = "Succeeded";
  view.state = "Running";
  model::ContainerView c;
  c.name = "etcd";
  c.restart_count = std::nullopt;  // ARM left it out
  c.current_state = model::ContainerState{"Waiting", "CrashLoopBackOff: back-off", {}, {}, {}};
  view.containers.push_back(c);
  model::MemberObservation obs;
  obs.key = kEtcd;
  obs.group = model::GroupObservation{model::GroupObservation::Outcome::kFound,
                                      std::make_shared<const model::ContainerGroupView>(view), {}, at, {},
                                      false, "", {}};
  return obs;
}

struct StatusViewTest : ::testing::Test {
  status::PlanStatus view(const model::Observations& observed, const plan::History& history,
                          const std::map<model::MemberKey, ActionNote>& notes = {}) {
    auto result = plan::plan({config, observed, history, kNow});
    return status_view({std::make_shared<const config::Config>(config),
                        std::make_shared<const model::Observations>(observed),
                        std::make_shared<const plan::PlanResult>(std::move(result)),
                        history_notes(history), kNow - 3s, "", kNow, kWallNow},
                       notes);
  }
  config::Config config = [] {
    auto c = config_with({member("etcd")});
    c.clusters[0].members[0].role = config::MemberRole::kEtcd;
    c.clusters[0].members[0].dns = config::MemberDnsConfig{};
    c.clusters[0].members[0].dns->provider = "bind";
    c.clusters[0].members[0].dns->name = "cp-etcd.example.com";
    return c;
  }();
};

TEST_F(StatusViewTest, NeverObservedIsUnknownEverywhere) {
  const auto out = view({}, {});
  const auto& m = out.clusters.at(0).members.at(0);
  EXPECT_EQ(m.group_read, "never");
  EXPECT_EQ(m.health, "unknown");
  EXPECT_FALSE(m.aci_state);
  EXPECT_FALSE(m.ip);
  EXPECT_FALSE(m.observed_at);
  EXPECT_FALSE(m.probe.success);
  EXPECT_FALSE(m.probe.latency);
  EXPECT_FALSE(m.last_action);
  ASSERT_TRUE(m.dns);
  EXPECT_EQ(m.dns->fqdn, "cp-etcd.example.com");
  EXPECT_FALSE(m.dns->in_sync);
  ASSERT_TRUE(m.etcd);
  EXPECT_FALSE(m.etcd->snapshot_age);
  EXPECT_EQ(out.last_full_observation, kWallNow - 3s);
}

TEST_F(StatusViewTest, AGroupReadShowsStateContainersAndAnAbsentCountAsUnknown) {
  model::Observations observed{{kEtcd, crash_looping(kNow - 2s)}};
  const auto out = view(observed, {});
  const auto& m = out.clusters.at(0).members.at(0);
  EXPECT_EQ(m.group_read, "found");
  EXPECT_EQ(m.aci_state, "Running");
  EXPECT_EQ(m.ip, "10.0.0.4");
  EXPECT_EQ(m.observed_at, kWallNow - 2s);
  ASSERT_EQ(m.containers.size(), 1u);
  EXPECT_EQ(m.containers[0].state, "Waiting");
  EXPECT_EQ(m.containers[0].detail, "CrashLoopBackOff: back-off");
  EXPECT_FALSE(m.containers[0].restart_count.has_value()) << "absent is unknown, never 0";
}

TEST_F(StatusViewTest, TheLatestActionCarriesItsReasonResultAndTimes) {
  model::Observations observed{{kEtcd, crash_looping(kNow - 1s)}};
  plan::History history;
  auto& mh = history.members[kEtcd];
  mh.actions_taken = 1;
  mh.last_action = plan::ActionRecord{plan::ActionKind::kRestart, 0, kNow - 5s, kNow - 4s,
                                      plan::ActionOutcome::kSucceeded};
  const std::map<model::MemberKey, ActionNote> notes{
      {kEtcd, {"rung 0 restart: crash_loop_backoff", "dry_run", ""}}};
  const auto out = view(observed, history, notes);
  const auto& m = out.clusters.at(0).members.at(0);
  ASSERT_TRUE(m.last_action);
  EXPECT_EQ(m.last_action->kind, "restart");
  EXPECT_EQ(m.last_action->result, "dry_run") << "the note knows what the history does not";
  EXPECT_EQ(m.last_action->reason, "rung 0 restart: crash_loop_backoff");
  EXPECT_EQ(m.last_action->started_at, kWallNow - 5s);
  EXPECT_EQ(m.last_action->finished_at, kWallNow - 4s);
  ASSERT_TRUE(m.skip);
  EXPECT_EQ(m.skip->reason, "backoff");
  ASSERT_TRUE(m.backoff_left);
  EXPECT_EQ(*m.backoff_left, 6s);  // 10 s initial back-off after the finish 4 s ago

  mh.in_flight = plan::ActionRecord{plan::ActionKind::kStopStart, 1, kNow - 1s, {}, {}};
  const auto again = view(observed, history, notes);
  const auto& running = again.clusters.at(0).members.at(0);
  EXPECT_EQ(running.last_action->kind, "stop_start");
  EXPECT_EQ(running.last_action->result, "running");
  EXPECT_FALSE(running.last_action->finished_at);
}

TEST_F(StatusViewTest, DataLossAndPauseAreShown) {
  model::Observations observed{{kEtcd, crash_looping(kNow - 1s)}};
  observed[kEtcd].paused = true;
  plan::History history;
  history.members[kEtcd].etcd_data_loss = "cluster id changed";
  const auto out = view(observed, history);
  const auto& m = out.clusters.at(0).members.at(0);
  EXPECT_TRUE(m.paused);
  EXPECT_EQ(m.skip->reason, "paused");
  EXPECT_EQ(m.etcd->data_loss, "cluster id changed");
}

}  // namespace
}  // namespace frankenetes::reconcile
