#include "reconcile/reconciler.h"

#include <gtest/gtest.h>

#include <set>

#include "reconcile/reconciler_fixture.h"
#include "support/fake_async_transport.h"

namespace frankenetes::reconcile {
namespace {

using namespace std::chrono_literals;
using test_util::config_with;
using test_util::kEtcd;
using test_util::member;
using test_util::ReconcilerStateTest;
using test_util::ReconcilerTest;
using test_util::stopped;
using testing::FakeContainerGroupApi;

TEST_F(ReconcilerTest, HealthyMembersNoActionReadyAfterFirstObservation) {
  auto& r = make(config_with({member("etcd"), member("apiserver", {"etcd"})}));
  EXPECT_FALSE(r.readiness().ok);
  EXPECT_EQ(r.readiness().reason, "no observation has completed yet");
  r.start();
  scheduler.run_due();
  EXPECT_TRUE(r.readiness().ok) << r.readiness().reason;
  EXPECT_TRUE(r.liveness().ok);
  scheduler.advance(60s);
  EXPECT_EQ(api.mutations(), 0u);
  EXPECT_TRUE(r.readiness().ok);
  EXPECT_TRUE(r.liveness().ok);
  EXPECT_NE(metrics_text().find(R"(frankenetes_member_up{cluster="prod",member="etcd"} 1)"),
            std::string::npos);
  const auto summary = r.summary();
  EXPECT_EQ(summary.members, 2u);
  EXPECT_TRUE(summary.last_pass_ok);
}

TEST_F(ReconcilerTest, StoppedMemberGetsExactlyOneActionAndItsOutcomeIsRecorded) {
  api.set(stopped("etcd"));
  auto& r = make(config_with({member("etcd"), member("apiserver", {"etcd"})}));
  r.start();
  scheduler.advance(8s);  // well inside the 10 s back-off after the first action
  EXPECT_EQ(api.mutations(), 1u);
  EXPECT_EQ(api.count("start etcd"), 1u);
  const auto* etcd = r.history().find(kEtcd);
  ASSERT_NE(etcd, nullptr);
  ASSERT_TRUE(etcd->last_action.has_value());
  EXPECT_EQ(etcd->last_action->outcome, plan::ActionOutcome::kSucceeded);
  EXPECT_FALSE(etcd->in_flight.has_value());
  // The outcome requeued an immediate GET of the member.
  const auto& calls = api.calls();
  const auto started = std::find(calls.begin(), calls.end(), "start etcd");
  ASSERT_NE(started, calls.end());
  ASSERT_NE(std::next(started), calls.end());
  EXPECT_EQ(*std::next(started), "get etcd");
  EXPECT_NE(
      metrics_text().find(
          R"(frankenetes_remediation_actions_total{action="start",cluster="prod",member="etcd",result="succeeded"} 1)"),
      std::string::npos)
      << metrics_text();
}

// Coordination: a cluster whose lease another replica holds is observed and planned, but what
// the planner wants is a not_leader skip: no call, and no rung, back-off or budget used.
TEST_F(ReconcilerTest, AStandbyActsOnNothingAndUsesNoRungUntilItHoldsTheCluster) {
  bool held = false;
  std::vector<std::string> asked;
  may_act = [&](const std::string& cluster) {
    asked.push_back(cluster);
    return held;
  };
  api.set(stopped("etcd"));
  auto& r = make(config_with({member("etcd"), member("apiserver", {"etcd"})}));
  r.start();
  scheduler.advance(30s);
  EXPECT_EQ(api.mutations(), 0u);
  ASSERT_FALSE(asked.empty());
  EXPECT_EQ(asked.front(), "prod");
  const auto* etcd = r.history().find(kEtcd);
  ASSERT_NE(etcd, nullptr);
  EXPECT_FALSE(etcd->last_action.has_value());
  EXPECT_FALSE(etcd->in_flight.has_value());
  EXPECT_NE(
      metrics_text().find(
          R"(frankenetes_actions_skipped_total{cluster="prod",member="etcd",reason="not_leader"})"),
      std::string::npos)
      << metrics_text();

  held = true;  // the lease came to us: the ladder starts at its first rung
  scheduler.advance(8s);
  EXPECT_EQ(api.mutations(), 1u);
  EXPECT_EQ(api.count("start etcd"), 1u);
  ASSERT_TRUE(r.history().find(kEtcd)->last_action.has_value());
  EXPECT_EQ(r.history().find(kEtcd)->last_action->rung, 0);
}

// Coordination: a standby probes a cluster held by another replica kStandbyProbeSlowdown
// times less often; once the cluster is handed to it, its members are probed at once and then
// at their own period.
TEST_F(ReconcilerTest, AStandbyProbesSlowerAndAHolderAtOnceAndAtItsPeriod) {
  bool held = false;
  may_act = [&](const std::string&) { return held; };
  auto& r =
      make(config_with({test_util::probed(member("apiserver"), "http://{ip}:6443/livez", 5s)}));
  r.start();
  scheduler.advance(16s);  // the first probe waited for the IP the first pass brings: 15 s
  const auto first = probe_transport.requests().size();
  ASSERT_EQ(first, 1u);
  scheduler.advance(60s);
  EXPECT_EQ(probe_transport.requests().size() - first, 4u) << "every 15 s (5 s would be 12)";

  held = true;
  const auto before = probe_transport.requests().size();
  r.merge_cluster_history("prod", std::nullopt, [] {});
  scheduler.advance(100ms);
  EXPECT_EQ(probe_transport.requests().size(), before + 1) << "probed at once on taking over";
  scheduler.advance(60s);
  EXPECT_EQ(probe_transport.requests().size() - before - 1, 12u) << "every 5 s";

  // The fence closes for a while (a late renewal) and reopens without a hand-over: back to
  // the holder's rate within one period.
  held = false;
  scheduler.advance(20s);
  held = true;
  const auto reopened = probe_transport.requests().size();
  scheduler.advance(5s);
  EXPECT_EQ(probe_transport.requests().size(), reopened + 1);
}

// A cluster taken over before the loop's first scheduling (the lease came first): the member
// is still probed by one timer, at its period. (Two chains in step would hide each other: the
// second finds the first's probe in flight. start() gives the member a phase of its own.)
TEST_F(ReconcilerTest, AMemberHasOneProbeTimerWhateverSchedulesIt) {
  unit_random = [] { return 0.5; };
  auto& r =
      make(config_with({test_util::probed(member("apiserver"), "http://{ip}:6443/livez", 5s)}));
  r.merge_cluster_history("prod", std::nullopt, [] {});
  r.start();
  scheduler.advance(16s);
  const auto first = probe_transport.requests().size();
  scheduler.advance(60s);
  EXPECT_EQ(probe_transport.requests().size() - first, 12u) << "every 5 s, not twice as often";
}

// Probes through an asynchronous client whose answers the test gives.
struct AsyncProbeTest : ReconcilerTest {
  void SetUp() override {
    ReconcilerTest::SetUp();
    prober_override = &async_prober;
  }
  // Moves the scheduler on by `total` in `step`s, answering every probe 200 at once; returns
  // when each probe started (a probe first seen after a step started at its end).
  std::vector<core::MonotonicTime> probe_starts(core::Duration total, core::Duration step) {
    std::vector<core::MonotonicTime> starts;
    std::size_t seen = async.requests().size();
    for (auto moved = core::Duration(0); moved < total; moved += step) {
      scheduler.advance(step, step);
      async.answer_all(200, "ok");
      for (; seen < async.requests().size(); ++seen) starts.push_back(time.monotonic_time());
    }
    return starts;
  }

  testing::FakeAsyncTransport async;
  probe::Prober async_prober{async, time};
};

// Asynchronous probes (the daemon): answered later on the prober's thread and taken on the
// scheduler's. An answer that never comes (its client was stopped by a reload) does not stop
// the member's probing: after the probe's timeout and period it is probed again, and a late
// answer of the forgotten probe is dropped.
TEST_F(AsyncProbeTest, AsynchronousProbesAreTakenLaterAndALostOneIsProbedAgain) {
  auto& r =
      make(config_with({test_util::probed(member("apiserver"), "http://{ip}:6443/livez", 5s)}));
  r.start();
  for (int i = 0; i < 200 && async.pending() == 0; ++i) scheduler.advance(100ms);
  ASSERT_EQ(async.pending(), 1u) << "the first probe, once the first pass brought the IP";
  const auto success = R"(frankenetes_probe_success{cluster="prod",member="apiserver"} )";
  EXPECT_EQ(metrics_text().find(std::string(success) + "1"), std::string::npos);
  async.answer(200, "ok");
  scheduler.advance(1ms);
  EXPECT_NE(metrics_text().find(std::string(success) + "1"), std::string::npos);

  // The next probe is never answered: 5 s later it is still within timeout + period (7 s) and
  // no second one starts; 10 s later it is forgotten and the member probed again.
  scheduler.advance(5s);
  ASSERT_EQ(async.requests().size(), 2u);
  scheduler.advance(5s);
  EXPECT_EQ(async.requests().size(), 2u) << "not again while one is in flight";
  scheduler.advance(5s);
  EXPECT_EQ(async.requests().size(), 3u) << "the lost probe is forgotten";
  async.answer(500, "late answer of the lost probe");
  scheduler.advance(1ms);
  EXPECT_NE(metrics_text().find(std::string(success) + "1"), std::string::npos)
      << "a forgotten probe's answer is dropped";
  async.answer(500, "the current probe");
  scheduler.advance(1ms);
  EXPECT_NE(metrics_text().find(std::string(success) + "0"), std::string::npos);
  r.stop();
}

// A member's probe URL is made once per address (ProbeSlot): it must follow a new IP, and a
// reload's new probe.url, at the next probe.
TEST_F(AsyncProbeTest, AProbeFollowsANewAddressAndANewProbeUrl) {
  auto& r =
      make(config_with({test_util::probed(member("apiserver"), "http://{ip}:6443/livez", 5s)}));
  r.start();
  const auto probe_to = [&](const std::string& url, core::Duration within) {
    for (auto waited = core::Duration(0); waited < within; waited += 100ms) {
      async.answer_all(200, "ok");
      const auto sent = async.requests();
      if (!sent.empty() && sent.back().url == url) return true;
      scheduler.advance(100ms);
    }
    return false;
  };
  ASSERT_TRUE(probe_to("http://10.0.0.2:6443/livez", 20s));
  api.set(FakeContainerGroupApi::running("apiserver", "10.0.0.9"));  // restarted elsewhere
  EXPECT_TRUE(probe_to("http://10.0.0.9:6443/livez", 30s)) << async.requests().back().url;
  r.update_config(std::make_shared<const config::Config>(
      config_with({test_util::probed(member("apiserver"), "http://{ip}:6444/readyz", 5s)})));
  EXPECT_TRUE(probe_to("http://10.0.0.9:6444/readyz", 10s)) << async.requests().back().url;
  r.stop();
}

// With jitter (the daemon), each member's probes keep a phase of their own within the period
// instead of all members being probed in the same instant every period.
TEST_F(ReconcilerTest, MembersAreProbedAtPhasesSpreadOverThePeriod) {
  testing::FakeAsyncTransport async;
  probe::Prober async_prober(async, time);
  prober_override = &async_prober;
  int draws = 0;
  unit_random = [&] { return (draws++ % 8) / 8.0; };
  std::vector<config::MemberConfig> members;
  for (const char* name : {"etcd", "apiserver", "controller-manager", "scheduler"}) {
    api.set(FakeContainerGroupApi::running(name, "10.0.0.1"));
    members.push_back(test_util::probed(member(name), "http://{ip}:6443/livez", 4s));
  }
  auto& r = make(config_with(members));
  r.start();
  scheduler.advance(40s);  // every member's IP is known
  async.answer_all(200, "ok");
  std::set<std::int64_t> start_offsets;  // ms into the period
  std::size_t seen = async.requests().size();
  const std::size_t before = seen;
  for (int step = 0; step < 400; ++step) {  // one period in 10 ms steps
    scheduler.advance(10ms);
    async.answer_all(200, "ok");
    for (; seen < async.requests().size(); ++seen) {
      start_offsets.insert(std::chrono::duration_cast<std::chrono::milliseconds>(
                               time.monotonic_time().time_since_epoch())
                               .count() %
                           4000);
    }
  }
  EXPECT_EQ(seen - before, 4u) << "each member once per period";
  EXPECT_GE(start_offsets.size(), 3u) << "not all at the same instant";
  r.stop();
}

// probe_batch_window: probes due within the same window start together at its end.
TEST_F(AsyncProbeTest, ProbesStartAtTheEndOfTheirBatchWindow) {
  probe_batch_window = 100ms;
  auto config = config_with({test_util::probed(member("etcd"), "http://{ip}:2379/health", 5s),
                             test_util::probed(member("apiserver"), "http://{ip}:6443/livez", 3s)});
  auto& r = make(config);
  time.advance(37ms);  // without the window, probes would start 37 ms into one
  r.start();
  scheduler.advance(16s);
  const auto starts = probe_starts(15s, 1ms);
  for (const auto& started : starts) {
    EXPECT_EQ(started.time_since_epoch() % 100ms, decltype(1ms)(0))
        << "a probe started inside its window";
  }
  EXPECT_GE(starts.size(), 7u) << "etcd every 5 s and apiserver every 3 s";
  r.stop();
}

// A timer runs after its time (here up to 7 ms: the scheduler moves in 7 ms steps). The next
// probe is still due a period after the last one was due: taking it from the late run, rounded
// up to the end of a batch window, stretched every 5 s period to 5.1 s.
TEST_F(AsyncProbeTest, AProbePeriodDoesNotStretchWhenItsTimerRunsLate) {
  probe_batch_window = 100ms;
  auto config = config_with({test_util::probed(member("etcd"), "http://{ip}:2379/health", 5s)});
  auto& r = make(config);
  r.start();
  const auto starts = probe_starts(60s, 7ms);
  ASSERT_GE(starts.size(), 11u);
  for (std::size_t i = 1; i < starts.size(); ++i) {
    const auto gap = starts[i] - starts[i - 1];
    EXPECT_GT(gap, 5s - 7ms) << "probe " << i;
    EXPECT_LT(gap, 5s + 7ms) << "probe " << i << ": the period stretched";
  }
  r.stop();
}

// A thread that stalls for more than a period (a long pass, a slow disk) runs the probe due
// late, once; the periods it missed are skipped in the member's phase, not made up at once: two
// fast failures back to back would count two toward failureThreshold for one period.
TEST_F(AsyncProbeTest, AProbeLateByMoreThanAPeriodIsNotFollowedByAnotherAtOnce) {
  probe_batch_window = 100ms;
  auto config = config_with({test_util::probed(member("etcd"), "http://{ip}:2379/health", 5s)});
  auto& r = make(config);
  r.start();
  scheduler.advance(1s);
  async.answer_all(200, "ok");
  scheduler.advance(1s);
  const auto before = async.requests().size();
  scheduler.advance(11s + 30ms, 11s + 30ms);  // stalled: the probe due at +5 s runs at +13.03 s
  ASSERT_EQ(async.requests().size(), before + 1);
  async.answer_all(503, "down");  // at once
  scheduler.advance(1s, 10ms);
  EXPECT_EQ(async.requests().size(), before + 1) << "a second probe right after the late one";
  scheduler.advance(2s, 10ms);  // the next in the member's phase: +15 s
  EXPECT_EQ(async.requests().size(), before + 2);
  r.stop();
}

// Coordination's hand-over (state/cluster_history.h): the new holder acts on nothing before
// the previous holder's history is merged, then continues its ladder, back-off and budget;
// what it does is published for the next one.
TEST_F(ReconcilerTest, ANewHolderContinuesTheHandedOverLadderAndPublishesIt) {
  bool held = false;
  bool merged = false;
  may_act = [&](const std::string&) { return held && merged; };
  std::map<std::string, plan::History> published;
  publish_history = [&](const std::string& cluster, plan::History part) {
    published[cluster] = std::move(part);
  };
  api.set(stopped("etcd"));
  auto config = config_with({member("etcd")});
  config.policy.backoff.initial = 60s;
  auto& r = make(config);
  r.start();
  held = true;  // the lease came, its history is being read: still nothing
  scheduler.advance(20s);
  EXPECT_EQ(api.mutations(), 0u);
  EXPECT_TRUE(published.empty()) << "nothing published for a cluster not ours yet";

  // The previous holder started etcd (rung 0) 30 s ago; its back-off runs until +60 s.
  plan::Action start;
  start.member = kEtcd;
  start.kind = plan::ActionKind::kStart;
  auto remote = plan::record_action_started({}, start, time.monotonic_time() - 30s);
  remote = plan::record_action_finished(std::move(remote), kEtcd,
                                        plan::ActionOutcome::kSucceeded,
                                        time.monotonic_time() - 30s);
  r.merge_cluster_history("prod", remote, [&] { merged = true; });
  scheduler.advance(1s);
  ASSERT_TRUE(merged);
  EXPECT_EQ(r.history().find(kEtcd)->actions_taken, 1);
  EXPECT_EQ(r.history().actions_in_budget_window(time.monotonic_time()), 1);
  scheduler.advance(20s);  // inside the back-off the previous holder started
  EXPECT_EQ(api.mutations(), 0u);
  scheduler.advance(20s);
  EXPECT_EQ(api.count("stop etcd"), 1u) << "the next rung (stop+start)";
  EXPECT_EQ(api.count("start etcd"), 1u) << "only stop+start's: not the first rung again";
  ASSERT_TRUE(published.contains("prod"));
  EXPECT_EQ(published.at("prod").members.at(kEtcd).actions_taken, 2);
  EXPECT_EQ(published.at("prod").action_starts.size(), 2u) << "both holders' actions";
}

TEST_F(ReconcilerTest, FailedActionIsRecordedAsFailed) {
  api.set(stopped("etcd"));
  api.fail_next("start",
                FakeContainerGroupApi::error(core::ErrorKind::kTerminal, "Forbidden", 403));
  auto& r = make(config_with({member("etcd")}));
  r.start();
  scheduler.advance(1s);
  EXPECT_EQ(api.count("start etcd"), 1u);
  EXPECT_EQ(r.history().find(kEtcd)->last_action->outcome, plan::ActionOutcome::kFailed);
}

TEST_F(ReconcilerTest, DryRunSendsNothingButRecordsTheAction) {
  api.set(stopped("etcd"));
  auto& r = make(config_with({member("etcd")}, /*dry_run=*/true));
  r.start();
  scheduler.advance(60s);
  EXPECT_EQ(api.mutations(), 0u);
  const auto* etcd = r.history().find(kEtcd);
  ASSERT_NE(etcd, nullptr);
  ASSERT_TRUE(etcd->last_action.has_value());
  EXPECT_GE(etcd->actions_taken, 1);
  EXPECT_NE(metrics_text().find(R"(result="dry_run"})"), std::string::npos);
}

TEST_F(ReconcilerTest, UnknownStateMeansNoAction) {
  api.set(stopped("etcd"));
  api.fail_always("get",
                  FakeContainerGroupApi::error(core::ErrorKind::kTransient, "HTTP 503", 503));
  auto& r = make(config_with({member("etcd")}));
  r.start();
  scheduler.advance(60s);
  EXPECT_EQ(api.mutations(), 0u);
  EXPECT_FALSE(r.readiness().ok);
  EXPECT_NE(
      metrics_text().find(
          R"(frankenetes_actions_skipped_total{cluster="prod",member="etcd",reason="state_unknown"})"),
      std::string::npos);
}

TEST_F(ReconcilerTest, ReadinessFailsAfterThreePollIntervalsWithoutObservation) {
  auto& r = make(config_with({member("etcd")}));
  r.start();
  scheduler.run_due();
  ASSERT_TRUE(r.readiness().ok);
  api.fail_always("list",
                  FakeContainerGroupApi::error(core::ErrorKind::kTransient, "HTTP 503", 503));
  scheduler.advance(29s);
  EXPECT_TRUE(r.readiness().ok) << r.readiness().reason;
  scheduler.advance(3s);
  const auto check = r.readiness();
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.reason.find("last successful observation 3"), std::string::npos) << check.reason;
  EXPECT_NE(check.reason.find("HTTP 503"), std::string::npos) << check.reason;
  EXPECT_EQ(api.mutations(), 0u);
  api.clear_failures();
  scheduler.advance(10s);
  EXPECT_TRUE(r.readiness().ok) << r.readiness().reason;
}

TEST_F(ReconcilerTest, FailingProbeLeadsToOneRestart) {
  auto& r = make(config_with({test_util::probed(member("apiserver"), "http://{ip}:6443/livez")}));
  r.start();
  scheduler.advance(25s);
  EXPECT_EQ(api.count("restart apiserver"), 1u) << ::testing::PrintToString(api.calls());
  EXPECT_EQ(api.mutations(), 1u);
  EXPECT_GE(probe_transport.requests().size(), 3u);
  EXPECT_EQ(probe_transport.requests()[0].url, "http://10.0.0.2:6443/livez");
  EXPECT_NE(
      metrics_text().find(R"(frankenetes_probe_success{cluster="prod",member="apiserver"} 0)"),
      std::string::npos);
  (void)r;
}

TEST_F(ReconcilerTest, AFailingProbeBuysAGetAtOnceNotAtTheNextTick) {
  const auto api_member = test_util::probed(member("apiserver"), "http://{ip}:6443/livez", 3s, 1s);
  make(config_with({member("etcd"), api_member})).start();
  scheduler.run_due();  // the first pass; the first probe waits for the IP it brings
  ASSERT_EQ(api.count("get apiserver"), 1u);
  scheduler.advance(3500ms);  // the probe failed at 3 s; the next tick is at 5 s
  EXPECT_EQ(api.count("get apiserver"), 2u) << ::testing::PrintToString(api.calls());
  EXPECT_EQ(api.count("get etcd"), 1u);
  // The third failure (9 s) buys another, and its pass acts: no waiting for the 10 s tick.
  scheduler.advance(6s);
  EXPECT_EQ(api.count("restart apiserver"), 1u) << ::testing::PrintToString(api.calls());
}

// Runs submitted work only when the test says so: an ARM read still in flight.
class HeldWorker final : public Worker {
 public:
  using Worker::submit;
  void submit(Work work) override { held_.push_back(std::move(work)); }
  void release() {
    auto work = std::move(held_);
    held_.clear();
    for (auto& w : work) w();
  }
  // Only the work submitted `index`-th among what is held (0: the oldest).
  void release(std::size_t index) {
    auto work = std::move(held_.at(index));
    held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(index));
    work();
  }
  bool holding() const { return !held_.empty(); }
  std::size_t held() const { return held_.size(); }

 private:
  std::vector<Work> held_;
};

// An apiserver probed every second that answers 10 probes, then fails; its ARM reads are held
// until the test lets them answer. The first pass (LIST and GET at 0 s) has answered.
struct HeldReadsTest : ReconcilerTest {
  void SetUp() override {
    ReconcilerTest::SetUp();
    reads = &held;
    for (int i = 0; i < 10; ++i) probe_transport.push(200, "ok");  // 1 to 10 s
    make(config_with({test_util::probed(member("apiserver"), "http://{ip}:6443/livez", 1s, 500ms)}))
        .start();
    scheduler.run_due();
    held.release();
    scheduler.run_due();
  }
  HeldWorker held;
};

// A probe streak that begins while a pass is in flight (CI saw it during an ARM outage): that
// pass brings no GET sent since the first failure, and its plan must not restart on the GET
// from before. Only the GET the streak bought, sent beside that pass, may justify the restart.
TEST_F(HeldReadsTest, NoActionOnAProbeStreakUntilAGetSentSinceAnswers) {
  ASSERT_EQ(api.count("get apiserver"), 1u);
  scheduler.advance(10s);  // the LIST pass of 10 s leaves, and stays in flight
  ASSERT_EQ(held.held(), 1u);
  scheduler.advance(3500ms);  // failures at 11, 12 and 13 s: the threshold
  // The first failure's GET left at 11 s beside the LIST pass.
  ASSERT_EQ(held.held(), 2u);
  held.release(0);  // the LIST answers: the plan runs, with the GET of 0 s
  scheduler.run_due();
  EXPECT_EQ(api.count("list rg"), 2u) << ::testing::PrintToString(api.calls());
  EXPECT_EQ(api.mutations(), 0u) << ::testing::PrintToString(api.calls());
  EXPECT_NE(
      metrics_text().find(
          R"(frankenetes_actions_skipped_total{cluster="prod",member="apiserver",reason="state_unknown"})"),
      std::string::npos)
      << metrics_text();
  // The GET sent at 11 s answers: it shows the group Running, the restart.
  held.release(0);
  scheduler.run_due();
  EXPECT_EQ(api.count("get apiserver"), 2u) << ::testing::PrintToString(api.calls());
  EXPECT_EQ(api.count("restart apiserver"), 1u) << ::testing::PrintToString(api.calls());
}

// At a thousand clusters a LIST pass is dozens of pages; the GET a failing probe asks for, and
// so the restart that waits for it, does not queue behind it.
TEST_F(HeldReadsTest, TheGetAFailingProbeAsksForDoesNotWaitForThePassInFlight) {
  scheduler.advance(10s);     // the LIST pass leaves and does not come back
  scheduler.advance(3500ms);  // failures at 11, 12 and 13 s; the GET of 11 s beside it
  // One such pass at a time: the threshold's GET (13 s) waits for the one in flight.
  ASSERT_EQ(held.held(), 2u);
  held.release(1);
  scheduler.run_due();
  EXPECT_EQ(api.count("restart apiserver"), 1u) << ::testing::PrintToString(api.calls());
  EXPECT_EQ(api.count("list rg"), 1u) << "the LIST pass is still in flight";
  EXPECT_EQ(held.held(), 2u);  // the LIST pass, and the GETs asked for since
  held.release();
  scheduler.run_due();
  EXPECT_EQ(api.count("restart apiserver"), 1u);
}

TEST_F(ReconcilerTest, AListThatSeesANewIpBuysAGetAtOnce) {
  make(config_with({member("etcd"), member("apiserver", {"etcd"})})).start();
  scheduler.advance(9s);
  ASSERT_EQ(api.count("get etcd"), 1u);  // healthy: no resync for minutes
  api.set(FakeContainerGroupApi::running("etcd", "10.0.0.9"));
  scheduler.advance(1500ms);  // the LIST at 10 s sees it; the GET follows its pass
  EXPECT_EQ(api.count("list rg"), 2u);
  EXPECT_EQ(api.count("get etcd"), 2u) << ::testing::PrintToString(api.calls());
  EXPECT_EQ(api.count("get apiserver"), 1u);
}

// With the budget spent, the GET a failing probe asks for is sent when the bucket holds a read
// again, not at the next tick (getInterval.unhealthy, 5 s): the restart waits for it.
TEST_F(ReconcilerTest, AGetTheBudgetHeldBackLeavesWhenTheBucketRefillsNotAtTheNextTick) {
  auto config =
      config_with({member("etcd"), test_util::probed(member("apiserver", {"etcd"}),
                                                     "http://{ip}:6443/livez", 1s, 500ms)});
  config.policy.budget.arm_reads_per_minute = 18;  // 0.3 reads/s, a bucket of 3
  make(config).start();
  scheduler.run_due();  // the LIST and both GETs: the bucket is empty
  ASSERT_EQ(api.count("get apiserver"), 1u);
  // The probe of 1 s fails (nothing answers) when the bucket holds 0.3 of a read: its GET
  // waits 2.33 s for the bucket and leaves at 3.33 s, not at the tick of 5 s.
  scheduler.advance(3200ms);
  EXPECT_EQ(api.count("get apiserver"), 1u) << ::testing::PrintToString(api.calls());
  scheduler.advance(300ms);
  EXPECT_EQ(api.count("get apiserver"), 2u) << ::testing::PrintToString(api.calls());
}

TEST_F(ReconcilerTest, TheReadBudgetIsReported) {
  auto config = config_with({member("etcd"), member("apiserver", {"etcd"})});
  config.policy.budget.arm_reads_per_minute = 30;
  make(config).start();
  scheduler.run_due();  // LIST + 2 GETs = 3 of 30
  EXPECT_NE(metrics_text().find("frankenetes_arm_read_budget_used_ratio 0.1\n"), std::string::npos)
      << metrics_text();
}

TEST_F(ReconcilerTest, ReloadKeepsHistoryOfRemainingMembers) {
  api.set(stopped("etcd"));
  auto& r = make(config_with({member("etcd"), member("apiserver")}));
  r.start();
  scheduler.advance(2s);
  ASSERT_EQ(api.count("start etcd"), 1u);
  auto next = config_with({member("etcd")});
  next.policy.poll_interval = 20s;
  r.update_config(std::make_shared<const config::Config>(next));
  scheduler.advance(1s);
  const auto* etcd = r.history().find(kEtcd);
  ASSERT_NE(etcd, nullptr);
  EXPECT_TRUE(etcd->last_action.has_value());
  EXPECT_EQ(r.summary().members, 1u);
  EXPECT_EQ(r.history().find({"prod", "apiserver"}), nullptr);
  EXPECT_EQ(metrics_text().find(R"(frankenetes_member_up{cluster="prod",member="apiserver"})"),
            std::string::npos);
  EXPECT_NE(metrics_text().find(R"(frankenetes_member_up{cluster="prod",member="etcd"})"),
            std::string::npos);
  scheduler.advance(5s);  // still inside the back-off: no second action after the reload
  EXPECT_EQ(api.mutations(), 1u);
}

TEST_F(ReconcilerTest, RunOnceObservesPlansAndActsSynchronously) {
  api.set(stopped("etcd"));
  auto& r = make(config_with({member("etcd")}));
  EXPECT_TRUE(r.run_once());
  EXPECT_EQ(api.count("start etcd"), 1u);
  EXPECT_EQ(r.history().find(kEtcd)->last_action->outcome, plan::ActionOutcome::kSucceeded);
  EXPECT_EQ(scheduler.pending(), 0u);
}

TEST_F(ReconcilerTest, RunOnceFailsWhenArmCannotBeRead) {
  api.set(stopped("etcd"));
  const auto tls =
      FakeContainerGroupApi::error(core::ErrorKind::kTls, "certificate verify failed (127.0.0.1)");
  api.fail_always("list", tls);
  api.fail_always("get", tls);
  auto& r = make(config_with({member("etcd")}));
  EXPECT_FALSE(r.run_once());
  EXPECT_EQ(api.mutations(), 0u);
}

TEST_F(ReconcilerTest, StopDropsEverythingLater) {
  auto& r = make(config_with({member("etcd")}));
  r.start();
  scheduler.run_due();
  r.stop();
  api.clear_calls();
  scheduler.advance(30s);
  EXPECT_TRUE(api.calls().empty());
}

// --- contained failures ---------------------------------------------------------------------

TEST_F(ReconcilerTest, AReadThatThrowsLeavesTheMembersUnknownForThatPassOnly) {
  auto& r = make(config_with({member("etcd")}));
  r.start();
  scheduler.run_due();
  ASSERT_TRUE(r.readiness().ok);
  api.throw_next("list");
  scheduler.advance(10s);  // the next LIST throws inside the read task
  EXPECT_FALSE(r.summary().last_pass_ok);
  EXPECT_NE(r.summary().last_error.find("internal error during the read"), std::string::npos)
      << r.summary().last_error;
  scheduler.advance(10s);  // the loop goes on: the following pass reads again
  EXPECT_GE(api.count("list"), 3u);
  EXPECT_TRUE(r.summary().last_pass_ok);
  EXPECT_TRUE(r.readiness().ok) << r.readiness().reason;
  EXPECT_EQ(api.mutations(), 0u);
}

TEST_F(ReconcilerTest, AnActionThatThrowsIsRecordedAsFailed) {
  api.set(stopped("etcd"));
  api.throw_next("start");
  auto& r = make(config_with({member("etcd")}));
  r.start();
  scheduler.advance(1s);
  const auto* etcd = r.history().find(kEtcd);
  ASSERT_NE(etcd, nullptr);
  EXPECT_FALSE(etcd->in_flight.has_value()) << "the member is not stuck in flight";
  ASSERT_TRUE(etcd->last_action.has_value());
  EXPECT_EQ(etcd->last_action->outcome, plan::ActionOutcome::kFailed);
}

// --- the state directory: what a restart (or kill -9) keeps ----------------------------------

TEST_F(ReconcilerStateTest, BudgetLadderAndBackoffSurviveARestart) {
  api.set(stopped("etcd"));
  auto config = config_with({member("etcd")});
  config.policy.backoff.initial = 60s;
  auto& first = make(config);
  first.restore(store->load());
  first.start();
  scheduler.advance(25s);  // the start-up grace (2 x 10 s) first, then one start
  ASSERT_EQ(api.count("start etcd"), 1u);
  api.set(stopped("etcd"));  // it did not help

  auto& second = restart(config);
  const auto* etcd = second.history().find(kEtcd);
  ASSERT_NE(etcd, nullptr);
  EXPECT_EQ(etcd->actions_taken, 1);
  EXPECT_EQ(second.history().actions_in_budget_window(time.monotonic_time()), 1);
  second.start();
  scheduler.advance(30s);  // still inside the 60 s back-off that began before the restart
  EXPECT_EQ(api.mutations(), 1u);
  scheduler.advance(40s);
  EXPECT_EQ(api.count("stop etcd"), 1u) << "the next rung, not the first one again";
}

TEST_F(ReconcilerStateTest, WithoutRememberedHistoryNothingIsDoneForTwoPollIntervals) {
  api.set(stopped("etcd"));
  auto& r = make(config_with({member("etcd")}));
  r.restore(store->load());
  EXPECT_NE(r.operations().reason.find("start-up grace"), std::string::npos);
  r.start();
  scheduler.advance(19s);
  EXPECT_EQ(api.mutations(), 0u);
  EXPECT_NE(metrics_text().find(R"(reason="startup_grace")"), std::string::npos);
  scheduler.advance(6s);
  EXPECT_EQ(api.count("start etcd"), 1u);
}

TEST_F(ReconcilerStateTest, AnActionInFlightAtACrashIsRecordedAsInterrupted) {
  plan::History h;
  h.members[kEtcd].actions_taken = 1;
  h.members[kEtcd].in_flight = plan::ActionRecord{plan::ActionKind::kRestart, 0,
                                                  time.monotonic_time() - 5s, {}, {}};
  h.action_starts = {time.monotonic_time() - 5s};
  ASSERT_TRUE(store->save_history(h).ok());
  auto& r = restart(config_with({member("etcd")}));
  const auto* etcd = r.history().find(kEtcd);
  ASSERT_NE(etcd, nullptr);
  EXPECT_FALSE(etcd->in_flight);
  ASSERT_TRUE(etcd->last_action);
  EXPECT_EQ(etcd->last_action->outcome, plan::ActionOutcome::kInterrupted);
  EXPECT_EQ(r.history().actions_in_budget_window(time.monotonic_time()), 1);
}

TEST_F(ReconcilerStateTest, APendingRecreateIsResumedAtStart) {
  api.remove("etcd");  // deleted before the crash; the PUT is owed
  state::RecreateOperation op{kEtcd, "sub", "rg", "etcd", R"({"location":"westeurope"})",
                              time.system_time(), /*delete_confirmed=*/true, 1};
  ASSERT_TRUE(store->put_operation(op).ok());
  auto& r = restart(config_with({member("etcd")}));
  EXPECT_NE(r.operations().reason.find("recreate of prod/etcd in progress"), std::string::npos)
      << r.operations().reason;
  EXPECT_TRUE(r.history().find(kEtcd)->in_flight.has_value());
  r.start();
  scheduler.advance(1s);
  EXPECT_EQ(api.count("put etcd"), 1u);
  EXPECT_EQ(api.count("delete"), 0u);
  EXPECT_TRUE(api.exists("etcd"));
  EXPECT_NE(metrics_text().find(
                R"(frankenetes_operation_in_progress{cluster="prod",member="etcd",operation="recreate"} 0)"),
            std::string::npos);
}

// Coordination: a recorded operation of a cluster another replica holds waits in the state
// directory (the planner sees it in flight) and is resumed once this replica holds the lease.
TEST_F(ReconcilerStateTest, APendingRecreateWaitsForTheLease) {
  api.remove("etcd");
  state::RecreateOperation op{kEtcd,
                              "sub",
                              "rg",
                              "etcd",
                              R"({"location":"westeurope"})",
                              time.system_time(),
                              /*delete_confirmed=*/true,
                              1};
  ASSERT_TRUE(store->put_operation(op).ok());
  bool held = false;
  may_act = [&held](const std::string&) { return held; };
  auto& r = restart(config_with({member("etcd")}));
  r.start();
  scheduler.advance(10s);
  EXPECT_EQ(api.mutations(), 0u);
  EXPECT_EQ(store->operations().size(), 1u);
  held = true;
  scheduler.advance(11s);  // the next pass (pollInterval 10 s)
  EXPECT_EQ(api.count("put etcd"), 1u);
  EXPECT_EQ(api.count("delete"), 0u);
  EXPECT_TRUE(store->operations().empty());
}

}  // namespace
}  // namespace frankenetes::reconcile
