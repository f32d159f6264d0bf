// The reconciler on its production threads (ThreadScheduler, WorkerPools) against a fake ARM:
// the one place real concurrency is exercised (run it under TSan: -DFRANKENETES_SANITIZE is
// ASan/UBSan; a TSan build is `-fsanitize=thread`). Waits are bounded polls, never bare sleeps.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "reconcile/reconcile_test_util.h"
#include "reconcile/reconciler.h"
#include "support/fake_container_group_api.h"

namespace frankenetes::reconcile {
namespace {

using namespace std::chrono_literals;
using testing::FakeContainerGroupApi;

// FakeContainerGroupApi is single-threaded; the reads and actions pools call it concurrently.
class LockedApi final : public ContainerGroupApi {
 public:
  template <typename F>
  auto with(F f) {
    std::lock_guard lock(mutex_);
    return f(fake_);
  }
  core::Result<GroupListing> list(const std::string& s, const std::string& rg) override {
    return with([&](auto& f) { return f.list(s, rg); });
  }
  core::Result<model::ContainerGroupView> get(const ContainerGroupRef& g) override {
    return with([&](auto& f) { return f.get(g); });
  }
  core::Status restart(const ContainerGroupRef& g) override {
    return with([&](auto& f) { return f.restart(g); });
  }
  core::Status stop(const ContainerGroupRef& g) override {
    return with([&](auto& f) { return f.stop(g); });
  }
  core::Status start(const ContainerGroupRef& g) override {
    // Starting brings the group back, as ACI would.
    return with([&](auto& f) {
      f.set(FakeContainerGroupApi::running(g.name, "10.0.0.7"));
      return f.start(g);
    });
  }
  core::Status delete_group(const ContainerGroupRef& g) override {
    return with([&](auto& f) { return f.delete_group(g); });
  }
  core::Status create_or_update(const ContainerGroupRef& g, const std::string& spec) override {
    return with([&](auto& f) { return f.create_or_update(g, spec); });
  }

 private:
  std::mutex mutex_;
  FakeContainerGroupApi fake_;
};

template <typename P>
bool eventually(P predicate, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return predicate();
}

TEST(ReconcilerThreads, ObservesActsAndStopsPromptly) {
  LockedApi api;
  api.with([](auto& f) {
    auto stopped = FakeContainerGroupApi::running("etcd", "10.0.0.1");
    stopped.state = "Stopped";
    f.set(stopped);
    f.set(FakeContainerGroupApi::running("apiserver", "10.0.0.2"));
    return 0;
  });
  auto config =
      test_util::config_with({test_util::member("etcd"), test_util::member("apiserver", {"etcd"})});
  config.policy.poll_interval = 200ms;
  config.policy.get_interval.healthy = 400ms;
  config.policy.get_interval.unhealthy = 100ms;
  config.policy.stale_after = 1s;

  core::RealTimeSource time;
  ThreadScheduler scheduler;
  WorkerPool reads("reads", 2), probes("probes", 2), actions("actions", 2);
  core::RealSleeper sleeper;
  AciActionExecutor real(api, time, sleeper, {}, nullptr);
  DryRunExecutor dry_run;
  PolicyExecutor executor(real, dry_run);
  Reconciler reconciler({.scheduler = scheduler,
                         .reads = reads,
                         .probes = probes,
                         .actions = actions,
                         .api = api,
                         .executor = executor,
                         .prober = nullptr,
                         .time = time,
                         .defer_reads = {},
                         .unit_random = [] { return 0.5; }},
                        std::make_shared<const config::Config>(config));
  std::mutex passes_mutex;
  int passes = 0;
  reconciler.on_pass([&](const ReconcilerSummary&) {
    std::lock_guard lock(passes_mutex);
    ++passes;
  });
  scheduler.start();
  reconciler.start();

  EXPECT_TRUE(eventually([&] { return reconciler.readiness().ok; }));
  EXPECT_TRUE(
      eventually([&] { return api.with([](auto& f) { return f.count("start etcd"); }) == 1; }));
  // Reload from another thread while the loop runs.
  auto next = config;
  next.policy.poll_interval = 300ms;
  reconciler.update_config(std::make_shared<const config::Config>(next));
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(passes_mutex);
    return passes >= 5;
  }));
  EXPECT_TRUE(reconciler.liveness().ok);
  EXPECT_EQ(api.with([](auto& f) { return f.mutations(); }), 1u);

  const auto stopping = std::chrono::steady_clock::now();
  reconciler.stop();
  scheduler.stop();
  EXPECT_TRUE(reads.stop(2s));
  EXPECT_TRUE(probes.stop(2s));
  EXPECT_TRUE(actions.stop(2s));
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 2s);
}

}  // namespace
}  // namespace frankenetes::reconcile
