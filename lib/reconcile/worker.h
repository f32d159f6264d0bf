#pragma once
// Worker: where the reconciler sends blocking work (ARM reads, probes, remediation actions)
// so that the scheduler thread never blocks and a five-minute LRO does not stall observation.
// Work reports back by posting to the Scheduler. WorkerPool is the real one; InlineWorker runs
// work at once on the caller's thread (unit tests, and `--once`).

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/time_source.h"

namespace frankenetes::reconcile {

class Worker {
 public:
  using Work = std::function<void()>;
  virtual ~Worker() = default;
  virtual void submit(Work work) = 0;
};

class InlineWorker final : public Worker {
 public:
  void submit(Work work) override { work(); }
};

// N threads over one FIFO queue. stop() drops queued work and waits for running work for at
// most `grace`; it returns false when some work was still running (a blocking HTTP call that
// did not end in time) and detaches those threads: the caller must then leave the process
// without destroying what they use (App does, see daemon/app.cc).
class WorkerPool final : public Worker {
 public:
  WorkerPool(std::string name, std::size_t threads);
  ~WorkerPool() override;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void submit(Work work) override;
  bool stop(core::Duration grace);

 private:
  void run();

  const std::string name_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Work> queue_;
  std::size_t running_ = 0;
  std::size_t exited_ = 0;
  bool stopping_ = false;
  bool stopped_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace frankenetes::reconcile
