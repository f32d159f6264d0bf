#pragma once
// Scheduler: the seam the reconciler runs on (controller-runtime's replaceable queue clock,
// Envoy's TimeSource). Every task runs on the scheduler's one thread, one at a time, so state
// touched only from tasks needs no lock: the reconciler's history, observations and config
// live there. Blocking work (ARM calls, probes, actions) goes to a Worker (worker.h), whose
// completion is posted back here.
//
// ThreadScheduler is the real one: one thread, a timer queue and a condition variable. It is a
// task boundary (internal_error.h): a task that throws is logged as internal.error (component
// "scheduler") and reported to the optional InternalErrorHandler, and the next task runs.
// Whatever the task would have scheduled or recorded is lost: a task that matters for the
// loop's progress (the reconciler's tick) must keep its own invariants.
// Tests use testing::ManualScheduler (tests/support/manual_scheduler.h), which runs due tasks
// only when told (scheduler.advance(5s); scheduler.run_due()).

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "core/time_source.h"
#include "reconcile/internal_error.h"

namespace frankenetes::reconcile {

class Scheduler {
 public:
  using TaskId = std::uint64_t;
  using Task = std::function<void()>;

  virtual ~Scheduler() = default;
  // The scheduler's monotonic clock; the time every task is stamped with.
  virtual core::MonotonicTime now() const = 0;
  // Runs `task` on the scheduler thread at or after `when`. Thread-safe.
  virtual TaskId schedule_at(core::MonotonicTime when, Task task) = 0;
  // Drops a task that has not started; unknown or finished ids are ignored. Thread-safe.
  virtual void cancel(TaskId id) = 0;

  TaskId post(Task task) { return schedule_at(now(), std::move(task)); }
  TaskId schedule_after(core::Duration delay, Task task) {
    return schedule_at(now() + delay, std::move(task));
  }
};

// The production scheduler: one thread running tasks in time order (FIFO for equal times).
// stop() drops pending tasks, waits for the running one and joins; it is idempotent and is
// called by the destructor.
class ThreadScheduler final : public Scheduler {
 public:
  explicit ThreadScheduler(InternalErrorHandler on_error = {});
  ~ThreadScheduler() override;
  ThreadScheduler(const ThreadScheduler&) = delete;
  ThreadScheduler& operator=(const ThreadScheduler&) = delete;

  void start();
  void stop();
  bool on_scheduler_thread() const;

  core::MonotonicTime now() const override;
  TaskId schedule_at(core::MonotonicTime when, Task task) override;
  void cancel(TaskId id) override;

 private:
  void run();

  const InternalErrorHandler on_error_;
  // It waits on a condition variable, which counts the steady clock: its time is the real one.
  const core::RealTimeSource time_{};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::pair<core::MonotonicTime, TaskId>, Task> queue_;
  std::map<TaskId, core::MonotonicTime> when_by_id_;
  TaskId next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace frankenetes::reconcile
