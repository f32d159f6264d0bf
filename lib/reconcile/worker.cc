#include "reconcile/worker.h"

#include <string_view>
#include <utility>

#include "core/thread_name.h"

namespace frankenetes::reconcile {
namespace {

constexpr std::string_view kDropped = "work dropped; the worker goes on with the next";

void run_contained(const Worker::Work& work, const std::string& component,
                   const InternalErrorHandler& on_error) {
  try {
    work();
  } catch (...) {
    report_internal_error(on_error, component, current_exception_text(), kDropped);
  }
}

}  // namespace

void Worker::submit(Work work, OnException on_exception) {
  if (!on_exception) return submit(std::move(work));
  submit([work = std::move(work), on_exception = std::move(on_exception)] {
    try {
      work();
    } catch (...) {
      on_exception(current_exception_text());
      throw;  // the worker's boundary logs and counts it
    }
  });
}

void InlineWorker::submit(Work work) { run_contained(work, component_, on_error_); }

WorkerPool::WorkerPool(std::string name, std::size_t threads, InternalErrorHandler on_error)
    : name_(std::move(name)), component_("worker:" + name_), on_error_(std::move(on_error)) {
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() { stop(std::chrono::seconds(30)); }

void WorkerPool::submit(Work work) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    queue_.push_back(std::move(work));
  }
  wake_.notify_one();
}

bool WorkerPool::stop(core::Duration grace) {
  std::unique_lock lock(mutex_);
  if (stopped_) return true;
  stopping_ = true;
  queue_.clear();
  wake_.notify_all();
  const bool all_exited =
      idle_.wait_for(lock, grace, [this] { return exited_ == threads_.size(); });
  stopped_ = true;
  lock.unlock();
  for (auto& thread : threads_) {
    if (all_exited) {
      thread.join();
    } else {
      thread.detach();
    }
  }
  return all_exited;
}

void WorkerPool::run() {
  core::name_this_thread(name_);
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    auto work = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    run_contained(work, component_, on_error_);
    work = nullptr;  // what it captured is released outside the lock
    lock.lock();
    --running_;
  }
  ++exited_;
  idle_.notify_all();
}

}  // namespace frankenetes::reconcile
