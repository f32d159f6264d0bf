#include "reconcile/scheduler.h"

#include <utility>

#include "core/thread_name.h"

namespace frankenetes::reconcile {

ThreadScheduler::ThreadScheduler(InternalErrorHandler on_error) : on_error_(std::move(on_error)) {}

ThreadScheduler::~ThreadScheduler() { stop(); }

void ThreadScheduler::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void ThreadScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
    when_by_id_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool ThreadScheduler::on_scheduler_thread() const {
  return std::this_thread::get_id() == thread_.get_id();
}

core::MonotonicTime ThreadScheduler::now() const { return time_.monotonic_time(); }

Scheduler::TaskId ThreadScheduler::schedule_at(core::MonotonicTime when, Task task) {
  TaskId id = 0;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return 0;
    id = next_id_++;
    queue_.emplace(std::make_pair(when, id), std::move(task));
    when_by_id_.emplace(id, when);
  }
  wake_.notify_all();
  return id;
}

void ThreadScheduler::cancel(TaskId id) {
  std::lock_guard lock(mutex_);
  const auto it = when_by_id_.find(id);
  if (it == when_by_id_.end()) return;
  queue_.erase({it->second, id});
  when_by_id_.erase(it);
}

void ThreadScheduler::run() {
  core::name_this_thread("scheduler");
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const auto first = queue_.begin();
    const auto when = first->first.first;
    if (when > now()) {
      wake_.wait_until(lock, when);
      continue;
    }
    auto task = std::move(first->second);
    when_by_id_.erase(first->first.second);
    queue_.erase(first);
    lock.unlock();
    try {
      task();
    } catch (...) {
      report_internal_error(on_error_, "scheduler", current_exception_text(),
                            "task dropped; the scheduler goes on with the next");
    }
    task = nullptr;  // what it captured is released outside the lock
    lock.lock();
  }
}

}  // namespace frankenetes::reconcile
