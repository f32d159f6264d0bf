// The Reconciler's operator commands (pause, resume, a pass now: reconciler_commands.cc) and
// what it hands to /status after every plan.

#include <gtest/gtest.h>

#include <optional>

#include "reconcile/reconciler_fixture.h"
#include "status/status_board.h"

namespace frankenetes::reconcile {
namespace {

using namespace std::chrono_literals;
using test_util::config_with;
using test_util::kEtcd;
using test_util::member;
using test_util::ReconcilerStateTest;
using test_util::ReconcilerTest;
using test_util::stopped;

// Records the one answer a command gives.
struct Answer {
  std::optional<status::AdminCommandResult> result;
  Reconciler::CommandDone done() {
    return [this](status::AdminCommandResult r) { result = std::move(r); };
  }
  int status() const { return result ? result->status : 0; }
};

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST_F(ReconcilerStateTest, APausedMemberGetsNoActionUntilResumed) {
  api.set(stopped("etcd"));
  auto& r = make(config_with({member("etcd"), member("apiserver", {"etcd"})}));
  r.restore(store->load());
  Answer paused;
  r.set_paused(kEtcd, true, "127.0.0.1:5000", paused.done());
  scheduler.run_due();
  ASSERT_EQ(paused.status(), 200);
  EXPECT_EQ(paused.result->message, "paused prod/etcd");
  r.start();
  scheduler.advance(60s);  // well past the start-up grace
  EXPECT_EQ(api.mutations(), 0u);
  EXPECT_TRUE(has_line(metrics_text(), R"(frankenetes_member_paused{cluster="prod",member="etcd"} 1)"))
      << metrics_text();
  EXPECT_NE(metrics_text().find(R"(reason="paused")"), std::string::npos);
  EXPECT_EQ(store->paused(), (std::set<model::MemberKey>{kEtcd}));

  Answer resumed;
  r.set_paused(kEtcd, false, "127.0.0.1:5001", resumed.done());
  scheduler.advance(1s);
  EXPECT_EQ(resumed.status(), 200);
  EXPECT_EQ(api.count("start etcd"), 1u) << "resumed: acted on at once";
  EXPECT_TRUE(has_line(metrics_text(), R"(frankenetes_member_paused{cluster="prod",member="etcd"} 0)"));
  EXPECT_TRUE(store->paused().empty());
}

TEST_F(ReconcilerStateTest, APauseSurvivesARestart) {
  api.set(stopped("etcd"));
  auto config = config_with({member("etcd")});
  auto& first = make(config);
  first.restore(store->load());
  Answer paused;
  first.set_paused(kEtcd, true, "127.0.0.1:5000", paused.done());
  scheduler.run_due();
  ASSERT_EQ(paused.status(), 200);

  auto& second = restart(config);
  second.start();
  scheduler.advance(60s);
  EXPECT_EQ(api.mutations(), 0u);
  EXPECT_TRUE(has_line(metrics_text(), R"(frankenetes_member_paused{cluster="prod",member="etcd"} 1)"));
}

TEST_F(ReconcilerTest, PausingTwiceSaysSoAndAnUnknownMemberIs404) {
  auto& r = make(config_with({member("etcd")}));
  Answer first, again, unknown;
  r.set_paused(kEtcd, true, "a", first.done());
  r.set_paused(kEtcd, true, "a", again.done());
  r.set_paused({"prod", "nope"}, true, "a", unknown.done());
  scheduler.run_due();
  EXPECT_EQ(first.status(), 200);
  EXPECT_EQ(again.result->message, "paused prod/etcd (it was paused already)");
  EXPECT_EQ(unknown.status(), 404);
  EXPECT_EQ(unknown.result->message, "no member prod/nope in the configuration");
}

TEST_F(ReconcilerTest, CommandsWhileStoppingAre503) {
  auto& r = make(config_with({member("etcd")}));
  r.stop();
  Answer paused, pass;
  r.set_paused(kEtcd, true, "a", paused.done());
  r.request_pass("a", pass.done());
  EXPECT_EQ(paused.status(), 503);
  EXPECT_EQ(pass.status(), 503);
}

TEST_F(ReconcilerTest, ARequestedPassReadsEveryGroupAtOnce) {
  auto& r = make(config_with({member("etcd"), member("apiserver", {"etcd"})}));
  r.start();
  scheduler.advance(2s);  // the first full pass; healthy groups are read again after 30 s
  api.clear_calls();
  scheduler.advance(5s);
  EXPECT_EQ(api.count("get"), 0u);
  Answer pass;
  r.request_pass("127.0.0.1:5000", pass.done());
  scheduler.run_due();
  EXPECT_EQ(pass.status(), 202);
  EXPECT_EQ(api.count("get etcd"), 1u);
  EXPECT_EQ(api.count("get apiserver"), 1u);
}

TEST_F(ReconcilerTest, EveryPlanIsPublishedForStatus) {
  testing::FakeTimeSource board_time;
  status::StatusBoard board(board_time, {});
  status_recorder = &board;
  api.set(stopped("etcd"));
  auto config = config_with({member("etcd"), member("apiserver", {"etcd"})});
  config.policy.backoff.initial = 60s;
  auto& r = make(config);
  r.start();
  scheduler.advance(5s);
  ASSERT_EQ(api.count("start etcd"), 1u);
  api.set(stopped("etcd"));  // it did not help: the next plan waits out the back-off
  scheduler.advance(10s);

  const auto snapshot = board.snapshot();
  ASSERT_TRUE(snapshot->plan);
  const auto& members = snapshot->plan->clusters.at(0).members;
  ASSERT_EQ(members.size(), 2u);
  const auto& etcd = members[0];
  EXPECT_EQ(etcd.name, "etcd");
  EXPECT_EQ(etcd.role, "other");
  EXPECT_EQ(etcd.health, "unhealthy");
  EXPECT_EQ(etcd.aci_state, "Stopped");
  EXPECT_EQ(etcd.ip, "10.0.0.1");
  ASSERT_TRUE(etcd.last_action);
  EXPECT_EQ(etcd.last_action->kind, "start");
  EXPECT_EQ(etcd.last_action->result, "succeeded");
  EXPECT_NE(etcd.last_action->reason.find("rung 0 start"), std::string::npos);
  ASSERT_TRUE(etcd.skip);
  EXPECT_EQ(etcd.skip->reason, "backoff");
  ASSERT_TRUE(etcd.backoff_left);
  EXPECT_GT(*etcd.backoff_left, 40s);
  EXPECT_EQ(members[1].health, "healthy");
  EXPECT_FALSE(members[1].skip.has_value());
  EXPECT_EQ(snapshot->plan->budget.used, 1);

  // Events: the action, and the skips that changed.
  std::vector<std::string> events;
  for (const auto& e : snapshot->events) {
    if (e.member == "etcd") events.push_back(e.kind + " " + e.what + " " + e.outcome);
  }
  EXPECT_NE(std::find(events.begin(), events.end(), "action start started"), events.end());
  EXPECT_NE(std::find(events.begin(), events.end(), "action start succeeded"), events.end());
  EXPECT_NE(std::find(events.begin(), events.end(), "skip backoff "), events.end());
}

TEST_F(ReconcilerTest, APauseShowsOnStatusWithItsEvent) {
  testing::FakeTimeSource board_time;
  status::StatusBoard board(board_time, {});
  status_recorder = &board;
  api.set(stopped("etcd"));
  auto& r = make(config_with({member("etcd")}));
  Answer paused;
  r.set_paused(kEtcd, true, "127.0.0.1:5000", paused.done());
  r.start();
  scheduler.advance(2s);
  const auto snapshot = board.snapshot();
  const auto& etcd = snapshot->plan->clusters.at(0).members.at(0);
  EXPECT_TRUE(etcd.paused);
  ASSERT_TRUE(etcd.skip);
  EXPECT_EQ(etcd.skip->reason, "paused");
  bool logged = false;
  for (const auto& e : snapshot->events) {
    logged |= e.kind == "admin" && e.what == "paused" && e.detail == "by 127.0.0.1:5000";
  }
  EXPECT_TRUE(logged);
}

}  // namespace
}  // namespace frankenetes::reconcile
