#include "reconcile/worker.h"

namespace frankenetes::reconcile {

WorkerPool::WorkerPool(std::string name, std::size_t threads) : name_(std::move(name)) {
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
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    auto work = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    work();
    lock.lock();
    --running_;
  }
  ++exited_;
  idle_.notify_all();
}

}  // namespace frankenetes::reconcile
