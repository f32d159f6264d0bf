#pragma once
// The Reconciler on fakes, for the tests of its loop (reconciler_test.cc) and of the operators'
// commands and /status (reconciler_commands_test.cc): a FakeContainerGroupApi, inline workers, a
// ManualScheduler on fake time, probes that always fail, real Metrics; ReconcilerStateTest adds
// a state directory and a restart.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "reconcile/reconcile_test_util.h"
#include "reconcile/reconciler.h"
#include "status/metrics.h"
#include "support/fake_container_group_api.h"
#include "support/fake_sleeper.h"
#include "support/fake_time_source.h"
#include "support/fake_transport.h"
#include "support/manual_scheduler.h"

namespace frankenetes::reconcile::test_util {

using namespace std::chrono_literals;
using frankenetes::testing::FakeContainerGroupApi;

inline const model::MemberKey kEtcd{"prod", "etcd"};

inline model::ContainerGroupView stopped(const std::string& name) {
  auto view = FakeContainerGroupApi::running(name, "10.0.0.1");
  view.state = "Stopped";
  view.containers[0].current_state = model::ContainerState{"Terminated", "Completed", 0, {}, {}};
  return view;
}

struct ReconcilerTest : ::testing::Test {
  void SetUp() override {
    api.set(FakeContainerGroupApi::running("etcd", "10.0.0.1"));
    api.set(FakeContainerGroupApi::running("apiserver", "10.0.0.2"));
  }

  Reconciler& make(config::Config config) {
    // With a state directory the executor records recreate operations in it, as in the daemon.
    stateful.reset();
    stateful_policy.reset();
    if (store != nullptr) {
      stateful = std::make_unique<AciActionExecutor>(api, time, sleeper, nullptr, store,
                                                     RecreatePacing{}, may_act);
      stateful_policy = std::make_unique<PolicyExecutor>(*stateful, dry_run);
    }
    reconciler = std::make_unique<Reconciler>(
        ReconcilerDeps{
            .scheduler = scheduler,
            .reads = reads != nullptr ? *reads : worker,
            .probes = worker,
            .actions = worker,
            .api = api,
            .executor = stateful_policy ? *stateful_policy : executor,
            .prober = prober_override != nullptr ? prober_override : &prober,
            .probe_batch_window = probe_batch_window,
            .time = time,
            .metrics = metrics,
            .probe_metrics = metrics,
            .defer_reads = {},
            .unit_random = unit_random,
            .state = store,
            .status = status_recorder != nullptr ? *status_recorder : status::noop_metrics(),
            .may_act = may_act,
            .publish_history = publish_history},
        std::make_shared<const config::Config>(std::move(config)));
    return *reconciler;
  }

  std::string metrics_text() const { return metrics.render(); }

  testing::FakeTimeSource time;
  testing::ManualScheduler scheduler{time};
  InlineWorker worker;
  Worker* reads = nullptr;  // set before make(): where the ARM reads run (default `worker`)
  FakeContainerGroupApi api;
  testing::FakeSleeper sleeper{time};
  AciActionExecutor real{api, time, sleeper, {}, nullptr};
  DryRunExecutor dry_run;
  PolicyExecutor executor{real, dry_run};
  std::unique_ptr<AciActionExecutor> stateful;
  std::unique_ptr<PolicyExecutor> stateful_policy;
  testing::FakeTransport probe_transport{&time, 10ms};  // no script: every probe fails
  probe::Prober prober{probe_transport, time};
  probe::Prober* prober_override = nullptr;  // set before make(): another prober (asynchronous)
  core::Duration probe_batch_window{0};      // set before make()
  std::function<double()> unit_random;       // set before make(): jitter (default none)
  status::Metrics metrics{{"test", "test", "Debug"}};
  state::StateStore* store = nullptr;  // set by tests of the state directory
  status::StatusRecorder* status_recorder = nullptr;  // set by tests of /status
  ActGate may_act;  // set before make(): coordination's answer (empty: every cluster)
  std::function<void(const std::string&, plan::History)> publish_history;  // set before make()
  std::unique_ptr<Reconciler> reconciler;
};

struct ReconcilerStateTest : ReconcilerTest {
  void SetUp() override {
    ReconcilerTest::SetUp();
    dir = std::filesystem::temp_directory_path() /
          ("fk-reconciler-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    open_store();
  }
  void TearDown() override {
    reconciler.reset();
    owned_store.reset();
    std::filesystem::remove_all(dir);
  }
  void open_store() {
    owned_store = std::move(state::StateStore::open(dir.string(), time).value());
    store = owned_store.get();
  }
  // The daemon dies (no clean shutdown: nothing is written on the way out) and starts again.
  Reconciler& restart(config::Config config) {
    reconciler.reset();
    scheduler.drop_all();
    owned_store.reset();
    open_store();
    auto& r = make(std::move(config));
    r.restore(store->load());
    return r;
  }

  std::filesystem::path dir;
  std::unique_ptr<state::StateStore> owned_store;
};

}  // namespace frankenetes::reconcile::test_util
