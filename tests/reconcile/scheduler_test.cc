#include "reconcile/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <vector>

#include "reconcile/worker.h"
#include "support/fake_time_source.h"
#include "support/manual_scheduler.h"

namespace frankenetes::reconcile {
namespace {

using namespace std::chrono_literals;

TEST(ManualScheduler, RunsTasksInTimeOrderOnlyWhenDue) {
  testing::FakeTimeSource time;
  testing::ManualScheduler scheduler(time);
  std::vector<int> ran;
  scheduler.schedule_after(2s, [&] { ran.push_back(2); });
  scheduler.schedule_after(1s, [&] { ran.push_back(1); });
  const auto cancelled = scheduler.schedule_after(1500ms, [&] { ran.push_back(99); });
  scheduler.cancel(cancelled);
  scheduler.run_due();
  EXPECT_TRUE(ran.empty());
  scheduler.advance(2s);
  EXPECT_EQ(ran, (std::vector<int>{1, 2}));
}

// The one test that uses real threads: the production scheduler runs posted and delayed
// tasks on its own thread and drops what is pending on stop().
TEST(ThreadScheduler, RunsTasksOnItsThreadAndStops) {
  ThreadScheduler scheduler;
  scheduler.start();
  std::promise<bool> on_thread;
  scheduler.post([&] { on_thread.set_value(scheduler.on_scheduler_thread()); });
  EXPECT_TRUE(on_thread.get_future().get());
  std::promise<void> later;
  scheduler.schedule_after(10ms, [&] { later.set_value(); });
  EXPECT_EQ(later.get_future().wait_for(5s), std::future_status::ready);
  std::atomic<bool> never{false};
  const auto id = scheduler.schedule_after(1h, [&] { never = true; });
  scheduler.cancel(id);
  scheduler.schedule_after(1h, [&] { never = true; });
  scheduler.stop();
  EXPECT_FALSE(never);
  EXPECT_EQ(scheduler.post([] {}), 0u);
}

TEST(WorkerPool, RunsWorkAndStopsWithinGrace) {
  WorkerPool pool("test", 2);
  std::promise<void> done;
  pool.submit([&] { done.set_value(); });
  EXPECT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(pool.stop(5s));
}

}  // namespace
}  // namespace frankenetes::reconcile
