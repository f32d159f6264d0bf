// EtcdGuard inside the Reconciler, on a fake clock with a fake Snapshotter: periodic
// snapshots and their pacing, the snapshot taken before a rung that would wipe etcd's WAL,
// failures that keep such rungs blocked, data-loss detection from maintenance/status, and the
// automatic restore (etcd.autoRestore) with the hold on its cluster.

#include "reconcile/etcd_guard.h"

#include <gtest/gtest.h>

#include <deque>

#include "reconcile/reconcile_test_util.h"
#include "reconcile/reconciler.h"
#include "status/metrics.h"
#include "support/fake_async_transport.h"
#include "support/fake_container_group_api.h"
#include "support/fake_sleeper.h"
#include "support/fake_time_source.h"
#include "support/fake_transport.h"
#include "support/manual_scheduler.h"

namespace frankenetes::reconcile {
namespace {

using namespace std::chrono_literals;
using test_util::config_with;
using test_util::member;
using testing::FakeContainerGroupApi;

const model::MemberKey kEtcd{"prod", "etcd"};

// Records every job; answers from a script (default: success).
class FakeSnapshotter final : public Snapshotter {
 public:
  FakeSnapshotter(testing::FakeTimeSource& time, FakeContainerGroupApi& api)
      : time_(time), api_(api) {}

  core::Result<SnapshotTaken> take(const SnapshotJob& job) override {
    jobs.push_back(job);
    mutations_before.push_back(api_.mutations());
    time_.advance(2s);  // the stream and upload take a while
    if (!failures.empty()) {
      auto error = failures.front();
      failures.pop_front();
      return error;
    }
    SnapshotTaken taken;
    taken.name = "snapshots/prod/etcd/snap-" + std::to_string(jobs.size()) + ".db";
    taken.taken_at = time_.system_time();
    taken.size = 4128;
    taken.revision = 1000 + jobs.size();
    return taken;
  }
  core::Result<std::optional<SnapshotFound>> newest(const model::MemberKey&) override {
    ++lookups;
    return stored;
  }

  std::vector<SnapshotJob> jobs;
  std::vector<std::size_t> mutations_before;  // ARM mutations sent before each snapshot
  std::deque<core::Error> failures;
  std::optional<SnapshotFound> stored;
  int lookups = 0;

 private:
  testing::FakeTimeSource& time_;
  FakeContainerGroupApi& api_;
};

class FakeStatusReader final : public EtcdStatusReader {
 public:
  core::Result<etcd::DataIdentity> read(const config::MemberConfig&,
                                        const std::string& endpoint) override {
    endpoints.push_back(endpoint);
    return identity;
  }
  http::ClientRequest request(const config::MemberConfig&,
                              const std::string& endpoint) const override {
    http::ClientRequest request;
    request.method = "POST";
    request.url = endpoint + "/v3/maintenance/status";
    return request;
  }
  core::Result<etcd::DataIdentity> identity_from(
      const std::string& endpoint, const core::Result<http::Response>& response) const override {
    if (!response) return response.error();
    answered_for.push_back(endpoint);
    return identity;
  }
  core::Result<etcd::DataIdentity> identity = etcd::DataIdentity{0x8e9e05c52164694dULL, 1000};
  mutable std::vector<std::string> answered_for;  // identity_from(): the asynchronous reads
  std::vector<std::string> endpoints;
};

// Records every restore; answers from a script (default: restored).
class FakeRestorer final : public AutoRestorer {
 public:
  explicit FakeRestorer(FakeContainerGroupApi& api) : api_(api) {}
  RestoreDone restore(const RestoreJob& job) override {
    jobs.push_back(job);
    mutations_before.push_back(api_.mutations());
    if (!answers.empty()) {
      auto done = answers.front();
      answers.pop_front();
      return done;
    }
    return {RestoreDone::Kind::kRestored, true, "snapshots/prod/etcd/20261202T130000Z-rev1500.db",
            1500, "", ""};
  }
  std::vector<RestoreJob> jobs;
  std::vector<std::size_t> mutations_before;
  std::deque<RestoreDone> answers;

 private:
  FakeContainerGroupApi& api_;
};

// The original Frankenetes layout: data on the share, WAL in the container.
model::ContainerGroupView original_layout(int restarts = 0) {
  auto view = FakeContainerGroupApi::running("etcd", "10.0.0.1", restarts);
  auto& c = view.containers[0];
  c.command = {"etcd", "--data-dir=/etcd/data", "--wal-dir=/etcd-wal"};
  c.volume_mounts = {{"etcd", "/etcd"}};
  view.volumes = {{"etcd", model::VolumeKind::kAzureFile}};
  return view;
}

model::ContainerGroupView crash_looping(model::ContainerGroupView view) {
  view.containers[0].current_state =
      model::ContainerState{"Waiting", "CrashLoopBackOff", std::nullopt, std::nullopt, std::nullopt};
  return view;
}

config::MemberConfig etcd_member(bool with_probe = true) {
  auto m = member("etcd");
  m.role = config::MemberRole::kEtcd;
  return with_probe ? test_util::probed(std::move(m), "http://{ip}:2379/health") : m;
}

config::Config snapshot_config(bool with_probe = true) {
  auto c = config_with({etcd_member(with_probe)});
  c.etcd.snapshots.enabled = true;
  c.etcd.snapshots.interval = 30min;
  c.etcd.snapshots.max_age_for_disruption = 10min;
  return c;
}

struct EtcdGuardTest : ::testing::Test {
  Reconciler& make(config::Config config, bool snapshots = true) {
    reconciler = std::make_unique<Reconciler>(
        ReconcilerDeps{.scheduler = scheduler,
                       .reads = worker,
                       .probes = worker,
                       .actions = worker,
                       .api = api,
                       .executor = executor,
                       .prober = prober_override != nullptr ? prober_override : &prober,
                       .time = time,
                       .metrics = metrics,
                       .probe_metrics = metrics,
                       .defer_reads = {},
                       .unit_random = {},
                       .state = nullptr,
                       .snapshots_worker = snapshots ? &worker : nullptr,
                       .snapshotter = snapshots ? &snapshotter : nullptr,
                       .restorer = &restorer,
                       .etcd_status = &status_reader,
                       .etcd_metrics = metrics},
        std::make_shared<const config::Config>(std::move(config)));
    return *reconciler;
  }

  // Every probe answers healthy.
  void probes_succeed(int count) {
    for (int i = 0; i < count; ++i) probe_transport.push(200, R"({"health":"true"})");
  }

  bool has_metric(const std::string& series) const {
    return metrics.render().find(series) != std::string::npos;
  }

  testing::FakeTimeSource time;
  testing::ManualScheduler scheduler{time};
  InlineWorker worker;
  FakeContainerGroupApi api;
  testing::FakeSleeper sleeper{time};
  AciActionExecutor real{api, time, sleeper, {}, nullptr};
  DryRunExecutor dry_run;
  PolicyExecutor executor{real, dry_run};
  testing::FakeTransport probe_transport{&time, 10ms};
  probe::Prober prober{probe_transport, time};
  probe::Prober* prober_override = nullptr;  // set before make(): an asynchronous prober
  status::Metrics metrics{{"test", "test", "Debug"}};
  FakeSnapshotter snapshotter{time, api};
  FakeStatusReader status_reader;
  FakeRestorer restorer{api};
  std::unique_ptr<Reconciler> reconciler;
};

TEST(EtcdEndpoint, ComesFromTheProbeUrlOrPort2379) {
  auto m = etcd_member();
  EXPECT_EQ(etcd_endpoint(m, "10.0.0.4", std::nullopt), "http://10.0.0.4:2379");
  m.probe->url = "https://{fqdn}:2379/health";
  EXPECT_EQ(etcd_endpoint(m, "10.0.0.4", "etcd.example.com"), "https://etcd.example.com:2379");
  EXPECT_EQ(etcd_endpoint(m, "10.0.0.4", std::nullopt), "") << "the probe needs an FQDN";
  m.probe.reset();
  EXPECT_EQ(etcd_endpoint(m, "10.0.0.4", std::nullopt), "http://10.0.0.4:2379");
  EXPECT_EQ(etcd_endpoint(m, std::nullopt, std::nullopt), "");
}

TEST_F(EtcdGuardTest, APeriodicSnapshotEveryIntervalAfterLookingUpTheNewest) {
  api.set(FakeContainerGroupApi::running("etcd", "10.0.0.1"));
  probes_succeed(1000);
  SnapshotFound found{"snapshots/prod/etcd/old.db", time.system_time() - 20min, 100};
  snapshotter.stored = found;
  auto& r = make(snapshot_config());
  r.start();
  scheduler.advance(1min);
  EXPECT_EQ(snapshotter.lookups, 1);
  EXPECT_TRUE(snapshotter.jobs.empty()) << "the stored one is 21 minutes old: not due yet";
  EXPECT_TRUE(has_metric(R"(frankenetes_etcd_snapshot_age_seconds{cluster="prod",member="etcd"} 12)"))
      << metrics.render();  // 20 min + ~1 min, in seconds: starts with 12..
  scheduler.advance(10min);
  ASSERT_EQ(snapshotter.jobs.size(), 1u);
  EXPECT_EQ(snapshotter.jobs[0].trigger, "periodic");
  EXPECT_EQ(snapshotter.jobs[0].endpoint, "http://10.0.0.1:2379");
  EXPECT_EQ(snapshotter.jobs[0].policy.interval, 30min);
  EXPECT_TRUE(has_metric(R"(frankenetes_etcd_snapshot_size_bytes{cluster="prod",member="etcd"} 4128)"));
  scheduler.advance(28min);  // the first was taken about 10 minutes in
  EXPECT_EQ(snapshotter.jobs.size(), 1u);
  scheduler.advance(2min + 10s);
  EXPECT_EQ(snapshotter.jobs.size(), 2u);
  EXPECT_EQ(snapshotter.lookups, 1) << "looked up once, not every tick";
}

TEST_F(EtcdGuardTest, FailuresAreCountedAndRetriedWithBackOff) {
  api.set(FakeContainerGroupApi::running("etcd", "10.0.0.1"));
  probes_succeed(1000);
  for (int i = 0; i < 3; ++i) {
    snapshotter.failures.push_back(
        core::make_error(core::ErrorKind::kTransient, "connect to 127.0.0.1:10000: Connection refused"));
  }
  auto& r = make(snapshot_config());
  r.start();
  scheduler.advance(5s);
  ASSERT_EQ(snapshotter.jobs.size(), 1u);
  scheduler.advance(25s);
  EXPECT_EQ(snapshotter.jobs.size(), 1u) << "first retry after 30 s";
  scheduler.advance(15s);
  EXPECT_EQ(snapshotter.jobs.size(), 2u);
  scheduler.advance(50s);
  EXPECT_EQ(snapshotter.jobs.size(), 2u) << "second retry after 60 s";
  scheduler.advance(20s);
  EXPECT_EQ(snapshotter.jobs.size(), 3u);
  EXPECT_TRUE(has_metric(
      R"(frankenetes_etcd_snapshot_failures_total{cluster="prod",member="etcd"} 3)"))
      << metrics.render();
  EXPECT_NE(r.etcd_data().reason.find("prod/etcd: snapshots failing (3 in a row): transient: "
                                      "connect to 127.0.0.1:10000: Connection refused"),
            std::string::npos)
      << r.etcd_data().reason;
  scheduler.advance(3min);
  EXPECT_EQ(snapshotter.jobs.size(), 4u);
  EXPECT_EQ(r.etcd_data().reason, "") << "a success clears the note";
}

TEST_F(EtcdGuardTest, ASnapshotIsTakenBeforeStopStartOfTheOriginalLayout) {
  // Periodic snapshots far apart, so only the planner's request can explain a snapshot.
  auto config = snapshot_config(/*with_probe=*/false);
  config.etcd.snapshots.interval = 24h;
  snapshotter.stored = SnapshotFound{"snapshots/prod/etcd/old.db", time.system_time() - 1h, 100};
  api.set(crash_looping(original_layout(5)));
  auto& r = make(config);
  r.start();
  scheduler.advance(5s);
  ASSERT_EQ(api.count("restart etcd"), 1u) << "the restart rung needs no snapshot";
  EXPECT_TRUE(snapshotter.jobs.empty());
  scheduler.advance(2min);  // back-off over; next rung stop/start
  ASSERT_EQ(snapshotter.jobs.size(), 1u) << ::testing::PrintToString(api.calls());
  EXPECT_EQ(snapshotter.jobs[0].trigger, "before a disruptive rung");
  EXPECT_EQ(snapshotter.mutations_before[0], 1u) << "only the restart was sent before it";
  EXPECT_EQ(api.count("stop etcd"), 1u) << "stop/start after the fresh snapshot";
  EXPECT_EQ(snapshotter.jobs.size(), 1u);
}

TEST_F(EtcdGuardTest, ACrashLoopingEtcdIsSnapshottedBetweenTwoCrashes) {
  auto config = snapshot_config(/*with_probe=*/true);
  config.etcd.snapshots.interval = 24h;
  snapshotter.stored = SnapshotFound{"snapshots/prod/etcd/old.db", time.system_time() - 1h, 100};
  api.set(crash_looping(original_layout(5)));
  for (int i = 0; i < 8; ++i) {
    probe_transport.push_error(core::ErrorKind::kTransient, "connect: Connection refused");
  }
  probes_succeed(1000);  // etcd answers between two crashes
  auto& r = make(config);
  r.start();
  scheduler.advance(5s);
  ASSERT_EQ(api.count("restart etcd"), 1u);
  scheduler.advance(25s);  // rung 1 wanted while the probes still fail: nothing attempted
  EXPECT_TRUE(snapshotter.jobs.empty());
  EXPECT_EQ(api.count("stop etcd"), 0u);
  scheduler.advance(20s);  // the probes succeed now
  ASSERT_EQ(snapshotter.jobs.size(), 1u);
  EXPECT_EQ(snapshotter.jobs[0].trigger, "before a disruptive rung");
  scheduler.advance(10s);
  EXPECT_EQ(api.count("stop etcd"), 1u) << ::testing::PrintToString(api.calls());
  EXPECT_TRUE(has_metric(R"(frankenetes_etcd_snapshot_failures_total{cluster="prod",member="etcd"} 0)"));
}

TEST_F(EtcdGuardTest, AnEtcdThatNeverAnswersIsAFailureAfterMaxAgeForDisruption) {
  auto config = snapshot_config(/*with_probe=*/true);
  config.etcd.snapshots.interval = 24h;
  snapshotter.stored = SnapshotFound{"snapshots/prod/etcd/old.db", time.system_time() - 1h, 100};
  api.set(crash_looping(original_layout(5)));
  for (int i = 0; i < 1000; ++i) {
    probe_transport.push_error(core::ErrorKind::kTransient, "connect: Connection refused");
  }
  auto& r = make(config);
  r.start();
  scheduler.advance(5min);
  EXPECT_TRUE(has_metric(R"(frankenetes_etcd_data_at_risk{cluster="prod",member="etcd"} 0)"))
      << "still waiting for etcd to answer: not an alert yet";
  scheduler.advance(6min);
  EXPECT_TRUE(snapshotter.jobs.empty()) << "never attempted against an etcd that does not answer";
  EXPECT_TRUE(has_metric(R"(frankenetes_etcd_data_at_risk{cluster="prod",member="etcd"} 1)"));
  EXPECT_TRUE(has_metric(R"(frankenetes_etcd_snapshot_failures_total{cluster="prod",member="etcd"} 1)"))
      << metrics.render();
  EXPECT_NE(r.etcd_data().reason.find("etcd has not answered for 10m"), std::string::npos)
      << r.etcd_data().reason;
  EXPECT_EQ(api.count("stop etcd"), 0u);
}

TEST_F(EtcdGuardTest, WithoutStorageTheOriginalLayoutStaysAtRisk) {
  api.set(crash_looping(original_layout(5)));
  auto& r = make(snapshot_config(false), /*snapshots=*/false);
  r.start();
  scheduler.advance(5min);
  EXPECT_EQ(api.mutations(), 1u) << ::testing::PrintToString(api.calls());
  EXPECT_TRUE(snapshotter.jobs.empty());
  EXPECT_TRUE(has_metric(R"(frankenetes_etcd_data_at_risk{cluster="prod",member="etcd"} 1)"));
  EXPECT_FALSE(has_metric("frankenetes_etcd_snapshot_failures_total{"))
      << "no snapshot series without snapshots";
}

TEST_F(EtcdGuardTest, FailingSnapshotsKeepTheDisruptiveRungBlocked) {
  auto config = snapshot_config(false);
  api.set(crash_looping(original_layout(5)));
  for (int i = 0; i < 100; ++i) {
    snapshotter.failures.push_back(core::make_error(core::ErrorKind::kTransient, "azurite down"));
  }
  auto& r = make(config);
  r.start();
  scheduler.advance(30min);
  EXPECT_EQ(api.mutations(), 1u) << "the restart only: " << ::testing::PrintToString(api.calls());
  EXPECT_GE(snapshotter.jobs.size(), 5u);
  EXPECT_LE(snapshotter.jobs.size(), 12u) << "retries are paced";
  EXPECT_TRUE(has_metric(R"(frankenetes_etcd_data_at_risk{cluster="prod",member="etcd"} 1)"));
}

TEST_F(EtcdGuardTest, DataLossIsDetectedFromStatusAndKeptUntilARestore) {
  api.set(FakeContainerGroupApi::running("etcd", "10.0.0.1"));
  probes_succeed(1000);
  snapshotter.stored = SnapshotFound{"snapshots/prod/etcd/20261202T130000Z-rev1000.db",
                                     time.system_time() - 1min, 100};
  auto& r = make(snapshot_config());
  r.start();
  scheduler.advance(6s);
  ASSERT_FALSE(status_reader.endpoints.empty());
  EXPECT_EQ(status_reader.endpoints[0], "http://10.0.0.1:2379");
  EXPECT_EQ(r.history().find(kEtcd)->etcd_seen, (etcd::DataIdentity{0x8e9e05c52164694dULL, 1000}));
  EXPECT_TRUE(has_metric(R"(frankenetes_etcd_data_loss_detected{cluster="prod",member="etcd"} 0)"));

  status_reader.identity = etcd::DataIdentity{0x8e9e05c52164694dULL, 1500};
  scheduler.advance(5s);
  EXPECT_EQ(r.history().find(kEtcd)->etcd_data_loss, "");

  status_reader.identity = etcd::DataIdentity{0x8e9e05c52164694dULL, 12};
  scheduler.advance(5s);
  EXPECT_EQ(r.history().find(kEtcd)->etcd_data_loss,
            "revision went back from 1500 to 12 (cluster 8e9e05c52164694d); newest snapshot: "
            "snapshots/prod/etcd/20261202T130000Z-rev1000.db");
  EXPECT_TRUE(has_metric(R"(frankenetes_etcd_data_loss_detected{cluster="prod",member="etcd"} 1)"));
  EXPECT_NE(r.etcd_data().reason.find("prod/etcd: DATA LOSS: revision went back"), std::string::npos);
  EXPECT_TRUE(r.etcd_data().ok);

  status_reader.identity = etcd::DataIdentity{0x8e9e05c52164694dULL, 40};
  scheduler.advance(5s);
  EXPECT_TRUE(has_metric(R"(frankenetes_etcd_data_loss_detected{cluster="prod",member="etcd"} 1)"))
      << "stays raised: nobody restored anything";
  EXPECT_EQ(api.mutations(), 0u) << "nothing is restored or restarted automatically";
}

// Asynchronous probes (the daemon): the status read follows a successful probe on the same
// asynchronous client, once the probe's result is taken; a failed probe reads no status.
TEST_F(EtcdGuardTest, AnAsynchronousProbeOfEtcdIsFollowedByItsStatusRead) {
  testing::FakeAsyncTransport async;
  probe::Prober async_prober(async, time);
  prober_override = &async_prober;
  api.set(FakeContainerGroupApi::running("etcd", "10.0.0.1"));
  auto& r = make(snapshot_config());
  r.start();
  for (int i = 0; i < 200 && async.pending() == 0; ++i) scheduler.advance(100ms);
  ASSERT_EQ(async.pending(), 1u);
  EXPECT_EQ(async.requests().back().url, "http://10.0.0.1:2379/health");
  async.answer(200, R"({"health":"true"})");
  scheduler.advance(1ms);
  ASSERT_EQ(async.pending(), 1u) << "the status read";
  EXPECT_EQ(async.requests().back().method, "POST");
  EXPECT_EQ(async.requests().back().url, "http://10.0.0.1:2379/v3/maintenance/status");
  EXPECT_EQ(r.history().find(kEtcd)->etcd_seen, std::nullopt);
  async.answer(200, "{}");
  scheduler.advance(1ms);
  EXPECT_EQ(r.history().find(kEtcd)->etcd_seen, (etcd::DataIdentity{0x8e9e05c52164694dULL, 1000}));
  EXPECT_EQ(status_reader.answered_for, std::vector<std::string>{"http://10.0.0.1:2379"});

  status_reader.identity = etcd::DataIdentity{0x8e9e05c52164694dULL, 12};
  scheduler.advance(5s);
  ASSERT_EQ(async.pending(), 1u);
  async.answer(503, "no leader");
  scheduler.advance(1ms);
  EXPECT_EQ(async.pending(), 0u) << "no status read after a failed probe";
  scheduler.advance(5s);
  async.answer(200, R"({"health":"true"})");
  scheduler.advance(1ms);
  async.answer(200, "{}");
  scheduler.advance(1ms);
  EXPECT_NE(r.history().find(kEtcd)->etcd_data_loss, "") << "detected from the asynchronous read";
  r.stop();
}

TEST_F(EtcdGuardTest, AnUnreadableStatusIsUnknownNotLoss) {
  api.set(FakeContainerGroupApi::running("etcd", "10.0.0.1"));
  probes_succeed(1000);
  auto& r = make(snapshot_config());
  r.start();
  scheduler.advance(6s);
  status_reader.identity = core::make_error(core::ErrorKind::kTerminal,
                                            "maintenance/status: header.revision missing");
  scheduler.advance(20s);
  EXPECT_EQ(r.history().find(kEtcd)->etcd_seen, (etcd::DataIdentity{0x8e9e05c52164694dULL, 1000}));
  EXPECT_EQ(r.history().find(kEtcd)->etcd_data_loss, "");
}

TEST_F(EtcdGuardTest, AMemberThatLeavesTakesItsSeriesWithIt) {
  api.set(FakeContainerGroupApi::running("etcd", "10.0.0.1"));
  api.set(FakeContainerGroupApi::running("apiserver", "10.0.0.2"));
  probes_succeed(1000);
  auto& r = make(snapshot_config());
  r.start();
  scheduler.advance(10s);
  ASSERT_TRUE(has_metric("frankenetes_etcd_snapshot_failures_total{"));
  r.update_config(std::make_shared<const config::Config>(config_with({member("apiserver")})));
  scheduler.advance(10s);
  EXPECT_FALSE(has_metric("frankenetes_etcd_snapshot_failures_total{")) << metrics.render();
  EXPECT_FALSE(has_metric("frankenetes_etcd_snapshot_age_seconds{"));
}

// --- etcd.autoRestore ---

config::Config auto_restore_config() {
  auto c = snapshot_config();
  c.clusters[0].members.push_back(member("apiserver"));
  c.etcd.auto_restore = true;
  return c;
}

const model::MemberKey kApiserver{"prod", "apiserver"};

struct AutoRestoreTest : EtcdGuardTest {
  // etcd answers at revision 1500, then at 12: a data loss.
  Reconciler& lose_data(config::Config config = auto_restore_config()) {
    api.set(FakeContainerGroupApi::running("etcd", "10.0.0.1"));
    api.set(FakeContainerGroupApi::running("apiserver", "10.0.0.2"));
    probes_succeed(10000);
    status_reader.identity = etcd::DataIdentity{0x8e9e05c52164694dULL, 1500};
    auto& r = make(std::move(config));
    r.start();
    scheduler.advance(6s);
    snapshots_before_loss = snapshotter.jobs.size();
    status_reader.identity = etcd::DataIdentity{0x8e9e05c52164694dULL, 12};
    scheduler.advance(5s);
    return r;
  }
  std::size_t snapshots_before_loss = 0;
};

TEST_F(AutoRestoreTest, RestoresTheLostDataThenReadsANewBaseline) {
  auto& r = lose_data();
  // What etcd answers once restored (a restore makes a new cluster id): while the restore is
  // due or running, readings are no baseline.
  status_reader.identity = etcd::DataIdentity{0x1111111111111111ULL, 1500};
  scheduler.advance(10s);  // the next pass makes it due and starts it
  ASSERT_EQ(restorer.jobs.size(), 1u);
  const auto& job = restorer.jobs[0];
  EXPECT_EQ(job.member, kEtcd);
  EXPECT_EQ(job.subscription_id, "sub");
  EXPECT_EQ(job.lost, (etcd::DataIdentity{0x8e9e05c52164694dULL, 1500}))
      << "the reading before the loss: what the restore brings back";
  scheduler.advance(10s);  // the result is written into history by the next pass
  EXPECT_EQ(r.history().find(kEtcd)->etcd_data_loss, "");
  EXPECT_FALSE(r.history().find(kEtcd)->etcd_lost);
  EXPECT_TRUE(has_metric(R"(frankenetes_etcd_data_loss_detected{cluster="prod",member="etcd"} 0)"));
  // After the restore etcd answers at the snapshot's revision: a new baseline, not a loss.
  scheduler.advance(10s);
  EXPECT_EQ(r.history().find(kEtcd)->etcd_seen, (etcd::DataIdentity{0x1111111111111111ULL, 1500}));
  EXPECT_EQ(r.history().find(kEtcd)->etcd_data_loss, "");
  EXPECT_EQ(restorer.jobs.size(), 1u);
  EXPECT_EQ(r.etcd_data().reason, "");
}

TEST_F(AutoRestoreTest, AFailureAfterAChangeHoldsTheClusterAndIsNotRetried) {
  auto& r = lose_data();
  // The apiserver crash-loops from now on; its cluster is held while etcd is being restored,
  // and the restore waits: the fake answers "failed after changing something" so the hold
  // stays.
  restorer.answers.push_back({RestoreDone::Kind::kFailed, true, "snap", 1500,
                              "start: ARM answered 409 Conflict",
                              "the data directory is restored; the group is stopped"});
  api.set(crash_looping(FakeContainerGroupApi::running("apiserver", "10.0.0.2", 5)));
  scheduler.advance(10s);
  ASSERT_EQ(restorer.jobs.size(), 1u);
  EXPECT_EQ(restorer.mutations_before[0], 0u) << "nothing sent to ARM before the restore";
  scheduler.advance(10min);
  EXPECT_EQ(api.mutations(), 0u) << "a half-restored cluster is not healed by the ladder";
  EXPECT_EQ(restorer.jobs.size(), 1u) << "and not restored again automatically";
  const auto& mh = *r.history().find(kEtcd);
  EXPECT_EQ(mh.etcd_restore_failed,
            "start: ARM answered 409 Conflict; the data directory is restored; the group is stopped");
  EXPECT_NE(r.etcd_data().reason.find("the cluster is held: restore by hand"), std::string::npos)
      << r.etcd_data().reason;

}

TEST_F(AutoRestoreTest, AHoldFromTheStateFileSurvivesARestart) {
  api.set(FakeContainerGroupApi::running("etcd", "10.0.0.1"));
  api.set(crash_looping(FakeContainerGroupApi::running("apiserver", "10.0.0.2", 5)));
  probes_succeed(10000);
  state::LoadedState saved;
  saved.status = state::LoadStatus::kLoaded;
  auto& mh = saved.state.history.members[kEtcd];
  mh.etcd_seen = etcd::DataIdentity{0x8e9e05c52164694dULL, 12};
  mh.etcd_data_loss = "revision went back from 1500 to 12";
  mh.etcd_lost = etcd::DataIdentity{0x8e9e05c52164694dULL, 1500};
  mh.etcd_restore_failed = "start: ARM answered 409 Conflict; the group is stopped";
  auto& r = make(auto_restore_config());
  r.restore(saved);
  r.start();
  scheduler.advance(10min);
  EXPECT_EQ(api.mutations(), 0u) << "the apiserver crash-loops, but its cluster is held";
  EXPECT_TRUE(restorer.jobs.empty()) << "a half-done restore is not started again by itself";
  EXPECT_TRUE(has_metric(R"(frankenetes_etcd_data_loss_detected{cluster="prod",member="etcd"} 1)"));
}

TEST_F(AutoRestoreTest, FailuresThatChangedNothingAreRetriedTwiceThenGivenUp) {
  auto& r = lose_data();
  for (int i = 0; i < 3; ++i) {
    restorer.answers.push_back({RestoreDone::Kind::kFailed, false, "", 0,
                                "listing snapshots/prod/etcd/: HTTP 503 ServerBusy",
                                "nothing was changed"});
  }
  scheduler.advance(10s);
  EXPECT_EQ(restorer.jobs.size(), 1u);
  scheduler.advance(50s);
  EXPECT_EQ(restorer.jobs.size(), 1u) << "the first retry comes after a minute";
  scheduler.advance(20s);
  EXPECT_EQ(restorer.jobs.size(), 2u);
  scheduler.advance(4min + 20s);
  EXPECT_EQ(restorer.jobs.size(), 3u);
  scheduler.advance(1h);
  EXPECT_EQ(restorer.jobs.size(), 3u) << "three attempts, then a person";
  EXPECT_NE(r.etcd_data().reason.find("automatic restore gave up (listing"), std::string::npos)
      << r.etcd_data().reason;
  EXPECT_TRUE(has_metric(R"(frankenetes_etcd_data_loss_detected{cluster="prod",member="etcd"} 1)"));
  EXPECT_EQ(snapshotter.jobs.size(), snapshots_before_loss)
      << "no snapshot of the emptier store while the loss is recorded (retention would rotate "
         "the lost data's snapshots out)";
}

TEST_F(AutoRestoreTest, WithoutAutoRestoreSnapshotsPauseAfterADataLoss) {
  auto config = auto_restore_config();
  config.etcd.auto_restore = false;
  auto& r = lose_data(std::move(config));
  ASSERT_EQ(snapshots_before_loss, 1u) << "the first periodic snapshot";
  scheduler.advance(2h);
  EXPECT_NE(r.history().find(kEtcd)->etcd_data_loss, "");
  EXPECT_EQ(snapshotter.jobs.size(), snapshots_before_loss);
  EXPECT_TRUE(restorer.jobs.empty()) << "autoRestore is off";
}

}  // namespace
}  // namespace frankenetes::reconcile
