#pragma once
// ManualScheduler: a reconcile::Scheduler that runs tasks only when a test says so, on the
// test's thread, with time from a FakeTimeSource (unit tests never sleep).
//   scheduler.advance(5s);   // moves the clock and runs everything due, in time order
//   scheduler.run_due();     // runs what is due now (including tasks those tasks post)

#include <cstddef>
#include <map>
#include <utility>

#include "reconcile/scheduler.h"
#include "support/fake_time_source.h"

namespace frankenetes::testing {

class ManualScheduler final : public reconcile::Scheduler {
 public:
  explicit ManualScheduler(FakeTimeSource& time) : time_(time) {}

  core::MonotonicTime now() const override { return time_.monotonic_time(); }

  TaskId schedule_at(core::MonotonicTime when, Task task) override {
    const auto id = next_id_++;
    queue_.emplace(std::make_pair(when, id), std::move(task));
    return id;
  }

  void cancel(TaskId id) override {
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (it->first.second == id) {
        queue_.erase(it);
        return;
      }
    }
  }

  // Runs every task due at now(); returns how many ran. Stops after `limit` tasks so a task
  // that reschedules itself at now() cannot hang a test.
  // Drops every pending task: what happens to a process's timers when it dies (tests that
  // simulate a daemon restart destroy the old Reconciler, whose tasks must never run).
  void drop_all() { queue_.clear(); }

  std::size_t run_due(std::size_t limit = 10000) {
    std::size_t ran = 0;
    while (!queue_.empty() && queue_.begin()->first.first <= now() && ran < limit) {
      auto task = std::move(queue_.begin()->second);
      queue_.erase(queue_.begin());
      task();
      ++ran;
    }
    return ran;
  }

  // Moves time forward in steps of at most `step`, running due tasks at each step, so tasks
  // run at (about) their scheduled times.
  template <typename D>
  void advance(D d, core::Duration step = std::chrono::milliseconds(100)) {
    auto remaining = std::chrono::duration_cast<core::Duration>(d);
    run_due();
    while (remaining > core::Duration(0)) {
      const auto next = std::min(step, remaining);
      time_.advance(next);
      remaining -= next;
      run_due();
    }
  }

  std::size_t pending() const { return queue_.size(); }

 private:
  FakeTimeSource& time_;
  std::map<std::pair<core::MonotonicTime, TaskId>, Task> queue_;
  TaskId next_id_ = 1;
};

}  // namespace frankenetes::testing
