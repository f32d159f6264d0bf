#pragma once
// WorkThreads: where the process's work runs.
//   Pooled (the daemon): a ThreadScheduler of its own and worker pools reads (2 threads: a
//     pass, and the GETs asked for beside it), probes (kProbeThreads), actions (4), dns (1)
//     and snapshots (1: etcd snapshots may stream for minutes). Probes themselves run on their clients' I/O threads (probe/prober.h).
//   Inline (--once, and tests): every piece of work runs on the thread that submits it; tasks
//     go to the scheduler the caller passes (a test's testing::ManualScheduler), or to a
//     ThreadScheduler that is never started (--once runs its pass on the caller's thread).
// The scheduler and pools are task boundaries; what they contain is counted in
// frankenetes_internal_errors_total{component}. Owned by the Process.

#include <chrono>
#include <cstddef>
#include <memory>

#include "core/time_source.h"
#include "reconcile/scheduler.h"
#include "reconcile/worker.h"
#include "status/recorders.h"

namespace frankenetes::daemon {

// The daemon's probes are asynchronous (each probe TLS setting's http::AsyncHttpClient runs
// them all on its own I/O thread, etcd's status reads too), so this pool only serves blocking
// probes, which the daemon no longer makes: two threads, should that ever change.
inline constexpr std::size_t kProbeThreads = 2;

// Probes that fall due within one window start together (ReconcilerDeps::probe_batch_window):
// at 4000 members every 5 s, 20 wake-ups a second instead of 800. A probe starts at most this
// much later than its period says.
inline constexpr core::Duration kProbeBatchWindow{50};

class WorkThreads {
 public:
  // `scheduler` null: a ThreadScheduler of its own. `inline_work`: no pools (forced when a
  // scheduler is passed in, which need not be thread-safe).
  WorkThreads(status::ErrorMetrics& errors, reconcile::Scheduler* scheduler, bool inline_work);
  ~WorkThreads();
  WorkThreads(const WorkThreads&) = delete;
  WorkThreads& operator=(const WorkThreads&) = delete;

  reconcile::Scheduler& scheduler() { return *scheduler_; }
  reconcile::Worker& reads() { return pick(reads_.get()); }
  reconcile::Worker& probes() { return pick(probes_.get()); }
  reconcile::Worker& actions() { return pick(actions_.get()); }
  reconcile::Worker& dns() { return pick(dns_.get()); }
  reconcile::Worker& snapshots() { return pick(snapshots_.get()); }

  void start();  // the scheduler thread, when it is the WorkThreads' own
  // Stops the scheduler and waits for the pools until `deadline`; false when some blocking
  // call outlived it (its thread is detached and still uses the object graph).
  bool stop(std::chrono::steady_clock::time_point deadline);

 private:
  reconcile::Worker& pick(reconcile::Worker* pool) { return pool ? *pool : inline_; }

  std::unique_ptr<reconcile::ThreadScheduler> own_scheduler_;
  reconcile::Scheduler* scheduler_;
  reconcile::InlineWorker inline_;
  std::unique_ptr<reconcile::WorkerPool> reads_;
  std::unique_ptr<reconcile::WorkerPool> probes_;
  std::unique_ptr<reconcile::WorkerPool> actions_;
  std::unique_ptr<reconcile::WorkerPool> dns_;
  std::unique_ptr<reconcile::WorkerPool> snapshots_;
};

}  // namespace frankenetes::daemon
