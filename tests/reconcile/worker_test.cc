// Task boundaries: work or tasks that throw end neither the WorkerPool's threads nor the
// ThreadScheduler's, later work still runs, and the error is reported (component, what) to the
// InternalErrorHandler and to the submitter's OnException. Real threads (these types are
// thread owners); every wait is a future with a bound, never a sleep.

#include "reconcile/worker.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "reconcile/scheduler.h"

namespace frankenetes::reconcile {
namespace {

using namespace std::chrono_literals;

// Records what the boundary reported; thread-safe.
class Reports {
 public:
  InternalErrorHandler handler() {
    return [this](const std::string& component, const std::string& what) {
      std::lock_guard lock(mutex_);
      seen_.emplace_back(component, what);
    };
  }
  std::vector<std::pair<std::string, std::string>> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> seen_;
};

struct NotAStdException {};

TEST(WorkerPool, ThrowingWorkDoesNotEndTheThreadAndIsReported) {
  Reports reports;
  WorkerPool pool("reads", 1, reports.handler());  // one thread: it must survive
  pool.submit([] { throw std::runtime_error("type must be number, but is string"); });
  pool.submit([] { throw NotAStdException{}; });
  std::promise<void> later;
  pool.submit([&] { later.set_value(); });
  ASSERT_EQ(later.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(pool.stop(5s));
  const auto seen = reports.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].first, "worker:reads");
  EXPECT_EQ(seen[0].second, "type must be number, but is string");
  EXPECT_EQ(seen[1].first, "worker:reads");
  EXPECT_EQ(seen[1].second, "an exception not derived from std::exception");
}

TEST(WorkerPool, ThreadsAreNamedAfterThePool) {
  WorkerPool pool("probes", 2);
  std::promise<std::string> seen;
  pool.submit([&] {
    char name[16] = {};
    pthread_getname_np(pthread_self(), name, sizeof name);
    seen.set_value(name);
  });
  auto name = seen.get_future();
  ASSERT_EQ(name.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(name.get(), "probes");
  EXPECT_TRUE(pool.stop(5s));
}

TEST(WorkerPool, OnExceptionRunsBeforeTheReportAndOnlyWhenWorkThrows) {
  Reports reports;
  WorkerPool pool("actions", 1, reports.handler());
  std::promise<std::string> failed;
  std::promise<bool> reported_before;
  pool.submit([] { throw std::logic_error("boom"); },
              [&](const std::string& what) {
                reported_before.set_value(reports.seen().empty());
                failed.set_value(what);
              });
  int calls = 0;
  std::promise<void> ok;
  pool.submit([&] { ok.set_value(); }, [&](const std::string&) { ++calls; });
  auto what = failed.get_future();
  ASSERT_EQ(what.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(what.get(), "boom");
  EXPECT_TRUE(reported_before.get_future().get());
  ASSERT_EQ(ok.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(pool.stop(5s));
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(reports.seen().size(), 1u);
}

TEST(WorkerPool, AThrowingOnExceptionIsReportedInstead) {
  Reports reports;
  WorkerPool pool("probes", 1, reports.handler());
  pool.submit([] { throw std::runtime_error("first"); },
              [](const std::string&) { throw std::runtime_error("second"); });
  std::promise<void> later;
  pool.submit([&] { later.set_value(); });
  ASSERT_EQ(later.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(pool.stop(5s));
  const auto seen = reports.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].second, "second");
}

TEST(WorkerPool, WithoutHandlerItStillSurvives) {
  WorkerPool pool("dns", 1);
  pool.submit([] { throw std::runtime_error("unobserved"); });
  std::promise<void> later;
  pool.submit([&] { later.set_value(); });
  EXPECT_EQ(later.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(pool.stop(5s));
}

TEST(WorkerPool, LongWhatIsBoundedAndControlCharactersAreReplaced) {
  Reports reports;
  WorkerPool pool("reads", 1, reports.handler());
  pool.submit([] { throw std::runtime_error("line1\nline2" + std::string(1000, 'x')); });
  std::promise<void> later;
  pool.submit([&] { later.set_value(); });
  ASSERT_EQ(later.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(pool.stop(5s));
  const auto seen = reports.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_LE(seen[0].second.size(), 303u);
  EXPECT_EQ(seen[0].second.find('\n'), std::string::npos);
  EXPECT_EQ(seen[0].second.rfind("line1 line2", 0), 0u);
}

TEST(InlineWorker, ContainsExceptionsOnTheCallersThread) {
  Reports reports;
  InlineWorker worker("inline", reports.handler());
  std::string failure;
  worker.submit([] { throw std::runtime_error("inline boom"); },
                [&](const std::string& what) { failure = what; });
  bool ran = false;
  worker.submit([&] { ran = true; });
  EXPECT_TRUE(ran);
  EXPECT_EQ(failure, "inline boom");
  const auto seen = reports.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, "worker:inline");
}

TEST(ThreadScheduler, ThrowingTaskDoesNotEndTheThreadAndIsReported) {
  Reports reports;
  ThreadScheduler scheduler(reports.handler());
  scheduler.start();
  scheduler.post([] { throw std::out_of_range("map::at"); });
  scheduler.post([] { throw NotAStdException{}; });
  std::promise<bool> later;
  scheduler.post([&] { later.set_value(scheduler.on_scheduler_thread()); });
  auto ran = later.get_future();
  ASSERT_EQ(ran.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(ran.get());
  // Delayed tasks still run after the failures.
  std::promise<void> delayed;
  scheduler.schedule_after(1ms, [&] { delayed.set_value(); });
  EXPECT_EQ(delayed.get_future().wait_for(5s), std::future_status::ready);
  scheduler.stop();
  const auto seen = reports.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].first, "scheduler");
  EXPECT_EQ(seen[0].second, "map::at");
  EXPECT_EQ(seen[1].first, "scheduler");
}

TEST(InternalError, AThrowingHandlerIsSwallowed) {
  InlineWorker worker("inline", [](const std::string&, const std::string&) {
    throw std::runtime_error("handler broken");
  });
  bool ran = false;
  worker.submit([] { throw std::runtime_error("work broken"); });
  worker.submit([&] { ran = true; });
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace frankenetes::reconcile
