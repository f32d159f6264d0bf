#pragma once
// Worker: where the reconciler sends blocking work (ARM reads, probes, remediation actions)
// so that the scheduler thread never blocks and a five-minute LRO does not stall observation.
// Work reports back by posting to the Scheduler. WorkerPool is the real one; InlineWorker runs
// work at once on the caller's thread (unit tests, and `--once`).
//
// Both are task boundaries (internal_error.h): work that throws is logged as internal.error
// (component worker:<name>) and reported to the optional InternalErrorHandler; the thread goes
// on with the next work. What the work would have posted back never arrives, so a submitter
// whose completion matters passes an OnException to submit(): it runs on the worker thread
// with the exception's text, before the boundary reports it, and may post a completion that
// says "unknown" instead.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/time_source.h"
#include "reconcile/internal_error.h"

namespace frankenetes::reconcile {

class Worker {
 public:
  using Work = std::function<void()>;
  using OnException = std::function<void(const std::string& what)>;

  virtual ~Worker() = default;
  virtual void submit(Work work) = 0;
  // `work`; if it throws, `on_exception(what)` first, then the worker's own report. An
  // exception thrown by `on_exception` is reported instead of the first.
  void submit(Work work, OnException on_exception);
};

class InlineWorker final : public Worker {
 public:
  explicit InlineWorker(std::string name = "inline", InternalErrorHandler on_error = {})
      : component_("worker:" + std::move(name)), on_error_(std::move(on_error)) {}

  using Worker::submit;
  void submit(Work work) override;

 private:
  const std::string component_;
  const InternalErrorHandler on_error_;
};

// N threads over one FIFO queue. stop() drops queued work and waits for running work for at
// most `grace`; it returns false when some work was still running (a blocking HTTP call that
// did not end in time) and detaches those threads: the caller must then leave the process
// without destroying what they use (the daemon does, see daemon/controller.cc).
class WorkerPool final : public Worker {
 public:
  WorkerPool(std::string name, std::size_t threads, InternalErrorHandler on_error = {});
  ~WorkerPool() override;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  using Worker::submit;
  void submit(Work work) override;
  bool stop(core::Duration grace);

 private:
  void run();

  const std::string name_;
  const std::string component_;  // "worker:<name>"
  const InternalErrorHandler on_error_;
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
