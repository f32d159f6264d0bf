// The "never make it worse" rules of plan(), one table or test per rule, on a fake clock:
// proof before a recreate, readings older than the last action, unknown restart counts, etcd's
// data layout and quorum, TLS probe failures, the start-up grace.

#include <gtest/gtest.h>

#include "plan/ladder.h"
#include "plan/plan.h"
#include "plan/plan_test_util.h"
#include "support/edit_view.h"

namespace frankenetes::plan {
namespace {

using namespace test_util;

const model::MemberKey kEtcd{"prod", "etcd"};
const model::MemberKey kEtcd2{"prod", "etcd-2"};
const model::MemberKey kApiserver{"prod", "apiserver"};
const model::MemberKey kScheduler{"prod", "scheduler"};

config::MemberConfig etcd_member(std::string name = "etcd") {
  auto m = with_spec(member(std::move(name)));
  m.role = config::MemberRole::kEtcd;
  return m;
}

// A GET of an etcd group: command and volumes as given.
model::MemberObservation etcd_group(const model::MemberKey& key, MonotonicTime t,
                                    std::vector<std::string> command,
                                    std::vector<model::Volume> volumes,
                                    std::vector<model::VolumeMount> mounts, int restarts = 0) {
  auto obs = healthy(key, t, restarts);
  auto view = *obs.group->view;
  auto& c = view.containers[0];
  c.command = std::move(command);
  c.volume_mounts = std::move(mounts);
  view.volumes = std::move(volumes);
  obs.group->view = std::make_shared<const model::ContainerGroupView>(std::move(view));
  return obs;
}

// The original Frankenetes layout: data on the share, WAL in the container.
model::MemberObservation original_layout(const model::MemberKey& key, MonotonicTime t,
                                         int restarts = 0) {
  return etcd_group(key, t, {"/usr/local/bin/etcd", "--data-dir=/etcd/data", "--wal-dir=/etcd-wal"},
                    {{"etcd", model::VolumeKind::kAzureFile}}, {{"etcd", "/etcd"}}, restarts);
}

model::MemberObservation persistent_layout(const model::MemberKey& key, MonotonicTime t,
                                           int restarts = 0) {
  return etcd_group(key, t, {"etcd", "--data-dir", "/etcd/data", "--wal-dir", "/etcd/wal"},
                    {{"etcd", model::VolumeKind::kAzureFile}}, {{"etcd", "/etcd"}}, restarts);
}

model::MemberObservation crash_looping(model::MemberObservation obs) {
  testing::edit_view(*obs.group).containers[0].current_state =
      model::ContainerState{"Waiting", "CrashLoopBackOff: Back-off restarting failed",
                            std::nullopt, std::nullopt, std::nullopt};
  return obs;
}

const Skip* skip_of(const PlanResult& r, const model::MemberKey& key) { return r.find_skip(key); }

// --- proof before destruction ----------------------------------------------------------------

TEST(Proof, AnUnprovenNotFoundIsUnknownAndNothingIsDone) {
  Harness h(make_config({cluster("prod", {with_spec(member("etcd"))})}));
  auto obs = not_found(kEtcd, h.now());
  obs.group->gone_confirmed = false;
  obs.group->gone_evidence = "waiting for a LIST sent after the first 404 without the group";
  h.observe(obs);
  const auto r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  ASSERT_NE(skip_of(r, kEtcd), nullptr);
  EXPECT_EQ(skip_of(r, kEtcd)->reason, SkipReason::kStateUnknown);
  EXPECT_NE(skip_of(r, kEtcd)->detail.find("gone_unproven"), std::string::npos);
  EXPECT_EQ(r.find_member(kEtcd)->assessment.unknown, UnknownReason::kGoneUnproven);
}

TEST(Proof, AProvenGoneGroupWithASpecIsRecreatedEvenAfterTheLadderGaveUp) {
  Harness h(make_config({cluster("prod", {with_spec(member("etcd"))})}));
  // The ladder is spent (three actions, gave up on a crash loop).
  auto& mh = h.history().members[kEtcd];
  mh.actions_taken = 3;
  mh.gave_up = true;
  mh.give_up_detail = "still crash_loop_backoff after restart, stop_start, recreate";
  h.observe(not_found(kEtcd, h.now()));
  const auto r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].kind, ActionKind::kRecreate);
  EXPECT_EQ(r.actions[0].rung, 3);
}

TEST(Proof, AProvenGoneGroupWithoutASpecIsGivenUpOnLoudly) {
  Harness h(make_config({cluster("prod", {member("etcd")})}));
  h.observe(not_found(kEtcd, h.now()));
  const auto r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(skip_of(r, kEtcd)->reason, SkipReason::kNoSpec);
  EXPECT_TRUE(r.find_member(kEtcd)->needs_person);
}

TEST(Proof, AReadingSentBeforeTheLastActionFinishedDrivesNothing) {
  Harness h(make_config({control_plane()}));
  h.executor = nullptr;  // finish by hand
  h.observe(crash_loop_backoff(kEtcd, h.now()));
  ASSERT_EQ(h.tick().actions.size(), 1u);  // restart
  h.advance(5s);
  h.finish(kEtcd);
  h.advance(60s);  // back-off over
  // An answer that arrived after the restart but was sent before it finished.
  auto late = crash_loop_backoff(kEtcd, h.now());
  late.group->sent_at = h.now() - 61s;
  h.observe(late);
  auto r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(r.find_member(kEtcd)->assessment.unknown, UnknownReason::kPredatesAction);
  // A reading sent afterwards may.
  h.observe(crash_loop_backoff(kEtcd, h.now()));
  r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].kind, ActionKind::kStopStart);
}

// --- absent is not zero ----------------------------------------------------------------------

model::MemberObservation with_restarts(const model::MemberKey& key, MonotonicTime t,
                                       std::optional<int> restarts) {
  auto obs = healthy(key, t);
  testing::edit_view(*obs.group).containers[0].restart_count = restarts;
  return obs;
}

struct RestartCase {
  std::string name;
  std::vector<std::optional<int>> counts;  // one GET every 10 s
  bool crash_loop;
};

class RestartCounts : public ::testing::TestWithParam<RestartCase> {};

TEST_P(RestartCounts, OnlyKnownRisesAreEvidence) {
  Harness h(make_config({cluster("prod", {with_spec(member("etcd"))})}));
  PlanResult r;
  for (const auto& count : GetParam().counts) {
    h.observe(with_restarts(kEtcd, h.now(), count));
    r = h.tick();
    h.advance(10s);
  }
  EXPECT_EQ(!h.action_log().empty(), GetParam().crash_loop);
}

INSTANTIATE_TEST_SUITE_P(
    Plan, RestartCounts,
    ::testing::Values(RestartCase{"steady", {57, 57, 57}, false},
                      RestartCase{"absent_between_equal_counts", {57, std::nullopt, 57}, false},
                      RestartCase{"absent_then_zero_is_not_a_reset", {57, std::nullopt, 0, 3}, false},
                      RestartCase{"always_absent", {std::nullopt, std::nullopt, std::nullopt}, false},
                      RestartCase{"rise_of_three", {0, 1, 3}, true},
                      RestartCase{"rise_across_an_absent_reading", {10, std::nullopt, 13}, true},
                      RestartCase{"decrease_without_redeploy_is_ignored", {57, 2, 5}, false}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(RestartCountsDeploy, ADecreaseWithANewDeploymentStartsAFreshBaseline) {
  Harness h(make_config({cluster("prod", {with_spec(member("etcd"))})}));
  const auto deployed = [](int minute) { return core::SystemTime{std::chrono::minutes(minute)}; };
  auto obs = with_restarts(kEtcd, h.now(), 57);
  testing::edit_view(*obs.group).containers[0].deployed_at = deployed(1);
  h.observe(obs);
  h.tick();
  for (const int count : {0, 1, 3}) {
    h.advance(10s);
    obs = with_restarts(kEtcd, h.now(), count);
    testing::edit_view(*obs.group).containers[0].deployed_at = deployed(30);
    h.observe(obs);
    h.tick();
  }
  ASSERT_EQ(h.action_log().size(), 1u) << "0 -> 3 in the new deployment is a crash loop";
  EXPECT_EQ(h.action_log()[0].kind, ActionKind::kRestart);
}

// --- etcd's data ------------------------------------------------------------------------------

// The ladder for an etcd member in CrashLoopBackOff with the given layout, run until it stops.
std::vector<LoggedAction> etcd_ladder(const std::function<model::MemberObservation(MonotonicTime)>& layout,
                                      PlanResult* last = nullptr) {
  Harness h(make_config({cluster("prod", {etcd_member()})}));
  PlanResult r;
  for (int i = 0; i < 40; ++i) {
    h.observe(crash_looping(layout(h.now())));
    r = h.tick();
    h.advance(30s);
  }
  if (last != nullptr) *last = r;
  return h.action_log();
}

TEST(EtcdData, TheOriginalLayoutStopsAtRestart) {
  PlanResult last;
  const auto log = etcd_ladder([](MonotonicTime t) { return original_layout(kEtcd, t); }, &last);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].kind, ActionKind::kRestart);
  ASSERT_NE(last.find_skip(kEtcd), nullptr);
  EXPECT_EQ(last.find_skip(kEtcd)->reason, SkipReason::kEtcdDataAtRisk);
  EXPECT_NE(last.find_skip(kEtcd)->detail.find("wal-dir /etcd-wal in the container filesystem"),
            std::string::npos)
      << last.find_skip(kEtcd)->detail;
  EXPECT_TRUE(last.find_member(kEtcd)->etcd_data_at_risk);
  EXPECT_TRUE(last.find_member(kEtcd)->needs_person);
}

TEST(EtcdData, BothDirectoriesOnTheShareClimbTheWholeLadder) {
  const auto log = etcd_ladder([](MonotonicTime t) { return persistent_layout(kEtcd, t); });
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[1].kind, ActionKind::kStopStart);
  EXPECT_EQ(log[2].kind, ActionKind::kRecreate);
}

TEST(EtcdData, AnUnreadableLayoutIsARiskToo) {
  const auto log = etcd_ladder([](MonotonicTime t) {
    auto obs = healthy(kEtcd, t);
    testing::edit_view(*obs.group).containers[0].image = "";  // neither command nor image: cannot tell
    return obs;
  });
  ASSERT_EQ(log.size(), 1u);
}

TEST(EtcdData, ASpecWithTheOriginalLayoutBlocksRecreateOfARunningGroup) {
  Harness h(make_config({cluster("prod", {etcd_member()})}));
  auto spec_view = std::make_shared<model::ContainerGroupView>(
      *original_layout(kEtcd, h.now()).group->view);
  h.config().clusters[0].members[0].spec->view = spec_view;
  auto& mh = h.history().members[kEtcd];
  mh.actions_taken = 2;  // next rung: recreate
  h.observe(crash_looping(persistent_layout(kEtcd, h.now())));
  const auto r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(r.find_skip(kEtcd)->reason, SkipReason::kEtcdDataAtRisk);
}

TEST(EtcdData, AGoneEtcdGroupIsRecreatedWhateverItsLayout) {
  Harness h(make_config({cluster("prod", {etcd_member()})}));
  h.observe(not_found(kEtcd, h.now()));
  const auto r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].kind, ActionKind::kRecreate);
}

TEST(EtcdData, OtherRolesAreNotGuarded) {
  Harness h(make_config({cluster("prod", {with_spec(member("etcd"))})}));  // role other
  h.history().members[kEtcd].actions_taken = 1;
  h.observe(crash_looping(original_layout(kEtcd, h.now())));
  const auto r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].kind, ActionKind::kStopStart);
}

// --- etcd snapshots before a disruptive rung (etcd.snapshots) ---------------------------------

// An etcd member in CrashLoopBackOff whose restart rung is spent (next: stop/start), with
// snapshots enabled and `snapshots` as the daemon knows them.
struct SnapshotCase {
  PlanResult result;
  std::vector<LoggedAction> actions;
};

SnapshotCase next_rung_with(const std::function<model::MemberObservation(MonotonicTime)>& layout,
                            const std::function<model::SnapshotObservation(MonotonicTime)>& snapshots) {
  Harness h(make_config({cluster("prod", {etcd_member()})}));
  h.history().members[kEtcd].actions_taken = 1;
  auto obs = crash_looping(layout(h.now()));
  obs.snapshots = snapshots(h.now());
  h.observe(obs);
  SnapshotCase out;
  out.result = h.tick();
  out.actions = h.action_log();
  return out;
}

model::MemberObservation original(MonotonicTime t) { return original_layout(kEtcd, t); }
model::MemberObservation persistent(MonotonicTime t) { return persistent_layout(kEtcd, t); }

model::SnapshotObservation verified(MonotonicTime now, std::chrono::seconds age) {
  model::SnapshotObservation s;
  s.verified_at = now - age;
  s.verified_name = "snapshots/prod/etcd/20261202T130000Z-rev1001.db";
  return s;
}

model::SnapshotObservation failed(MonotonicTime now, std::chrono::seconds ago) {
  model::SnapshotObservation s;
  s.failed_at = now - ago;
  s.error = "PUT blob: connect to 127.0.0.1:10000: Connection refused";
  return s;
}

TEST(EtcdSnapshots, AFreshVerifiedSnapshotAllowsStopStartOfTheOriginalLayout) {
  const auto c = next_rung_with(original, [](MonotonicTime t) { return verified(t, 5min); });
  ASSERT_EQ(c.actions.size(), 1u);
  EXPECT_EQ(c.actions[0].kind, ActionKind::kStopStart);
  EXPECT_TRUE(c.result.snapshot_requests.empty());
  EXPECT_FALSE(c.result.find_member(kEtcd)->etcd_data_at_risk);
}

TEST(EtcdSnapshots, WithoutASnapshotOneIsTakenFirst) {
  const auto c = next_rung_with(original, [](MonotonicTime) { return model::SnapshotObservation{}; });
  EXPECT_TRUE(c.actions.empty());
  ASSERT_NE(c.result.find_skip(kEtcd), nullptr);
  EXPECT_EQ(c.result.find_skip(kEtcd)->reason, SkipReason::kEtcdSnapshotPending);
  EXPECT_NE(c.result.find_skip(kEtcd)->detail.find("taking a snapshot before rung 1 stop_start"),
            std::string::npos)
      << c.result.find_skip(kEtcd)->detail;
  EXPECT_EQ(c.result.snapshot_requests, std::vector<model::MemberKey>{kEtcd});
  EXPECT_FALSE(c.result.find_member(kEtcd)->needs_person) << "not an alert: it is being handled";
}

TEST(EtcdSnapshots, ASnapshotOlderThanMaxAgeForDisruptionDoesNotCount) {
  // Default maxAgeForDisruption: 10 minutes.
  const auto old = next_rung_with(original, [](MonotonicTime t) { return verified(t, 601s); });
  EXPECT_TRUE(old.actions.empty());
  EXPECT_EQ(old.result.find_skip(kEtcd)->reason, SkipReason::kEtcdSnapshotPending);
  EXPECT_NE(old.result.find_skip(kEtcd)->detail.find("20261202T130000Z-rev1001.db, is 10m1s old"),
            std::string::npos)
      << old.result.find_skip(kEtcd)->detail;
  const auto edge = next_rung_with(original, [](MonotonicTime t) { return verified(t, 600s); });
  ASSERT_EQ(edge.actions.size(), 1u);
}

TEST(EtcdSnapshots, ASnapshotBeingTakenIsWaitedFor) {
  const auto c = next_rung_with(original, [](MonotonicTime t) {
    auto s = failed(t, 30s);
    s.in_progress = true;  // a retry is running: wait for it, do not alert yet
    return s;
  });
  EXPECT_TRUE(c.actions.empty());
  EXPECT_EQ(c.result.find_skip(kEtcd)->reason, SkipReason::kEtcdSnapshotPending);
  EXPECT_NE(c.result.find_skip(kEtcd)->detail.find("a snapshot is being taken"), std::string::npos);
}

TEST(EtcdSnapshots, AFailedSnapshotLeavesTheOriginalLayoutAtRiskAndAsksAgain) {
  const auto c = next_rung_with(original, [](MonotonicTime t) { return failed(t, 1min); });
  EXPECT_TRUE(c.actions.empty());
  const Skip* s = c.result.find_skip(kEtcd);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->reason, SkipReason::kEtcdDataAtRisk);
  EXPECT_NE(s->detail.find("the latest attempt failed 1m ago: PUT blob: connect to"), std::string::npos)
      << s->detail;
  EXPECT_TRUE(c.result.find_member(kEtcd)->etcd_data_at_risk);
  EXPECT_EQ(c.result.snapshot_requests, std::vector<model::MemberKey>{kEtcd});
}

TEST(EtcdSnapshots, AnOldFailureIsNotTheLatestWord) {
  // The failure is older than maxAgeForDisruption: try again before deciding.
  const auto c = next_rung_with(original, [](MonotonicTime t) { return failed(t, 11min); });
  EXPECT_EQ(c.result.find_skip(kEtcd)->reason, SkipReason::kEtcdSnapshotPending);
}

TEST(EtcdSnapshots, APersistentLayoutTakesASnapshotFirstButDoesNotDependOnIt) {
  const auto first = next_rung_with(persistent, [](MonotonicTime) { return model::SnapshotObservation{}; });
  EXPECT_TRUE(first.actions.empty());
  EXPECT_EQ(first.result.find_skip(kEtcd)->reason, SkipReason::kEtcdSnapshotPending);
  const auto after_failure = next_rung_with(persistent, [](MonotonicTime t) { return failed(t, 1min); });
  ASSERT_EQ(after_failure.actions.size(), 1u) << "the data is on the share: go ahead";
  EXPECT_EQ(after_failure.actions[0].kind, ActionKind::kStopStart);
  EXPECT_TRUE(after_failure.result.snapshot_requests.empty());
}

TEST(EtcdSnapshots, TheRestartRungNeedsNoSnapshot) {
  Harness h(make_config({cluster("prod", {etcd_member()})}));
  auto obs = crash_looping(original_layout(kEtcd, h.now()));
  obs.snapshots = model::SnapshotObservation{};
  h.observe(obs);
  const auto r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].kind, ActionKind::kRestart);
  EXPECT_TRUE(r.snapshot_requests.empty());
}

TEST(EtcdQuorum, NoEtcdMemberIsDisruptedWhileAnotherIsNotHealthy) {
  Harness h(make_config({cluster("prod", {etcd_member("etcd"), etcd_member("etcd-2")})}));
  h.observe(crash_looping(persistent_layout(kEtcd, h.now())));
  h.observe(read_error(kEtcd2, h.now()));
  auto r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(r.find_skip(kEtcd)->reason, SkipReason::kEtcdQuorum);
  EXPECT_NE(r.find_skip(kEtcd)->detail.find("etcd-2 is unknown"), std::string::npos);
  h.observe(persistent_layout(kEtcd2, h.now()));
  r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].member, kEtcd);
}

// --- TLS probe failures ----------------------------------------------------------------------

TEST(ProbeTls, ACertificateFailureIsAlertedNeverRemediated) {
  Harness h(make_config({cluster("prod", {with_spec(with_probe(member("etcd")))})}));
  for (int i = 0; i < 10; ++i) {
    auto obs = with_probe_result(healthy(kEtcd, h.now()), 3 + i, h.now());
    obs.probe.last_outcome = model::ProbeOutcome::kTls;
    obs.probe.consecutive_tls_failures = 3 + i;
    obs.probe.last_error = "certificate verify failed";
    h.observe(obs);
    const auto r = h.tick();
    ASSERT_NE(r.find_skip(kEtcd), nullptr);
    EXPECT_EQ(r.find_skip(kEtcd)->reason, SkipReason::kProbeTls);
    EXPECT_TRUE(r.find_member(kEtcd)->needs_person);
    h.advance(30s);
  }
  EXPECT_TRUE(h.action_log().empty());
}

TEST(ProbeTls, TlsFailuresDoNotCountTowardsTheThresholdWhenAnotherFailureEndsTheStreak) {
  Harness h(make_config({cluster("prod", {with_spec(with_probe(member("etcd")))})}));
  // TLS, TLS, then a timeout: three failures, but only one that a restart could fix.
  auto obs = with_probe_result(healthy(kEtcd, h.now()), 3, h.now());
  obs.probe.consecutive_tls_failures = 2;
  obs.probe.last_outcome = model::ProbeOutcome::kTimeout;
  h.observe(obs);
  auto r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(r.find_skip(kEtcd)->reason, SkipReason::kProbeTls);
  // Three non-TLS failures after the TLS ones: the member's own failure.
  obs = with_probe_result(healthy(kEtcd, h.now()), 5, h.now());
  obs.probe.consecutive_tls_failures = 2;
  obs.probe.last_outcome = model::ProbeOutcome::kTimeout;
  h.observe(obs);
  r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].reason, UnhealthyReason::kProbeFailing);
}

TEST(EtcdQuorum, APeerWhoseLatestProbeFailedCountsAsNotHealthy) {
  auto etcd = etcd_member("etcd");
  auto etcd2 = with_probe(etcd_member("etcd-2"));
  Harness h(make_config({cluster("prod", {etcd, etcd2})}));
  h.observe(crash_looping(persistent_layout(kEtcd, h.now())));
  h.observe(with_probe_result(persistent_layout(kEtcd2, h.now()), 1, h.now()));
  const auto r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(r.find_skip(kEtcd)->reason, SkipReason::kEtcdQuorum);
}

// --- start-up grace --------------------------------------------------------------------------

TEST(StartupGrace, NoActionsUntilItEnds) {
  Harness h(make_config({control_plane()}));
  h.history().no_actions_before = h.now() + 20s;
  h.history().no_actions_reason = "no remembered history (state.json does not exist)";
  h.observe(crash_loop_backoff(kEtcd, h.now()));
  auto r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(r.find_skip(kEtcd)->reason, SkipReason::kStartupGrace);
  h.advance(20s);
  h.observe(crash_loop_backoff(kEtcd, h.now()));
  r = h.tick();
  EXPECT_EQ(r.actions.size(), 1u);
}

// --- an etcd restore holds the cluster ----------------------------------------------------------

TEST(EtcdRestore, NoMemberOfTheClusterIsActedOnWhileEtcdIsRestored) {
  Harness h(make_config({control_plane(), cluster("other", {member("etcd")})}));
  const model::MemberKey other{"other", "etcd"};
  auto etcd = healthy(kEtcd, h.now());
  etcd.etcd_restore = "automatic restore running";
  h.observe(etcd);
  h.observe(crash_loop_backoff(kApiserver, h.now()));
  h.observe(crash_loop_backoff(other, h.now()));
  auto r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u) << "another cluster is not held";
  EXPECT_EQ(r.actions[0].member, other);
  ASSERT_NE(r.find_skip(kApiserver), nullptr);
  EXPECT_EQ(r.find_skip(kApiserver)->reason, SkipReason::kEtcdRestore);
  EXPECT_NE(r.find_skip(kApiserver)->detail.find("etcd: automatic restore running"), std::string::npos);
  etcd.etcd_restore.clear();
  h.observe(etcd);
  h.observe(crash_loop_backoff(kApiserver, h.now()));
  r = h.tick();
  ASSERT_NE(r.find_action(kApiserver), nullptr) << "the hold ends with the restore";
}

// --- paused by an operator --------------------------------------------------------------------

model::MemberObservation paused(model::MemberObservation obs) {
  obs.paused = true;
  return obs;
}

TEST(Paused, ACrashLoopingPausedMemberGetsNoActionAndSaysWhy) {
  Harness h(make_config({control_plane()}));
  h.observe(paused(crash_loop_backoff(kEtcd, h.now())));
  const auto r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  ASSERT_NE(r.find_skip(kEtcd), nullptr);
  EXPECT_EQ(r.find_skip(kEtcd)->reason, SkipReason::kPaused);
  EXPECT_EQ(to_string(SkipReason::kPaused), "paused");
  EXPECT_NE(r.find_skip(kEtcd)->detail.find("crash_loop_backoff"), std::string::npos);
  EXPECT_TRUE(r.find_member(kEtcd)->paused);
  EXPECT_TRUE(r.give_ups.empty()) << "a paused member is not given up on";
  EXPECT_TRUE(h.history().action_starts.empty());
}

TEST(Paused, NotEvenARecreateOfAGroupProvenGone) {
  Harness h(make_config({cluster("prod", {with_spec(member("etcd"))})}));
  h.observe(paused(not_found(kEtcd, h.now())));
  const auto r = h.tick();
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(r.find_skip(kEtcd)->reason, SkipReason::kPaused);
}

TEST(Paused, UnknownStateSaysPausedFirst) {
  Harness h(make_config({cluster("prod", {member("etcd")})}));
  h.observe(paused(read_error(kEtcd, h.now())));
  EXPECT_EQ(h.tick().find_skip(kEtcd)->reason, SkipReason::kPaused);
}

TEST(Paused, AHealthyPausedMemberNeedsNoSkipButShowsThePause) {
  Harness h(make_config({cluster("prod", {member("etcd")})}));
  h.observe(paused(healthy(kEtcd, h.now())));
  const auto r = h.tick();
  EXPECT_TRUE(r.skips.empty());
  EXPECT_TRUE(r.find_member(kEtcd)->paused);
}

TEST(Paused, OtherMembersOfTheClusterAreStillHealed) {
  Harness h(make_config({cluster("prod", {member("etcd"), member("scheduler")})}));
  h.observe(paused(crash_loop_backoff(kEtcd, h.now())));
  h.observe(crash_loop_backoff(kScheduler, h.now()));
  const auto r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].member, kScheduler);
  EXPECT_EQ(r.find_skip(kEtcd)->reason, SkipReason::kPaused);
}

TEST(Paused, ResumingActsOnTheNextPlan) {
  Harness h(make_config({cluster("prod", {member("etcd")})}));
  h.observe(paused(crash_loop_backoff(kEtcd, h.now())));
  EXPECT_TRUE(h.tick().actions.empty());
  h.advance(1s);
  h.observe(crash_loop_backoff(kEtcd, h.now()));
  const auto r = h.tick();
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].kind, ActionKind::kRestart);
  EXPECT_FALSE(r.find_member(kEtcd)->paused);
}

// --- the ladder's own table -------------------------------------------------------------------

TEST(Ladder, WhichRungsReplaceTheDeployment) {
  EXPECT_FALSE(replaces_deployment(ActionKind::kRestart, UnhealthyReason::kCrashLoop));
  EXPECT_FALSE(replaces_deployment(ActionKind::kStart, UnhealthyReason::kGroupStopped));
  EXPECT_TRUE(replaces_deployment(ActionKind::kStopStart, UnhealthyReason::kCrashLoop));
  EXPECT_TRUE(replaces_deployment(ActionKind::kRecreate, UnhealthyReason::kProbeFailing));
  EXPECT_FALSE(replaces_deployment(ActionKind::kRecreate, UnhealthyReason::kMissing));
  EXPECT_EQ(ladder_action(7, UnhealthyReason::kMissing), ActionKind::kRecreate);
  EXPECT_EQ(ladder_action(3, UnhealthyReason::kCrashLoop), std::nullopt);
}

}  // namespace
}  // namespace frankenetes::plan
